"""What every test starts from: its settings, and the synthetic world as fixtures.

Settings, for every test:
- TOTP off. Tests that are not about the second factor sign in with Django's test client or a
  browser and would otherwise each have to enrol an authenticator; the tests of the second factor
  and of the hardening findings ask for `second_factor_required`.
- A fast password hasher: Argon2 is deliberately slow (tests/accounts checks that the service's own
  settings use it).
- Keys in temporary files, so that nothing a test signs or encrypts lands in var/: the audit signing
  key once per session (audit rows that transactional tests write are committed and cannot be
  deleted, so every checkpoint in the test database must stay verifiable by the key the next test
  verifies with), the field key ring and the verify state once per test (rotation tests start from
  a known ring).

The world itself is built in tests/factories.py; these fixtures only hand it to the tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from riskroute.accounts.models import Force, User
from riskroute.cases import services
from riskroute.cases.models import Case
from riskroute.web import startup
from tests.factories import Cases, World, build_cases, build_world, referral

# The service's start-up step, as every entry point runs it. pytest-django reads the settings
# before any conftest, so on a clean checkout they were read before the key file existed: give
# them the key that `prepare()` has just made (the settings module itself never writes one).
startup.prepare()
django_settings.SECRET_KEY = startup.secret_key()


@pytest.fixture(autouse=True)
def mfa_setting(settings: Any) -> None:
    settings.MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def audit_keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one audit signing key of the test session (see the module's docstring)."""
    return tmp_path_factory.mktemp("audit-keys")


@pytest.fixture(autouse=True)
def key_files(settings: Any, audit_keys_dir: Path, tmp_path: Path) -> Path:
    """The test's key files; the directory of its field key ring."""
    settings.AUDIT_SIGNING_KEY_FILE = audit_keys_dir / "audit-signing.pem"
    settings.AUDIT_VERIFY_KEY_FILE = audit_keys_dir / "audit-verify.pem"
    settings.AUDIT_VERIFIED_STATE_FILE = tmp_path / "audit-verified.json"
    settings.AUDIT_CHECKPOINT_EVERY = 0
    settings.FIELD_KEYRING_FILE = tmp_path / "keys" / "field-keys.json"
    return tmp_path / "keys"


@pytest.fixture
def signed_checkpoints(settings: Any, key_files: Path) -> None:
    """A checkpoint signed every five audit entries, so that verification checks them too."""
    settings.AUDIT_CHECKPOINT_EVERY = 5


@pytest.fixture
def second_factor_required(settings: Any) -> None:
    """The second factor enforced, as in production (`clients.sign_in` passes both steps)."""
    settings.MFA_REQUIRED = True
    settings.DEMO_MODE = False


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def new_case(world: World) -> Case:
    return services.create_referral(world["inv"], referral())


@pytest.fixture
def cases(world: World) -> Cases:
    return build_cases(world)


@pytest.fixture
def officer(db: Any) -> User:
    force = Force.objects.create(code="synthshire", name="Synthshire Police (synthetic)")
    return User.objects.create(username="officer.synthetic", force=force)


@pytest.fixture
def auditor(db: Any) -> User:
    return User.objects.create(username="auditor.synthetic")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The column of every sealed value opened during the test, in order (one entry per open):
    what a page decrypts, for the tests that hold it to what the page shows."""
    from riskroute.crypto import fields

    contexts: list[str] = []
    real = fields.decrypt_text

    def counting(token: str, context: str, ring: Any = None) -> str:
        contexts.append(context)
        return real(token, context, ring)

    monkeypatch.setattr(fields, "decrypt_text", counting)
    return contexts
