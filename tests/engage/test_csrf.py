"""Every form that changes something refuses a post without the CSRF token."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from engage.app import create_app
from tests.conftest import app_config


@pytest.fixture
def csrf_app(tmp_path, database_url) -> Flask:
    app = create_app(app_config(tmp_path, database_url, None, WTF_CSRF_ENABLED=True))
    yield app
    app.extensions["engine"].dispose()


def state_changing_routes(app: Flask) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            url = re.sub(r"<int:[^>]+>", "1", rule.rule)
            urls.append(re.sub(r"<[^>]+>", "some-slug", url))
    return urls


def test_there_are_forms_to_check(csrf_app):
    assert len(state_changing_routes(csrf_app)) >= 8


def test_every_post_route_needs_the_token(csrf_app, db):
    client = csrf_app.test_client()
    for url in state_changing_routes(csrf_app):
        response = client.post(url, data={"title": "x"})
        # 400 from the CSRF check; the survey form also answers 404 for an unknown slug
        # before it reads anything, and never stores without the token.
        assert response.status_code in (400, 404), url
        if response.status_code == 400:
            assert (
                "could not be" in response.get_data(as_text=True).lower()
                or "problem" in response.get_data(as_text=True).lower()
            ), url
