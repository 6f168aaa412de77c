"""How the answers write two words together, so a label joins words only as people do.

A label made of a theme's two strongest words joined by "and" ("Centre and instead", "Park and
tests") puts side by side words that may never have been written together. ``Written`` is read
once from the answers as they were written and says, for two content words,

- ``phrase``: the commonest way the answers write them together, with at most two small words
  between ("buses to the hospital", "support for carers"), when that is common enough; and
- ``related``: whether answers that use the rarer word use the other too often enough for
  "A and B" to describe one theme rather than two unrelated words.

analysis.labels offers a pair of words as a label only through one of these.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from analysis.preprocess import JOINING_WORDS, Stemmer, StopList, clean, is_shouted, words

# Small words that may sit between two content words of a written phrase.
BETWEEN = JOINING_WORDS | {"the", "a", "an", "their", "our", "my", "your", "more", "less"}
MAX_BETWEEN = 2
# A written phrase joins two words when written at least MIN_USES times and in at least
# PHRASE_SHARE of the answers that use the rarer word.
MIN_USES = 2
PHRASE_SHARE = 0.15
# Two words are related when at least RELATED_SHARE of the answers using the rarer one use both.
RELATED_SHARE = 0.3
# Answers read: the commonest wordings are in any large sample.
SAMPLE = 20_000


@dataclass
class Written:
    spans: dict[frozenset[str], Counter[str]] = field(default_factory=dict)
    answers_with: dict[str, set[int]] = field(default_factory=dict)

    def _rarer(self, first: str, second: str) -> int:
        return min(len(self.answers_with.get(stem, ())) for stem in (first, second))

    def together(self, first: str, second: str) -> int:
        return len(self.answers_with.get(first, set()) & self.answers_with.get(second, set()))

    def related(self, first: str, second: str) -> bool:
        both = self.together(first, second)
        return both >= MIN_USES and both >= RELATED_SHARE * self._rarer(first, second)

    def phrase(self, first: str, second: str) -> str | None:
        """The commonest written form of the two words joined (all forms count together:
        "bus to the hospital", "buses to hospital"), when they are joined often enough."""
        counter = self.spans.get(frozenset((first, second)))
        if not counter:
            return None
        count = sum(counter.values())
        if count < MIN_USES or count < PHRASE_SHARE * self._rarer(first, second):
            return None
        return counter.most_common(1)[0][0]


def read(texts: Iterable[str], stop_list: StopList, stemmer: Stemmer) -> Written:
    """Index the answers: each content stem's answers, and the written phrases joining two."""
    written = Written()
    for number, text in enumerate(texts):
        if number >= SAMPLE:
            break
        cleaned = clean(text or "")
        if is_shouted(cleaned):
            cleaned = cleaned.lower()
        for clause in words(cleaned):
            first = next((i for i, token in enumerate(clause) if token), -1)
            tokens: list[tuple[str, str, bool]] = []
            for position, token in enumerate(clause):
                lower = token.lower()
                shown = lower if position == first and not token.isupper() else token
                stem = stemmer(lower) if token else ""
                tokens.append((shown, stem, bool(token) and not stop_list.is_stop(lower, stem)))
            for i, (_, stem, content) in enumerate(tokens):
                if not content:
                    continue
                written.answers_with.setdefault(stem, set()).add(number)
                for j in range(i + 2, min(i + 2 + MAX_BETWEEN, len(tokens))):
                    between = [t[0].lower() for t in tokens[i + 1 : j]]
                    if not all(word in BETWEEN for word in between):
                        break
                    other = tokens[j]
                    if other[2] and other[1] != stem:
                        key = frozenset((stem, other[1]))
                        phrase = " ".join(t[0] for t in tokens[i : j + 1])
                        written.spans.setdefault(key, Counter())[phrase] += 1
                        break
    return written
