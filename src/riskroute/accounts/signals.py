"""Sign-in events in the audit log (a permitted use of the s.62 log: self-monitoring and security).

- a successful password step is `login` (details: the factor), a sign-out `logout`;
- a failed password step is `login_failed` naming the account when one has that user name, and
  otherwise only a keyed hash of what was typed (`details.name_hash`): what people type as a user
  name is sometimes their password, and the log keeps everything for ever;
- an attempt refused by the lockout before any password was checked writes nothing more (the
  lockout is what stops a flood of entries; see `accounts.backends`);
- a wrong second-factor code is `login_failed` of that user with `{"factor": "totp"}` (`mfa_failed`,
  called by the second-factor pages).

A sign-in also starts the absolute session clock.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from riskroute.accounts.session import SIGNED_IN_AT
from riskroute.audit import Action, SystemActor, record
from riskroute.crypto import blind_index

#: `request` attribute set by `LockoutBackend` when it refused an attempt without checking it.
REFUSED_BY_LOCKOUT = "riskroute_refused_by_lockout"
#: Blind-index purpose of user names typed at sign-in that match no account.
UNKNOWN_NAME_PURPOSE = "audit.sign_in.unknown_name"
OBJ_ACCOUNT = "account"


def account_id(user: Any) -> str:
    """How the log names an account: its user name (at most 64 characters), else its id."""
    username = str(user.get_username())
    return username if len(username) <= 64 else f"id:{user.pk}"


@receiver(user_login_failed, dispatch_uid="riskroute-login-failed")
def log_failed_sign_in(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """A failed password step; no password is kept, and an unknown name only as a keyed hash."""
    if request is not None and getattr(request, REFUSED_BY_LOCKOUT, False):
        return
    typed = str(credentials.get("username") or "")
    user = get_user_model().objects.filter(username=typed).first() if typed else None
    if user is not None:
        record(SystemActor("sign-in"), Action.LOGIN_FAILED, OBJ_ACCOUNT, account_id(user))
    else:
        details = {"name_hash": blind_index(typed, UNKNOWN_NAME_PURPOSE)} if typed else {}
        record(SystemActor("sign-in"), Action.LOGIN_FAILED, OBJ_ACCOUNT, "unknown", details=details)


@receiver(user_logged_in, dispatch_uid="riskroute-signed-in")
def log_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()
    record(user, Action.LOGIN, OBJ_ACCOUNT, account_id(user), details={"factor": "password"})


@receiver(user_logged_out, dispatch_uid="riskroute-signed-out")
def log_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        record(user, Action.LOGOUT, OBJ_ACCOUNT, account_id(user))


def mfa_verified(user: Any) -> None:
    """The second factor was given: the sign-in is complete."""
    record(user, Action.LOGIN, OBJ_ACCOUNT, account_id(user), details={"factor": "totp"})


def mfa_failed(user: Any) -> None:
    """A wrong second-factor code (django-otp also slows the next attempts down)."""
    record(user, Action.LOGIN_FAILED, OBJ_ACCOUNT, account_id(user), details={"factor": "totp"})
