"""Quotes on the findings page hide personal details from JOG members, not from the owners."""

from __future__ import annotations

from engage.curation.runs import request_analysis
from engage.findings import services as findings
from tests import factories

TEXT = "Email me at sam.jones@example.org or ring 07700 900123 about the 14 bus"


def findings_with_a_quote(db):
    item = factories.consultation()
    q1, _q2, q3 = item.questions
    answer = factories.response(item, {q1.id: ["o1"], q3.id: [TEXT]}).answers[-1]
    run = request_analysis(db, item, trigger="officer")
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


def test_themes_by_channel_hide_small_groups_and_flag_the_ones_that_stand_out(client, auth, db):
    item = factories.consultation()
    q1, _q2, q3 = item.questions
    run = request_analysis(db, item, trigger="officer")
    findings.start_run(db, run.id, task_id=None)
    assignments = []
    # Online answers about buses, paper and event answers about bins, 4 by phone about buses.
    groups = (("hub", "t1", 30), ("paper", "t2", 30), ("event", "t2", 20), ("phone", "t1", 4))
    for channel, theme, n in groups:
        for _ in range(n):
            response = factories.response(item, {q1.id: ["o1"], q3.id: [f"About {theme}"]})
            response.channel = channel
            assignments.append(
                {"id": str(response.answers[-1].id), "themes": [theme], "primary": theme}
            )
    themes = [
        {"id": "t1", "label": "Buses", "terms": ["bus"], "size": 34, "share": 0.53, "quotes": []},
        {"id": "t2", "label": "Bins", "terms": ["bin"], "size": 50, "share": 0.59, "quotes": []},
    ]
    result = {"themes": themes, "assignments": assignments}
    findings.store_question_result(db, run.id, q3.id, answer_count=64, result=result)
    findings.finish_run(db, run.id)
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    table = page.split("themes by: How people responded")[1].split("</table>")[0]
    hub = table.split("Consultation hub</th>")[1].split("</tr>")[0]
    assert "30 (100%)" in hub
    assert "More than others" in hub
    phone = table.split("Phone</th>")[1].split("</tr>")[0]
    assert "Not shown" in phone
    assert ">4<" not in phone
    # With one small group hidden, the next smallest is hidden too, so 4 cannot be worked out.
    event = table.split("Event</th>")[1].split("</tr>")[0]
    assert "Not shown" in event
