"""Fixtures for the security tests: keys in temporary files, a test app with encrypted fields.

The same tests run on SQLite (main run) and on PostgreSQL (test_security_postgres.py re-runs this
directory in a subprocess with DATABASE_URL naming a throwaway database).

Keys: the audit signing key is one per test session (audit rows written by transactional tests are
committed and cannot be deleted, so every checkpoint in the test database must stay verifiable);
the field key ring is one per test, so rotation tests start from a known ring.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from riskroute.accounts.models import Force, User

VAULT_APP = "securityvault"


@pytest.fixture(autouse=True)
def key_files(settings: Any, audit_keys_dir: Path, tmp_path: Path) -> Path:
    settings.AUDIT_SIGNING_KEY_FILE = audit_keys_dir / "audit-signing.pem"
    settings.AUDIT_VERIFY_KEY_FILE = audit_keys_dir / "audit-verify.pem"
    settings.AUDIT_VERIFIED_STATE_FILE = tmp_path / "audit-verified.json"  # one per test
    settings.AUDIT_CHECKPOINT_EVERY = 0
    settings.FIELD_KEYRING_FILE = tmp_path / "keys" / "field-keys.json"
    return tmp_path / "keys"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The test app's tables, created once beside the migrated schema (the app has no migrations)."""
    from securityvault.models import SealedNote, SealedPerson

    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.create_model(SealedPerson)
        editor.create_model(SealedNote)


@pytest.fixture
def vault(settings: Any) -> Iterator[None]:
    """Install the test app for one test, so the app registry (and key rotation) sees its models."""
    settings.INSTALLED_APPS = [*django_settings.INSTALLED_APPS, VAULT_APP]
    yield


@pytest.fixture
def officer(db: Any) -> User:
    force = Force.objects.create(code="synthshire", name="Synthshire Police (synthetic)")
    return User.objects.create(username="officer.synthetic", force=force)


@pytest.fixture
def auditor(db: Any) -> User:
    return User.objects.create(username="auditor.synthetic")
