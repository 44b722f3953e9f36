"""Run the hardening suite again on a real PostgreSQL server (as tests/web and tests/security do).

With RISKROUTE_TEST_POSTGRES=required (CI) an unreachable server is a failure, never a skip.
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


def _reachable() -> str | None:
    import psycopg

    try:
        with psycopg.connect(f"{SERVER}/postgres", connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    return None


@pytest.mark.postgres
@pytest.mark.slow
def test_hardening_suite_passes_on_postgresql() -> None:
    problem = _reachable()
    if problem is not None:
        message = f"PostgreSQL at {SERVER} is unreachable: {problem}"
        if os.environ.get("RISKROUTE_TEST_POSTGRES") == "required":
            pytest.fail(message + " (RISKROUTE_TEST_POSTGRES=required)")
        pytest.skip(message)
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/riskroute_{uuid.uuid4().hex[:12]}"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(HERE),
            "-q",
            "-p",
            "no:cacheprovider",
            "--create-db",
            "-m",
            "not slow",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
    assert result.returncode == 0, f"hardening suite failed on PostgreSQL:\n{tail}"
    assert " passed" in result.stdout and "skipped" not in result.stdout, tail
