"""Security headers on every response."""
from __future__ import annotations

from flask import Flask, Response

# Scripts only from this site (no inline script); bpmn-js sets style attributes on the SVG
# it draws, so inline styles are allowed, inline scripts never.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")


def add_headers(response: Response) -> Response:
    """Set CSP, nosniff, frame denial and the referrer policy."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    """Register the header hook."""
    app.after_request(add_headers)
