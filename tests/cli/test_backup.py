"""`riskroute backup` / `riskroute restore` round trip, on SQLite and on PostgreSQL, through the CLI.

A database with demo cases and a signed audit log is backed up, then changed (more audit entries,
an edited row); restore brings back exactly the backed-up content (every row of every table is
compared) and `riskroute audit verify` proves the restored log.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("RISKROUTE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
RISKROUTE = [sys.executable, "-m", "riskroute"]

WRITE_AUDIT = """
import django; django.setup()
from riskroute.audit import Action, SystemActor, checkpoint, record
for i in range({n}):
    record(SystemActor("backup test"), Action.CONSULTATION, "case", i + 1, justification="Synthetic check")
checkpoint()
"""


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_", "RISKROUTE_"))}
    env.update(
        DATABASE_URL=database_url,
        RISKROUTE_DATA_DIR=str(tmp_path / "data"),
        RISKROUTE_KEYS_DIR=str(tmp_path / "keys"),
        RISKROUTE_DEMO="1",
        DJANGO_SETTINGS_MODULE="riskroute.web.settings",
    )
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def _round_trip(
    tmp_path: Path, database_url: str, snapshot: Callable[[], dict[str, list[Any]]], edit: str
) -> None:
    env = _env(tmp_path, database_url)
    assert _run(env, *RISKROUTE, "demo").returncode == 0
    assert _run(env, sys.executable, "-c", WRITE_AUDIT.format(n=5)).returncode == 0
    before = snapshot()
    target = tmp_path / "snapshot.backup"
    made = _run(env, *RISKROUTE, "backup", str(target))
    assert made.returncode == 0, made.stderr
    report = json.loads(made.stdout)
    assert report["audit_head"]["sequence"] >= 5 and report["not_included"]["key_files"]
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    again = _run(env, *RISKROUTE, "backup", str(target))
    assert again.returncode == 2 and json.loads(again.stderr)["details"][0]["path"] == "PATH"

    # Change the database after the backup: more audit entries and an edited row.
    assert _run(env, sys.executable, "-c", WRITE_AUDIT.format(n=3)).returncode == 0
    assert _run(env, sys.executable, "-c", edit).returncode == 0
    assert snapshot() != before

    refused = _run(env, *RISKROUTE, "restore", str(target))
    assert refused.returncode == 2 and json.loads(refused.stderr)["details"][0]["path"] == "--replace"
    restored = _run(env, *RISKROUTE, "restore", "--replace", str(target))
    assert restored.returncode == 0, restored.stderr
    assert snapshot() == before
    verified = _run(env, *RISKROUTE, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["ok"] is True


EDIT = """
import django; django.setup()
from riskroute.accounts.models import User
User.objects.filter(pk=User.objects.order_by("pk").first().pk).update(first_name="Edited")
"""


@pytest.mark.slow
def test_sqlite_backup_and_restore_round_trip(tmp_path: Path) -> None:
    database = tmp_path / "riskroute.sqlite3"

    def snapshot() -> dict[str, list[Any]]:
        with sqlite3.connect(database) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
            ]
            return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}

    _round_trip(tmp_path, f"sqlite:///{database}", snapshot, EDIT)


@pytest.fixture
def postgres_database() -> Iterator[str]:
    import psycopg

    try:
        admin = psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        if os.environ.get("RISKROUTE_TEST_POSTGRES") == "required":
            pytest.fail(f"PostgreSQL at {SERVER} is unreachable: {exc} (RISKROUTE_TEST_POSTGRES=required)")
        pytest.skip(f"PostgreSQL at {SERVER} is unreachable: {exc}")
    name = f"riskroute_backup_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres
@pytest.mark.slow
def test_postgresql_backup_and_restore_round_trip(tmp_path: Path, postgres_database: str) -> None:
    import psycopg

    url = f"{SERVER}/{postgres_database}"

    def snapshot() -> dict[str, list[Any]]:
        with psycopg.connect(url) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
                )
            ]
            return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}

    _round_trip(tmp_path, url, snapshot, EDIT)
