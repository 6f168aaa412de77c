"""CSRF protection, a per-request CSP nonce and security headers on every response."""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    nonce: str = g.csp_nonce
    return nonce


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(add_security_headers)


EMBED_PREFIX = "/embed/"


def frame_ancestors() -> str:
    """Who may show this page in a frame.

    The embedded survey may be framed by any site (or the sites listed in EMBED_FRAME_ANCESTORS,
    a string or a list of origins); every other page by this site alone.
    """
    if not request.path.startswith(EMBED_PREFIX):
        return "'self'"
    allowed = current_app.config.get("EMBED_FRAME_ANCESTORS") or "*"
    return allowed if isinstance(allowed, str) else " ".join(allowed)


def add_security_headers(response: Response) -> Response:
    ancestors = frame_ancestors()
    policy = "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{csp_nonce()}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if ancestors == "'self'":
        # Older browsers ignore frame-ancestors; X-Frame-Options cannot express "these sites",
        # so framable pages send none and rely on the CSP.
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    if current_app.config["ENV"] == "production":
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
