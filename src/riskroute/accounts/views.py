"""Second-factor pages (TOTP enrolment and check) and the auditor's view of the audit log.

The auditor answers "who looked at this case, when and why" from the log alone: the page reads
`riskroute.audit.who_accessed`, never the case, so an auditor sees no case content.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from riskroute.accounts import signals
from riskroute.accounts.mfa import confirmed_device, qr_svg, secret_text
from riskroute.accounts.models import Role, TOTPAuthenticator
from riskroute.audit import Action, who_accessed
from riskroute.audit.models import AuditEntry
from riskroute.cases.ui.pages import page

TOKEN_ERROR = "Enter the 6-digit code shown in your authenticator app"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if safe else "/"


def _token(request: HttpRequest) -> str:
    return "".join(request.POST.get("token", "").split())


@login_required
@require_http_methods(["GET", "POST"])
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: a QR code made on the server, the secret in text, one code."""
    user: Any = request.user
    if confirmed_device(user) is not None:
        return redirect(f"{reverse('mfa-verify')}?{urlencode({'next': _next(request)})}")
    device, _ = TOTPAuthenticator.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    error = None
    if request.method == "POST":
        if device.verify_token(_token(request)):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            signals.mfa_verified(user)
            return redirect(_next(request))
        signals.mfa_failed(user)
        error = TOKEN_ERROR
    context = {
        "title": "Set up your authenticator app",
        "qr_svg": qr_svg(device),
        "secret": secret_text(device),
        "error": error,
        "token_errors": [("token", error)] if error else [],
        "next": _next(request),
    }
    return page(request, "accounts/mfa_enrol.html", context, status=422 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second sign-in step: a current code from the enrolled authenticator app."""
    user: Any = request.user
    if confirmed_device(user) is None:
        return redirect(f"{reverse('mfa-enrol')}?{urlencode({'next': _next(request)})}")
    error = None
    if request.method == "POST":
        device = match_token(user, _token(request))
        if device is not None:
            otp_login(request, device)
            signals.mfa_verified(user)
            return redirect(_next(request))
        signals.mfa_failed(user)
        error = TOKEN_ERROR
    context = {
        "title": "Enter your security code",
        "error": error,
        "token_errors": [("token", error)] if error else [],
        "next": _next(request),
    }
    return page(request, "accounts/mfa_verify.html", context, status=422 if error else 200)


def _refused(request: HttpRequest) -> HttpResponse:
    context = {"title": "You cannot see this page", "message": "The audit log is open to auditors only."}
    return page(request, "cases/refused.html", context, status=403)


#: A case number as typed: ASCII digits only (`str.isdigit` also passes "²" and other scripts' digits).
CASE_NUMBER = re.compile(r"[0-9]{1,18}")


def case_force_code(case_id: int) -> str | None:
    """The code of the force that owns (or owned, if erased) a case; None if there never was one.

    A case erased whole is known only from the log: the force of whoever collected it."""
    from riskroute.cases.models import Case  # the auditor reads no case content, only its force

    owner = Case.objects.filter(pk=case_id).values_list("force__code", flat=True).first()
    if owner is not None:
        return str(owner)
    collected = (
        AuditEntry.objects.filter(object_type="case", object_id=str(case_id), action=Action.COLLECTION)
        .values_list("actor_force", flat=True)
        .first()
    )
    return str(collected) if collected else None


@login_required
def audit_case(request: HttpRequest) -> HttpResponse:
    """Who collected, changed, consulted, disclosed or shared a case: people, times and reasons only.

    Auditors are scoped to their own force: another force's case gets the same answer as a case
    that does not exist, so stepping through ids maps nothing. Cross-force auditing would be a
    separate, logged role; it is not built (docs/security.md).
    """
    user: Any = request.user
    if not user.has_role(Role.AUDITOR):
        return _refused(request)
    raw = request.GET.get("case", "").strip()
    error = None
    rows: list[dict[str, Any]] | None = None
    if raw:
        if CASE_NUMBER.fullmatch(raw):
            case_id = int(raw)
            own = user.force is not None and case_force_code(case_id) == user.force.code
            rows = who_accessed(case_id) if own else []
        else:
            error = "Enter the case number, for example 42"
    context = {
        "title": "Who accessed a case",
        "case": raw,
        "rows": rows,
        "error": error,
        "case_errors": [("case", error)] if error else [],
    }
    return page(request, "accounts/audit_case.html", context, status=422 if error else 200)
