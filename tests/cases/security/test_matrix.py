"""Authorisation matrix: every role × every HTML page and API operation × every kind of case.

Routes are enumerated from Django's URL resolver and the OpenAPI document, and each must have a
row in the expected table below, so a new route cannot escape the matrix. Case kinds: own force
and assigned to the investigator (its caution in force with the provider), own force unassigned, and
another force's case (its subject's name is a canary that must never appear in any response).

Outcomes: "allowed" is any answer but 401/403/404 (a write quoting a stale version reaches the
version check, 409, only after scope and permission were checked, so nothing is changed);
"denied" is 403 or 404. HTML pages are requested with GET (their POST runs the same service
call as the API operation, which is covered with a valid body).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from riskroute.audit import remember_justification
from riskroute.cases.api import api
from tests.clients import csrf, sign_in
from tests.factories import CANARY, Cases, World, referral

pytestmark = pytest.mark.usefixtures("second_factor_required")

ROLES = ("inv", "sup", "safe", "om", "analyst", "admin", "provider", "auditor")
POLICE = frozenset({"inv", "sup", "safe", "om", "admin"})
EVERYONE = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()
KINDS = ("assigned", "unassigned", "other")

#: Who may act on each kind of case, per rule of riskroute.cases.permissions (nobody on another
#: force's case: cross-force access needs an explicit share).
VIEW = {"assigned": POLICE | {"provider"}, "unassigned": POLICE, "other": NOBODY}
VIEW_POLICE = {"assigned": POLICE, "unassigned": POLICE, "other": NOBODY}
INVESTIGATE = {"assigned": frozenset({"inv", "sup"}), "unassigned": frozenset({"sup"}), "other": NOBODY}
ASSIGN = {"assigned": frozenset({"sup", "admin"}), "unassigned": frozenset({"sup", "admin"}), "other": NOBODY}
SAFEGUARD = {
    "assigned": frozenset({"safe", "inv", "sup"}),
    "unassigned": frozenset({"safe", "sup"}),
    "other": NOBODY,
}
APPROVE = {"assigned": frozenset({"sup"}), "unassigned": frozenset({"sup"}), "other": NOBODY}
MANAGE = {
    "assigned": frozenset({"om", "inv", "sup"}),
    "unassigned": frozenset({"om", "sup"}),
    "other": NOBODY,
}
ATTEND = {
    "assigned": frozenset({"provider", "om", "sup"}),
    "unassigned": frozenset({"om", "sup"}),
    "other": NOBODY,
}

#: Pages and operations that are not about one case: who may open them.
WORKLISTS = POLICE
DASHBOARD = POLICE | {"analyst"}
CREATE = frozenset({"inv", "sup"})
ADMIN = frozenset({"admin"})
#: Shares of an own-force case: supervisors and administrators of the owning force.
SHARE = {"assigned": frozenset({"sup", "admin"}), "unassigned": frozenset({"sup", "admin"}), "other": NOBODY}
#: Erasure and retention reviews: administrators of the owning force.
ERASE = {"assigned": ADMIN, "unassigned": ADMIN, "other": NOBODY}
AUDIT = frozenset({"auditor"})

#: HTML pages (GET). A case page's form is shown only to someone who may see the case; the
#: provider sees its referral's minimal page and the attendance form, nothing else.
HTML: dict[str, Any] = {
    "": EVERYONE,  # a redirect to the role's start page
    "accounts/login/": EVERYONE,
    "accounts/logout/": None,  # POST only; not a page
    "accounts/mfa/enrol/": EVERYONE,  # redirects to the check for an enrolled user
    "accounts/mfa/verify/": EVERYONE,
    "audit/": AUDIT,
    "cases/mine/": EVERYONE,  # lists only cases visible to the user (none for analyst, auditor)
    "cases/team/": WORKLISTS,
    "cases/overdue/": WORKLISTS,
    "alerts/": EVERYONE,  # alerts on cases visible to the user (none for analyst, auditor)
    "dashboard/": DASHBOARD,
    "cases/new/": EVERYONE,  # an empty form; submitting it is refused (POST /api/cases below)
    "cases/<int:case_id>/": VIEW,
    "cases/<int:case_id>/facts/": VIEW_POLICE,
    "cases/<int:case_id>/assign/": VIEW_POLICE,
    "cases/<int:case_id>/enforcement/": VIEW_POLICE,
    "cases/<int:case_id>/safeguarding/": VIEW_POLICE,
    "cases/<int:case_id>/safeguarding/children/": VIEW_POLICE,
    "cases/<int:case_id>/assessment/": VIEW_POLICE,
    "cases/<int:case_id>/disposal/propose/": VIEW_POLICE,
    "cases/<int:case_id>/disposal/decide/": VIEW_POLICE,
    "cases/<int:case_id>/caution/": VIEW_POLICE,
    "cases/<int:case_id>/notification/": VIEW_POLICE,
    "cases/<int:case_id>/attendance/": VIEW,
    "cases/<int:case_id>/attendance/complete/": VIEW_POLICE,
    "cases/<int:case_id>/breach/": VIEW_POLICE,
    "cases/<int:case_id>/prosecution/": VIEW_POLICE,
    "cases/<int:case_id>/prosecution/outcome/": VIEW_POLICE,
    "cases/import/": CREATE,  # bulk referral intake: who may create referrals
    "cases/import/<int:pending_id>/apply/": None,  # needs the user's own pending import: test_intake.py
    "cases/<int:case_id>/close/": VIEW_POLICE,
    # A correction page needs a record to correct; tests/cases/commands/test_corrections.py checks who may
    # open it (the correction's own permission) and the API row below who may make one.
    "cases/<int:case_id>/corrections/<str:record>/": None,
    "cases/<int:case_id>/corrections/<str:record>/<int:record_id>/": None,
    "cases/<int:case_id>/justification/": VIEW,  # the s.62 question, asked only of who may see it
    "cases/<int:case_id>/shares/": SHARE,
    "cases/<int:case_id>/shares/<int:share_id>/revoke/": None,  # POST only; the API row covers it
    "cases/<int:case_id>/erase/": ERASE,
    "cases/<int:case_id>/review/": ERASE,
    "records/review/": ADMIN,
}

STALE = 99_999
TODAY = dt.date.today().isoformat()
NEXT_YEAR = (dt.date.today() + dt.timedelta(days=365)).isoformat()

#: API operations: who is allowed, and a body valid for the schema (quoting a version the case never reaches).
API: dict[tuple[str, str], tuple[Any, Any]] = {
    ("GET", "/api/me"): (EVERYONE, None),
    ("GET", "/api/providers"): (EVERYONE, None),
    ("GET", "/api/cases"): (EVERYONE, None),  # the cases visible to me: none for analyst, auditor
    ("POST", "/api/cases"): (CREATE, "referral"),
    ("GET", "/api/cases/{case_id}"): (VIEW, None),
    ("GET", "/api/cases/{case_id}/history"): (VIEW_POLICE, None),  # not the provider's minimum
    ("PUT", "/api/cases/{case_id}/facts"): (INVESTIGATE, {"facts": {}}),
    ("POST", "/api/cases/{case_id}/assignment"): (ASSIGN, {"assigned_to_id": "inv"}),
    ("POST", "/api/cases/{case_id}/provider"): (MANAGE, {"provider_organisation_id": None}),
    ("POST", "/api/cases/{case_id}/enforcement"): (INVESTIGATE, {}),
    ("POST", "/api/cases/{case_id}/safeguarding"): (SAFEGUARD, {}),
    ("POST", "/api/cases/{case_id}/children"): (
        SAFEGUARD,
        {"relationship": "household", "age_band": "unknown", "count": 1},
    ),
    ("POST", "/api/cases/{case_id}/assessments"): (INVESTIGATE, {}),
    ("POST", "/api/cases/{case_id}/proposals"): (INVESTIGATE, {"kind": "charge", "reason": "Test."}),
    ("POST", "/api/cases/{case_id}/proposals/approve"): (APPROVE, {}),
    ("POST", "/api/cases/{case_id}/proposals/reject"): (APPROVE, {"reason": "Test."}),
    ("POST", "/api/cases/{case_id}/caution"): (
        MANAGE,
        {
            "programme_name": "Synthetic programme",
            "provider_organisation_id": "org",
            "sessions": 1,
            "programme_deadline": TODAY,
            "signed_on": TODAY,
            "explained_and_warned": True,
        },
    ),
    ("POST", "/api/cases/{case_id}/notifications"): (MANAGE, {"kind": "initial", "notified_on": TODAY}),
    ("POST", "/api/cases/{case_id}/mappa"): (MANAGE, {"level": 1}),
    ("POST", "/api/cases/{case_id}/attendance"): (
        ATTEND,
        {"session_number": 1, "session_on": TODAY, "attended": True},
    ),
    ("POST", "/api/cases/{case_id}/caution/complete"): (MANAGE, {"completed_on": TODAY}),
    ("POST", "/api/cases/{case_id}/breaches"): (
        MANAGE,
        {"occurred_on": TODAY, "description": "Test.", "reasonable_excuse": False},
    ),
    ("POST", "/api/cases/{case_id}/prosecution"): (INVESTIGATE, {}),
    ("POST", "/api/cases/{case_id}/prosecution/outcome"): (
        INVESTIGATE,
        {"outcome": "acquitted", "outcome_on": TODAY},
    ),
    ("POST", "/api/cases/{case_id}/corrections"): (
        MANAGE,
        {
            "record": "notification",
            "changes": {"initial_notified_on": TODAY},
            "reason": "Matrix test correction.",
        },
    ),
    ("POST", "/api/cases/{case_id}/closure"): (
        INVESTIGATE,
        {"closed_on": TODAY, "reason": "Test.", "review_dates": [NEXT_YEAR]},
    ),
    ("GET", "/api/worklists/mine"): (EVERYONE, None),  # my cases: none for analyst, auditor
    ("GET", "/api/worklists/team"): (WORKLISTS, None),
    ("GET", "/api/worklists/overdue"): (WORKLISTS, None),
    ("GET", "/api/alerts"): (EVERYONE, None),  # alerts on my cases: none for analyst, auditor
    ("GET", "/api/dashboard"): (DASHBOARD, None),
    # An unknown recipient force: an allowed user gets 422 after the permission check, no share.
    ("POST", "/api/cases/{case_id}/shares"): (
        SHARE,
        {"recipient_force": "no-such-force", "days": 1, "reason": "Matrix test: joint investigation."},
    ),
    ("POST", "/api/cases/{case_id}/shares/{share_id}/revoke"): (SHARE, "revoke"),
    ("POST", "/api/cases/{case_id}/erasure"): (
        ERASE,
        {"scope": "personal_data", "reason": "Matrix test: erasure after review."},
    ),
    ("POST", "/api/cases/{case_id}/reviews"): (
        ERASE,
        {
            "reviewed_on": TODAY,
            "outcome": "retain",
            "next_review_on": NEXT_YEAR,
            "reason": "Matrix test review.",
        },
    ),
    ("GET", "/api/records/due-for-review"): (ADMIN, None),
}
#: The s.62 justification every case read needs (API header; HTML sessions get it up front).
JUSTIFICATION = "Authorisation matrix test (synthetic)"

#: Personal data of the own-force cases (the synthetic subject of tests/factories.py).
PERSONAL = ("Test Subject One", "1 Example Road", "1980-04-01")
#: What a provider may not see of its referral: address, date of birth, facts, the summary.
NOT_FOR_PROVIDER = ("1 Example Road", "1980-04-01", "Synthetic referral for tests")


def html_routes() -> list[str]:
    """Every route of the site outside the API, as its pattern text."""

    def walk(patterns: list[Any], prefix: str) -> list[str]:
        found: list[str] = []
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "api":
                    continue
                found += walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.append(prefix + str(p.pattern))
        return found

    return walk(get_resolver().url_patterns, "")


def api_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [(m.upper(), path) for path, ops in schema["paths"].items() for m in ops]


def test_every_route_has_a_row_in_the_matrix() -> None:
    assert sorted(html_routes()) == sorted(HTML)
    assert sorted(api_operations()) == sorted(API)


def _expected(rule: Any, role: str, kind: str | None) -> bool:
    allowed = rule[kind] if isinstance(rule, dict) else rule
    return role in allowed


def _body(template: Any, world: World, case_version: int = STALE) -> Any:
    if template == "referral":
        return referral()
    if template == "revoke":
        return None
    if "recipient_force" in template:  # a share changes no case record, so it quotes no version
        return dict(template)
    body = {"version": case_version, **template}
    if body.get("assigned_to_id") == "inv":
        body["assigned_to_id"] = world["inv"].pk
    if body.get("provider_organisation_id") == "org":
        body["provider_organisation_id"] = world.provider_org.pk
    return body


def _leaks(role: str, text: str) -> list[str]:
    problems = [CANARY] if CANARY in text else []
    if role in ("analyst", "auditor"):
        problems += [p for p in PERSONAL if p in text]
    if role == "provider":
        problems += [p for p in NOT_FOR_PROVIDER if p in text]
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_matrix(role: str, world: World, cases: Cases) -> None:
    client = sign_in(world[role])
    session = client.session
    for case in cases.by_kind().values():
        remember_justification(session, "case", case.pk, JUSTIFICATION)
    session.save()
    header = {"HTTP_X_JUSTIFICATION": JUSTIFICATION}
    wrong: list[str] = []
    for route, rule in HTML.items():
        if rule is None:
            continue
        kinds = KINDS if "<int:case_id>" in route else (None,)
        for kind in kinds:
            url = "/" + (route.replace("<int:case_id>", str(cases.by_kind()[kind].pk)) if kind else route)
            response = client.get(url)
            text = response.content.decode()
            outcome = response.status_code not in (401, 403, 404)
            if response.status_code >= 500 or outcome != _expected(rule, role, kind):
                wrong.append(f"GET {url} ({kind}) -> {response.status_code}")
            wrong += [f"GET {url} ({kind}) shows {leak!r}" for leak in _leaks(role, text)]
    for (method, path), (rule, body) in API.items():
        kinds = KINDS if "{case_id}" in path else (None,)
        for kind in kinds:
            url = path.replace("{case_id}", str(cases.by_kind()[kind].pk)) if kind else path
            if kind:
                url = url.replace("{share_id}", str(cases.shares[kind].pk))
            if method == "GET":
                response = client.get(url, **header)
            else:
                call = client.put if method == "PUT" else client.post
                data = _body(body, world)
                response = call(url, data, content_type="application/json", **csrf(client), **header)
            outcome = response.status_code not in (401, 403, 404)
            if response.status_code >= 500 or outcome != _expected(rule, role, kind):
                wrong.append(f"{method} {url} ({kind}) -> {response.status_code} {response.content[:120]!r}")
            wrong += [
                f"{method} {url} ({kind}) shows {leak!r}" for leak in _leaks(role, response.content.decode())
            ]
    assert wrong == [], "\n".join(wrong)


def test_denied_writes_change_nothing(world: World, cases: Cases) -> None:
    """The matrix's refused writes left every case at the version it was created with."""
    before = {k: c.version for k, c in cases.by_kind().items()}
    for role in ("analyst", "auditor", "provider"):
        client = sign_in(world[role])
        for (method, path), (_, body) in API.items():
            if method == "GET" or "{case_id}" not in path:
                continue
            for kind, case in cases.by_kind().items():
                if _expected(API[(method, path)][0], role, kind):
                    continue  # the provider's attendance on its caution is allowed, so it changes it
                call = client.put if method == "PUT" else client.post
                call(
                    path.replace("{case_id}", str(case.pk)).replace("{share_id}", "0"),
                    _body(body, world, case.version),
                    content_type="application/json",
                    **csrf(client),
                    HTTP_X_JUSTIFICATION=JUSTIFICATION,
                )
    after = {k: type(c).objects.get(pk=c.pk).version for k, c in cases.by_kind().items()}
    assert after == before
