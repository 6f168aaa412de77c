"""Curating a question's themes: start, rename, merge, split, move, quotes, approval, the audit
log and the agreement figure, and what a re-run adds."""

from __future__ import annotations

import pytest

from engage.curation import edits, rules
from engage.curation import services as curation
from engage.curation.runs import request_analysis
from engage.curation.services import CurationError
from tests import factories
from tests.engage.curation_data import analysed


def themes_of(item) -> dict[str, list[int]]:
    return {t.label: sorted(a.answer_id for a in t.assignments) for t in item.themes}


@pytest.fixture
def started(db):
    data = analysed(db)
    officer = factories.user(role="officer", organisation_=data.consultation.organisation)
    item = curation.start(db, data.question, data.run, officer.id)
    return data, item, officer


def test_starting_copies_the_runs_themes_and_agrees_fully(db, started):
    data, item, _ = started
    ids = data.answer_ids
    assert themes_of(item) == {"Buses": [ids[0], ids[1], ids[4]], "Roads": [ids[2], ids[3]]}
    assert item.themes[0].origins == ["t1"]
    assert item.themes[0].description == "bus, fares"
    agreement, moved = curation.agreement(item)
    assert agreement.f1 == 1.0
    assert agreement.answers == 5
    assert moved == 0
    # Starting again returns the same set rather than a second copy.
    assert curation.start(db, data.question, data.run, None) is item


def test_rename_merge_and_the_audit_log(db, started):
    data, item, officer = started
    buses, roads = item.themes
    curation.rename(
        db, item, buses.id, label="  Public   transport ", description="Buses", user_id=officer.id
    )
    assert buses.label == "Public transport"
    with pytest.raises(CurationError, match="Enter a name"):
        curation.rename(db, item, buses.id, label=" ", description="", user_id=officer.id)
    curation.merge(db, item, buses.id, [roads.id], user_id=officer.id)
    assert [t.label for t in item.themes] == ["Public transport"]
    assert buses.origins == ["t1", "t2"]
    assert len(buses.assignments) == 5
    # Roads (2 answers) has no partner in the merged theme any more: 3 of 5 agree.
    agreement = curation.agreement(item)[0]
    assert (agreement.f1, agreement.changed) == (pytest.approx(0.6), 2)
    log = curation.history(db, data.question.id)
    assert [e.action for e in log] == ["merge", "rename", "start"]
    assert log[0].summary == "Merged ‘Roads’ into ‘Public transport’"
    assert log[0].user_id == officer.id
    with pytest.raises(CurationError, match="at least one other theme"):
        curation.merge(db, item, buses.id, [buses.id], user_id=officer.id)


def test_a_merge_lowers_the_agreement_by_the_smaller_themes_answers(db, started):
    data, item, officer = started
    buses, roads = item.themes  # 3 answers and 2
    curation.rename(db, item, buses.id, label="Transport", description="", user_id=officer.id)
    assert curation.agreement(item)[0] == rules.Agreement(1.0, 5, 0)
    # Buses folded into the smaller Roads: whichever side is kept, Roads' 2 answers changed.
    edits.merge(db, item, roads.id, [buses.id], user_id=officer.id)
    agreement, moved = curation.agreement(item)
    assert agreement.f1 is not None
    assert agreement.f1 < 1
    assert agreement.f1 == pytest.approx(3 / 5)
    assert agreement.changed == 2
    assert moved == 0


def test_split_moves_the_chosen_answers_pinned_and_lowers_the_agreement(db, started):
    data, item, officer = started
    ids = data.answer_ids
    buses = item.themes[0]
    new = curation.split(
        db, item, buses.id, label="Young people", answers=[ids[4]], user_id=officer.id
    )
    assert themes_of(item)["Young people"] == [ids[4]]
    assert themes_of(item)["Buses"] == [ids[0], ids[1]]
    assert new.assignments[0].pinned
    agreement, moved = curation.agreement(item)
    # Answer 4 now disagrees (F1 0); the other four agree: 4/5.
    assert agreement.f1 == pytest.approx(0.8)
    assert moved == 1
    with pytest.raises(CurationError, match="Choose the answers"):
        curation.split(db, item, buses.id, label="Empty", answers=[], user_id=officer.id)
    with pytest.raises(CurationError, match="Leave at least one answer"):
        curation.split(db, item, new.id, label="All", answers=[ids[4]], user_id=officer.id)


def test_move_is_pinned_and_an_edit_withdraws_approval(db, started):
    data, item, officer = started
    ids = data.answer_ids
    buses, roads = item.themes
    curation.approve(db, item, user_id=officer.id)
    assert item.approved_at is not None
    curation.move(db, item, ids[4], from_id=buses.id, to_id=roads.id, user_id=officer.id)
    assert themes_of(item)["Roads"] == [ids[2], ids[3], ids[4]]
    assert item.approved_at is None
    assert "approval was withdrawn" in curation.history(db, data.question.id)[0].summary
    curation.move(db, item, ids[3], from_id=roads.id, to_id=None, user_id=officer.id)
    assert ids[3] not in themes_of(item)["Roads"]
    with pytest.raises(CurationError, match="no longer in this theme"):
        curation.move(db, item, ids[3], from_id=roads.id, to_id=buses.id, user_id=officer.id)


def test_quotes_are_marked_and_kept_through_a_merge(db, started):
    data, item, officer = started
    ids = data.answer_ids
    buses, roads = item.themes
    curation.mark_quote(db, item, roads.id, ids[3], on=True, user_id=officer.id)
    curation.merge(db, item, buses.id, [roads.id], user_id=officer.id)
    assert [a.answer_id for a in buses.assignments if a.quote] == [ids[3]]


def test_the_curated_codebook_masks_examples_and_puts_quotes_first(db, started):
    data, item, officer = started
    ids = data.answer_ids
    roads = item.themes[1]
    curation.mark_quote(db, item, roads.id, ids[3], on=True, user_id=officer.id)
    book = curation.codebook(db, item)
    road_theme = book["themes"][1]
    assert road_theme["id"] == f"c{roads.id}"
    assert road_theme["label"] == "Roads"
    assert "07700 900123" not in road_theme["examples"][0]
    assert "potholes" in road_theme["examples"][0]


def test_a_new_run_carries_the_curated_codebook_and_apply_run_adds_only_new_answers(db, started):
    from engage.findings import services as findings

    data, item, officer = started
    ids = data.answer_ids
    buses, roads = item.themes
    curation.move(db, item, ids[4], from_id=buses.id, to_id=roads.id, user_id=officer.id)
    data.consultation.status = "open"
    late = factories.response(data.consultation, {data.question.id: ["Buses every ten minutes"]})
    data.consultation.status = "closed"
    late_id = late.answers[-1].id
    run = request_analysis(db, data.consultation, trigger="officer")
    assert set(run.params["curated"]) == {str(data.question.id)}
    job = findings.load_question(db, data.question.id, run.id)
    assert job.curated
    assert [t["id"] for t in job.codebook["themes"]] == [f"c{buses.id}", f"c{roads.id}"]
    findings.start_run(db, run.id, task_id=None)
    b, r = f"c{buses.id}", f"c{roads.id}"
    machine = {ids[0]: [b], ids[1]: [b], ids[2]: [r], ids[3]: [r], ids[4]: [b], late_id: [b]}
    result = {
        "themes": [
            {
                "id": key,
                "kind": "codebook",
                "label": key,
                "terms": [],
                "size": 1,
                "share": 0.1,
                "quotes": [],
            }
            for key in (b, r)
        ],
        "assignments": [
            {"id": str(a), "themes": keys, "primary": keys[0]} for a, keys in machine.items()
        ],
    }
    findings.store_question_result(db, run.id, data.question.id, answer_count=7, result=result)
    assert curation.apply_run(db, run.id, data.question.id) == 1
    assert curation.apply_run(db, run.id, data.question.id) == 0  # idempotent
    # The officer's move stands although the machine put the answer back in Buses.
    assert themes_of(item) == {
        "Buses": [ids[0], ids[1], late_id],
        "Roads": [ids[2], ids[3], ids[4]],
    }
    # The late answer's first machine assignment agrees; the moved one does not: 5/6.
    assert curation.agreement(item)[0].f1 == pytest.approx(5 / 6)
