"""A closed consultation with a finished free-themes run, for the curation tests."""

from __future__ import annotations

from dataclasses import dataclass

from engage.curation.runs import request_analysis
from engage.findings import services as findings
from engage.findings.models import AnalysisRun
from surveys.models import Consultation, ConsultationStatus, Question
from tests import factories

TEXTS = [
    "More buses to the hospital please",  # 0 buses
    "The bus fares are far too dear",  # 1 buses
    "Fix the potholes on Main Street",  # 2 roads
    "Call me on 07700 900123 about the potholes",  # 3 roads (personal details)
    "A youth club for the teenagers",  # 4 buses by mistake
    "Nothing to add",  # 5 no theme
]


@dataclass
class Analysed:
    consultation: Consultation
    question: Question
    run: AnalysisRun
    answer_ids: list[int]


def analysed(db, *, owner=None) -> Analysed:
    item = factories.consultation(owner)
    question = item.questions[2]
    answers = [factories.response(item, {question.id: [t]}).answers[-1] for t in TEXTS]
    item.status = ConsultationStatus.CLOSED
    ids = [a.id for a in answers]
    run = request_analysis(db, item, trigger="officer")
    findings.start_run(db, run.id, task_id=None)
    s = [str(i) for i in ids]
    result = {
        "themes": [
            theme("t1", "Buses", ["bus", "fares"], 3, [s[0], s[1]]),
            theme("t2", "Roads", ["potholes"], 2, [s[2], s[3]]),
        ],
        "assignments": [
            {"id": s[0], "themes": ["t1"], "primary": "t1"},
            {"id": s[1], "themes": ["t1"], "primary": "t1"},
            {"id": s[2], "themes": ["t2"], "primary": "t2"},
            {"id": s[3], "themes": ["t2"], "primary": "t2"},
            {"id": s[4], "themes": ["t1"], "primary": "t1"},
            {"id": s[5], "themes": [], "primary": None},
        ],
        "no_comment": 1,
        "other": 0,
    }
    findings.store_question_result(db, run.id, question.id, answer_count=6, result=result)
    findings.finish_run(db, run.id)
    db.flush()
    return Analysed(item, question, run, ids)


def theme(key: str, label: str, terms: list[str], size: int, quotes: list[str]) -> dict:
    return {
        "id": key,
        "kind": "found",
        "label": label,
        "terms": terms,
        "size": size,
        "share": size / 6,
        "quotes": quotes,
    }
