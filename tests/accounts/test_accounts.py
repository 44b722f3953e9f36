"""Accounts and HTTP hardening: Argon2, TOTP, lockout, session expiry, CSRF, CSP and headers, 503s."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.oath import totp

from riskroute.accounts.models import TOTPAuthenticator
from riskroute.accounts.session import SIGNED_IN_AT
from riskroute.audit.models import AuditEntry
from riskroute.cases import queries
from tests.clients import csrf, sign_in, signed_in
from tests.factories import PASSWORD, Cases, World

pytestmark = pytest.mark.usefixtures("second_factor_required")


def _code(device: TOTPAuthenticator, offset: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"


def test_argon2_hashes_new_passwords() -> None:
    from riskroute.web import settings as configured  # the module, not the tests' fast override

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.fixture
def no_throttle(settings: Any) -> None:
    """django-otp waits 2^n seconds after n wrong codes; these tests retry at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_wrong_codes_are_throttled() -> None:
    assert getattr(django_settings, "OTP_TOTP_THROTTLE_FACTOR", 1) >= 1


def test_first_sign_in_enrols_a_totp_device_with_a_server_made_qr_code(
    world: World, no_throttle: None
) -> None:
    client = signed_in("inv")
    response = client.get("/cases/mine/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/mfa/enrol/")
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and 'id="secret"' in text
    assert "http" not in text.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    # The API says so plainly instead of redirecting.
    api = client.get("/api/me")
    assert api.status_code == 401 and api.json()["error"] == "mfa_required"
    device = TOTPAuthenticator.objects.get(user=world["inv"], confirmed=False)
    wrong = client.post(
        "/accounts/mfa/enrol/", {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 422 and "Enter the 6-digit code" in wrong.content.decode()
    done = client.post("/accounts/mfa/enrol/", {"token": _code(device), "next": "/cases/mine/"})
    assert done.status_code == 302 and done["Location"] == "/cases/mine/"
    assert client.get("/cases/mine/").status_code == 200
    assert client.get("/api/me").status_code == 200


def test_later_sign_ins_ask_for_a_code_and_refuse_a_wrong_one(world: World, no_throttle: None) -> None:
    device = TOTPAuthenticator.objects.create(user=world["sup"], name="app", confirmed=True)
    client = signed_in("sup")
    response = client.get("/cases/team/")
    assert response["Location"].startswith("/accounts/mfa/verify/")
    assert client.post("/accounts/mfa/verify/", {"token": "12345x"}).status_code == 422
    assert client.get("/cases/team/").status_code == 302  # still not through
    assert client.post("/accounts/mfa/verify/", {"token": _code(device)}).status_code == 302
    assert client.get("/cases/team/").status_code == 200


def test_an_open_redirect_is_not_possible_after_the_code(world: World) -> None:
    device = TOTPAuthenticator.objects.create(user=world["sup"], name="app", confirmed=True)
    client = signed_in("sup")
    response = client.post("/accounts/mfa/verify/", {"token": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_demo_mode_does_not_ask_for_a_code(world: World, settings: Any) -> None:
    settings.DEMO_MODE = True
    client = signed_in("inv")
    assert client.get("/cases/mine/").status_code == 200


def test_lockout_after_five_failures_with_a_clear_page_and_audit_entries(world: World) -> None:
    client = Client()
    before = AuditEntry.objects.filter(action="login_failed").count()
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "inv", "password": "wrong password"})
        assert response.status_code == 200  # the form again, with its error
    fifth = client.post("/accounts/login/", {"username": "inv", "password": "wrong password"})
    assert fifth.status_code == 429
    locked = client.post("/accounts/login/", {"username": "inv", "password": PASSWORD})
    assert locked.status_code == 429
    assert "too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is unaffected.
    assert Client().post("/accounts/login/", {"username": "sup", "password": PASSWORD}).status_code == 302
    failed = AuditEntry.objects.filter(action="login_failed").order_by("sequence")
    assert failed.count() - before >= 5
    assert failed.last().object_id == "inv"  # type: ignore[union-attr]


def test_sessions_expire_when_idle_and_absolutely(world: World) -> None:
    # Saved when it changes, and changed (renewed) at most a minute apart while it is used.
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is False
    assert django_settings.SESSION_RENEW_SECONDS == 60
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    assert django_settings.SESSION_MAX_AGE == 10 * 3600
    client = sign_in(world["inv"])
    assert client.get("/cases/mine/").status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = time.time() - django_settings.SESSION_MAX_AGE - 1
    session.save()
    response = client.get("/cases/mine/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_no_view_outside_the_api_is_csrf_exempt_and_the_api_checks_the_token(
    world: World, cases: Cases
) -> None:
    def walk(patterns: list[Any]) -> list[tuple[str, Any]]:
        found: list[tuple[str, Any]] = []
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace != "api":
                    found += walk(p.url_patterns)
            elif isinstance(p, URLPattern):
                found.append((str(p.pattern), p.callback))
        return found

    exempt = [
        route for route, view in walk(get_resolver().url_patterns) if getattr(view, "csrf_exempt", False)
    ]
    assert exempt == []
    client = Client(enforce_csrf_checks=True)
    signed = sign_in(world["sup"])
    client.cookies = signed.cookies
    body = {"version": cases.unassigned.version, "assigned_to_id": world["inv"].pk}
    url = f"/api/cases/{cases.unassigned.pk}/assignment"
    assert client.post(url, body, content_type="application/json").status_code == 403
    assert client.post(f"/cases/{cases.unassigned.pk}/assign/", {"version": 1}).status_code == 403
    ok = client.post(
        url,
        body,
        content_type="application/json",
        **csrf(signed),
        HTTP_X_JUSTIFICATION="CSRF test, synthetic",
    )
    assert ok.status_code == 200


def test_security_headers_and_a_csp_without_unsafe_inline(world: World, cases: Cases) -> None:
    client = sign_in(world["inv"])
    for url in ("/accounts/login/", "/cases/mine/", f"/cases/{cases.assigned.pk}/", "/api/me"):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]
        assert response["Cache-Control"] == "no-store"


def test_hsts_and_https_redirect_behind_an_https_proxy() -> None:
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_SSL_REDIRECT, settings.SECURE_PROXY_SSL_HEADER)"
    )
    env = {
        **os.environ,
        "RISKROUTE_BEHIND_HTTPS_PROXY": "1",
        "DJANGO_SETTINGS_MODULE": "riskroute.web.settings",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split()[:2] == ["31536000", "True"]


def test_the_auditor_sees_who_accessed_a_case_and_nothing_of_it(world: World, cases: Cases) -> None:
    from riskroute.audit import Action, record

    record(
        world["inv"], Action.CONSULTATION, "case", cases.assigned.pk, justification="Reviewing the referral"
    )
    client = sign_in(world["auditor"])
    assert client.get("/")["Location"] == "/audit/"
    response = client.get("/audit/", {"case": cases.assigned.pk})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Reviewing the referral" in text and "inv" in text and "consultation" in text
    assert "Test Subject One" not in text and "Example Road" not in text
    assert client.get("/audit/", {"case": "x"}).status_code == 422
    assert sign_in(world["inv"]).get("/audit/", {"case": cases.assigned.pk}).status_code == 403


def test_a_lost_database_gives_a_clear_503(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    client = sign_in(world["sup"])

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(queries, "team_worklist", unavailable)
    page = client.get("/cases/team/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in page.content.decode()
    api = client.get("/api/worklists/team")
    assert api.status_code == 503 and api.json()["error"] == "service_unavailable"
