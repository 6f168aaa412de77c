"""From raw answers to stemmed unigram and bigram features, keeping readable surface forms.

Stems let "bus", "buses" and "Buses" count as one term; people must never see a stem, though, so for
each stem (and stem pair) the most frequent surface spelling is kept for labels and key terms.
Bigrams are only formed from words that are next to each other in the answer, within a clause, so
they read as phrases people actually use ("street lighting", "youth clubs"). Two content words
joined by one small word ("cost of living", "drink and drugs") are not features, but their
wording is kept so a theme about "cost" and "living" is labelled as people say it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from nltk.stem.snowball import SnowballStemmer

from analysis.stopwords import BASE_STOP_WORDS, CONSULTATION_FILLER, NON_ANSWERS

_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\S+", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[.!?;:,()\[\]{}\"\n\r\t|/\\]+|\s[-–—]+\s")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # letters and digits in any script: "Māori"
_NON_WORD = re.compile(r"[\W_]+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NON_ANSWER_STRIP = " \t\r\n.!?,;:'\"()-"


def clean(text: str) -> str:
    """Unify Unicode forms and apostrophes and drop links, keeping case for display ("GP")."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return " ".join(_URL.sub(" ", text).split())


def normalise(text: str) -> str:
    """Cleaned and lower-cased, so answers that differ only in case count as duplicates."""
    return clean(text).lower()


def duplicate_key(cleaned: str) -> str:
    """What identical answers share: their words, whatever the case and punctuation."""
    return " ".join(_NON_WORD.split(cleaned.lower())).strip()


def is_shouted(text: str) -> bool:
    """Mostly capitals ("FIX THE ROADS"): its case says nothing about how words are written."""
    letters = "".join(filter(str.isalpha, text))  # builtins over the characters: no Python loop
    return len(letters) >= 8 and sum(map(str.isupper, letters)) > 0.6 * len(letters)


def is_non_answer(normalised: str) -> bool:
    """True for whole answers such as "N/A", "No" or "Don't know" that say nothing."""
    return normalised.strip(_NON_ANSWER_STRIP) in NON_ANSWERS


def words(text: str) -> list[list[str]]:
    """Clauses of word tokens (case kept); possessive 's and contractions ("don't") dropped."""
    clauses: list[list[str]] = []
    for clause in _CLAUSE_BREAK.split(text):
        tokens: list[str] = []
        for token in _TOKEN.findall(clause):
            if token.lower().endswith("'s"):
                token = token[:-2]
            elif "'" in token:
                token = ""  # contractions are function words: i'm, don't, we've
            if len(token) < 2 or token.isdigit():
                token = ""
            tokens.append(token)  # "" keeps the gap so no bigram spans a dropped word
        clauses.append(tokens)
    return clauses


@dataclass(frozen=True)
class StopList:
    """Words to ignore, both as written and as stems (so "thinking" goes with "think")."""

    surfaces: frozenset[str]
    stems: frozenset[str]

    def is_stop(self, surface: str, stem: str) -> bool:
        """Whether a token carries no theme-worthy meaning."""
        return surface in self.surfaces or stem in self.stems


# Small words that may join two content words in a label as people write it ("cost of living").
JOINING_WORDS = frozenset({"of", "to", "for", "in", "on", "at", "with", "from", "and", "or"})
# A joined phrase labels a pair of words when it was written at least this many times and makes
# up at least this share of the rarer word's uses: "cost of living" for "cost" and "living", but
# not "jobs for young" when "young" was written eight times and only twice after "jobs for".
BRIDGE_MIN_COUNT = 2
BRIDGE_SHARE = 0.3

# A stop word people put after a describing word so often that the word alone reads oddly in a
# label: "young" is nearly always "young people". It is shown with the word when it follows at
# least FOLLOW_SHARE of the word's uses.
FOLLOWERS = frozenset({"people"})
FOLLOW_SHARE = 0.5

# Plurals Snowball leaves apart from their singular ("buses" -> "buse", "bus" -> "bus").
_STEM_FIRST: dict[str, str] = {"buses": "bus", "busses": "bus", "children": "child"}


@dataclass
class Stemmer:
    """Snowball stemmer with a cache: answers repeat the same few thousand words many times."""

    _stemmer: SnowballStemmer = field(default_factory=lambda: SnowballStemmer("english"))
    _cache: dict[str, str] = field(default_factory=dict)

    def __call__(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            stem = self._stemmer.stem(_STEM_FIRST.get(word, word))
            self._cache[word] = stem
        return stem


def build_stop_list(
    stemmer: Stemmer, question_text: str = "", extra: Iterable[str] = ()
) -> StopList:
    """Base list plus the question's own words, which would otherwise dominate every theme."""
    own = [token for clause in words(normalise(question_text)) for token in clause if token]
    own += [token for phrase in extra for clause in words(normalise(phrase)) for token in clause]
    own = [token for token in own if token]
    by_stem = CONSULTATION_FILLER | frozenset(own)
    return StopList(
        surfaces=BASE_STOP_WORDS | frozenset(own),
        stems=frozenset(stemmer(word) for word in by_stem),
    )


@dataclass
class SurfaceForms:
    """Counts how each feature (stem or stem pair) was written, to show people real words.

    Spellings are counted in lower case; each word's case is decided separately, so sentence
    starts ("Buses ...") do not capitalise labels while acronyms ("GP", "NHS") keep theirs.
    """

    seen: Counter[tuple[str, str]] = field(default_factory=Counter)  # (feature, as written)
    # ((stem, stem), "cost of living" in lower case): two content words joined by a small word
    joined: Counter[tuple[tuple[str, str], str]] = field(default_factory=Counter)
    # (stem, "young people" in lower case): a word followed by one of FOLLOWERS
    followed: Counter[tuple[str, str]] = field(default_factory=Counter)
    _spellings: dict[str, Counter[str]] | None = None
    _casing: dict[str, Counter[str]] | None = None
    _joined: dict[frozenset[str], Counter[tuple[str, str]]] | None = None
    _followed: dict[str, Counter[str]] | None = None

    def add_all(
        self,
        pairs: Iterable[tuple[str, str]],
        joined: Iterable[tuple[tuple[str, str], str]] = (),
        followed: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Record one answer's occurrences: (feature, surface as written), joined phrases
        ((stem, stem), "cost of living") and followed words (stem, "young people")."""
        self.seen.update(pairs)
        self.joined.update(joined)
        self.followed.update(followed)
        self._spellings = self._casing = self._joined = self._followed = None

    def _index(self) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]]]:
        if self._spellings is None or self._casing is None:
            spellings: defaultdict[str, Counter[str]] = defaultdict(Counter)
            casing: defaultdict[str, Counter[str]] = defaultdict(Counter)
            for (feature, surface), count in self.seen.items():
                lower = surface.lower()
                spellings[feature][lower] += count
                if " " not in surface:
                    casing[lower][surface] += count
            self._spellings, self._casing = dict(spellings), dict(casing)
        return self._spellings, self._casing

    def _case(self, word: str) -> str:
        """The commonest casing; on a tie "GP" beats "Gp" beats "gp" (someone meant it)."""
        variants = self._index()[1].get(word)
        if not variants:
            return word
        return max(
            variants.items(), key=lambda item: (item[1], item[0].isupper(), item[0].istitle())
        )[0]

    def display(self, feature: str) -> str:
        """Most frequent spelling; ties go to the first seen, which is deterministic."""
        counter = self._index()[0].get(feature)
        if not counter:
            return feature
        phrase = counter.most_common(1)[0][0]
        return " ".join(self._case(word) for word in phrase.split())

    def label_word(self, stem: str) -> str:
        """A word as a label shows it: with the stop word that nearly always follows it
        ("young people"), else as `display` shows it."""
        shown = self.display(stem)
        if self._followed is None:
            index: defaultdict[str, Counter[str]] = defaultdict(Counter)
            for (word, phrase), count in self.followed.items():
                index[word][phrase] += count
            self._followed = dict(index)
        follows = self._followed.get(stem)
        if not follows or " " in shown:
            return shown
        phrase, count = follows.most_common(1)[0]
        uses = sum(self._index()[0].get(stem, Counter()).values())
        if count < FOLLOW_SHARE * uses:
            return shown
        return f"{shown} {phrase.split()[-1]}"

    def joined_phrase(self, first: str, second: str) -> str | None:
        """How people join two stems in one phrase ("cost of living"), in either order, when
        they do so often enough (BRIDGE_MIN_COUNT, BRIDGE_SHARE); otherwise None. The second
        word keeps a follower as `label_word` would ("children and young people")."""
        if self._joined is None:
            joined: defaultdict[frozenset[str], Counter[tuple[str, str]]] = defaultdict(Counter)
            for ((head_stem, tail_stem), phrase), count in self.joined.items():
                joined[frozenset((head_stem, tail_stem))][(phrase, tail_stem)] += count
            self._joined = dict(joined)
        counter = self._joined.get(frozenset((first, second)))
        if not counter:
            return None
        (phrase, tail_stem), count = counter.most_common(1)[0]
        spellings = self._index()[0]
        rarer = min(sum(spellings.get(stem, Counter()).values()) for stem in (first, second))
        if count < BRIDGE_MIN_COUNT or count < BRIDGE_SHARE * rarer:
            return None
        head, joining, tail = phrase.split()
        follower = self.label_word(tail_stem).split()[1:]
        return " ".join([self._case(head), joining, self._case(tail), *follower])


@dataclass
class Analyser:
    """Turns one cleaned answer into its features: content stems and adjacent stem pairs."""

    stop_list: StopList
    stemmer: Stemmer
    surfaces: SurfaceForms | None = None

    def features(self, text: str, *, bigrams: bool = True) -> list[str]:
        """Features of a cleaned answer; surface forms are recorded with their case."""
        out: list[str] = []
        seen: list[tuple[str, str]] = []
        joined: list[tuple[tuple[str, str], str]] = []
        followed: list[tuple[str, str]] = []
        if is_shouted(text):
            text = text.lower()
        for clause in words(text):
            prev_stem = prev_word = ""
            # (stem, written, joining word) of a content word followed by one joining word
            before_join: tuple[str, str, str] | None = None
            first = next((index for index, token in enumerate(clause) if token), -1)
            for position, written in enumerate(clause):
                lower = written.lower()
                # A capital at the start of a sentence says nothing about the word; "GP" does.
                word = lower if position == first and not written.isupper() else written
                stem = self.stemmer(lower) if word else ""
                if not word or self.stop_list.is_stop(lower, stem):
                    joins = prev_stem and lower in JOINING_WORDS
                    before_join = (prev_stem, prev_word, lower) if joins else None
                    prev_stem = prev_word = ""
                    continue
                if before_join is not None and before_join[0] != stem:
                    head_stem, head, joining = before_join
                    joined.append(((head_stem, stem), f"{head.lower()} {joining} {lower}"))
                before_join = None
                after = clause[position + 1].lower() if position + 1 < len(clause) else ""
                if after in FOLLOWERS:
                    followed.append((stem, f"{lower} {after}"))
                out.append(stem)
                seen.append((stem, word))
                if bigrams and prev_stem and prev_stem != stem:
                    pair = f"{prev_stem} {stem}"
                    out.append(pair)
                    seen.append((pair, f"{prev_word} {word}"))
                prev_stem, prev_word = stem, word
        if self.surfaces is not None:
            self.surfaces.add_all(seen, joined, followed)
        return out


@dataclass(frozen=True)
class PreparedCorpus:
    """Answers reduced to unique substantive texts, with the way back to every input answer.

    Identical answers (campaign text, copy-paste) are fitted once so they cannot pull a theme
    towards themselves, but `doc_counts` lets sizes still count every respondent.
    """

    ids: tuple[str, ...]  # input answer ids, in input order
    answer_doc: tuple[int, ...]  # per input answer: its unique doc, or -1 if not substantive
    doc_features: tuple[tuple[str, ...], ...]  # per unique doc
    doc_counts: tuple[int, ...]  # per unique doc: how many input answers share it
    doc_first: tuple[int, ...]  # per unique doc: index of its first input answer
    surfaces: SurfaceForms

    @property
    def n_answers(self) -> int:
        return len(self.ids)

    @property
    def n_docs(self) -> int:
        return len(self.doc_features)

    @property
    def n_substantive(self) -> int:
        return sum(self.doc_counts)


def prepare(
    answers: Sequence[tuple[str, str]],
    *,
    question_text: str = "",
    extra_stop_words: Iterable[str] = (),
) -> PreparedCorpus:
    """Normalise, drop non-answers, de-duplicate and extract features for every answer."""
    stemmer = Stemmer()
    surfaces = SurfaceForms()
    analyser = Analyser(
        stop_list=build_stop_list(stemmer, question_text, extra_stop_words),
        stemmer=stemmer,
        surfaces=surfaces,
    )
    doc_of_key: dict[str, int] = {}
    answer_doc: list[int] = []
    features: list[tuple[str, ...]] = []
    counts: list[int] = []
    first: list[int] = []
    empty_keys: set[str] = set()
    for index, (_, text) in enumerate(answers):
        cleaned = clean("" if text is None else str(text))
        key = duplicate_key(cleaned)
        doc = doc_of_key.get(key)
        if doc is not None:
            counts[doc] += 1
            answer_doc.append(doc)
            continue
        if key in empty_keys or is_non_answer(cleaned.lower()):
            answer_doc.append(-1)
            continue
        doc_features = analyser.features(cleaned)
        if not doc_features:
            empty_keys.add(key)
            answer_doc.append(-1)
            continue
        doc_of_key[key] = len(features)
        answer_doc.append(len(features))
        features.append(tuple(doc_features))
        counts.append(1)
        first.append(index)
    return PreparedCorpus(
        ids=tuple(str(answer_id) for answer_id, _ in answers),
        answer_doc=tuple(answer_doc),
        doc_features=tuple(features),
        doc_counts=tuple(counts),
        doc_first=tuple(first),
        surfaces=surfaces,
    )
