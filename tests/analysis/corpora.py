"""Small consultation corpora written for these tests, with the topic each answer was planted from.

Answers are made by combining varied phrasings of each topic with neutral openers and closers, as
residents do ("I think...", "...thanks"), so the tests exercise stop words, stemming and bigrams
rather than exact repeats.
"""

from __future__ import annotations

import random

QUESTION = "What would make the biggest difference to your local area over the next five years?"

TOPICS: dict[str, tuple[str, ...]] = {
    "buses": (
        "the bus service to the town centre is unreliable",
        "buses in the evening stop far too early",
        "bus fares are too expensive for families",
        "the number 7 bus never turns up on time",
        "bring back the sunday bus service",
        "a bus shelter at the main stop, we get soaked waiting for buses",
        "more frequent buses to the hospital",
        "the bus timetable changes without warning",
        "cheaper bus fares for older residents",
        "rural bus routes have been cut and villages are cut off",
    ),
    "potholes": (
        "fix the potholes on the high street",
        "the roads are full of potholes",
        "pothole repairs take months and fall apart again",
        "potholes damage cars and are dangerous for cyclists",
        "resurface the roads instead of patching potholes",
        "the road surface on the brae is breaking up with potholes",
        "report a pothole and nothing happens",
        "deep potholes on every road into the village",
        "proper road repairs, not just filling potholes",
        "the potholes outside the school are a danger",
    ),
    "youth": (
        "there is nothing for teenagers to do in the evenings",
        "reopen the youth club that closed last year",
        "more youth clubs and activities for young people",
        "a youth club with sports and music for teenagers",
        "somewhere safe for teenagers to go at night",
        "youth workers and a drop in centre for young folk",
        "funding for the youth club so it can open every night",
        "teenagers hang about the streets because the youth club shut",
        "after school activities and a youth club for older kids",
        "give young folk a youth club and they will use it",
    ),
    "gp": (
        "you cannot get a GP appointment for weeks",
        "waiting three weeks to see a doctor is not acceptable",
        "the health centre phone lines are always engaged",
        "more GP appointments and doctors at the surgery",
        "getting a doctor appointment is impossible",
        "the GP surgery needs more doctors and nurses",
        "phone at 8am and all the GP appointments are gone",
        "face to face appointments with a doctor not phone calls",
        "the waiting list at the health centre is far too long",
        "an appointment with the GP within a few days",
    ),
    "lighting": (
        "the street lights on our road have been broken for months",
        "better street lighting on the path to the station",
        "dark streets feel unsafe walking home at night",
        "fix the street lights in the park",
        "street lighting is switched off too early and it is pitch dark",
        "brighter street lights so women feel safe at night",
        "the lane behind the shops has no street lighting at all",
        "broken street lights make the underpass dangerous after dark",
        "led street lights on the estate",
        "street lighting along the cycle path",
    ),
}

OPENERS: tuple[str, ...] = (
    "",
    "I think ",
    "Honestly ",
    "For me ",
    "We really need ",
    "In my opinion ",
    "Please ",
    "",
)
CLOSERS: tuple[str, ...] = ("", ".", "!", ", thanks.", " - it is getting worse.", ".", "")

NON_ANSWERS: tuple[str, ...] = ("N/A", "no", "None", "Don't know", "agree", "n/a", "")


def planted_answers(per_topic: int = 18, seed: int = 1) -> list[tuple[str, str, str]]:
    """(answer id, text, planted topic) triples: per_topic answers for each topic, shuffled."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    rows: list[tuple[str, str]] = []
    for topic, phrases in TOPICS.items():
        for index in range(per_topic):
            phrase = phrases[index % len(phrases)]
            if index >= len(phrases):  # a second phrasing for the longer answers
                phrase = f"{phrase} and {rng.choice(phrases)}"
            text = f"{rng.choice(OPENERS)}{phrase}{rng.choice(CLOSERS)}"
            rows.append((text[0].upper() + text[1:], topic))
    rng.shuffle(rows)
    return [(f"a{index:03d}", text, topic) for index, (text, topic) in enumerate(rows)]


def varied_answers(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """n answers that are mostly distinct: two or three phrasings of one topic per answer.

    Used for size and speed checks, where planted_answers' small templates would collapse into
    a few hundred duplicates.
    """
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    topics = sorted(TOPICS)
    rows: list[tuple[str, str, str]] = []
    for index in range(n):
        topic = topics[index % len(topics)]
        parts = rng.sample(TOPICS[topic], rng.choice((1, 2, 3)))
        text = f"{rng.choice(OPENERS)}{' and '.join(parts)}{rng.choice(CLOSERS)} ({index % 97})"
        rows.append((f"v{index:05d}", text, topic))
    return rows
