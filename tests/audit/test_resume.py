"""`audit verify --since-checkpoint`: resume from the last verified signed checkpoint, safely.

A run records the last checkpoint it verified (outside the database); the next run starts there
only if that checkpoint is still in the log unchanged, its signature verifies and the entry it
signs still has the signed hash. Tampering after it is still found; tampering before it is the
full verify's job, and these tests show both halves of that statement.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from riskroute.accounts.models import User
from riskroute.audit import checkpoint, verify_log
from riskroute.audit.models import AuditCheckpoint, AuditEntry
from riskroute.cli import security
from tests.auditlog import consult
from tests.cli.runner import bare_app, run
from tests.rawdb import disable_audit_triggers, execute, rehash_in_place

pytestmark = pytest.mark.django_db


def _state() -> dict[str, Any]:
    return dict(json.loads(Path(django_settings.AUDIT_VERIFIED_STATE_FILE).read_text(encoding="utf-8")))


@pytest.fixture
def resumed(officer: User) -> tuple[int, list[int]]:
    """A signed checkpoint recorded by an intact run, then three entries after it."""
    consult(officer, 61, 4)
    made = checkpoint()
    assert made is not None
    first = verify_log(since_checkpoint=True)
    assert first["ok"] is True, first
    assert first["since_checkpoint"]["resumed_from"] is None  # nothing recorded yet: the whole log
    assert first["since_checkpoint"]["recorded"] == made.sequence == _state()["sequence"]
    after = [entry.sequence for entry in consult(officer, 61, 3)]
    return made.sequence, after


def test_a_run_starts_at_the_recorded_checkpoint_and_checks_only_what_follows(
    resumed: tuple[int, list[int]],
) -> None:
    signed, after = resumed
    report = verify_log(since_checkpoint=True)
    assert report["ok"] is True, report
    assert report["since_checkpoint"]["resumed_from"]["sequence"] == signed
    assert report["since_checkpoint"]["entries_checked"] == len(after)
    assert report["entries_verified"] == report["head"]["sequence"] == after[-1]
    assert report["unsigned_tail"] == len(after)


def test_tampering_after_the_checkpoint_is_still_found(resumed: tuple[int, list[int]]) -> None:
    _, after = resumed
    disable_audit_triggers()
    execute("UPDATE audit_entry SET justification = 'nothing to see' WHERE sequence = %s", [after[1]])
    report = verify_log(since_checkpoint=True)
    assert report["ok"] is False
    assert report["first_bad_entry"]["sequence"] == after[1]
    assert report["first_bad_entry"]["problem"] == "altered"


def test_an_edit_before_the_checkpoint_is_the_full_verifys_job(resumed: tuple[int, list[int]]) -> None:
    """What --since-checkpoint does not prove: an unhashed edit before its start goes unseen."""
    signed, _ = resumed
    disable_audit_triggers()
    execute("UPDATE audit_entry SET justification = 'nothing to see' WHERE sequence = %s", [signed - 1])
    assert verify_log(since_checkpoint=True)["ok"] is True
    full = verify_log()
    assert full["ok"] is False and full["first_bad_entry"]["sequence"] == signed - 1


def test_a_consistent_rewrite_through_the_checkpoint_refuses_the_resume(
    resumed: tuple[int, list[int]],
) -> None:
    signed, after = resumed
    disable_audit_triggers()
    rehash_in_place(signed - 1, justification="rewritten reason")
    for sequence in [signed, *after]:
        rehash_in_place(sequence, prev_hash=AuditEntry.objects.get(sequence=sequence - 1).hash)
    report = verify_log(since_checkpoint=True)
    assert report["ok"] is False
    assert report["since_checkpoint"]["resumed_from"] is None
    assert report["since_checkpoint"]["resume_problem"]["problem"] == "mismatch"
    assert report["checkpoint_problem"]["problem"] == "mismatch"  # the whole log was verified


def test_a_forged_checkpoint_after_the_start_is_not_trusted_nor_recorded(
    resumed: tuple[int, list[int]],
) -> None:
    signed, after = resumed
    AuditCheckpoint(
        sequence=after[-1],
        chain_hash=AuditEntry.objects.get(sequence=after[-1]).hash,
        key_id=_state()["key_id"],
        signature="",
        created_at=dt.datetime.now(dt.UTC),
    ).save()
    report = verify_log(since_checkpoint=True)
    assert report["ok"] is False
    assert report["checkpoint_problem"]["checkpoint"] == after[-1]
    assert report["checkpoint_problem"]["problem"] == "bad_signature"
    assert report["since_checkpoint"]["recorded"] is None
    assert _state()["sequence"] == signed  # the start does not move past an untrusted checkpoint


def test_a_record_pointing_at_an_unsigned_checkpoint_is_refused(resumed: tuple[int, list[int]]) -> None:
    """Someone who forges a checkpoint row and the record pointing at it gains no shortcut."""
    _, after = resumed
    forged_hash = AuditEntry.objects.get(sequence=after[-1]).hash
    AuditCheckpoint(
        sequence=after[-1],
        chain_hash=forged_hash,
        key_id=_state()["key_id"],
        signature="bm90IGEgc2lnbmF0dXJl",
        created_at=dt.datetime.now(dt.UTC),
    ).save()
    state = {**_state(), "sequence": after[-1], "chain_hash": forged_hash}
    Path(django_settings.AUDIT_VERIFIED_STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
    report = verify_log(since_checkpoint=True)
    assert report["ok"] is False
    assert report["since_checkpoint"]["resumed_from"] is None
    assert report["since_checkpoint"]["resume_problem"]["problem"] == "bad_signature"
    assert report["since_checkpoint"]["entries_checked"] == after[-1]  # from the first entry


def test_a_recorded_checkpoint_that_disappeared_is_reported(resumed: tuple[int, list[int]]) -> None:
    signed, _ = resumed
    disable_audit_triggers()
    execute("DELETE FROM audit_checkpoint WHERE sequence = %s", [signed])
    report = verify_log(since_checkpoint=True)
    assert report["ok"] is False
    assert report["since_checkpoint"]["resume_problem"]["problem"] == "resume_point_missing"


def test_a_record_for_another_database_is_not_used(resumed: tuple[int, list[int]]) -> None:
    state = {**_state(), "database": "postgresql://elsewhere:5432/other"}
    Path(django_settings.AUDIT_VERIFIED_STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
    report = verify_log(since_checkpoint=True)
    assert report["ok"] is True
    assert report["since_checkpoint"]["resumed_from"] is None
    assert "another database" in report["since_checkpoint"]["reason"]


def _cli(args: list[str]) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(args, app=bare_app(security))
    return code, json.loads(out)


def test_cli_since_checkpoint_exit_0_then_3_naming_the_entry(resumed: tuple[int, list[int]]) -> None:
    signed, after = resumed
    code, report = _cli(["audit", "verify", "--since-checkpoint"])
    assert code == 0 and report["ok"] is True
    assert report["since_checkpoint"]["resumed_from"]["sequence"] == signed
    disable_audit_triggers()
    execute("UPDATE audit_entry SET object_id = '62' WHERE sequence = %s", [after[0]])
    code, report = _cli(["audit", "verify", "--since-checkpoint"])
    assert code == 3
    assert report["first_bad_entry"]["sequence"] == after[0]
    assert report["first_bad_entry"]["problem"] == "altered"


def test_cli_plain_verify_neither_reads_nor_writes_the_record(officer: User) -> None:
    consult(officer, 63, 2)
    checkpoint()
    code, report = _cli(["audit", "verify"])
    assert code == 0 and "since_checkpoint" not in report
    assert not Path(django_settings.AUDIT_VERIFIED_STATE_FILE).exists()
