"""`audit verify` against a log tampered with directly in the database (raw SQL, triggers disabled).

Every test builds a fresh stretch of chain, tampers with it as someone with database rights
would, and asserts that verification fails naming the first bad entry and the kind of damage.
The CLI tests check the exit codes and the JSON: 0 when intact, 3 when tampered.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from riskroute.accounts.models import User
from riskroute.audit import checkpoint, verify_log
from riskroute.audit.canonical import GENESIS_HASH
from riskroute.audit.models import AuditEntry
from riskroute.cli import security
from riskroute.cli.security import EXIT_TAMPERED
from tests.auditlog import consult
from tests.cli.runner import bare_app, run
from tests.rawdb import FAR, disable_audit_triggers, execute, rehash_in_place

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(officer: User) -> list[int]:
    """Ten fresh entries (sequence numbers returned), the log verified intact first."""
    entries = consult(officer, 31, 10)
    assert verify_log()["ok"] is True
    disable_audit_triggers()
    return [e.sequence for e in entries]


def _first_bad(report: dict[str, Any]) -> tuple[int, str]:
    assert report["ok"] is False
    bad = report["first_bad_entry"]
    assert bad is not None, report
    return bad["sequence"], bad["problem"]


def test_an_edited_field_names_that_entry(chain: list[int]) -> None:
    target = chain[4]
    execute("UPDATE audit_entry SET justification = 'nothing to see' WHERE sequence = %s", [target])
    assert _first_bad(verify_log()) == (target, "altered")


@pytest.mark.parametrize("column", ["actor_username", "action", "object_id", "created_at", "details"])
def test_every_covered_column_is_protected(chain: list[int], column: str) -> None:
    target = chain[2]
    value: Any = {
        "actor_username": "someone.else",
        "action": "collection",
        "object_id": "32",
        "created_at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        "details": '{"fields": ["x"]}',
    }[column]
    execute(f"UPDATE audit_entry SET {column} = %s WHERE sequence = %s", [value, target])
    assert _first_bad(verify_log()) == (target, "altered")


def test_a_deleted_entry_is_named_missing(chain: list[int]) -> None:
    target = chain[6]
    execute("DELETE FROM audit_entry WHERE sequence = %s", [target])
    report = verify_log()
    assert _first_bad(report) == (target, "missing")
    assert report["entries_verified"] == target - 1


def test_deleting_and_renumbering_is_caught_at_the_gap(chain: list[int]) -> None:
    target = chain[3]
    execute("DELETE FROM audit_entry WHERE sequence = %s", [target])
    execute("UPDATE audit_entry SET sequence = sequence + %s WHERE sequence > %s", [FAR, target])
    execute("UPDATE audit_entry SET sequence = sequence - %s - 1 WHERE sequence > %s", [FAR, FAR])
    assert _first_bad(verify_log()) == (target, "altered")


def test_reordered_entries_name_the_first_moved_one(chain: list[int]) -> None:
    a, b = chain[5], chain[6]
    execute("UPDATE audit_entry SET sequence = %s WHERE sequence = %s", [FAR, a])
    execute("UPDATE audit_entry SET sequence = %s WHERE sequence = %s", [a, b])
    execute("UPDATE audit_entry SET sequence = %s WHERE sequence = %s", [b, FAR])
    assert _first_bad(verify_log()) == (a, "altered")


def _forge_at(k: int, previous: AuditEntry, prev_hash: str) -> None:
    """Shift the entries from sequence k on by one and write a forged, self-consistent entry at k."""
    execute("UPDATE audit_entry SET sequence = sequence + %s WHERE sequence >= %s", [FAR, k])
    execute("UPDATE audit_entry SET sequence = sequence - %s + 1 WHERE sequence > %s", [FAR, FAR])
    forged = AuditEntry(
        sequence=k,
        created_at=previous.created_at,
        actor_id=None,
        actor_username="forger",
        actor_force="",
        action="collection",
        object_type="case",
        object_id="31",
        justification="",
        recipient="",
        details={},
        prev_hash=prev_hash,
    )
    forged.hash = forged.compute_hash()
    forged.save()


def test_an_inserted_entry_is_caught(chain: list[int]) -> None:
    """A row forged in at position k shifts its successors, whose own hashes then fail."""
    k = chain[3]
    previous = AuditEntry.objects.get(sequence=k - 1)
    # Not the predecessor's hash: the forger left the successor linked to it.
    _forge_at(k, previous, prev_hash="e" * 64)
    assert _first_bad(verify_log()) == (k, "chain_broken")


def test_a_forged_insertion_linked_perfectly_is_still_caught_at_its_successor(chain: list[int]) -> None:
    """The forger recomputes the forged row's links; the successor's sequence is in its hash."""
    k = chain[3]
    previous = AuditEntry.objects.get(sequence=k - 1)
    execute("UPDATE audit_entry SET prev_hash = %s WHERE sequence = %s", ["d" * 64, k])  # free the link
    _forge_at(k, previous, prev_hash=previous.hash)
    assert _first_bad(verify_log()) == (k + 1, "altered")


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(chain: list[int]) -> None:
    target = chain[4]
    rehash_in_place(target, justification="rewritten reason")
    report = verify_log()
    assert _first_bad(report) == (target + 1, "chain_broken")
    assert str(target) in report["first_bad_entry"]["message"]


def test_a_consistent_rewrite_is_caught_by_the_signed_checkpoint(chain: list[int]) -> None:
    """Re-hashing every entry from the edit onwards keeps the chain whole; the signature does not."""
    made = checkpoint()
    assert made is not None and made.sequence == chain[-1]
    target = chain[4]
    rehash_in_place(target, justification="rewritten reason")
    for sequence in chain[5:]:
        previous = AuditEntry.objects.get(sequence=sequence - 1).hash
        rehash_in_place(sequence, prev_hash=previous)
    report = verify_log()
    assert report["first_bad_entry"] is None  # the chain alone is consistent again
    assert report["ok"] is False
    assert report["checkpoint_problem"]["checkpoint"] == chain[-1]
    assert report["checkpoint_problem"]["problem"] == "mismatch"


def test_removing_the_end_of_the_log_is_caught_by_a_checkpoint(chain: list[int]) -> None:
    made = checkpoint()
    assert made is not None
    execute("DELETE FROM audit_entry WHERE sequence >= %s", [chain[7]])
    report = verify_log()
    assert report["ok"] is False and report["first_bad_entry"] is None
    assert report["checkpoint_problem"]["problem"] == "truncated"
    assert report["checkpoint_problem"]["checkpoint"] == chain[-1]


def test_an_edited_checkpoint_fails_its_signature(chain: list[int]) -> None:
    made = checkpoint()
    assert made is not None
    execute("UPDATE audit_checkpoint SET chain_hash = %s WHERE sequence = %s", ["a" * 64, made.sequence])
    report = verify_log()
    assert report["checkpoint_problem"] == {
        "checkpoint": made.sequence,
        "problem": "bad_signature",
        "message": "the checkpoint's signature is not valid",
    }


def test_a_checkpoint_by_an_unknown_key_is_refused(chain: list[int], settings: Any, tmp_path: Path) -> None:
    checkpoint()
    other = tmp_path / "other-verify.pem"
    other.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    settings.AUDIT_VERIFY_KEY_FILE = other
    report = verify_log()
    assert report["ok"] is False
    assert report["checkpoint_problem"]["problem"] == "unknown_key"


def test_the_genesis_entry_is_checked_too(officer: User) -> None:
    """The first entry of the log must link to the all-zero genesis hash."""
    first = AuditEntry.objects.order_by("sequence").first()
    if first is None:
        first = consult(officer, 33, 1)[0]
    assert first.prev_hash == GENESIS_HASH
    disable_audit_triggers()
    rehash_in_place(first.sequence, prev_hash="1" * 64)
    assert _first_bad(verify_log()) == (first.sequence, "chain_broken")


def _cli(args: list[str]) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(args, app=bare_app(security))
    return code, json.loads(out)


def test_cli_verify_exit_0_when_intact_and_3_naming_the_entry_when_tampered(officer: User) -> None:
    entries = consult(officer, 34, 3)
    code, report = _cli(["audit", "verify"])
    assert code == 0 and report["ok"] is True
    disable_audit_triggers()
    execute("UPDATE audit_entry SET object_id = '35' WHERE sequence = %s", [entries[1].sequence])
    code, report = _cli(["audit", "verify"])
    assert code == EXIT_TAMPERED == 3
    assert report["first_bad_entry"]["sequence"] == entries[1].sequence
    assert report["first_bad_entry"]["problem"] == "altered"


def test_cli_checkpoint_and_who_accessed(officer: User) -> None:
    entries = consult(officer, 36, 2)
    code, made = _cli(["audit", "checkpoint"])
    assert code == 0 and made["checkpoint"]["sequence"] == entries[-1].sequence
    code, answer = _cli(["audit", "who-accessed", "36"])
    assert code == 0
    assert [a["sequence"] for a in answer["accesses"]] == [e.sequence for e in entries]


TAMPERABLE = {
    "justification": "another reason",
    "actor_username": "someone.else",
    "object_type": "subject",
    "recipient": "someone",
    "actor_force": "elsewhere",
}


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.data(),
    operation=st.sampled_from(["edit", "delete", "swap"]),
)
def test_any_single_tampering_is_named_at_its_position(chain: list[int], data: Any, operation: str) -> None:
    """Property: one edit, deletion or swap anywhere in the chain is named at exactly that entry."""
    index = data.draw(st.integers(min_value=0, max_value=len(chain) - 2), label="index")
    target = chain[index]
    with transaction.atomic():
        if operation == "edit":
            column = data.draw(st.sampled_from(sorted(TAMPERABLE)), label="column")
            execute(f"UPDATE audit_entry SET {column} = %s WHERE sequence = %s", [TAMPERABLE[column], target])
            expected = (target, "altered")
        elif operation == "delete":
            execute("DELETE FROM audit_entry WHERE sequence = %s", [target])
            expected = (target, "missing")
        else:
            execute("UPDATE audit_entry SET sequence = %s WHERE sequence = %s", [FAR, target])
            execute("UPDATE audit_entry SET sequence = %s WHERE sequence = %s", [target, target + 1])
            execute("UPDATE audit_entry SET sequence = %s WHERE sequence = %s", [target + 1, FAR])
            expected = (target, "altered")
        assert _first_bad(verify_log()) == expected
        transaction.set_rollback(True)  # undo, so the next example starts from the intact chain
