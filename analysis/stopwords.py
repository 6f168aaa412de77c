"""Stop lists for consultation answers.

scikit-learn's list is the base because NLTK's needs a data download we cannot make offline. It is
tuned for news text, so a few of its words that carry meaning in a council consultation ("fire"
station, council tax "bill", "empty" shops) are given back, and the filler people use when they
answer a question ("I think we need more...") is added: left in, filler forms themes of its own.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# Words in scikit-learn's list that name real things in community planning answers.
MEANINGFUL_IN_CONSULTATIONS: frozenset[str] = frozenset(
    {"fire", "bill", "empty", "system", "interest", "call", "mill", "move", "front", "side", "top"}
)

# How people talk when answering any question; matched on stems too, so "thinks"/"thinking" go.
# The last line is the auxiliary verbs scikit-learn's list leaves out ("do" is in it, "does" is
# not): the demo had a theme labelled "Comments on does".
_FILLER = """
    think thought would really people need needs needed like also just get make made want wanted
    feel felt lot lots things thing good great better best bad worse worst use used using know
    say said going way ways actually definitely probably certainly obviously especially
    particularly generally simply quite pretty bit little maybe sure believe seem
    dont doesnt didnt isnt arent wasnt werent wont wouldnt shouldnt couldnt cant im ive id youre
    theyre thats theres whats lets let able yes yeah ok okay fine happy agree agreed disagree
    comment comments answer question questions na nil nope unsure idea ideas stuff etc
    important importantly improve improved improvement improvements possible issue issues
    thanks thank thankyou cheers hello hi honestly honest personally opinion
    does did doing having shall ought
"""
CONSULTATION_FILLER: frozenset[str] = frozenset(_FILLER.split())

# Whole answers that say nothing about the question (checked after normalising).
NON_ANSWERS: frozenset[str] = frozenset(
    {
        "",
        "no",
        "none",
        "nothing",
        "n/a",
        "na",
        "nil",
        "yes",
        "agree",
        "disagree",
        "don't know",
        "dont know",
        "not sure",
        "no comment",
        "no comments",
        "see above",
        "as above",
        "same as above",
        "no opinion",
        "-",
        ".",
    }
)

BASE_STOP_WORDS: frozenset[str] = (
    frozenset(ENGLISH_STOP_WORDS) - MEANINGFUL_IN_CONSULTATIONS
) | CONSULTATION_FILLER
