"""Sign-in events: failed attempts go to the audit log; a sign-in starts the absolute session clock."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from riskroute.accounts.session import SIGNED_IN_AT
from riskroute.audit import Action, SystemActor, record


@receiver(user_login_failed, dispatch_uid="riskroute-login-failed")
def log_failed_sign_in(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """A failed sign-in is a security event (a permitted use of the s.62 log); no password is kept."""
    typed = str(credentials.get("username") or "")
    username = "".join(ch for ch in typed if ch.isprintable())[:150]  # the log refuses control characters
    record(SystemActor("sign-in"), Action.LOGIN_FAILED, "account", username or "-")


@receiver(user_logged_in, dispatch_uid="riskroute-signed-in-at")
def start_session_clock(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()
