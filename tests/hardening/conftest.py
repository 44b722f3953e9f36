"""Fixtures for the hardening tests: MFA on, a world of users per role, cases of every kind.

MFA is required here as in production (tests/conftest.py switches it off for the other suites);
`hardkit.sign_in` gives a client whose session has passed both steps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from casekit import World, build_world, caution_data, make_user, referral, to_diversion_approved
from hardkit import CANARY, Cases

from riskroute.accounts.models import Force, Rank, Role
from riskroute.cases import services
from riskroute.cases.models import Case


@pytest.fixture(autouse=True)
def mfa_setting(settings: Any, tmp_path: Path) -> None:
    """Overrides tests/conftest.py: the second factor is enforced in these tests."""
    settings.MFA_REQUIRED = True
    settings.DEMO_MODE = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "keys" / "audit-signing.pem"
    settings.AUDIT_VERIFY_KEY_FILE = tmp_path / "keys" / "audit-verify.pem"
    settings.AUDIT_CHECKPOINT_EVERY = 0


@pytest.fixture
def world(db: Any) -> World:
    w = build_world()
    w.users["auditor"] = make_user("auditor", w.alpha, [Role.AUDITOR], Rank.STAFF)
    return w


@pytest.fixture
def cases(world: World) -> Cases:
    assigned = services.create_referral(world["inv"], referral())
    assert assigned.assigned_to_id == world["inv"].pk
    # A provider sees a case only while its caution is in force: take this one there.
    assigned = to_diversion_approved(world, assigned)
    services.record_caution(world["om"], assigned.pk, caution_data(assigned, world))
    unassigned = services.create_referral(world["sup"], referral())
    assert unassigned.assigned_to_id is None
    canary = referral(summary=f"Referral about {CANARY}.")
    canary["subject"] = {**canary["subject"], "full_name": CANARY, "address": f"1 {CANARY} Road"}
    other = services.create_referral(world["b_inv"], canary)
    # Shares to revoke: own-force cases shared with the other force; the other force's case with
    # a third force (never with ours, which would open it to the roles under test).
    charlie = Force.objects.create(code="charlie", name="Charlie Police (synthetic)")
    share = {"days": 30, "reason": "Synthetic joint investigation."}
    shares = {
        "assigned": services.grant_share(world["sup"], assigned.pk, {**share, "recipient_force": "bravo"}),
        "unassigned": services.grant_share(
            world["sup"], unassigned.pk, {**share, "recipient_force": "bravo"}
        ),
        "other": services.grant_share(world["b_sup"], other.pk, {**share, "recipient_force": charlie.code}),
    }
    return Cases(Case.objects.get(pk=assigned.pk), Case.objects.get(pk=unassigned.pk), other, shares)
