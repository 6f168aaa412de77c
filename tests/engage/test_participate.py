from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engage.mail import OutboxEmail
from surveys import links
from surveys.base import utcnow
from surveys.models import Answer, Draft, EqualitiesAnswers, Response
from tests import factories


class Respondent:
    """Drives the survey through the test client the way a browser without JavaScript would."""

    def __init__(self, client, item, prefix: str = "/consultations") -> None:
        self.client, self.item, self.prefix = client, item, prefix
        self.base = ""

    def start(self, query: str = "") -> str:
        response = self.client.get(f"{self.prefix}/{self.item.slug}/respond{query}")
        assert response.status_code == 302, response.status_code
        location = response.headers["Location"]
        self.base = location.split("?")[0].rsplit("/", 1)[0]
        return location

    def post(self, step, data=None, **params):
        return self.client.post(f"{self.base}/{step}", data={**(data or {}), **params})

    def get(self, step, **params):
        return self.client.get(f"{self.base}/{step}", query_string=params)

    def save(self, step, data=None):
        """Save for later; the draft moves to a new address, which the saved page links to."""
        response = self.post(step, data, action="save")
        text = response.get_data(as_text=True)
        self.base = text.split('action="')[1].split('"')[0].rsplit("/", 1)[0]
        return response

    def submit(self):
        return self.client.post(f"{self.base}/submit", data={})


def form_for(item, *, choice="o1", many=("o1",), text="More buses to the hospital"):
    q1, q2, q3 = item.questions
    return {q1.field_name: choice, q2.field_name: list(many), q3.field_name: text}


def stored(db, item) -> int:
    return db.scalar(select(func.count()).where(Response.consultation_id == item.id))


def ids(item) -> dict[str, int]:
    return {q.title: q.id for q in item.questions}


def test_hub_lists_open_consultations_only(client, db):
    shown = factories.consultation(title="Buses and bridges")
    factories.consultation(title="Secret draft", status="draft")
    page = client.get("/").get_data(as_text=True)
    assert shown.title in page
    assert "Secret draft" not in page
    assert client.get(f"/consultations/{shown.slug}").status_code == 200


def test_draft_consultation_is_not_public(client, db):
    draft = factories.consultation(status="draft")
    assert client.get(f"/consultations/{draft.slug}").status_code == 404
    assert client.get(f"/consultations/{draft.slug}/respond").status_code == 404


def test_resident_answers_checks_and_sends_without_an_account(client, db):
    item = factories.consultation()
    person = Respondent(client, item)
    assert person.start().endswith("/1")
    response = person.post(1, form_for(item))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/check")
    check = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your answers before sending them" in check
    assert "More buses to the hospital" in check
    assert "Satisfied" in check
    assert stored(db, item) == 0  # nothing is a response until it is sent
    sent = person.submit()
    assert sent.status_code == 303
    assert "Response sent" in client.get(sent.headers["Location"]).get_data(as_text=True)
    db.expire_all()
    saved = db.scalars(select(Response).where(Response.consultation_id == item.id)).one()
    q1, q2, q3 = item.questions
    assert {a.question_id: a.value for a in saved.answers} == {
        q1.id: "o1",
        q2.id: ["o1"],
        q3.id: "More buses to the hospital",
    }
    assert saved.channel == "hub"
    assert db.scalar(select(Answer.text).where(Answer.question_id == q3.id)) == (
        "More buses to the hospital"
    )
    assert db.scalar(select(func.count()).select_from(Draft)) == 0  # the draft is gone


def test_missing_and_wrong_answers_are_summarised_and_entries_kept(client, db):
    item = factories.consultation()
    q1, _, _ = item.questions
    person = Respondent(client, item)
    person.start()
    data = form_for(item, choice="", many=("o1", "o2", "o3"), text="Keep the library open")
    response = person.post(1, data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error:" in page
    assert "There is a problem" in page
    assert f'href="#{q1.field_name}"' in page
    assert "Question 1: Select an answer" in page
    assert "Question 2: Select no more than 2 answers" in page
    assert "Keep the library open" in page
    assert page.count("checked") == 3
    assert stored(db, item) == 0


def test_free_text_over_the_limit_is_refused_with_the_text_kept(client, db):
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    response = person.post(1, form_for(item, text="word " * 200))
    assert response.status_code == 400
    assert "must be 500 characters or fewer" in response.get_data(as_text=True)
    assert "word word word" in response.get_data(as_text=True)


def test_a_second_submit_stores_one_response(client, db):
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    person.post(1, form_for(item))
    first, second = person.submit(), person.submit()
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"].endswith("/thank-you")
    # The back button to a page of the sent survey leads to the confirmation, not a new draft.
    assert person.get(1).headers["Location"].endswith("/thank-you")
    assert stored(db, item) == 1


def test_closed_consultation_refuses_responses(client, db):
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    person.post(1, form_for(item))
    item.closes_at = utcnow() - timedelta(minutes=1)
    db.flush()
    assert person.submit().status_code == 410
    assert client.get(f"/consultations/{item.slug}/respond").status_code == 410
    assert stored(db, item) == 0


def test_unknown_option_is_an_error_not_stored(client, db):
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    response = person.post(1, form_for(item, choice="<script>"))
    assert response.status_code == 400
    assert "Select one of the options shown" in response.get_data(as_text=True)


def test_routing_skips_a_page_and_drops_its_answers(client, db):
    item = factories.routed_consultation()
    q = ids(item)
    person = Respondent(client, item)
    person.start()
    # Yes → page 2; Daily → the follow-up on page 3 is asked.
    assert person.post(1, {f"q{q['Do you use the bus?']}": "o1"}).headers["Location"].endswith("/2")
    assert (
        person.post(2, {f"q{q['How often do you take the bus?']}": "o1"})
        .headers["Location"]
        .endswith("/3")
    )
    page3 = person.get(3).get_data(as_text=True)
    assert "Which route do you take every day?" in page3
    person.post(3, {f"q{q['Which route do you take every day?']}": "The 14"})
    # Change the first answer to No: page 2 is skipped, so is the follow-up, and both go.
    changed = person.post(1, {f"q{q['Do you use the bus?']}": "o2"}, change="1")
    assert changed.headers["Location"].endswith("/check")
    check = person.get("check").get_data(as_text=True)
    assert "How often do you take the bus?" not in check
    assert "The 14" not in check
    person.submit()
    db.expire_all()
    saved = db.scalars(select(Response).where(Response.consultation_id == item.id)).one()
    assert {a.question_id for a in saved.answers} == {q["Do you use the bus?"]}


def test_change_link_returns_to_the_question_and_back_to_check(client, db):
    item = factories.routed_consultation()
    q = ids(item)
    person = Respondent(client, item)
    person.start()
    person.post(1, {f"q{q['Do you use the bus?']}": "o1"})
    person.post(2, {f"q{q['How often do you take the bus?']}": "o2"})
    person.post(3, {f"q{q['What one thing would you change?']}": "Later buses"})
    check = person.get("check").get_data(as_text=True)
    assert f"/2?change=1#q{q['How often do you take the bus?']}" in check
    page = person.get(2, change="1").get_data(as_text=True)
    assert 'value="o2" checked' in page  # the earlier answer is still there
    assert 'name="change" value="1"' in page
    # Daily now asks the follow-up, which is new: the person is sent to page 3 first.
    back = person.post(2, {f"q{q['How often do you take the bus?']}": "o1"}, change="1")
    assert back.headers["Location"].endswith("/check")
    assert "Later buses" in person.get("check").get_data(as_text=True)


def test_a_newly_revealed_page_is_asked_before_check(client, db):
    item = factories.routed_consultation()
    q = ids(item)
    person = Respondent(client, item)
    person.start()
    person.post(1, {f"q{q['Do you use the bus?']}": "o2"})  # No: straight to page 3
    person.post(3, {})
    # Changing to Yes opens page 2, which the person has not seen.
    going = person.post(1, {f"q{q['Do you use the bus?']}": "o1"}, change="1")
    assert going.headers["Location"].endswith("/2")
    assert person.get("check").headers["Location"].endswith("/2")


def test_later_pages_need_a_started_draft(client, db):
    item = factories.routed_consultation()
    person = Respondent(client, item)
    person.start()
    assert person.get(3).headers["Location"].endswith("/1")
    assert person.get("check").headers["Location"].endswith("/1")
    assert person.get(9).status_code == 404


def test_save_and_resume_with_the_code(client, db, app):
    item = factories.routed_consultation()
    q = ids(item)
    person = Respondent(client, item)
    person.start()
    person.post(1, {f"q{q['Do you use the bus?']}": "o1"})
    # Half-way through page 2 (nothing chosen yet is fine when saving).
    old_base = person.base
    saved = person.save(2, {})
    assert saved.status_code == 200
    text = saved.get_data(as_text=True)
    assert "Your answers are saved" in text
    code = text.split("engage-code'>")[1].split("<")[0]
    assert len(code) == 14
    stored_hash = db.scalar(select(Draft.code_hash))
    assert stored_hash
    assert code not in stored_hash

    # Two days later, on another computer (a new client), with the code typed in lower case.
    other = app.test_client()
    wrong = other.post(f"/consultations/{item.slug}/resume", data={"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 400
    assert "could not find saved answers" in wrong.get_data(as_text=True)
    assert 'value="AAAA-BBBB-CCCC"' in wrong.get_data(as_text=True)
    found = other.post(f"/consultations/{item.slug}/resume", data={"code": code.lower()})
    assert found.status_code == 303
    assert found.headers["Location"].endswith("/2")
    assert person.base in found.headers["Location"]
    # Saving gave the draft a new address: the one in the library's history leads nowhere now.
    assert old_base not in found.headers["Location"]
    assert client.get(f"{old_base}/check").headers["Location"].endswith("/1")


def test_saving_keeps_invalid_entries_as_typed(client, db):
    item = factories.consultation()
    q1, q2, q3 = item.questions
    person = Respondent(client, item)
    person.start()
    person.save(1, form_for(item, choice="", many=("o1", "o2", "o3"), text="Half a thought"))
    page = person.get(1).get_data(as_text=True)
    assert "Half a thought" in page
    assert page.count("checked") == 3


def test_emailed_link_resumes_and_the_address_is_not_kept(client, db, app):
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    text = person.save(1, form_for(item)).get_data(as_text=True)
    code = text.split("engage-code'>")[1].split("<")[0]
    bad = person.post("email", {"code": code, "email": "not an address"})
    assert bad.status_code == 400
    assert "Enter an email address in the correct format" in bad.get_data(as_text=True)
    assert 'value="not an address"' in bad.get_data(as_text=True)
    good = person.post("email", {"code": code, "email": "sam@example.org"})
    assert "We have sent a link to sam@example.org" in good.get_data(as_text=True)
    email = db.scalars(select(OutboxEmail)).one()
    link = next(line for line in email.body.splitlines() if "/resume/" in line)
    assert code in link
    resumed = app.test_client().get(link.replace("http://localhost", ""))
    assert resumed.status_code == 303
    assert resumed.headers["Location"].endswith("/1")


def test_sending_the_outbox_writes_the_email_and_forgets_the_address(db, app, tmp_path):
    from engage import mail

    mail.queue_email(db, to="sam@example.org", subject="Your saved answers", body="Link")
    sent = mail.send_pending(
        db, mail_url="file", sender="engage@example.org", instance_path=str(tmp_path)
    )
    assert sent == 1
    files = list(Path(tmp_path, "mail").glob("*.eml"))
    assert len(files) == 1
    assert "To: sam@example.org" in files[0].read_text()
    email = db.scalars(select(OutboxEmail)).one()
    assert email.sent_at is not None
    assert email.to == ""


def test_a_wrong_resume_link_explains_itself(client, db):
    item = factories.consultation()
    response = client.get(f"/consultations/{item.slug}/resume/ABCD-EFGH-JKLM")
    assert response.status_code == 404
    assert "expired" in response.get_data(as_text=True)


def test_drafts_expire_with_the_consultation(client, db):
    from surveys import drafts

    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    code = (
        person.save(1, form_for(item))
        .get_data(as_text=True)
        .split("engage-code'>")[1]
        .split("<")[0]
    )
    draft = db.scalars(select(Draft)).one()
    assert draft.expires_at == item.closes_at
    after_close = item.closes_at + timedelta(seconds=1)
    assert drafts.find_by_code(db, item, code, now=after_close) is None
    assert drafts.purge_expired(db, now=after_close) == 1
    assert db.scalar(select(func.count()).select_from(Draft)) == 0


def test_equalities_block_is_asked_last_and_stored_apart(client, db, app):
    item = factories.consultation()
    item.equalities = True
    db.flush()
    person = Respondent(client, item)
    person.start()
    assert person.post(1, form_for(item)).headers["Location"].endswith("/about-you")
    about = person.get("about-you").get_data(as_text=True)
    assert "Prefer not to say" in about
    assert "What is your age?" in about
    wrong = person.post("about-you", {"eq-age_band": "200"})
    assert wrong.status_code == 400
    assert "Select one of the options shown" in wrong.get_data(as_text=True)
    data = {"eq-age_band": "16-24", "eq-sex": "prefer_not", "eq-carer": "1-19"}
    assert person.post("about-you", data).headers["Location"].endswith("/check")
    check = person.get("check").get_data(as_text=True)
    assert "16 to 24" in check
    assert "About you" in check
    person.submit()
    db.expire_all()
    saved = db.scalars(select(Response).where(Response.consultation_id == item.id)).one()
    row = db.scalars(select(EqualitiesAnswers)).one()
    assert row.response_id == saved.id
    assert (row.age_band, row.sex, row.carer, row.ethnicity) == (
        "16-24",
        "prefer_not",
        "1-19",
        None,
    )
    assert len(saved.answers) == 3  # none of the block is among the answers


def test_tracked_link_records_its_channel(client, db):
    item = factories.consultation()
    link = links.create_link(db, item, label="NHS staff intranet", channel="intranet")
    person = Respondent(client, item)
    first = client.get(f"/s/{link.code}").headers["Location"]
    assert first == f"/consultations/{item.slug}/respond?via={link.code}"
    first = person.start(f"?via={link.code}")
    assert f"via={link.code}" in first
    assert f'name="via" value="{link.code}"' in client.get(first).get_data(as_text=True)
    person.post(1, form_for(item), via=link.code)
    person.submit()
    db.expire_all()
    saved = db.scalars(select(Response).where(Response.consultation_id == item.id)).one()
    assert (saved.channel, saved.tracked_link_id) == ("intranet", link.id)


def test_the_embed_runs_the_same_survey_in_a_minimal_layout(client, db):
    item = factories.consultation()
    person = Respondent(client, item, prefix="/embed")
    assert person.start().startswith("/embed/")
    page = person.get(1).get_data(as_text=True)
    assert "govuk-service-navigation" not in page
    person.post(1, form_for(item))
    done = person.submit()
    assert done.headers["Location"].startswith(f"/embed/{item.slug}/thank-you")
    db.expire_all()
    saved = db.scalars(select(Response).where(Response.consultation_id == item.id)).one()
    assert saved.channel == "embed"


def test_survey_forms_need_their_key_and_keep_answers_without_it(client, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    page = person.get(1).get_data(as_text=True)
    key = page.split('name="form_key" value="')[1].split('"')[0]
    refused = person.post(1, form_for(item, text="Kept words"))
    assert refused.status_code == 400
    assert "Kept words" in refused.get_data(as_text=True)
    assert "Your session had expired" in refused.get_data(as_text=True)
    assert person.post(1, form_for(item), form_key=key).status_code == 303


def test_a_forthcoming_consultation_says_when_it_opens(client, db):
    item = factories.consultation(status="scheduled", opens_at=utcnow() + timedelta(days=3))
    response = client.get(f"/consultations/{item.slug}/respond")
    assert response.status_code == 404
    assert "not open yet" in response.get_data(as_text=True)


def test_a_link_is_emailed_at_most_three_times_per_draft(client, db):
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    text = person.save(1, form_for(item)).get_data(as_text=True)
    code = text.split("engage-code'>")[1].split("<")[0]
    for _ in range(3):
        assert person.post("email", {"code": code, "email": "sam@example.org"}).status_code == 200
    refused = person.post("email", {"code": code, "email": "someone@example.org"})
    assert refused.status_code == 429
    assert "already sent this link" in refused.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(OutboxEmail)) == 3


def test_check_sends_the_person_to_a_required_question_a_change_revealed(client, db):
    item = factories.routed_consultation()
    q = ids(item)
    follow_up = next(x for x in item.questions if x.title == "Which route do you take every day?")
    follow_up.required = True
    db.flush()
    person = Respondent(client, item)
    person.start()
    person.post(1, {f"q{q['Do you use the bus?']}": "o1"})
    person.post(2, {f"q{q['How often do you take the bus?']}": "o2"})  # weekly: no follow-up
    person.post(3, {})
    # Now "Every day": the follow-up on page 3 (already seen) must be answered before checking.
    assert (
        person.post(2, {f"q{q['How often do you take the bus?']}": "o1"}, change="1")
        .headers["Location"]
        .endswith("/check")
    )
    redirected = person.get("check")
    assert redirected.headers["Location"].endswith("/3?change=1")


def test_survey_pages_are_not_cached(client, db):
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    assert person.get(1).headers["Cache-Control"] == "no-store"


def test_the_submission_asks_the_database_only_what_it_must(client, db, app):
    """The busiest request under load: consultation (with its survey's version) and draft in
    one query, then response, all its answers, outbox row and the draft's deletion (in one
    statement on PostgreSQL; through the ORM writer elsewhere). The pages and questions are
    read once, when the process has not got this version of the survey yet
    (``surveys.snapshot``)."""
    from sqlalchemy import event

    from engage.outbox import TaskOutbox

    item = factories.consultation()
    people = [Respondent(client, item), Respondent(client, item)]
    for person in people:
        person.start()
        assert person.post(1, form_for(item)).status_code == 303
    if db.get_bind().dialect.name == "postgresql":  # one statement writes everything
        writes = ["WITH response"]
    else:  # the ORM writer (surveys.services.submit_response): it looks before it writes
        writes = ["SELECT responses.id,", "INSERT responses", *["INSERT answers"] * 3]
        writes += ["SELECT task_outbox.id,", "INSERT task_outbox", "DELETE drafts"]
    first_read = ["SELECT consultations.id,"]  # the consultation, its version and the draft
    survey_read = ["SELECT consultations.survey_version,"]  # its pages and questions
    engine = db.get_bind().engine
    for person, expected in zip(
        people, [first_read + survey_read + writes, first_read + writes], strict=True
    ):
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args, statements=statements):
            words = statement.split() + ["", ""]
            second = words[1] if words[0] in ("SELECT", "WITH") else words[2]
            statements.append(f"{words[0]} {second}")

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert person.submit().status_code == 303
        finally:
            event.remove(engine, "before_cursor_execute", record)
        data = [s for s in statements if s.startswith(("SELECT", "INSERT", "DELETE", "WITH"))]
        assert sorted(data) == sorted(expected), statements
    responses = db.scalars(select(Response).where(Response.consultation_id == item.id)).all()
    assert [len(r.answers) for r in responses] == [3, 3]
    for response in responses:
        outbox_row = db.scalars(
            select(TaskOutbox).where(TaskOutbox.key == f"response:{response.id}")
        )
        assert outbox_row.one().args == [response.id]


@pytest.mark.parametrize("how", ["orm", "sql"])
def test_a_survey_edited_after_submissions_applies_its_new_rules_at_once(client, db, how):
    """A process that kept the survey from earlier submissions never judges a later one by it:
    an edit made through the models or by any SQL at all changes the version the submission
    reads with its draft, so the new rule applies to the very next submit."""
    from sqlalchemy import update

    from surveys.models import Question

    item = factories.consultation()
    first, second = Respondent(client, item), Respondent(client, item)
    for person in (first, second):
        person.start()
        assert person.post(1, form_for(item, text="")).status_code == 303
    assert first.submit().status_code == 303  # the survey is now kept by this process
    text_question = item.questions[2]
    if how == "orm":
        text_question.required = True
    else:
        db.execute(
            update(Question.__table__)
            .where(Question.__table__.c.id == text_question.id)
            .values(required=True)
        )
    db.commit()

    response = second.submit()
    assert response.status_code == 400, "the answer the edit made required was not asked for"
    assert f'id="{text_question.field_name}-error"' in response.get_data(as_text=True)
    assert stored(db, item) == 1
    assert second.post(1, form_for(item)).status_code == 303
    assert second.submit().status_code == 303
    assert stored(db, item) == 2
