"""Security headers on every response."""
from __future__ import annotations

from flask import Flask, Response

# Scripts only from this site (no inline script); bpmn-js sets style attributes on the SVG
# it draws, so inline styles are allowed, inline scripts never.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")


HEADERS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
           ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"))
_NAMES = {name.lower() for name, _ in HEADERS}


def add_headers(response: Response) -> Response:
    """Set CSP, nosniff, frame denial and the referrer policy, unless the view set one of
    them (one pass over the response's headers, not one per header)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()} & _NAMES
    headers.extend([pair for pair in HEADERS if pair[0].lower() not in present]
                   if present else HEADERS)
    return response


def init_app(app: Flask) -> None:
    """Register the header hook."""
    app.after_request(add_headers)
