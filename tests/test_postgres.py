"""The tests that use the database, run again on a real PostgreSQL server (the production database).

The main run uses SQLite. Each group below runs again in a subprocess whose DATABASE_URL names a
new database on the server (user postgres, trust auth); pytest-django creates `test_<name>` from
it and drops it afterwards. With RISKROUTE_TEST_POSTGRES=required (CI) an unreachable server is a
failure, never a skip, and so is a test that skips inside the rerun.

Together the groups cover every directory whose tests use the database; the tests that do not
(tests/core, tests/law, tests/simulation, the CLI's) and the browser walks (tests/e2e) are not
repeated. A new directory that uses the database joins a group here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Set in a rerun's subprocess, so that a rerun never starts another one.
POSTGRES_RERUN = "RISKROUTE_POSTGRES_RERUN"
POSTGRES_SERVER = os.environ.get("RISKROUTE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
#: Runs its own SQLite file in subprocesses; repeating it on PostgreSQL would test nothing new.
SQLITE_ONLY = "tests/audit/test_concurrency.py::test_processes_appending_to_one_sqlite_file_keep_one_chain"

#: group -> (paths from the repository root, extra pytest arguments)
GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # Row locks, migrations and the vocabulary's database checks: the case service's own tests.
    # The subprocess tests of `serve` and `demo` (slow) use their own SQLite files.
    "cases": (("tests/cases",), ("--ignore=tests/cases/security", "-m", "not slow")),
    # The hardening regressions and the accounts' defences; the fault tests (slow) start their own
    # server on PostgreSQL already.
    "hardening": (("tests/cases/security", "tests/accounts"), ("-m", "not slow")),
    # The audit log's triggers, advisory locks and raw tables.
    "audit": (("tests/audit",), ("--deselect", SQLITE_ONLY)),
    # Field encryption: the raw PostgreSQL rows hold none of the plaintext.
    "crypto": (("tests/crypto",), ()),
}


def _postgres_problem() -> str | None:
    """None if the PostgreSQL server answers, else the reason."""
    import psycopg

    try:
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    return None


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize("group", GROUPS)
def test_the_group_passes_on_postgresql(group: str) -> None:
    if os.environ.get(POSTGRES_RERUN):
        pytest.fail("a PostgreSQL rerun must not include the module that starts it")
    problem = _postgres_problem()
    if problem is not None:
        message = f"PostgreSQL at {POSTGRES_SERVER} is unreachable: {problem}"
        if os.environ.get("RISKROUTE_TEST_POSTGRES") == "required":
            pytest.fail(message + " (RISKROUTE_TEST_POSTGRES=required)")
        pytest.skip(message)
    paths, arguments = GROUPS[group]
    env = {
        **os.environ,
        POSTGRES_RERUN: "1",
        "DATABASE_URL": f"{POSTGRES_SERVER}/riskroute_{uuid.uuid4().hex[:12]}",
    }
    command = [sys.executable, "-m", "pytest", *paths, *arguments]
    command += ["-q", "-p", "no:cacheprovider", "--create-db"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
    assert result.returncode == 0, f"the {group} tests failed on PostgreSQL:\n{tail}"
    assert " passed" in result.stdout, tail
    assert "skipped" not in result.stdout, tail  # every test ran on PostgreSQL
    if SQLITE_ONLY in arguments:
        assert "1 deselected" in result.stdout, tail
