"""The findings page says how each question's themes were found, in words."""

from __future__ import annotations

import pytest

from analysis.codebook import METHOD_MODEL, METHOD_SIMILARITY
from analysis.codebook_embeddings import METHOD_SUFFIX
from analysis.themes import EMBEDDING_METHOD, HYBRID_METHOD, METHOD
from engage.curation.runs import request_analysis
from engage.findings import services as findings
from engage.findings.methods import METHOD_WORDS, method_words
from tests import factories


def test_every_method_the_analysis_can_store_has_a_sentence():
    stored = {METHOD, EMBEDDING_METHOD, HYBRID_METHOD, METHOD_SIMILARITY, METHOD_MODEL}
    stored |= {METHOD_SIMILARITY + METHOD_SUFFIX, METHOD_MODEL + METHOD_SUFFIX}
    assert stored == set(METHOD_WORDS)
    assert all(method_words(name).endswith(".") for name in stored)
    assert method_words("something-new") == ""
    assert method_words(None) == ""


def analysed(db, method: str, note: str | None = None):
    item = factories.consultation()
    q1, _q2, q3 = item.questions
    answer = factories.response(item, {q1.id: ["o1"], q3.id: ["The 14 bus never comes"]})
    answer_id = str(answer.answers[-1].id)
    run = request_analysis(db, item, trigger="officer")
    findings.start_run(db, run.id, task_id=None)
    theme = {"id": "t1", "label": "Bus times", "terms": ["bus"], "size": 1, "share": 1.0}
    result = {
        "themes": [{**theme, "quotes": [answer_id]}],
        "assignments": [{"id": answer_id, "themes": ["t1"], "primary": "t1"}],
    }
    findings.store_question_result(
        db, run.id, q3.id, answer_count=1, result=result, method=method, note=note
    )
    findings.finish_run(db, run.id)
    return item


@pytest.mark.parametrize(
    ("method", "words"),
    [
        (EMBEDDING_METHOD, "by meaning"),
        (HYBRID_METHOD, "from the words people used and what their answers mean"),
        (METHOD, "from the words people used (word counts only)"),
    ],
)
def test_the_findings_say_which_method_found_the_themes(client, auth, db, method, words):
    item = analysed(db, method)
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    assert words in page


def test_a_fallback_to_word_counts_says_so_and_why(client, auth, db):
    note = "Themes were found from word counts: the sentence-embedding model could not be used."
    item = analysed(db, METHOD, note=note)
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    assert "word counts only" in page
    assert "could not be used" in page
