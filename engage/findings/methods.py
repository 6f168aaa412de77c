"""How a question's themes were found, in words for the people who read the findings.

The worker stores the analysis package's method name with each question's result
(`analysis.themes.find_themes`, `analysis.codebook.map_to_codebook`); this turns it into one
sentence. The web never imports the analysis package, so the names are repeated here; a test
checks every name the package can return has a sentence. The sentences name no model: the
server may run another one (ENGAGE_EMBEDDING_MODEL), and the stored method does not say which.
"""

from __future__ import annotations

MEANING = (
    "by meaning: answers that say the same thing in different words were grouped together "
    "(sentence embeddings, worked out on this server), and each theme is "
    "described by its own answers' words"
)
METHOD_WORDS = {
    "embeddings-kmeans": f"These themes were found {MEANING}.",
    "tfidf-nmf-embeddings": (
        "These themes were found from the words people used and what their answers mean: "
        "with this many answers, themes start from shared words and each answer is then placed "
        "by its words and its meaning (sentence embeddings, worked out on this server)."
    ),
    "tfidf-nmf": "These themes were found from the words people used (word counts only).",
    "codebook-tfidf": "Answers were matched to the codebook's themes by the words they share.",
    "codebook-tfidf-logreg": (
        "Answers were matched to the codebook's themes by the words they share, with a model "
        "learnt from the codebook's example answers."
    ),
    "codebook-tfidf-embeddings": (
        "Answers were matched to the codebook's themes by their words and their meaning "
        "(sentence embeddings, worked out on this server)."
    ),
    "codebook-tfidf-logreg-embeddings": (
        "Answers were matched to the codebook's themes by their words and their meaning, with "
        "models learnt from the codebook's example answers (sentence embeddings, worked out "
        "on this server)."
    ),
}


def method_words(method: str | None) -> str:
    """One sentence saying how the themes were found; empty for a method it does not know."""
    return METHOD_WORDS.get(method or "", "")
