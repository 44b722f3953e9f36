"""The audit log's write path: closed vocabulary, s.62 fields, the hash chain, checkpoints, queries."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from riskroute.accounts.models import User
from riskroute.audit import (
    Action,
    JustificationRequired,
    SystemActor,
    checkpoint,
    record,
    remember_justification,
    require_justification,
    verify_log,
    who_accessed,
)
from riskroute.audit.canonical import GENESIS_HASH, canonical_json
from riskroute.audit.models import AppendOnlyError, AuditCheckpoint, AuditEntry
from riskroute.core.errors import InvalidInput
from tests.auditlog import consult
from tests.rawdb import execute

pytestmark = pytest.mark.django_db

REFUSED = [
    "UPDATE {t} SET sequence = sequence + 1000000",
    "DELETE FROM {t}",
    *(["TRUNCATE {t}"] if connection.vendor == "postgresql" else []),  # SQLite has no TRUNCATE
]


def _paths(exc: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return {d["path"] for d in exc.value.details}


def test_entry_fields_and_hash_are_the_documented_recipe(officer: User) -> None:
    entry = record(officer, Action.ALTERATION, "case", 41, details={"fields": ["facts.offence"]})
    stored = AuditEntry.objects.get(sequence=entry.sequence)
    assert stored.actor_id == officer.pk
    assert stored.actor_username == "officer.synthetic" and stored.actor_force == "synthshire"
    assert stored.object_type == "case" and stored.object_id == "41"
    assert stored.created_at.utcoffset() is not None
    # The recipe written out by hand: sorted keys, no spaces, UTF-8, SHA-256, prev_hash included.
    document = {
        "action": "alteration",
        "actor_force": "synthshire",
        "actor_id": officer.pk,
        "actor_username": "officer.synthetic",
        "created_at": stored.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "details": {"fields": ["facts.offence"]},
        "justification": "",
        "object_id": "41",
        "object_type": "case",
        "prev_hash": stored.prev_hash,
        "recipient": "",
        "sequence": stored.sequence,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(document) == text.encode()
    assert stored.hash == hashlib.sha256(text.encode()).hexdigest()


def test_canonical_json_is_utf8_not_escaped() -> None:
    assert canonical_json({"b": "é", "a": [1, None]}) == '{"a":[1,null],"b":"é"}'.encode()


def test_chain_links_each_entry_to_the_one_before(officer: User) -> None:
    first_existing = AuditEntry.objects.order_by("-sequence").first()
    entries = consult(officer, 7, 4)
    expected_prev = first_existing.hash if first_existing else GENESIS_HASH
    for entry in entries:
        assert entry.prev_hash == expected_prev
        expected_prev = entry.hash
    assert [e.sequence for e in entries] == list(range(entries[0].sequence, entries[0].sequence + 4))
    assert verify_log()["ok"] is True


@pytest.mark.parametrize(
    ("action", "kwargs", "paths"),
    [
        ("consultation", {}, {"justification"}),
        ("consultation", {"justification": "   "}, {"justification"}),
        ("disclosure", {"justification": "court order 123 (synthetic)"}, {"recipient"}),
        ("disclosure", {}, {"justification", "recipient"}),
        ("viewed", {}, {"action"}),
        ("collection", {"details": {"old_value": 1.5}}, {"details.old_value"}),
        ("collection", {"details": {"note": "x" * 201}}, {"details.note"}),
        ("collection", {"details": {"fields": ["a\x00b"]}}, {"details.fields[0]"}),
        ("consultation", {"justification": "review\x00 of the case"}, {"justification"}),
    ],
)
def test_bad_entries_are_refused_naming_the_field(
    officer: User, action: str, kwargs: dict[str, Any], paths: set[str]
) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        record(officer, action, "case", 1, **kwargs)
    assert _paths(exc) == paths
    assert AuditEntry.objects.count() == before


def test_disclosure_keeps_justification_and_recipient(officer: User) -> None:
    entry = record(
        officer, "disclosure", "case", 3, justification="referral for rehabilitation", recipient="Provider X"
    )
    assert (entry.action, entry.justification, entry.recipient) == (
        "disclosure",
        "referral for rehabilitation",
        "Provider X",
    )


def test_the_database_enforces_the_vocabulary_and_the_s62_fields(officer: User) -> None:
    """Even a raw INSERT (not through record) cannot log an unknown action or an unjustified read."""
    good = record(officer, Action.COLLECTION, "case", 5)
    columns = (
        "sequence, created_at, actor_id, actor_username, actor_force, action, object_type, object_id, "
        "justification, recipient, details, prev_hash, hash"
    )
    for action, justification in (("browsed", "x"), ("consultation", "")):
        with pytest.raises(IntegrityError), transaction.atomic():
            execute(
                f"INSERT INTO audit_entry ({columns}) "
                "VALUES (%s, %s, NULL, 'x', '', %s, 'case', '5', %s, '', '{}', %s, %s)",
                [good.sequence + 1, good.created_at, action, justification, good.hash, "f" * 64],
            )


def test_system_actor_has_no_user_id() -> None:
    entry = record(SystemActor("keys rotate"), Action.KEY_ROTATED, "keyring", "k1")
    assert entry.actor_id is None and entry.actor_username == "system:keys rotate"


def test_rows_cannot_be_changed_or_deleted_through_the_orm(officer: User) -> None:
    entry = record(officer, Action.COLLECTION, "case", 9)
    entry.object_id = "10"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(sequence=entry.sequence).update(object_id="10")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(sequence=entry.sequence).delete()


@pytest.mark.parametrize("table", ["audit_entry", "audit_checkpoint"])
@pytest.mark.parametrize("statement", REFUSED)
def test_triggers_refuse_raw_update_and_delete(officer: User, table: str, statement: str) -> None:
    consult(officer, 11, 2)
    checkpoint()
    before = AuditEntry.objects.count(), AuditCheckpoint.objects.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(statement.format(t=table))
    assert (AuditEntry.objects.count(), AuditCheckpoint.objects.count()) == before


def test_checkpoint_every_k_entries_and_on_demand(officer: User, settings: Any) -> None:
    last = AuditEntry.objects.order_by("-sequence").first()
    start = last.sequence if last else 0
    settings.AUDIT_CHECKPOINT_EVERY = 3
    entries = consult(officer, 12, 7)
    signed = set(AuditCheckpoint.objects.filter(sequence__gt=start).values_list("sequence", flat=True))
    assert signed == {e.sequence for e in entries if e.sequence % 3 == 0}
    made = checkpoint()
    assert made is not None and made.sequence == entries[-1].sequence
    assert made.chain_hash == entries[-1].hash
    assert checkpoint() == made  # idempotent at the same head
    report = verify_log()
    assert report["ok"] is True and report["unsigned_tail"] == 0
    assert report["checkpoints"]["signed_up_to"] == entries[-1].sequence


def test_signing_key_lives_in_a_0600_file_outside_the_database(officer: User, settings: Any) -> None:
    record(officer, Action.COLLECTION, "case", 13)
    made = checkpoint()
    assert made is not None
    key_file = Path(settings.AUDIT_SIGNING_KEY_FILE)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(base64.b64decode(made.signature)) == 64  # an Ed25519 signature
    assert b"PRIVATE KEY" in key_file.read_bytes()
    assert b"PRIVATE KEY" not in Path(settings.AUDIT_VERIFY_KEY_FILE).read_bytes()


def test_who_accessed_answers_who_when_why_without_content(officer: User, auditor: User) -> None:
    record(officer, Action.COLLECTION, "case", 21, details={"fields": ["subject.full_name"]})
    record(officer, Action.CONSULTATION, "case", 21, justification="preparing the risk assessment")
    record(officer, Action.CONSULTATION, "case", 22, justification="another case entirely")
    record(officer, Action.LOGIN, "user", officer.pk)
    accesses = who_accessed(21)
    assert [a["action"] for a in accesses] == ["collection", "consultation"]
    assert accesses[1]["justification"] == "preparing the risk assessment"
    assert accesses[1]["actor"] == {"id": officer.pk, "username": "officer.synthetic", "force": "synthshire"}
    assert accesses[1]["at"].endswith("Z")
    assert all("details" not in a for a in accesses)


def test_justification_is_asked_once_per_case_per_session() -> None:
    session: dict[str, Any] = {}
    with pytest.raises(JustificationRequired):
        require_justification(session, "case", 5)
    with pytest.raises(InvalidInput):
        remember_justification(session, "case", 5, "because")
    remember_justification(session, "case", 5, "  preparing   the supervisor review ")
    assert require_justification(session, "case", 5) == "preparing the supervisor review"
    with pytest.raises(JustificationRequired):
        require_justification(session, "case", 6)


def test_a_replaced_signing_key_leaves_older_checkpoints_verifiable(
    officer: User, settings: Any, tmp_path: Path
) -> None:
    consult(officer, 51, 2)
    first = checkpoint()
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "replacement-signing.pem"  # the old key is gone
    consult(officer, 51, 2)
    second = checkpoint()
    assert first is not None and second is not None and first.key_id != second.key_id
    report = verify_log()
    assert report["ok"] is True, report
    assert {first.key_id, second.key_id} <= set(report["checkpoints"]["public_keys"])
