"""A live Engage server and Debian's Chromium driven by Playwright, with axe-core."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import update
from werkzeug.serving import make_server

from engage.accounts.models import User
from engage.app import create_app
from engage.db import get_session
from tests.browser import scenario
from tests.conftest import ROOT, app_config, reset_database

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (it runs `npm ci`)")
    return AXE.read_text()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is missing: run `make test` (it installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("live")
    database = f"sqlite:///{folder / 'live.sqlite'}"
    reset_database(database)
    app = create_app(app_config(folder, database, None, WTF_CSRF_ENABLED=True, TESTING=False))
    with app.app_context():
        scenario.build()

    def forget_used_codes() -> None:
        with app.app_context():
            session = get_session()
            session.execute(update(User).values(totp_last_step=None))
            session.commit()

    scenario.forget_used_codes = forget_used_codes
    yield app
    scenario.forget_used_codes = None
    app.extensions["engine"].dispose()


@pytest.fixture(scope="session")
def base_url(live_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class Checker:
    """Runs axe-core on each page state a test reaches and keeps a screenshot of it."""

    def __init__(self, page: Page, axe_source: str, name: str, javascript: bool = True) -> None:
        self.page, self.axe_source, self.name = page, axe_source, name
        self.javascript = javascript
        self.visited: list[str] = []

    def check(self, label: str) -> None:
        # axe.run waits on timers, which never fire with scripts off: it would hang, not fail.
        assert self.javascript, "axe-core needs JavaScript: check this state on a page with it on"
        self.page.evaluate(self.axe_source)  # evaluated, not injected, so our CSP stays on
        result: dict[str, Any] = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{self.name}-{label}.png"), full_page=True)
        self.visited.append(label)
        problems = [
            f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in result["violations"]
        ]
        assert problems == [], f"axe-core on {label} ({self.page.url}): {problems}"


@pytest.fixture
def make_page(browser: Browser, axe_source: str, request: pytest.FixtureRequest):
    contexts = []

    def make(
        *, javascript: bool = True, width: int = 1280, height: int = 900
    ) -> tuple[Page, Checker]:
        context = browser.new_context(
            java_script_enabled=javascript, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        # Script errors and CSP refusals; a 400 for a form with mistakes is expected, not counted.
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and "Failed to load resource" not in m.text
                else None
            ),
        )
        page.errors = errors  # type: ignore[attr-defined]
        return page, Checker(page, axe_source, f"{request.node.name}-{width}", javascript)

    yield make
    for context in contexts:
        context.close()


def pytest_configure(config: pytest.Config) -> None:
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
