"""Word clouds: which words residents used most, as a PNG for a report or a page.

Named after what it makes; inside the package `import wordcloud` still means the library, because
imports are absolute. The library (and the matplotlib it imports) loads only when a cloud is
drawn, so importing this module stays cheap for code that only needs the weights.
"""

from __future__ import annotations

import io
import random
from collections import Counter
from collections.abc import Mapping, Sequence

from analysis.errors import NotEnoughText
from analysis.preprocess import Analyser, Stemmer, SurfaceForms, build_stop_list, clean
from analysis.types import ThemeParams

# GOV.UK colours that keep a 4.5:1 contrast on white, so every word is readable.
PALETTE: tuple[str, ...] = ("#1d70b8", "#00703c", "#0b0c0c", "#4c2c92", "#d4351c", "#505a5f")
# A phrase joins the cloud when at least this share of the answers using its rarer word use it.
PHRASE_SHARE = 0.5
MIN_PHRASE_ANSWERS = 3


def term_weights(
    texts: Sequence[str],
    params: ThemeParams = ThemeParams(),  # noqa: B008 - frozen dataclass, safe as a default
    top: int = 100,
) -> dict[str, float]:
    """The `top` words (and set phrases) by how many answers use them, scaled so the largest is 1.

    Counting answers rather than occurrences stops one long answer from filling the cloud. Stop
    words, consultation filler and the question's own words are left out, as for themes.
    """
    stemmer = Stemmer()
    surfaces = SurfaceForms()
    analyser = Analyser(
        stop_list=build_stop_list(stemmer, params.question_text, params.extra_stop_words),
        stemmer=stemmer,
        surfaces=surfaces,
    )
    answers_using: Counter[str] = Counter()
    for text in texts:
        answers_using.update(set(analyser.features(clean(text or ""))))
    phrases: dict[str, int] = {}
    for feature, count in answers_using.items():
        parts = feature.split()
        if len(parts) == 2:
            rarer = min(answers_using[parts[0]], answers_using[parts[1]])
            if count >= MIN_PHRASE_ANSWERS and count >= PHRASE_SHARE * rarer:
                phrases[feature] = count
    solo = Counter({f: c for f, c in answers_using.items() if " " not in f})
    for phrase, count in phrases.items():  # "street" inside "street lights" is counted once
        for part in phrase.split():
            solo[part] -= count
    scores: dict[str, float] = {}
    for feature, count in list(solo.items()) + list(phrases.items()):
        if count > 0:
            word = surfaces.display(feature)
            scores[word] = max(scores.get(word, 0.0), float(count))
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[: max(top, 0)]
    if not ranked:
        return {}
    largest = ranked[0][1]
    return {word: count / largest for word, count in ranked}


def render_word_cloud(
    weights: Mapping[str, float], *, width: int = 800, height: int = 400, seed: int = 0
) -> bytes:
    """PNG bytes of a word cloud of `weights` (word -> weight); same seed, same picture."""
    from wordcloud import WordCloud  # heavy (imports matplotlib): only when drawing

    usable = {str(word): float(weight) for word, weight in weights.items() if weight > 0}
    if not usable:
        raise NotEnoughText("There are no words to draw a word cloud from.")
    if width < 50 or height < 50:
        raise ValueError("A word cloud needs at least 50 by 50 pixels.")

    def colour(*_args: object, random_state: random.Random | None = None, **_kw: object) -> str:
        chooser = random_state if random_state is not None else random.Random(seed)  # noqa: S311 - colours, not secrets  # nosec B311
        return chooser.choice(PALETTE)

    cloud = WordCloud(
        width=width,
        height=height,
        background_color="white",
        random_state=seed,
        color_func=colour,
        prefer_horizontal=0.9,
        max_words=len(usable),
    )
    cloud.generate_from_frequencies(usable)
    buffer = io.BytesIO()
    cloud.to_image().save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
