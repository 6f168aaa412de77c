"""One person's way through a survey: their answers so far and where each step lives.

The same steps serve three places: the hub (/consultations/<slug>/respond/<token>/...), partner
websites through the embed (/embed/<slug>/respond/<token>/...) and the officer's preview
(/manage/<id>/preview/...), which keeps its answers in a signed form field and stores nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from surveys import drafts, equalities, routing, services
from surveys.models import Consultation, Draft, Page, Question
from surveys.questions import Parsed, get_type

Values = Mapping[str, Sequence[str]]

ABOUT_YOU = "about-you"
CHECK = "check"
PREVIEW_TOKEN = "preview"  # noqa: S105 - a name, not a secret: previews keep no draft


def form_key(token: str) -> str:
    """The form's secret, tied to the draft's token.

    Survey forms are anonymous and are often shown inside a partner's iframe, where the session
    cookie is not sent; a key derived from the token and the app's secret works without one.
    """
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"survey:{token}".encode(), hashlib.sha256).hexdigest()[:32]


def key_is_valid(token: str, given: str | None) -> bool:
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return True
    # As bytes: compare_digest refuses str with non-ASCII characters (a 500 a scanner found).
    return bool(given) and hmac.compare_digest(form_key(token).encode(), (given or "").encode())


def _preview_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="survey-preview")


@dataclass
class Journey:
    consultation: Consultation
    token: str
    mode: str  # "hub", "embed" or "preview"
    values: dict[str, list[str]] = field(default_factory=dict)
    path: list[Any] = field(default_factory=list)
    draft: Draft | None = None
    # The walk for the current values, worked out once per change of the answers.
    _walk: routing.Walk | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_preview_state(cls, consultation: Consultation, state: str | None) -> Journey:
        values: dict[str, list[str]] = {}
        path: list[Any] = []
        if state:
            try:
                values, path = _preview_serializer().loads(state)
            except (BadSignature, ValueError, TypeError):
                values, path = {}, []
        return cls(consultation, token=PREVIEW_TOKEN, mode="preview", values=values, path=path)

    @property
    def preview(self) -> bool:
        return self.mode == "preview"

    @property
    def embedded(self) -> bool:
        return self.mode == "embed"

    def preview_state(self) -> str:
        return _preview_serializer().dumps([self.values, self.path])

    def url(self, step: str | int, **params: Any) -> str:
        if self.preview:
            return url_for(
                "consultations.preview_step",
                consultation_id=self.consultation.id,
                step=step,
                **params,
            )
        blueprint = "embed" if self.embedded else "participate"
        return url_for(
            f"{blueprint}.step", slug=self.consultation.slug, token=self.token, step=step, **params
        )

    def endpoint(self, name: str, **params: Any) -> str:
        blueprint = "embed" if self.embedded else "participate"
        return url_for(f"{blueprint}.{name}", slug=self.consultation.slug, **params)

    # The survey as this person will go through it.

    def walk(self) -> routing.Walk:
        if self._walk is None:
            self._walk = routing.walk(self.consultation, self.values)
        return self._walk

    def page(self, position: int) -> Page | None:
        return next((p for p in self.consultation.pages if p.position == position), None)

    def numbers(self) -> dict[int, int]:
        return services.question_numbers(self.consultation)

    def answers_for(self, questions: Sequence[Any]) -> dict[Any, Parsed]:
        """Stored answers read back through each type, so the page shows what was entered."""
        return {
            q.id: get_type(q.type).read(q, self.values)
            for q in questions
            if get_type(q.type).has_input
        }

    def equalities_block(self) -> list[equalities.BlockQuestion]:
        if not self.consultation.equalities:
            return []
        return equalities.questions(current_app.config["LOCALITIES"])

    def steps(self) -> list[str | int]:
        """Every step on this person's walk, in order."""
        steps: list[str | int] = [p.position for p in self.walk().pages]
        if self.consultation.equalities:
            steps.append(ABOUT_YOU)
        return steps

    def step_key(self, step: str | int) -> Any:
        """How a step is recorded in the path: a page's id, or the step's name."""
        if isinstance(step, int):
            page = self.page(step)
            return page.id if page else step
        return step

    def next_step(self, after: str | int, *, changing: bool = False) -> str | int:
        """Where to go after a step; after a change, back to the check page once nothing is new."""
        steps = self.steps()
        if changing:
            unvisited = [s for s in steps if self.step_key(s) not in self.path]
            return unvisited[0] if unvisited else CHECK
        if after in steps:
            at = steps.index(after)
            return steps[at + 1] if at + 1 < len(steps) else CHECK
        later = [s for s in steps if isinstance(s, int) and isinstance(after, int) and s > after]
        return later[0] if later else (ABOUT_YOU if ABOUT_YOU in steps else CHECK)

    def resume_step(self) -> str | int:
        return self.next_step(0, changing=True) if self.path else self.steps()[0]

    def previous_step(self, step: str | int) -> str | int | None:
        steps = self.steps()
        if step == CHECK:
            return steps[-1] if steps else None
        if step in steps and steps.index(step) > 0:
            return steps[steps.index(step) - 1]
        return None

    def questions_for(self, step: str | int) -> list[Any]:
        """What a step asks: a page's questions as routing shows them, or the equalities block."""
        if step == ABOUT_YOU:
            return self.equalities_block()
        page = self.page(step) if isinstance(step, int) else None
        return self.shown_on(page) if page else []

    def record(
        self, step: str | int, questions: Sequence[Any], form: Values, *, done: bool
    ) -> None:
        """Take a step's answers into this journey; ``done`` counts the step as answered."""
        self.values = drafts.merge_values(self.values, questions, form)
        self._walk = None
        key = self.step_key(step)
        self.path = [p for p in self.path if p != key] + ([key] if done else [])

    def shown_on(self, page: Page) -> list[Question]:
        walk = self.walk()
        if page in walk.pages:
            return walk.asked_on(page)
        asked = {q.id: q for q in walk.asked}
        return [
            q
            for q in routing.questions_on(self.consultation, page)
            if routing.is_shown(q, self.values, asked)
        ]


def form_values(form: Mapping[str, Any]) -> dict[str, list[str]]:
    getlist = getattr(form, "getlist", None)
    if getlist is None:
        return {k: list(v) if isinstance(v, list | tuple) else [v] for k, v in form.items()}
    return {k: getlist(k) for k in form}
