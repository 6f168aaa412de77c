"""Security headers on every response: each GET page in the URL map, an error and a static file."""

from __future__ import annotations

import re

import pytest

from engage.app import create_app
from tests.conftest import app_config


def assert_headers(response, url: str, embed: bool = False) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert re.search(r"script-src 'self' 'nonce-[A-Za-z0-9_-]{20,}'", csp), url
    assert "unsafe-inline" not in csp, url
    assert "object-src 'none'" in csp, url
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", url
    if embed:
        assert "frame-ancestors 'self'" not in csp, url
    else:
        assert "frame-ancestors 'self'" in csp, url


def test_every_get_route_an_error_and_a_static_file_carry_the_headers(app, client, db):
    urls = ["/no-such-page", "/static/css/engage.css", "/static/js/init.js"]
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            url = re.sub(r"<int:[^>]+>", "1", rule.rule)
            urls.append(re.sub(r"<[^>]+>", "x", url))
    for url in urls:
        with client.get(url) as response:
            assert_headers(response, url, embed=url.startswith("/embed/"))
    assert client.get("/no-such-page").status_code == 404
    with client.get("/static/css/engage.css") as response:
        assert response.status_code == 200


def test_embed_routes_are_framable_only_by_the_configured_sites(tmp_path, database_url, db):
    app = create_app(
        app_config(tmp_path, database_url, None, EMBED_FRAME_ANCESTORS="https://partner.example")
    )
    try:
        client = app.test_client()
        response = client.get("/embed/x/respond")
        assert_headers(response, "/embed/x/respond", embed=True)
        assert (
            "frame-ancestors https://partner.example" in response.headers["Content-Security-Policy"]
        )
        assert "X-Frame-Options" not in response.headers
        assert client.get("/").headers["X-Frame-Options"] == "SAMEORIGIN"
    finally:
        app.extensions["engine"].dispose()


@pytest.mark.parametrize("env", ["production"])
def test_hsts_in_production(tmp_path, database_url, db, env):
    app = create_app(app_config(tmp_path, database_url, None, ENV=env))
    try:
        response = app.test_client().get("/healthz")
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    finally:
        app.extensions["engine"].dispose()


def test_templates_have_no_inline_scripts_styles_or_handlers():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    problems = []
    # Emails and the self-contained report file are not pages of the site: mail clients and a
    # saved report need their styles inline, and neither runs under the site's CSP.
    not_pages = {"panel/email.html", "reports/_style.html"}
    for path in root.rglob("*.html"):
        if str(path.relative_to(root)) in not_pages or "email" in path.name:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*nonce=)[^>]*>", text):
            problems.append(f"{path}: {match.group(0)}")
        for match in re.finditer(r"\son(click|load|change|submit|input)=", text):
            problems.append(f"{path}: on{match.group(1)}=")
        for match in re.finditer(r"<style\b|\sstyle=\"", text):
            problems.append(f"{path}: {match.group(0).strip()}")
    assert not problems, problems
