"""Personal details are masked in what JOG members see; ordinary numbers and places are not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.pii import KINDS, PLACEHOLDER_RE, mask, mask_text, strip_placeholders

# (answer as a resident might write it, what JOG members should see, the kinds found)
MASKED: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "Email me at fiona.macdonald@btinternet.com if you want more detail.",
        "Email me at [email] if you want more detail.",
        ("email",),
    ),
    ("Contact: J.Smith+council@outlook.co.uk.", "Contact: [email].", ("email",)),
    ("write to jim dot brown at gmail dot com", "write to [email]", ("email",)),
    ("Call me on 07700 900123 after 6pm", "Call me on [phone] after 6pm", ("phone",)),
    ("my mobile is 07700-900-123", "my mobile is [phone]", ("phone",)),
    ("Phone 0141 496 0000 (home)", "Phone [phone] (home)", ("phone",)),
    ("tel. (0131) 496 0123", "tel. [phone]", ("phone",)),
    ("ring +44 7700 900456 any time", "ring [phone] any time", ("phone",)),
    ("Landline +44 (0)1292 612345.", "Landline [phone].", ("phone",)),
    ("01563 576000 is the number", "[phone] is the number", ("phone",)),
    ("from abroad 0044 1224 123456", "from abroad [phone]", ("phone",)),
    (
        "The bins at KA1 1AA are never emptied",
        "The bins at [postcode] are never emptied",
        ("postcode",),
    ),
    ("postcode g12 8qq", "postcode [postcode]", ("postcode",)),
    ("EH66QQ needs a crossing", "[postcode] needs a crossing", ("postcode",)),
    (
        "I live in KA7 and the buses are poor",
        "I live in [postcode] and the buses are poor",
        ("postcode",),
    ),
    ("Everyone in PA2 agrees", "Everyone in [postcode] agrees", ("postcode",)),
    (
        "See https://www.facebook.com/groups/ayrparents for photos",
        "See [web address] for photos",
        ("web address",),
    ),
    (
        "my blog (www.kilmarnockwalks.scot) has maps",
        "my blog ([web address]) has maps",
        ("web address",),
    ),
    ("petition at change.org/p/save-our-library.", "petition at [web address].", ("web address",)),
    (
        "I live at 12 Burn Road and it floods",
        "I live at [address] Burn Road and it floods",
        ("address",),
    ),
    ("outside 14a Main St every night", "outside [address] Main St every night", ("address",)),
    ("flat 3/2, 27 Kelvin Way", "[address], [address] Kelvin Way", ("address",)),
    ("Flat 2F1 Leith Walk", "[address] Leith Walk", ("address",)),
    ("3/2, 101 Great Western Road", "[address] Great Western Road", ("address",)),
    ("we stay at 5 burn road", "we stay at [address] burn road", ("address",)),
    (
        "the drain at 7 Kirk road is blocked",
        "the drain at [address] Kirk road is blocked",
        ("address",),
    ),
    ("next to No. 8 St Vincent Crescent", "next to [address] St Vincent Crescent", ("address",)),
    ("My name is Fiona MacDonald and I care", "My name is [name] and I care", ("name",)),
    (
        "my name is jim and the park is a mess",
        "my name is [name] and the park is a mess",
        ("name",),
    ),
    ("I'm Morag, a mum of two", "I'm [name], a mum of two", ("name",)),
    ("I’m Callum O'Neill from Irvine", "I’m [name] from Irvine", ("name",)),
    ("I'm Brian and I'm Marian", "I'm [name] and I'm [name]", ("name",)),
    ("Mrs Campbell next door agrees", "Mrs [name] next door agrees", ("name",)),
    ("Dr. A. Patel at the surgery was great", "Dr. [name] at the surgery was great", ("name",)),
    ("Thanks. Kind regards, Iain Stewart", "Thanks. Kind regards, [name]", ("name",)),
    (
        "Hi, I'm Sandra Burns (sandra@example.com, 07700 900789), flat 1/1 at 44 Kirk Wynd, "
        "KY1 1XX.",
        "Hi, I'm [name] ([email], [phone]), [address] at [address] Kirk Wynd, [postcode].",
        ("email", "phone", "postcode", "address", "name"),
    ),
]

# Answers that must come back exactly as written.
KEPT: list[str] = [
    "20 mph limits on every residential street please",
    "2 buses an hour is not enough; we had 4 in 2019",
    "The A77 and the A71 are dangerous at the 3 roundabouts",
    "Turn off the M8 at junction 2, take the 2nd exit",
    "S4 pupils sitting N5 exams need the library open",
    "CO2 emissions from 1,200 cars a day",
    "HS2 money would be better spent here",
    "Vitamin B12 and the G7 summit have nothing to do with it",
    "It costs £2.50 each way and 0.5 miles to walk",
    "Opening hours 9am-5pm, Monday to Friday, 365 days a year",
    "Over 1000 people signed, that's 45% of the village",
    "Call 999 or 101 or NHS 24 on 111",
    "We need 3 more crossings on Burn Road",
    "the road is flat 20 mph all the way",
    "I'm Scottish and I'm not happy about this",
    "I am Very disappointed with the council",
    "I am Libertarian. I'm Methodist and I'm Vegetarian",
    "Written in ASP.NET, the council site is slow",
    "I'm worried the Park Road bus lane will close",
    "Planning application 23/01234/FUL should be refused",
    "e.g. the bus at 07:30 is always late, etc.",
    "the 2023-24 budget cut 10% from youth work",
    "My name is not important, the potholes are",
    "The council should fix it. The End.",
]


@pytest.mark.parametrize(("text", "expected", "kinds"), MASKED)
def test_personal_details_are_masked(text: str, expected: str, kinds: tuple[str, ...]) -> None:
    masked = mask(text)
    assert masked.text == expected
    assert masked.kinds == kinds
    assert masked.found


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_numbers_places_and_words_are_kept(text: str) -> None:
    masked = mask(text)
    assert masked.text == text
    assert masked.kinds == ()
    assert not masked.found


def test_masking_twice_changes_nothing() -> None:
    for _, expected, _kinds in MASKED:
        again = mask(expected)
        assert again.text == expected
        assert again.kinds == ()


def test_word_clouds_drop_details_without_placeholders() -> None:
    masked = mask("Call Mrs Campbell on 07700 900123 or email m.c@example.com", placeholders=False)
    assert masked.text == "Call Mrs on or email"
    assert masked.kinds == ("email", "phone", "name")
    assert not PLACEHOLDER_RE.search(masked.text)


def test_placeholders_are_recognised_and_stripped() -> None:
    text = mask_text("I'm Morag, KA1 1AA, 07700 900123")
    assert PLACEHOLDER_RE.findall(text) == ["[name]", "[postcode]", "[phone]"]
    assert strip_placeholders(text) == "I'm , ,"
    assert set(KINDS) == {"email", "web address", "phone", "postcode", "address", "name"}


def test_empty_and_plain_text() -> None:
    assert mask("").text == ""
    assert mask("More buses please").kinds == ()


def test_masking_and_breakdowns_load_nothing_from_the_app() -> None:
    script = (
        "import json, sys, analysis.pii, analysis.breakdowns; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded = {name.split(".")[0] for name in json.loads(done.stdout)}
    assert not loaded & {"flask", "sqlalchemy", "celery", "engage", "surveys", "worker"}
