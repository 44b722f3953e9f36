"""Session expiry: idle and absolute limits, with the session saved only when it changes.

Idle expiry is Django's own: a session lives `SESSION_COOKIE_AGE` seconds from its last save.
Saving it on every request (`SESSION_SAVE_EVERY_REQUEST`) cost a database write per page, so
instead `SessionRenewalMiddleware` marks the session changed at most every
`SESSION_RENEW_SECONDS`: a session in use stays alive, and the idle limit is kept to within that
many seconds (it may end up to `SESSION_RENEW_SECONDS` sooner than `SESSION_COOKIE_AGE` after the
last request, never later).

An idle limit alone lets a session that is used every few minutes live for ever, so the sign-in
time is kept in the session and `AbsoluteSessionExpiryMiddleware` ends a session older than
`SESSION_MAX_AGE` seconds on its next request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SIGNED_IN_AT = "riskroute_signed_in_at"
RENEWED_AT = "riskroute_renewed_at"


class AbsoluteSessionExpiryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            now = time.time()
            if started is None:
                request.session[SIGNED_IN_AT] = now
            elif now - float(started) > settings.SESSION_MAX_AGE:
                logout(request)  # flushes the session; the next page asks for a sign-in again
        return self.get_response(request)


class SessionRenewalMiddleware:
    """Keep a signed-in session alive while it is used, with one save per `SESSION_RENEW_SECONDS`
    rather than one per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            renewed = request.session.get(RENEWED_AT)
            if renewed is None or now - float(renewed) >= settings.SESSION_RENEW_SECONDS:
                request.session[RENEWED_AT] = now  # a change, so the session (and its expiry) is saved
        return self.get_response(request)
