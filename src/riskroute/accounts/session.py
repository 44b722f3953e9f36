"""Absolute session expiry: a session ends a fixed time after sign-in, however busy it is.

Idle expiry is Django's own (`SESSION_COOKIE_AGE` renewed on every request). An idle limit alone
lets a session that is used every few minutes live for ever, so the sign-in time is kept in the
session and a session older than `SESSION_MAX_AGE` seconds is ended on its next request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SIGNED_IN_AT = "riskroute_signed_in_at"


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
