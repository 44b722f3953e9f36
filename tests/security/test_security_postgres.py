"""Run the whole security suite again on a real PostgreSQL server.

The main run uses SQLite. This test re-runs tests/security in a subprocess with DATABASE_URL naming
a throwaway database on 127.0.0.1:5432 (user postgres, trust auth), the same convention as
tests/web/test_web_postgres.py: pytest-django creates `test_<name>` and drops it afterwards. With
RISKROUTE_TEST_POSTGRES=required (CI) an unreachable server is a failure, never a skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SERVER = os.environ.get("RISKROUTE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
#: Set in the subprocess so that it does not start a third run.
NESTED = "RISKROUTE_SECURITY_SUITE_ON_POSTGRES"


def _reachable() -> str | None:
    """None if the server answers, else the reason."""
    import psycopg

    try:
        with psycopg.connect(f"{SERVER}/postgres", connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    return None


@pytest.mark.postgres
@pytest.mark.slow
def test_security_suite_passes_on_postgresql() -> None:
    if os.environ.get(NESTED):
        pytest.fail("the PostgreSQL run must not include this file (it is passed --ignore)")
    problem = _reachable()
    if problem is not None:
        message = f"PostgreSQL at {SERVER} is unreachable: {problem}"
        if os.environ.get("RISKROUTE_TEST_POSTGRES") == "required":
            pytest.fail(message + " (RISKROUTE_TEST_POSTGRES=required)")
        pytest.skip(message)
    env = dict(os.environ)
    env[NESTED] = "1"
    env["DATABASE_URL"] = f"{SERVER}/riskroute_{uuid.uuid4().hex[:12]}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(HERE),
            f"--ignore={Path(__file__)}",
            "-q",
            "-p",
            "no:cacheprovider",
            "--create-db",
            # This one runs its own SQLite file in subprocesses; repeating it here would test nothing new.
            "--deselect",
            "tests/security/test_security_concurrency.py::test_processes_appending_to_one_sqlite_file_keep_one_chain",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
    assert result.returncode == 0, f"security suite failed on PostgreSQL:\n{tail}"
    assert " passed" in result.stdout and "1 deselected" in result.stdout, tail
    assert " passed" in result.stdout and "skipped" not in result.stdout, tail  # every test ran on PostgreSQL
