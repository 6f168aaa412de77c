"""The officer's survey builder: pages, question editing, routing and conditions over HTTP."""

from __future__ import annotations

import html

import pytest

from surveys import builder, outline
from surveys.models import Page
from tests import factories


@pytest.fixture
def officer(db):
    return factories.user("officer")


@pytest.fixture
def draft(db, officer):
    """Two pages: 'How satisfied are you?' etc. on page 1, an empty 'Your area' page 2."""
    item = factories.consultation(officer.organisation, status="draft")
    builder.add_page(db, item, title="Your area")
    return item


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def url(item, rest: str = "") -> str:
    return f"/manage/{item.id}{rest}"


def test_the_builder_groups_questions_by_page_and_describes_rules(client, auth, db, officer):
    item = factories.consultation(officer.organisation, status="draft")
    p2 = builder.add_page(db, item, title="Your area")
    satisfied, uses, _free = item.questions
    where = builder.add_question(db, item, page=p2, type="short_text", title="Your street")
    builder.set_routes(db, item, satisfied, {"o3": p2.id, "o2": "end"})
    builder.set_condition(db, item, where, uses.id, ["o1", "o3"])
    auth.login(officer)
    page = text(client.get(url(item)))
    assert page.index("Page 1") < page.index("How satisfied") < page.index("Page 2: Your area")
    assert page.index("Page 2: Your area") < page.index("Your street")
    assert "If 'Neither', go to the end" in page
    assert "If 'Dissatisfied', go to page 2: Your area" in page
    assert (
        "Asked only if the answer to 'Which services do you use?' includes 'Buses' or 'Parks'"
        in (page)
    )
    assert url(item, f"/questions/new?page={p2.id}") in page
    assert url(item, "/preview") in page


def test_another_partners_officer_gets_403_everywhere(client, auth, db, officer, draft):
    page, question = draft.pages[0], draft.questions[0]
    auth.login(factories.user("officer"))
    gets = [
        "/questions/new",
        f"/questions/{question.id}/edit",
        f"/questions/{question.id}/routing",
        f"/questions/{question.id}/condition",
        "/pages/new",
        f"/pages/{page.id}/edit",
        f"/pages/{page.id}/delete",
    ]
    for rest in gets:
        assert client.get(url(draft, rest)).status_code == 403, rest
    posts = gets + [
        f"/questions/{question.id}/move",
        f"/questions/{question.id}/delete",
        f"/pages/{page.id}/move",
    ]
    for rest in posts:
        response = client.post(url(draft, rest), data={"direction": "down", "title": "Hacked"})
        assert response.status_code == 403, rest
    db.expire_all()
    assert page.title == ""
    assert question.title == "How satisfied are you?"


def test_pages_and_questions_of_another_consultation_are_not_found(client, auth, db, draft):
    other = factories.consultation(draft.organisation, status="draft")
    auth.login(factories.user("officer", draft.organisation))
    assert client.get(url(draft, f"/questions/{other.questions[0].id}/edit")).status_code == 404
    assert client.get(url(draft, f"/pages/{other.pages[0].id}/edit")).status_code == 404


def test_officer_adds_renames_moves_and_deletes_pages(client, auth, db, officer, draft):
    auth.login(officer)
    p1, p2 = draft.pages
    response = client.post(url(draft, "/pages/new"), data={"title": "Last", "intro": "Nearly done"})
    assert response.status_code == 302
    db.expire_all()
    p3 = draft.pages[-1]
    assert response.headers["Location"].endswith(f"#page-{p3.id}")
    assert (p3.position, p3.title, p3.intro) == (3, "Last", "Nearly done")

    assert client.get(url(draft, f"/pages/{p3.id}/edit")).status_code == 200
    client.post(url(draft, f"/pages/{p3.id}/edit"), data={"title": "Final", "intro": ""})
    client.post(url(draft, f"/pages/{p3.id}/move"), data={"direction": "up"})
    db.expire_all()
    assert [p.title for p in outline.pages_of(draft)] == ["", "Final", "Your area"]

    response = client.post(url(draft, f"/pages/{p2.id}/delete"), data={})
    assert response.status_code == 302
    db.expire_all()
    assert [p.title for p in outline.pages_of(draft)] == ["", "Final"]


def test_deleting_a_page_with_questions_asks_where_to_move_them(client, auth, db, officer, draft):
    auth.login(officer)
    p1, p2 = draft.pages
    confirm = text(client.get(url(draft, f"/pages/{p1.id}/delete")))
    assert "This page has 3 questions on it" in confirm
    assert "A page can only be deleted once it is empty" in confirm
    refused = client.post(url(draft, f"/pages/{p1.id}/delete"), data={})
    assert refused.status_code == 400
    page = text(refused)
    assert "<title>Error:" in page
    assert "Page 1 still has 3 questions on it" in page
    assert 'href="#move_to"' in page
    response = client.post(url(draft, f"/pages/{p1.id}/delete"), data={"move_to": str(p2.id)})
    assert response.status_code == 302
    db.expire_all()
    assert len(draft.pages) == 1
    assert [q.page_id for q in draft.questions] == [p2.id] * 3


def test_the_only_page_cannot_be_deleted(client, auth, db, officer):
    item = factories.consultation(officer.organisation, status="draft")
    auth.login(officer)
    page = text(client.get(url(item, f"/pages/{item.pages[0].id}/delete")))
    assert "This is the survey's only page, so it cannot be deleted" in page
    client.post(url(item, f"/pages/{item.pages[0].id}/delete"), data={})
    db.expire_all()
    assert len(item.pages) == 1


def test_a_question_is_added_to_the_page_chosen(client, auth, db, officer, draft):
    auth.login(officer)
    p2 = draft.pages[1]
    form = text(client.get(url(draft, f"/questions/new?page={p2.id}")))
    assert f'<option value="{p2.id}" selected>Page 2: Your area</option>' in form
    data = {"type": "long_text", "title": "Anything about your area?", "page_id": str(p2.id)}
    assert client.post(url(draft, "/questions/new"), data=data).status_code == 302
    db.expire_all()
    assert [q.title for q in builder.questions_on(draft, p2)] == ["Anything about your area?"]


def test_a_draft_question_is_edited_in_full_and_keeps_option_values(
    client, auth, db, officer, draft
):
    auth.login(officer)
    question = draft.questions[0]
    form = text(client.get(url(draft, f"/questions/{question.id}/edit")))
    assert "Satisfied\nNeither\nDissatisfied" in form
    assert "Show single choice options as" in form
    assert "Most characters allowed" not in form  # another type's setting
    response = client.post(
        url(draft, f"/questions/{question.id}/edit"),
        data={
            "page_id": str(draft.pages[1].id),
            "title": "How happy are you?",
            "hint": "Think of this year",
            "required": "no",
            "options": "Happy\nNeither\nUnhappy\nNot sure",
            "display": "dropdown",
            "allow_other": "no",
        },
    )
    assert response.status_code == 302
    db.expire_all()
    assert (question.title, question.hint, question.required) == (
        "How happy are you?",
        "Think of this year",
        False,
    )
    assert question.options == [
        {"value": "o1", "label": "Happy"},
        {"value": "o2", "label": "Neither"},
        {"value": "o3", "label": "Unhappy"},
        {"value": "o4", "label": "Not sure"},
    ]
    assert question.settings == {"display": "dropdown"}
    assert question.page_id == draft.pages[1].id


def test_edit_errors_are_explained_and_keep_what_was_typed(client, auth, db, officer, draft):
    auth.login(officer)
    question = draft.questions[0]
    response = client.post(
        url(draft, f"/questions/{question.id}/edit"),
        data={"title": "Kept wording", "options": "Only one", "required": "yes"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "<title>Error:" in page
    assert 'href="#options"' in page
    assert "Give at least two different options" in page
    assert "Kept wording" in page
    db.expire_all()
    assert question.title == "How satisfied are you?"


def test_moving_a_question_with_rules_that_break_tells_the_officer(
    client, auth, db, officer, draft
):
    p1, p2 = draft.pages
    satisfied = draft.questions[0]
    where = builder.add_question(db, draft, page=p2, type="short_text", title="Your street")
    builder.set_condition(db, draft, where, satisfied.id, ["o1"])
    auth.login(officer)
    response = client.post(
        url(draft, f"/questions/{where.id}/edit"),
        data={"page_id": str(p1.id), "title": "Your street", "required": "no"},
        follow_redirects=True,
    )
    page = text(response)
    assert "Question saved" in page
    assert (
        "Removed from 'Your street': Asked only if the answer to 'How satisfied are you?'" in page
    )
    assert "no longer on an earlier page" in page
    db.expire_all()
    assert where.show_if is None


def test_questions_move_up_and_down_and_are_removed(client, auth, db, officer, draft):
    auth.login(officer)
    first, second, third = draft.questions
    response = client.post(url(draft, f"/questions/{first.id}/move"), data={"direction": "down"})
    assert response.headers["Location"].endswith(f"#question-{first.id}")
    db.expire_all()
    assert [q.id for q in draft.questions] == [second.id, first.id, third.id]
    refused = client.post(
        url(draft, f"/questions/{second.id}/move"), data={"direction": "up"}, follow_redirects=True
    )
    assert "already the first on its page" in text(refused)
    assert client.post(url(draft, f"/questions/{second.id}/move"), data={}).status_code == 400
    client.post(url(draft, f"/questions/{third.id}/delete"))
    db.expire_all()
    assert [q.id for q in draft.questions] == [second.id, first.id]


def test_routing_is_set_per_option_and_only_to_later_pages(client, auth, db, officer, draft):
    p1, p2 = draft.pages
    p3 = builder.add_page(db, draft, title="Thanks")
    question = draft.questions[0]
    auth.login(officer)
    form = text(client.get(url(draft, f"/questions/{question.id}/routing")))
    assert "If the answer is “Dissatisfied”" in form
    assert f'<option value="{p2.id}">Go to page 2: Your area</option>' in form
    assert f'<option value="{p1.id}"' not in form
    data = {"route_o1": "next", "route_o2": "end", "route_o3": str(p3.id)}
    assert (
        client.post(url(draft, f"/questions/{question.id}/routing"), data=data).status_code == 302
    )
    db.expire_all()
    assert question.routes == {"o2": "end", "o3": p3.id}
    page = text(client.get(url(draft)))
    assert "If 'Dissatisfied', go to page 3: Thanks" in page
    bad = client.post(
        url(draft, f"/questions/{question.id}/routing"), data={"route_o1": str(p1.id)}
    )
    assert bad.status_code == 400
    assert "<title>Error:" in text(bad)
    free_text = draft.questions[2]
    assert client.get(url(draft, f"/questions/{free_text.id}/routing")).status_code == 404


def test_a_condition_is_chosen_in_two_steps(client, auth, db, officer, draft):
    p1, p2 = draft.pages
    uses = draft.questions[1]
    where = builder.add_question(db, draft, page=p2, type="short_text", title="Your street")
    auth.login(officer)
    first = text(client.get(url(draft, f"/questions/{where.id}/condition")))
    assert "Depending on the answer to 'Which services do you use?' (page 1)" in first
    step = client.post(url(draft, f"/questions/{where.id}/condition"), data={"source": uses.id})
    assert step.headers["Location"].endswith(f"/questions/{where.id}/condition/{uses.id}")
    empty = client.post(url(draft, f"/questions/{where.id}/condition/{uses.id}"), data={})
    assert empty.status_code == 400
    assert "Select at least one answer" in text(empty)
    assert 'href="#values"' in text(empty)
    saved = client.post(
        url(draft, f"/questions/{where.id}/condition/{uses.id}"), data={"values": ["o2", "o3"]}
    )
    assert saved.status_code == 302
    db.expire_all()
    assert where.show_if == {"question_id": uses.id, "values": ["o2", "o3"]}
    client.post(url(draft, f"/questions/{where.id}/condition"), data={"source": "always"})
    db.expire_all()
    assert where.show_if is None


def test_a_condition_cannot_depend_on_the_same_or_a_later_page(client, auth, db, officer, draft):
    satisfied, uses, _free = draft.questions
    auth.login(officer)
    page = text(client.get(url(draft, f"/questions/{uses.id}/condition")))
    assert "There is none before page 1" in page
    assert client.get(url(draft, f"/questions/{uses.id}/condition/{satisfied.id}")).status_code == (
        404
    )


def test_once_open_only_wording_can_change(client, auth, db, officer, draft):
    draft.status = "open"
    db.flush()
    question = draft.questions[0]
    p2 = draft.pages[1]
    auth.login(officer)
    detail = text(client.get(url(draft)))
    assert "only the wording of its pages, questions and options can change now" in detail
    assert "Move down" not in detail
    assert "Routing" not in detail
    form = text(client.get(url(draft, f"/questions/{question.id}/edit")))
    assert "People have already answered this consultation" in form
    assert 'name="required"' not in form
    response = client.post(
        url(draft, f"/questions/{question.id}/edit"),
        data={
            "title": "How satisfied are you with the park?",
            "options": "Very satisfied\nNeither\nDissatisfied",
            "required": "no",
            "page_id": str(p2.id),
        },
    )
    assert response.status_code == 302
    db.expire_all()
    assert question.title == "How satisfied are you with the park?"
    assert question.options[0] == {"value": "o1", "label": "Very satisfied"}
    assert question.required is True  # not wording: unchanged
    assert question.page_id == draft.pages[0].id
    added = client.post(
        url(draft, f"/questions/{question.id}/edit"),
        data={"title": "Q", "options": "A\nB\nC\nD"},
    )
    assert added.status_code == 400
    assert "reword the options but not add or remove any" in text(added)
    for rest, data in (
        ("/questions/new", {"type": "long_text", "title": "More?"}),
        (f"/questions/{question.id}/move", {"direction": "down"}),
        (f"/questions/{question.id}/delete", {}),
        ("/pages/new", {"title": "New"}),
        (f"/pages/{p2.id}/move", {"direction": "up"}),
        (f"/pages/{p2.id}/delete", {}),
        (f"/questions/{question.id}/routing", {"route_o1": "end"}),
    ):
        refused = client.post(url(draft, rest), data=data, follow_redirects=True)
        assert "you can only change the wording" in text(refused), rest
    db.expire_all()
    assert len(draft.questions) == 3
    assert len(draft.pages) == 2
    assert question.routes == {}
    client.post(url(draft, f"/pages/{p2.id}/edit"), data={"title": "Where you live"})
    db.expire_all()
    assert db.get(Page, p2.id).title == "Where you live"


def test_scheduled_consultations_are_still_fully_editable(client, auth, db, officer, draft):
    draft.status = "scheduled"
    db.flush()
    auth.login(officer)
    data = {"type": "long_text", "title": "Anything else?"}
    assert client.post(url(draft, "/questions/new"), data=data).status_code == 302
    db.expire_all()
    assert len(draft.questions) == 4
