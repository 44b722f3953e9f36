"""A test-only Django app with encrypted fields (tests/crypto/securityvault), for the field tests.

Its tables are created once beside the migrated schema (the app has no migrations); a test that
needs the app in the registry (key rotation finds models through it) asks for `vault`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

VAULT_APP = "tests.crypto.securityvault"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The test app's tables, created once beside the migrated schema."""
    from tests.crypto.securityvault.models import SealedNote, SealedPerson

    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.create_model(SealedPerson)
        editor.create_model(SealedNote)


@pytest.fixture
def vault(settings: Any) -> Iterator[None]:
    """Install the test app for one test, so the app registry (and key rotation) sees its models."""
    settings.INSTALLED_APPS = [*django_settings.INSTALLED_APPS, VAULT_APP]
    yield
