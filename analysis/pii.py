"""Mask personal details in residents' free text before it reaches people who may not see them.

Quotes, word clouds and free-text exports shown to Joint Officer Group members must not carry a
resident's email, phone number, postcode, web address, house number or name; officers with
permission still see the original, so masking is applied on the way out and never to what is
stored. Each detail becomes a bracketed placeholder ("[email]", "[phone]", ...) so a reader can
see that something was there; word clouds drop details altogether (``placeholders=False``) so
the placeholder words never become the biggest word in the cloud.

The patterns favour precision on ordinary numbers ("20 mph", "2 buses an hour", "A77", "S4
pupils", years) over catching every conceivable detail: a number that is not clearly a phone
number, postcode or house number in an address stays, because consultation answers are full of
counts, speeds and road numbers that matter to the analysis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL = "email"
WEB = "web address"
PHONE = "phone"
POSTCODE = "postcode"
ADDRESS = "address"
NAME = "name"
# Kinds in the order they are masked and reported: earlier ones contain text later ones would
# misread (an email's domain looks like a web address; a postcode's digits can follow a house
# number), so they are taken out first.
KINDS: tuple[str, ...] = (EMAIL, WEB, PHONE, POSTCODE, ADDRESS, NAME)


def placeholder(kind: str) -> str:
    """The text that stands in for one masked detail, e.g. "[email]"."""
    return f"[{kind}]"


# Catches a placeholder already in the text, so masking twice changes nothing and callers can
# strip placeholders from text masked elsewhere.
PLACEHOLDER_RE = re.compile(r"\[(?:" + "|".join(re.escape(kind) for kind in KINDS) + r")\]")

_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+"
    # "fiona dot smith at gmail dot com": how people write an address to dodge spam filters.
    r"|\b[\w.+-]+(?:\s+dot\s+[\w+-]+)*\s*(?:\bat\b|\(at\)|\[at\])\s*[a-z0-9-]+"
    r"(?:\s*(?:\bdot\b|\(dot\)|\[dot\])\s*[a-z]{2,6}\b)+",
    re.IGNORECASE,
)

# Top-level and second-level endings people in Scotland meet; a fixed list keeps "e.g." and
# "etc." (and words run together after a full stop) from looking like domains.
# Written in lower case, as addresses are: "ASP.NET" and "Cruise Control.NET" are not sites.
_TLDS = r"(?-i:com|org|net|uk|scot|gov|info|io|edu|eu|biz|co|ac|nhs|sch|ly|tv)"
_WEB_RE = re.compile(
    r"\b(?:https?://|www\.)[a-z0-9][^\s<>\"']*"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+" + _TLDS + r"\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
# Punctuation that ends a sentence rather than an address.
_TRAILING = ".,;:!?)]}'\""

# UK numbers: 0 then 9 or 10 digits (01/02/03/05/07/08/09 ranges) or +44 / 0044 in place of the
# 0, with spaces, dashes or dots between digit groups and the area code in brackets.
_SEP = r"[ \t.-]?"
_PHONE_RE = re.compile(
    r"(?<![\w+/£$€.])(?:"
    r"(?:\+|00)\s?44\s?(?:\(0\)\s?)?[1-9](?:" + _SEP + r"\d){8,9}"
    r"|\(0[1-9]\d{1,3}\)\s?\d(?:" + _SEP + r"\d){5,7}"
    r"|0[1235789](?:" + _SEP + r"\d){8,9}"
    r")(?![\d/])"
)
_PHONE_DIGITS = {10, 11}  # 0 + 9 or 10 digits; checked after the pattern for the bracket form

# Postcode areas (the letters before the first digit) in use in the UK.
_AREAS = """
    AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY
    E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE
    LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL
    SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
"""
_UK_AREAS = frozenset(_AREAS.split())
# A district on its own ("I live in KA7") is masked only for Scottish areas: elsewhere the same
# shape is too often something else (S4 pupils, N5 exams, B12, CO2, M8 motorway).
_SCOTTISH = "AB DD DG EH FK G HS IV KA KW KY ML PA PH TD ZE"
_SCOTTISH_AREAS = frozenset(_SCOTTISH.split())
# Scottish-area shapes that usually mean something else.
_NOT_DISTRICTS = frozenset({"HS2", "G4S", "G7", "G8", "G20"})
_FULL_POSTCODE_RE = re.compile(
    r"\b([a-z]{1,2})(\d[a-z\d]?)\s*(\d[abd-hjlnp-uw-z]{2})\b", re.IGNORECASE
)
_DISTRICT_RE = re.compile(r"\b([A-Z]{1,2})(\d{1,2}[A-Z]?)\b(?![-/]\d)")
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)")

# Street-name endings that make "12 Burn Road" an address rather than a count of something.
_STREET = (
    r"(?:Road|Rd|Street|St|Avenue|Ave|Drive|Dr|Crescent|Cres|Place|Pl|Lane|Ln|Terrace|Terr?"
    r"|Court|Ct|Gardens|Gdns|Grove|Gr|Way|Close|Park|View|Wynd|Brae|Loan|Row|Square|Sq|Quadrant"
    r"|Circle|Circus|Walk|Green|Gate|Vennel|Path|Mews|Rise|Bank|Parade|Boulevard|Crossway"
    r"|Loaning|Steading|Holdings|Cottages|Mains|Neuk|Howe|Hill|Road\s+East|Road\s+West)"
)
_NAME_WORD = r"(?:[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)?|Ma?c[A-Z][a-z]+|O['’][A-Z][a-z]+|St\.?)"
# Units and counters after "flat": "a flat 20 mph limit", "a flat 2 pounds".
_UNIT = (
    r"(?:mph|%|per\b|p\b|pence|pounds|quid|minutes?|mins?|hours?|hrs?|days?|weeks?|years?|miles?)"
)
# "flat 3/2" (Glasgow: floor/door), "flat 2F1" (Edinburgh: floor F door), "Flat 12", "Flat B".
_FLAT_RE = re.compile(
    r"\b(?i:flat)\s*(?i:no\.?\s*)?(?:\d{1,2}\s*/\s*\d{1,2}|\d{1,2}\s*[fF]\s*\d{1,2}"
    r"|\d{1,3}[a-zA-Z]?\b(?!\s*(?i:" + _UNIT + r"))|[A-H]\b)"
)
# The number (with a letter, a range or a Glasgow/Edinburgh flat position before it) of a house
# in a capitalised street: "12 Burn Road", "14a Main St", "3/2, 27 Kelvin Way", "2F1 10 Leith Walk".
_HOUSE_RE = re.compile(
    r"(?<![\w/£$€.,])(?:(?i:no\.?|number)\s*)?"
    r"(?:\d{1,2}\s*/\s*\d{1,2},?\s+|\d{1,2}[fF]\d{1,2},?\s+)?"
    r"(?!(?:19|20)\d\d\b)\d{1,4}[a-zA-Z]?(?:\s*[-–]\s*\d{1,4}[a-zA-Z]?)?,?"
    r"(?=\s+(?:" + _NAME_WORD + r"\s+){1,3}(?i:" + _STREET + r")\b)"
)
# After "I live at", "my address is" the street may be written in lower case; one or two words
# and a street ending must follow, so "lived in 3 houses on this road" stays.
_CUED_HOUSE_RE = re.compile(
    r"(?P<cue>\b(?:(?:live|lives|living|lived|stay|stays|staying)\s+(?:at|in)|moved\s+to"
    r"|address\s+is|address:)\s+(?:(?:no\.?|number)\s*)?)"
    r"(?P<number>(?:\d{1,2}\s*/\s*\d{1,2},?\s+)?\d{1,3}[a-z]?)"
    r"(?=,?\s+(?:[a-z]+\s+){1,2}" + _STREET + r"\b)",
    re.IGNORECASE,
)

# Words that are capitalised after "I'm" or a title but are not names.
_COMMON_WORDS = """
    a an the this that these those it its i we you he she they me my our your his her their
    not no yes very so really just also too quite still sure glad happy sorry afraid against for
    in on at of to from with by about over under into out up down off here there now then when
    where what which who why how if but and or as all any some every each one two three
    disabled retired unemployed employed working old young pleased concerned worried angry
    delighted disappointed unhappy fed writing responding replying commenting aware unable able
    scottish english welsh irish british european polish pakistani indian chinese african asian
    christian catholic protestant muslim jewish hindu sikh buddhist atheist gay straight lesbian
    bisexual trans male female man woman mum dad mother father parent carer grandparent
    resident tenant owner member student pupil teacher nurse doctor councillor volunteer
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    labour conservative tory liberal democrat republican socialist green independent unionist
    nationalist vegan vegetarian
    council nhs irrelevant unimportant withheld private confidential given above below known
    anonymous unknown
"""
_NOT_NAMES = frozenset(_COMMON_WORDS.split())
_NAME_CUE = (
    r"\b(?:my\s+name\s+is|my\s+name's|name\s*:|i\s+am\s+called|i'm\s+called|"
    r"(?:kind\s+|best\s+|warm\s+)?regards,?|yours\s+(?:sincerely|faithfully),?)"
)
_NAMES_AFTER_CUE_RE = re.compile(
    r"(?P<cue>" + _NAME_CUE + r"\s+)(?P<name>" + _NAME_WORD + r"(?:\s+" + _NAME_WORD + r"){0,2})"
)
# "my name is fiona": after an explicit cue a lower-case word is a name unless it is a common word.
_LOWER_NAME_AFTER_CUE_RE = re.compile(
    r"(?P<cue>\b(?:my\s+name\s+is|my\s+name's|name\s*:|i\s+am\s+called|i'm\s+called)\s+)"
    r"(?P<name>[a-z][a-z'’-]+(?:\s+(?:mc|mac)?[a-z][a-z'’-]+)?)",
    re.IGNORECASE,
)
_IM_RE = re.compile(
    r"(?P<cue>\b(?:I|i)(?:['’]m|\s+am|m)\s+)(?P<name>[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)?"
    r"(?:\s+" + _NAME_WORD + r")?)"
)
_TITLE_RE = re.compile(
    r"(?P<cue>\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)"
    r"(?P<name>(?:[A-Z]\.?\s+){0,2}" + _NAME_WORD + r"(?:[\s-]+" + _NAME_WORD + r")?)"
)


@dataclass(frozen=True)
class Masked:
    """Text with personal details replaced, and which kinds of detail were found (KINDS order)."""

    text: str
    kinds: tuple[str, ...]

    @property
    def found(self) -> bool:
        """Whether anything was masked: exports can count answers that needed masking."""
        return bool(self.kinds)


def _not_a_name(word: str) -> bool:
    """Beliefs and callings capitalised after "I am": Libertarian, Methodist, Vegetarian."""
    lower = word.lower()
    return lower.endswith(("ist", "ists")) or (lower.endswith("arian") and len(lower) >= 8)


class _Masker:
    """Applies the patterns in KINDS order, remembering which kinds it replaced."""

    def __init__(self, text: str, placeholders: bool) -> None:
        self.text = text
        self.placeholders = placeholders
        self.found: set[str] = set()

    def stand_in(self, kind: str) -> str:
        self.found.add(kind)
        return placeholder(kind) if self.placeholders else " "

    def run(self) -> str:
        self.text = _EMAIL_RE.sub(lambda m: self.stand_in(EMAIL), self.text)
        self.text = _WEB_RE.sub(self._web, self.text)
        self.text = _PHONE_RE.sub(self._phone, self.text)
        self.text = _FULL_POSTCODE_RE.sub(self._full_postcode, self.text)
        self.text = _DISTRICT_RE.sub(self._district, self.text)
        self.text = _FLAT_RE.sub(lambda m: self.stand_in(ADDRESS), self.text)
        self.text = _HOUSE_RE.sub(lambda m: self.stand_in(ADDRESS), self.text)
        self.text = _CUED_HOUSE_RE.sub(lambda m: m.group("cue") + self.stand_in(ADDRESS), self.text)
        for pattern in (_NAMES_AFTER_CUE_RE, _LOWER_NAME_AFTER_CUE_RE, _IM_RE, _TITLE_RE):
            self.text = pattern.sub(self._name, self.text)
        if not self.placeholders:
            self.text = re.sub(r"[ \t]{2,}", " ", self.text).strip()
        return self.text

    def _web(self, match: re.Match[str]) -> str:
        address = match.group(0)
        kept = address.rstrip(_TRAILING)
        # A closing bracket belongs to the address only when the address opened one.
        return self.stand_in(WEB) + address[len(kept) :]

    def _phone(self, match: re.Match[str]) -> str:
        raw = match.group(0).replace("(0)", "")
        digits = re.sub(r"\D", "", raw)
        if raw.startswith("+"):
            digits = "0" + digits[2:]
        elif raw.startswith("00"):
            digits = "0" + digits[4:]
        if len(digits) not in _PHONE_DIGITS:
            return match.group(0)
        return self.stand_in(PHONE)

    def _full_postcode(self, match: re.Match[str]) -> str:
        area, _, inward = match.groups()
        letters = re.sub(r"[^A-Za-z]", "", match.group(0))
        if (
            area.upper() not in _UK_AREAS
            # "the M8 2nd exit": an ordinal written in lower case is not an inward code.
            or _ORDINAL.fullmatch(inward)
            # "Ab1 2Cd": mixed case is a word, not a postcode.
            or not (letters.isupper() or letters.islower())
        ):
            return match.group(0)
        return self.stand_in(POSTCODE)

    def _district(self, match: re.Match[str]) -> str:
        area, district = match.groups()
        if area not in _SCOTTISH_AREAS or area + district in _NOT_DISTRICTS:
            return match.group(0)
        return self.stand_in(POSTCODE)

    def _name(self, match: re.Match[str]) -> str:
        name = match.group("name")
        # The name stops before a common word: "I'm Fiona And I live" keeps "And I live".
        end = 0
        for word in re.finditer(r"\S+", name):
            bare = word.group(0).strip(".,")
            initial = len(bare) == 1 and bare.isupper()
            if (bare.lower() in _NOT_NAMES or _not_a_name(bare)) and not initial:
                break
            end = word.end()
        if end == 0:
            return match.group(0)
        return match.group("cue") + self.stand_in(NAME) + name[end:]


def mask(text: str, *, placeholders: bool = True) -> Masked:
    """`text` with personal details masked, and the kinds found, for anyone without permission.

    With ``placeholders=False`` details are removed rather than marked, for word clouds.
    """
    masker = _Masker(text, placeholders)
    masked = masker.run()
    return Masked(masked, tuple(kind for kind in KINDS if kind in masker.found))


def mask_text(text: str) -> str:
    """Just the masked text, for quotes and exports."""
    return mask(text).text


def strip_placeholders(text: str) -> str:
    """Text masked elsewhere with its placeholders removed, for counting words."""
    return re.sub(r"[ \t]{2,}", " ", PLACEHOLDER_RE.sub(" ", text)).strip()
