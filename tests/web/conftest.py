"""Fixtures for the case-service tests: two forces, a user per role, a provider organisation.

The same tests run on SQLite (in the main pytest run) and on PostgreSQL (test_postgres.py runs
this directory again in a subprocess with DATABASE_URL pointing at a throwaway database).
"""

from __future__ import annotations

from typing import Any

import pytest
from casekit import World, build_world, referral

from riskroute.cases import services
from riskroute.cases.models import Case


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def new_case(world: World) -> Case:
    return services.create_referral(world["inv"], referral())
