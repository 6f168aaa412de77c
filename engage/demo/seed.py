"""Load the demo partnership into an empty database."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.accounts.models import User
from engage.accounts.services import create_user
from engage.codebooks import services as codebooks
from engage.curation import board as priorities
from engage.curation import we_asked
from engage.curation.runs import request_analysis
from engage.db import get_session
from engage.demo import curation, events, panel, scorecard
from engage.findings import services as findings
from engage.population import services as population
from surveys import services
from surveys.base import utcnow
from surveys.documents import add_document
from surveys.lifecycle import publish_results
from surveys.models import Consultation, ConsultationStatus, Organisation
from surveys.questions import get_type

CONTENT = Path(__file__).resolve().parent / "content"
# Printed by `make run` beside each login; long enough for any password rule we add.
DEMO_PASSWORD = "craigmuir-demo-2026"  # noqa: S105 - a published demo login, never a real one
# The demo officers' and administrator's authenticator key, printed by `make run`; add it to an
# authenticator app, or run `engage demo-code` for the current one-time code.
DEMO_TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"  # noqa: S105 - published demo key


def load(name: str) -> Any:
    return json.loads((CONTENT / name).read_text(encoding="utf-8"))


def demo_logins() -> list[dict[str, str]]:
    return [
        {"email": u["email"], "role": u["role"], "password": DEMO_PASSWORD}
        for u in load("partnership.json")["users"]
    ]


def run() -> str:
    session = get_session()
    if session.scalar(select(Organisation.id).limit(1)) is not None:
        return "The database already holds a partnership; nothing seeded."
    partnership = load("partnership.json")
    orgs = seed_organisations(session, partnership["organisations"])
    for user in partnership["users"]:
        person = create_user(
            session,
            email=user["email"],
            password=DEMO_PASSWORD,
            role=user["role"],
            organisation=orgs.get(user.get("organisation") or ""),
            name=user["name"],
        )
        if person.needs_mfa:
            person.totp_secret = DEMO_TOTP_SECRET
    runs = []
    counts = []
    for spec in load("consultations.json"):
        consultation = seed_consultation(session, spec, orgs)
        counts.append(f"{consultation.title} ({len(spec.get('responses', []))} responses)")
        if consultation.status == ConsultationStatus.CLOSED:
            runs.append(request_analysis(session, consultation, trigger="closing"))
    counts.append(seed_scorecards(session, orgs))
    seed_hub(session, load("hub.json"))
    seed_population(session, load("population.json"))
    seed_codebooks(session, load("codebooks.json"), orgs)
    priorities.seed(session)  # the board's three strategic priorities
    counts.append(panel.seed(session, partnership["localities"]))
    counts.append(events.seed(session, partnership["localities"]))
    session.commit()
    counts.extend(curate_closed(session, [(run.id, run.consultation_id) for run in runs]))
    publish_drafted(session, load("hub.json"))
    # After curation, so the newsletter carries the themes chosen for "You said".
    counts.append(panel.send_results(session, officer_id(session)))
    session.commit()
    # Any run not finished here is sent after the commit; if the broker is not reachable yet
    # the scheduler sends it later.
    waiting = findings.undispatched_runs(session)
    findings.dispatch(session, current_app.extensions["celery"], waiting)
    session.commit()
    return "Seeded the demo partnership: " + "; ".join(counts)


def officer_id(session: Session) -> int | None:
    """The demo's first officer, who curates and sends the results."""
    email = next(u["email"] for u in load("partnership.json")["users"] if u["role"] == "officer")
    return session.scalar(select(User.id).where(User.email == email))


def curate_closed(session: Session, runs: list[tuple[int, int]]) -> list[str]:
    """Analyse the closed consultations now and make an officer's first curation edits, so the
    curation page, "We asked, you said, we did" and the priority board have something to show."""

    done = []
    officer = next(u["email"] for u in load("partnership.json")["users"] if u["role"] == "officer")
    for run_id, consultation_id in runs:
        curation.analyse_now(session, run_id)
        done.append(curation.curate(session, consultation_id, officer))
        session.commit()
    return done


def seed_codebooks(
    session: Session, items: list[dict[str, Any]], orgs: dict[str, Organisation]
) -> None:
    """Codebooks officers can map answers onto: the partnership's strategic priorities."""
    for item in items:
        codebooks.create(
            session,
            name=item["name"],
            organisation_id=orgs[item["organisation"]].id,
            shared=item.get("shared", False),
            themes=item["themes"],
        )


def seed_organisations(session: Session, items: list[dict[str, str]]) -> dict[str, Organisation]:
    orgs = {}
    for item in items:
        org = Organisation(code=item["code"], name=item["name"], kind=item["kind"])
        session.add(org)
        orgs[item["code"]] = org
    session.flush()
    return orgs


def seed_consultation(
    session: Session, spec: dict[str, Any], orgs: dict[str, Organisation]
) -> Consultation:
    now = utcnow()
    opens_at = now + timedelta(days=spec["opens_days_from_now"])
    closes_at = now + timedelta(days=spec["closes_days_from_now"])
    consultation = services.create_consultation(
        session,
        title=spec["title"],
        summary=spec["summary"],
        organisation_id=orgs[spec["organisation"]].id,
        opens_at=opens_at,
        closes_at=closes_at,
        slug=spec["slug"],
    )
    consultation.co_owners = [orgs[code] for code in spec.get("co_owners", [])]
    consultation.equalities = spec.get("equalities", False)
    by_key = seed_questions(session, consultation, spec)
    responses = spec.get("responses", [])
    if spec["state"] == "draft":
        return consultation
    consultation.status = ConsultationStatus.OPEN
    window = (min(closes_at, now) - opens_at) / max(len(responses), 1)
    for n, answers in enumerate(responses):
        parsed = {}
        for key, raw in answers.items():
            question = by_key.get(key)
            if question is None:
                continue
            # As the form would send it: a locality question reads its area from the form.
            form = {question.field_name: as_form(question, raw)}
            parsed[question.id] = get_type(question.type).read(question, form)
        bad = [p.error for p in parsed.values() if p.error]
        if bad:
            raise ValueError(f"demo response {n} of {spec['slug']} is invalid: {bad}")
        services.submit_response(
            session,
            consultation,
            parsed,
            token=secrets.token_urlsafe(24),
            now=opens_at + window * (n + 0.5),
            channel=answers.get("channel", "hub"),
        )
    if spec["state"] == "closed":
        consultation.status = ConsultationStatus.CLOSED
    return consultation


def seed_questions(
    session: Session, consultation: Consultation, spec: dict[str, Any]
) -> dict[str, Any]:
    """Pages, questions and routing from the content file; routes and conditions name options by
    their labels and pages by number."""
    pages = consultation.pages
    for n, page_spec in enumerate(spec.get("pages", [{}]), start=1):
        page = pages[0] if n == 1 else services.add_page(session, consultation)
        page.title, page.intro = page_spec.get("title", ""), page_spec.get("intro", "")
    by_key = {}
    for q in spec["questions"]:
        settings = {k: q[k] for k in ("max_choices", "max_length") if q.get(k)}
        question = services.add_question(
            session,
            consultation,
            type=q["type"],
            title=q["title"],
            hint=q.get("hint") or "",
            required=q.get("required", False),
            options=q.get("options", []),
            settings=settings,
            page=consultation.pages[q.get("page", 1) - 1],
        )
        by_key[q["key"]] = question
        value_of = {o["label"]: o["value"] for o in question.options}
        question.routes = {
            value_of[label]: target if target == "end" else consultation.pages[target - 1].id
            for label, target in q.get("routes", {}).items()
        }
        if condition := q.get("show_if"):
            source = by_key[condition["key"]]
            labels = {o["label"]: o["value"] for o in source.options}
            question.show_if = {
                "question_id": source.id,
                "values": [labels[label] for label in condition["values"]],
            }
    return by_key


def seed_population(session: Session, content: dict[str, Any]) -> None:
    for attribute, spec in content["figures"].items():
        population.replace(session, attribute, spec["people"], source=spec["source"])


def seed_scorecards(session: Session, orgs: dict[str, Organisation]) -> str:
    """Two closed years of the Partnership Assessment Scorecard, the second following the first
    (see ``engage.demo.scorecard``)."""

    return scorecard.seed(session, load("scorecard.json"), orgs)


def seed_hub(session: Session, content: dict[str, Any]) -> None:
    """Topics, areas, other ways to respond, documents and published results for the hub."""
    for slug, spec in content.items():
        consultation = session.scalars(select(Consultation).where(Consultation.slug == slug)).one()
        consultation.topic = spec.get("topic", "")
        consultation.localities = spec.get("localities", [])
        consultation.other_ways = spec.get("other_ways", "")
        for document in spec.get("documents", []):
            text = document.get("text") or responses_by(slug, document["responses_by"])
            add_document(
                session,
                consultation,
                title=document["title"],
                filename=document["filename"],
                data=text.encode("utf-8"),
            )
        if "results" in spec and spec["results"]["you_said"]:
            publish_results(session, consultation, **spec["results"], now=utcnow())


def responses_by(slug: str, key: str) -> str:
    """A CSV of the demo's responses by their answer to one question (the area, say), counted
    from the same content the responses are seeded from, so the file agrees with the findings."""
    spec = next(c for c in load("consultations.json") if c["slug"] == slug)
    question = next(q for q in spec["questions"] if q["key"] == key)
    counts = Counter(r.get(key) for r in spec.get("responses", []))
    label = "Area" if question["type"] == "locality" else question["title"]
    rows = [f"{label},Responses"]
    options = question.get("options") or sorted(k for k in counts if k)
    rows += [f"{option},{counts[option]}" for option in options if counts[option]]
    return "\n".join(rows) + "\n"


def publish_drafted(session: Session, content: dict[str, Any]) -> None:
    """Results whose "You said" is left empty in the content file are published as an officer
    would after curating: drafted from the approved themes (engage.curation.we_asked)."""
    for slug, spec in content.items():
        if "results" not in spec or spec["results"]["you_said"]:
            continue
        consultation = session.scalars(select(Consultation).where(Consultation.slug == slug)).one()
        _, you_said = we_asked.draft(session, consultation)
        texts = {**spec["results"], "you_said": you_said}
        publish_results(session, consultation, **texts, now=utcnow())


def as_form(question: Any, raw: Any) -> list[str]:
    """Turn the content file's option labels into the option values a form would send."""
    labels = {o["label"]: o["value"] for o in question.options}
    if not get_type(question.type).has_options:
        return [raw] if isinstance(raw, str) else []
    values = raw if isinstance(raw, list) else [raw]
    return [labels.get(v, f"unknown option {v!r}") for v in values]
