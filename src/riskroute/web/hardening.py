"""HTTP hardening middleware: the Permissions-Policy header, and a clear 503 when the database is down.

Django sends the other security headers itself (nosniff, Referrer-Policy, X-Frame-Options,
Cross-Origin-Opener-Policy, HSTS behind HTTPS) and django-csp the Content Security Policy.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

log = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "the service cannot reach its database just now; nothing was saved, try again shortly"


class PermissionsPolicyMiddleware:
    """Refuse browser features no page uses (camera, microphone, location, ...), and keep pages
    shown to a signed-in user out of browser and proxy caches (they hold personal data)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the error document for the API, a GOV.UK page for people."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": "service_unavailable", "details": [{"path": "$", "message": UNAVAILABLE_MESSAGE}]},
            status=503,
        )
    else:
        # Rendered without a request context: the session and user need the database too.
        html = render_to_string("errors/unavailable.html", {"message": UNAVAILABLE_MESSAGE})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """Map a lost database connection in a view to 503 instead of a 500.

    Only a view's exception reaches `process_exception`; one raised by a middleware (the session
    saved after the view, the user looked up before it) is turned into a response by Django
    itself, through `handler500`, which `server_error` below answers the same way. Either way the
    request's transaction was rolled back by the database or never began: nothing is half written.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, (OperationalError, InterfaceError)):
            return _logged_unavailable(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: a 503 when the error being handled is a lost database, else Django's 500."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        return _logged_unavailable(request)
    return defaults.server_error(request)


def handle_database_errors_in(api: Any) -> None:
    """The API catches every exception itself (as a 500); a lost database is a 503 there too."""
    for error in (OperationalError, InterfaceError):
        api.add_exception_handler(error, lambda request, exc: _logged_unavailable(request))


def _logged_unavailable(request: HttpRequest) -> HttpResponse:
    log.warning("database unavailable on %s %s", request.method, request.path, exc_info=True)
    return unavailable_response(request)
