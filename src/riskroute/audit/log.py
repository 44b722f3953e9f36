"""The one write path into the audit log: `record()`, and signed checkpoints.

Appending is serialised so that two writers can never both extend the same entry (a fork): on
PostgreSQL a transaction-scoped advisory lock is taken before the last entry is read; on SQLite
the settings open every transaction with BEGIN IMMEDIATE, which takes the database write lock
first. Whatever the database, `prev_hash` and `hash` are UNIQUE, so a fork cannot be stored.

The lock is the chain's throughput ceiling, so as little as possible happens while it is held.
Everything that does not depend on the previous entry (validation, the time, the actor snapshot,
the canonical bytes) is done before it is taken. On PostgreSQL one statement, `audit_append()`
(migration 0002), then takes the lock, reads the last sequence and hash, hashes and inserts; no
savepoint is made. On SQLite the plain path reads the last entry and inserts it with the ORM.

Called inside the caller's transaction, the entry commits or rolls back with the change it
describes; the lock is then held until that transaction ends. Because no savepoint is made, a
failure inside `record()` dooms the caller's whole transaction: the change cannot commit without
its entry. `created_at` is taken before waiting for the lock, so under contention it may be a few
milliseconds earlier than that of the entry before it; `sequence` is the order of the log.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from riskroute.audit.actors import UserLike
from riskroute.audit.canonical import GENESIS_HASH, canonical_json, chain_hash
from riskroute.audit.models import AuditCheckpoint, AuditEntry
from riskroute.audit.signing import key_id, signing_key
from riskroute.audit.vocabulary import NEEDS_JUSTIFICATION, NEEDS_RECIPIENT, Action
from riskroute.core.errors import ErrorDetail, InvalidInput

_MAX_DETAIL_TEXT = 200


def _force_code(actor: UserLike) -> str:
    force = getattr(actor, "force", None)
    return str(getattr(force, "code", "")) if force is not None else ""


def _check_details(value: Any, path: str, problems: list[ErrorDetail]) -> None:
    """Details carry field names, counts and flags, never values: no floats, no long free text."""
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str):
        if "\x00" in value:
            problems.append({"path": path, "message": "NUL characters are not allowed"})
        elif len(value) > _MAX_DETAIL_TEXT:
            problems.append({"path": path, "message": f"text longer than {_MAX_DETAIL_TEXT} characters"})
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_details(item, f"{path}[{index}]", problems)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                problems.append({"path": path, "message": "keys must be strings"})
            else:
                _check_details(item, f"{path}.{key}", problems)
    else:
        problems.append({"path": path, "message": f"{type(value).__name__} is not allowed in audit details"})


def _validate(
    action: str, obj_type: str, obj_id: str, justification: str, recipient: str, details: dict[str, Any]
) -> Action:
    problems: list[ErrorDetail] = []
    if action not in Action.values:
        problems.append({"path": "action", "message": f"not one of {', '.join(Action.values)}"})
    if not obj_type or len(obj_type) > 64:
        problems.append({"path": "obj_type", "message": "required, at most 64 characters"})
    if not obj_id or len(obj_id) > 64:
        problems.append({"path": "obj_id", "message": "required, at most 64 characters"})
    if action in NEEDS_JUSTIFICATION and not justification:
        problems.append({"path": "justification", "message": f"required for {action} (DPA 2018 s.62)"})
    if action in NEEDS_RECIPIENT and not recipient:
        problems.append({"path": "recipient", "message": f"required for {action} (DPA 2018 s.62)"})
    for name, text in (
        ("obj_type", obj_type),
        ("obj_id", obj_id),
        ("justification", justification),
        ("recipient", recipient),
    ):
        if "\x00" in text:  # PostgreSQL text cannot hold NUL; refuse it the same way on SQLite
            problems.append({"path": name, "message": "NUL characters are not allowed"})
    if len(recipient) > 200:
        problems.append({"path": "recipient", "message": "at most 200 characters"})
    _check_details(details, "details", problems)
    if problems:
        raise InvalidInput(problems)
    return Action(action)


def _lock_chain() -> None:
    """Serialise writers to the chain until the transaction ends (SQLite: BEGIN IMMEDIATE did)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT audit_lock_chain()")
    elif connection.vendor != "sqlite":
        raise NotImplementedError(f"the audit chain supports SQLite and PostgreSQL, not {connection.vendor}")


def _last_entry() -> AuditEntry | None:
    return AuditEntry.objects.order_by("-sequence").only("sequence", "hash").first()


def record(
    actor: UserLike,
    action: Action | str,
    obj_type: str,
    obj_id: object,
    *,
    justification: str | None = None,
    recipient: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry; bad arguments raise `InvalidInput` naming each field, and nothing is written."""
    justification = (justification or "").strip()
    recipient = (recipient or "").strip()
    details = dict(details or {})
    obj_id_text = str(obj_id)
    checked = _validate(str(action), obj_type, obj_id_text, justification, recipient, details)
    entry = AuditEntry(
        created_at=dt.datetime.now(dt.UTC),
        actor_id=actor.pk,
        actor_username=actor.get_username()[:150],
        actor_force=_force_code(actor),
        action=checked.value,
        object_type=obj_type,
        object_id=obj_id_text,
        justification=justification,
        recipient=recipient,
        details=details,
    )
    before_prev, before_sequence = entry.hash_parts()
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            _append_in_database(entry, before_prev, before_sequence)
        else:
            _lock_chain()
            last = _last_entry()
            entry.sequence = 1 if last is None else last.sequence + 1
            entry.prev_hash = GENESIS_HASH if last is None else last.hash
            entry.hash = chain_hash(before_prev, entry.prev_hash, before_sequence, entry.sequence)
            entry.save()
        every = int(settings.AUDIT_CHECKPOINT_EVERY)
        if every > 0 and entry.sequence % every == 0:
            _sign(entry.sequence, entry.hash)
    return entry


def _append_in_database(entry: AuditEntry, before_prev: bytes, before_sequence: bytes) -> None:
    """PostgreSQL: lock, link, hash and insert in one statement; check its hash before commit."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT new_sequence, new_prev_hash, new_hash "
            "FROM audit_append(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)",
            [
                before_prev,
                before_sequence,
                entry.created_at,
                entry.actor_id,
                entry.actor_username,
                entry.actor_force,
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.justification,
                entry.recipient,
                canonical_json(entry.details).decode("utf-8"),
            ],
        )
        entry.sequence, entry.prev_hash, stored_hash = cursor.fetchone()
    entry.hash = chain_hash(before_prev, entry.prev_hash, before_sequence, entry.sequence)
    if stored_hash != entry.hash:  # raising here rolls the insert back with the transaction
        raise RuntimeError("audit_append() hashed the entry differently from riskroute.audit.canonical")
    entry._state.adding = False
    entry._state.db = connection.alias


def _sign(sequence: int, chain_hash: str) -> AuditCheckpoint:
    private = signing_key()
    checkpoint = AuditCheckpoint(
        sequence=sequence,
        chain_hash=chain_hash,
        key_id=key_id(private.public_key()),
        created_at=dt.datetime.now(dt.UTC),
    )
    checkpoint.signature = base64.b64encode(
        private.sign(canonical_json(checkpoint.signed_document()))
    ).decode()
    checkpoint.save()
    return checkpoint


def checkpoint() -> AuditCheckpoint | None:
    """Sign the chain up to its last entry now (idempotent); None when the log is empty."""
    with transaction.atomic():
        _lock_chain()
        last = _last_entry()
        if last is None:
            return None
        existing = AuditCheckpoint.objects.filter(sequence=last.sequence).first()
        return existing or _sign(last.sequence, last.hash)
