"""Quotes on the findings page hide personal details from JOG members, not from the owners."""

from __future__ import annotations

from engage.findings import services as findings
from tests import factories

TEXT = "Email me at sam.jones@example.org or ring 07700 900123 about the 14 bus"


def findings_with_a_quote(db):
    item = factories.consultation()
    q1, _q2, q3 = item.questions
    answer = factories.response(item, {q1.id: ["o1"], q3.id: [TEXT]}).answers[-1]
    run = findings.request_analysis(db, item, trigger="officer")
    findings.start_run(db, run.id, task_id=None)
    theme = {"id": "t1", "label": "Bus times", "terms": ["bus"], "size": 1, "share": 1.0}
    result = {
        "themes": [{**theme, "quotes": [str(answer.id)]}],
        "assignments": [{"id": str(answer.id), "themes": ["t1"], "primary": "t1"}],
    }
    findings.store_question_result(db, run.id, q3.id, answer_count=1, result=result)
    findings.finish_run(db, run.id)
    return item


def test_jog_members_read_quotes_with_personal_details_masked(client, auth, db):
    item = findings_with_a_quote(db)
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    assert "sam.jones@example.org" not in page
    assert "07700 900123" not in page
    assert "[email]" in page
    assert "about the 14 bus" in page


def test_officers_of_the_owning_partner_see_the_original(client, auth, db):
    item = findings_with_a_quote(db)
    auth.login(factories.user(role="officer", organisation_=item.organisation))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    assert "sam.jones@example.org" in page
    other = factories.user(role="officer")
    auth.logout()
    auth.login(other)
    assert "sam.jones@example.org" not in client.get(f"/findings/{item.id}").get_data(as_text=True)
