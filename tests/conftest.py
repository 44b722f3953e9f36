"""Settings every test starts from.

TOTP is required of every user outside demo mode (riskroute.accounts.mfa). Tests that are not
about the second factor sign in with Django's test client or a browser and would otherwise each
have to enrol an authenticator, so it is off here; tests/hardening switches it back on and tests
the second factor itself (this fixture is overridden there by name).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from riskroute.web import startup

# The service's start-up step, as every entry point runs it. pytest-django reads the settings
# before any conftest, so on a clean checkout they were read before the key file existed: give
# them the key that `prepare()` has just made (the settings module itself never writes one).
startup.prepare()
django_settings.SECRET_KEY = startup.secret_key()


@pytest.fixture(autouse=True)
def mfa_setting(settings: Any) -> None:
    settings.MFA_REQUIRED = False


#: Set in a PostgreSQL rerun's subprocess, so that the rerun does not start another one.
POSTGRES_RERUN = "RISKROUTE_POSTGRES_RERUN"
POSTGRES_SERVER = os.environ.get("RISKROUTE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")


def _postgres_problem() -> str | None:
    """None if the PostgreSQL server answers, else the reason."""
    import psycopg

    try:
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def _rerun_on_postgres(test_file: str, *pytest_args: str) -> str:
    """Run the test file's directory again on a throwaway PostgreSQL database; its pytest output.

    The main run uses SQLite. The rerun is a subprocess whose DATABASE_URL names a new database on
    the server (user postgres, trust auth); pytest-django creates `test_<name>` from it and drops
    it afterwards. With RISKROUTE_TEST_POSTGRES=required (CI) an unreachable server is a failure,
    never a skip. `test_file` (the caller) is left out of the rerun.
    """
    if os.environ.get(POSTGRES_RERUN):
        pytest.fail("a PostgreSQL rerun must not include the file that starts it")
    problem = _postgres_problem()
    if problem is not None:
        message = f"PostgreSQL at {POSTGRES_SERVER} is unreachable: {problem}"
        if os.environ.get("RISKROUTE_TEST_POSTGRES") == "required":
            pytest.fail(message + " (RISKROUTE_TEST_POSTGRES=required)")
        pytest.skip(message)
    here = Path(test_file).resolve()
    env = {
        **os.environ,
        POSTGRES_RERUN: "1",
        "DATABASE_URL": f"{POSTGRES_SERVER}/riskroute_{uuid.uuid4().hex[:12]}",
    }
    command = [sys.executable, "-m", "pytest", str(here.parent), f"--ignore={here}"]
    command += ["-q", "-p", "no:cacheprovider", "--create-db", *pytest_args]
    result = subprocess.run(
        command, cwd=here.parents[2], env=env, capture_output=True, text=True, timeout=600
    )
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
    assert result.returncode == 0, f"{here.parent.name} suite failed on PostgreSQL:\n{tail}"
    assert " passed" in result.stdout, tail
    return result.stdout


@pytest.fixture
def rerun_on_postgres() -> Callable[..., str]:
    """`rerun_on_postgres(__file__, *pytest_args)`: this directory's suite again on PostgreSQL."""
    return _rerun_on_postgres


@pytest.fixture(scope="session")
def audit_keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One audit signing key for the whole test session: audit rows that transactional tests write
    are committed and cannot be deleted, so every checkpoint in the test database, whichever test
    directory signed it, must stay verifiable by the key the next test verifies with."""
    return tmp_path_factory.mktemp("audit-keys")
