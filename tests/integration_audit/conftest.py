"""Fixtures for the tests of the case service's audit, encryption, justification, shares, retention.

The world (two forces, a user per role, provider organisations) and the synthetic referral come
from tests/web/casekit.py, shared rather than copied. Keys live in temporary files: the audit
signing key once per session (committed audit rows must stay verifiable), the field key ring per
test. test_integration_postgres.py re-runs this directory on PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from casekit import World, build_world, referral

from riskroute.cases import services
from riskroute.cases.models import Case


@pytest.fixture(autouse=True)
def key_files(settings: Any, audit_keys_dir: Path, tmp_path: Path) -> None:
    settings.AUDIT_SIGNING_KEY_FILE = audit_keys_dir / "audit-signing.pem"
    settings.AUDIT_VERIFY_KEY_FILE = audit_keys_dir / "audit-verify.pem"
    settings.AUDIT_VERIFIED_STATE_FILE = tmp_path / "audit-verified.json"  # one per test
    settings.AUDIT_CHECKPOINT_EVERY = 5  # checkpoints signed along the way, so verify checks them too
    settings.FIELD_KEYRING_FILE = tmp_path / "keys" / "field-keys.json"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def new_case(world: World) -> Case:
    return services.create_referral(world["inv"], referral())
