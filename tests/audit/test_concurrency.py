"""Concurrent writers never fork the audit chain.

PostgreSQL: threads with their own connections append at once (the advisory lock serialises them);
eight of them also mix appends inside transactions, some rolled back, with checkpoints signed.
SQLite: separate processes append to one database file at once, as the web server and a CLI job
would (BEGIN IMMEDIATE serialises them). Either way the log must verify, with no gap and no fork.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from riskroute.audit import Action, SystemActor, record, verify_log
from riskroute.audit.models import AuditEntry

WRITERS = 4
EACH = 25
#: Fewer per process: SQLite's busy handler backs off in sleeps of up to 100 ms under contention.
PER_PROCESS = 10
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads need real connections; PostgreSQL pass"
)
@pytest.mark.django_db(transaction=True)
def test_threads_appending_at_once_keep_one_chain() -> None:
    before = AuditEntry.objects.count()
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(EACH):
                record(
                    SystemActor(f"writer {n}"),
                    Action.CONSULTATION,
                    "case",
                    900 + n,
                    justification=f"step {i}",
                )
        except BaseException as exc:  # reported below; a thread cannot raise into the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert AuditEntry.objects.count() == before + WRITERS * EACH
    report = verify_log()
    assert report["ok"] is True, report


class _Abandoned(Exception):
    """Raised inside a writer's transaction to roll its change and audit entry back."""


EIGHT = 8
ROUNDS = 30


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads need real connections; PostgreSQL pass"
)
@pytest.mark.django_db(transaction=True)
def test_eight_writers_with_transactions_rollbacks_and_checkpoints_keep_one_contiguous_chain(
    settings: Any,
) -> None:
    """Every third append is inside a transaction that rolls back: it must leave no gap behind."""
    settings.AUDIT_CHECKPOINT_EVERY = 7
    last = AuditEntry.objects.order_by("-sequence").first()
    start = last.sequence if last is not None else 0
    barrier = threading.Barrier(EIGHT)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        actor = SystemActor(f"writer {n}")
        try:
            barrier.wait(timeout=10)
            for i in range(ROUNDS):
                if i % 3 == 0:
                    record(actor, Action.CONSULTATION, "case", 800 + n, justification=f"step {i}")
                elif i % 3 == 1:
                    with transaction.atomic():
                        record(actor, Action.ALTERATION, "case", 800 + n, details={"fields": ["facts"]})
                else:
                    try:
                        with transaction.atomic():
                            record(actor, Action.ALTERATION, "case", 800 + n, details={"rolled_back": True})
                            raise _Abandoned
                    except _Abandoned:
                        pass
        except BaseException as exc:  # reported below; a thread cannot raise into the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(EIGHT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    kept = EIGHT * (ROUNDS - ROUNDS // 3)
    sequences = list(AuditEntry.objects.filter(sequence__gt=start).values_list("sequence", flat=True))
    assert sequences == list(range(start + 1, start + kept + 1))  # contiguous, nothing rolled back kept
    assert not AuditEntry.objects.filter(sequence__gt=start, details__rolled_back=True).exists()
    report = verify_log()
    assert report["ok"] is True, report
    assert report["checkpoints"]["signed_up_to"] == (start + kept) // 7 * 7
    assert verify_log(since_checkpoint=True)["ok"] is True  # records the last signed checkpoint
    resumed = verify_log(since_checkpoint=True)
    assert resumed["ok"] is True, resumed
    assert resumed["since_checkpoint"]["resumed_from"]["sequence"] == (start + kept) // 7 * 7


WRITER = """
import sys
import django
django.setup()
from riskroute.audit import Action, SystemActor, record
for i in range(int(sys.argv[2])):
    record(SystemActor("writer " + sys.argv[1]), Action.CONSULTATION, "case", 900, justification=f"step {i}")
"""

CHECK = """
import json
import django
django.setup()
from riskroute.audit import verify_log
from riskroute.audit.models import AuditEntry
print(json.dumps({"count": AuditEntry.objects.count(), "report": verify_log()}))
"""


def test_processes_appending_to_one_sqlite_file_keep_one_chain(tmp_path: Path) -> None:
    import json

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "riskroute.web.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'audit.sqlite3'}",
        "RISKROUTE_DATA_DIR": str(tmp_path),
        "RISKROUTE_AUDIT_CHECKPOINT_EVERY": "10",
    }

    def python(code: str, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    migrate = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    writers = [python(WRITER, str(n), str(PER_PROCESS)) for n in range(WRITERS)]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    out, err = python(CHECK).communicate(timeout=60)
    result: dict[str, Any] = json.loads(out)
    assert result["count"] == WRITERS * PER_PROCESS, err
    assert result["report"]["ok"] is True, result
    assert result["report"]["checkpoints"]["count"] == WRITERS * PER_PROCESS // 10
