"""Settings every test starts from.

TOTP is required of every user outside demo mode (riskroute.accounts.mfa). Tests that are not
about the second factor sign in with Django's test client or a browser and would otherwise each
have to enrol an authenticator, so it is off here; tests/hardening switches it back on and tests
the second factor itself (this fixture is overridden there by name).
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def mfa_setting(settings: Any) -> None:
    settings.MFA_REQUIRED = False
