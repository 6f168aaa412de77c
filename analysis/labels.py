"""Readable labels and key terms for themes, in words people wrote rather than stems.

A theme's strongest phrase is usually the best label ("street lighting", "GP appointments"); when
no two-word phrase is strong enough the two strongest words are joined as people join them when
they often do ("cost of living", "drink and drugs"), else with "and" ("potholes and roads"), so a
label is always two to four words. Labels are chosen largest theme first with maximal marginal
relevance: each option's strength is traded against how many of its words larger themes' labels
already use, so "Bus services" and "Bus fares" give way to "Bus services" and "Fares and tickets"
when the second theme has a nearly as good option. No two themes share a label, and no label says
a word twice ("Bus and buses"), judged on the stems of the words people see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.phrases import Written
from analysis.preprocess import FOLLOWERS, JOINING_WORDS, Stemmer, SurfaceForms

# A two-word phrase can label a theme when it scores at least this share of the theme's top term.
PHRASE_SHARE = 0.2
# ...and either contains one of the theme's MAIN_WORDS strongest words or scores this share.
STRONG_PHRASE_SHARE = 0.5
MAIN_WORDS = 3
# Word pairs are formed from this many of a theme's strongest single words.
PAIR_WORDS = 5
# How many of a theme's strongest features are considered for labels and key terms.
CANDIDATES = 40
N_TERMS = 8
# Maximal marginal relevance of label options: weight of strength against novelty of words.
LABEL_MMR_LAMBDA = 0.7
# An option's relevance falls by this factor per place in the order of options; with the weights
# above a label shares one of two words with a larger theme's only when no option within the next
# two places is free of shared words.
RANK_DECAY = 0.9
# A phrase takes the place of a key word it contains only when it is nearly as strong: weaker
# phrases made key terms lean to rare wording (Pol.is NPMI of top words -0.181; -0.162 with 0.8).
PHRASE_REPLACES = 0.8


@dataclass(frozen=True)
class Description:
    """What people see of a theme: its label and key terms."""

    label: str
    terms: tuple[str, ...]


def _stems(feature: str) -> set[str]:
    return set(feature.split())


def key_terms(
    weights: np.ndarray, features: Sequence[str], surfaces: SurfaceForms, n: int = N_TERMS
) -> tuple[str, ...]:
    """Strongest terms, a phrase replacing a word it contains ("bus" -> "bus services")."""
    chosen: list[str] = []
    weight_of = {features[j]: float(weights[j]) for j in np.argsort(-weights)[:CANDIDATES]}
    for j in np.argsort(-weights, kind="stable")[:CANDIDATES]:
        if weights[j] <= 0 or len(chosen) >= n:
            break
        feature = features[j]
        if " " not in feature:
            if any(feature in _stems(other) for other in chosen):
                continue
            chosen.append(feature)
            continue
        inside = [
            k for k, other in enumerate(chosen) if " " not in other and other in _stems(feature)
        ]
        if inside and weights[j] < PHRASE_REPLACES * weight_of[chosen[inside[0]]]:
            continue
        if inside:
            chosen[inside[0]] = feature
            chosen = [f for k, f in enumerate(chosen) if k not in inside[1:]]
        elif feature not in chosen:
            chosen.append(feature)
    terms: list[str] = []
    for feature in chosen:
        shown = surfaces.display(feature)
        if shown not in terms:
            terms.append(shown)
    return tuple(terms)


def _fallback_label(terms: Sequence[str]) -> str:
    """Two to four words from the key terms when no label option is left."""
    if not terms:
        return "Other comments"
    if len(terms) == 1 or len(terms[0].split()) + len(terms[1].split()) > 3:
        return terms[0] if " " in terms[0] else f"Comments on {terms[0]}"
    return f"{terms[0]} and {terms[1]}"


def _related_terms(terms: Sequence[str], written: Written) -> Sequence[str]:
    """The key terms, cut to the first when the answers rarely use the first two together."""
    if len(terms) < 2 or " " in terms[0] or " " in terms[1]:
        return terms
    stemmer = Stemmer()
    first, second = (stemmer(term.lower()) for term in terms[:2])
    if written.phrase(first, second) or written.related(first, second):
        return terms
    return terms[:1]


def _capitalise(label: str) -> str:
    return label[:1].upper() + label[1:]


def _label_candidates(weights: np.ndarray, features: Sequence[str]) -> list[tuple[str, ...]]:
    """Label options, best first: phrases about the theme's main words, then word pairs.

    Their order sets their relevance in maximal marginal relevance (see RANK_DECAY).

    A phrase must be reasonably strong and either contain one of the theme's strongest words
    or be strong in its own right; otherwise a weak phrase that happens to be distinctive
    ("biodiversity system") would label a theme about something else.
    """
    order = [j for j in np.argsort(-weights, kind="stable")[:CANDIDATES] if weights[j] > 0]
    if not order:
        return []
    top = float(weights[order[0]])
    singles = [features[j] for j in order if " " not in features[j]]
    main_words = set(singles[:MAIN_WORDS])
    phrases = [
        features[j]
        for j in order
        if " " in features[j]
        and weights[j] >= PHRASE_SHARE * top
        and (main_words & _stems(features[j]) or weights[j] >= STRONG_PHRASE_SHARE * top)
    ]
    pairs: list[tuple[float, tuple[str, ...]]] = []
    head = [j for j in order if " " not in features[j]][:PAIR_WORDS]
    for a_index, a in enumerate(head):
        for b in head[a_index + 1 :]:
            words = {features[a], features[b]}
            if any(words <= _stems(phrase) for phrase in phrases):
                continue  # "bus" + "service" is the phrase "bus service"
            pairs.append(((float(weights[a]) + float(weights[b])) / 2, (features[a], features[b])))
    pairs.sort(key=lambda item: -item[0])  # stable: ties keep the order of the strongest word
    candidates: list[tuple[str, ...]] = [(phrase,) for phrase in phrases]
    candidates += [pair for _, pair in pairs]
    return candidates


def _words(text: str, stemmer: Stemmer) -> list[str]:
    """Stems of the words a label shows, leaving out joining words ("and", "of") and followers
    ("people"), which may be said twice and say nothing about the theme."""
    small = JOINING_WORDS | FOLLOWERS
    return [stemmer(word.lower()) for word in text.split() if word.lower() not in small]


def _option_text(
    candidate: tuple[str, ...], surfaces: SurfaceForms, written: Written | None = None
) -> str | None:
    """A phrase as written; two words as people join them ("cost of living", "buses to the
    hospital"), else with "and", each with the word that nearly always follows it ("young
    people and drugs"). With `written`, two words the answers rarely use together are no
    label (None): "Centre and instead" would join two unrelated words."""
    if len(candidate) == 2:
        joined = surfaces.joined_phrase(*candidate)
        if joined is not None:
            return joined
        if written is not None:
            phrase = written.phrase(*candidate)
            if phrase is not None:
                return phrase
            if not written.related(*candidate):
                return None
    shown = [surfaces.label_word(part) for part in candidate]
    if len(shown) == 2 and all(" " in part for part in shown):
        first, second = (part.split(" ", 1) for part in shown)
        if first[1] == second[1]:  # "young and older people", not "people" twice
            return f"{first[0]} and {shown[1]}"
    return " and ".join(shown)


def _pick_label(
    options: Sequence[tuple[tuple[str, ...], str]],
    used_words: set[str],
    used_labels: set[str],
    stemmer: Stemmer,
) -> tuple[tuple[str, ...], str] | None:
    """The option (features, text) with the best maximal marginal relevance, or None."""
    best: tuple[float, int] | None = None
    for index, (_, text) in enumerate(options):
        stems = _words(text, stemmer)
        if len(set(stems)) < len(stems) or text.lower() in used_labels:
            continue  # "Bus and buses", or a larger theme's label
        relevance = RANK_DECAY**index
        overlap = sum(stem in used_words for stem in stems) / max(len(stems), 1)
        score = LABEL_MMR_LAMBDA * relevance - (1 - LABEL_MMR_LAMBDA) * overlap
        if best is None or score > best[0]:
            best = (score, index)
    return None if best is None else options[best[1]]


def describe_themes(
    h: np.ndarray, features: Sequence[str], surfaces: SurfaceForms, written: Written | None = None
) -> list[Description]:
    """Label and key terms for each row of `h` (largest theme first), with no repeated label.

    With `written` (analysis.phrases), a pair of words is a label only as the answers write it
    or when they use the two together."""
    stemmer = Stemmer()
    used_features: set[str] = set()
    used_words: set[str] = set()
    used_labels: set[str] = set()
    out: list[Description] = []
    for weights in h:
        terms = key_terms(weights, features, surfaces)
        options = [
            (candidate, text)
            for candidate in _label_candidates(weights, features)
            if not any(part in used_features for part in candidate)
            and (text := _option_text(candidate, surfaces, written)) is not None
        ]
        picked = _pick_label(options, used_words, used_labels, stemmer)
        if picked is not None:
            used_features.update(picked[0])
            label = picked[1]
        else:  # every option taken: fall back to the key terms, made unique
            label = _fallback_label(terms if written is None else _related_terms(terms, written))
            suffix = 2
            base = label
            while label.lower() in used_labels:
                label, suffix = f"{base} ({suffix})", suffix + 1
        used_labels.add(label.lower())
        used_words.update(_words(label, stemmer))
        out.append(Description(label=_capitalise(label), terms=terms))
    return out
