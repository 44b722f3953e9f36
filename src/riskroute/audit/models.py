"""The s.62 audit log and its signed checkpoints.

Both tables are append-only: database triggers refuse UPDATE and DELETE (migration 0001), and the
models refuse to save an existing row or delete one. They are `managed = False` on purpose: their
tables are created by the migration itself (with the triggers), and Django's `flush` (used by
`manage.py flush` and by transactional tests) skips unmanaged tables, so no tool can wipe the log
as a side effect. The actor is a snapshot (id, user name, force code), not a foreign key, so that
the record of who did what survives the user account.
"""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.db import models

from riskroute.audit.canonical import canonical_json, sha256_hex, utc_text
from riskroute.audit.vocabulary import NEEDS_JUSTIFICATION, NEEDS_RECIPIENT, Action


class AppendOnlyError(RuntimeError):
    """An attempt to change or remove an audit record."""


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class AuditEntry(AppendOnly):
    """One logged operation; `hash` chains it to every entry before it."""

    sequence = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150)
    actor_force = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    justification = models.TextField(blank=True)
    recipient = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        managed = False
        db_table = "audit_entry"
        ordering: ClassVar = ["sequence"]
        indexes: ClassVar = [models.Index(fields=["object_type", "object_id"], name="audit_entry_object")]
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="audit_entry_sequence_positive"),
            models.CheckConstraint(
                condition=models.Q(action__in=Action.values), name="audit_entry_action_closed"
            ),
            models.CheckConstraint(
                condition=~models.Q(action__in=sorted(NEEDS_JUSTIFICATION)) | ~models.Q(justification=""),
                name="audit_entry_justified",
            ),
            models.CheckConstraint(
                condition=~models.Q(action__in=sorted(NEEDS_RECIPIENT)) | ~models.Q(recipient=""),
                name="audit_entry_recipient",
            ),
        ]

    def chain_document(self) -> dict[str, Any]:
        """Everything the hash covers (all fields but the hash itself)."""
        return {
            "sequence": self.sequence,
            "created_at": utc_text(self.created_at),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "actor_force": self.actor_force,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "justification": self.justification,
            "recipient": self.recipient,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return sha256_hex(canonical_json(self.chain_document()))

    def hash_parts(self) -> tuple[bytes, bytes]:
        """The canonical bytes before `prev_hash` and before `sequence`, for `canonical.chain_hash`.

        Computed before the chain lock is taken, so that the locked section only joins bytes. A
        random stand-in marks where `prev_hash` goes (drawn again in the unlikely case that the
        details happen to contain it); `sequence` is the last key, so its digits end the document.
        """
        while True:
            stand_in = secrets.token_hex(32)
            document = {**self.chain_document(), "prev_hash": stand_in, "sequence": 0}
            data = canonical_json(document)
            if data.count(stand_in.encode("ascii")) == 1:
                break
        before_prev, rest = data.split(stand_in.encode("ascii"))
        if not rest.endswith(b',"sequence":0}'):
            raise ValueError("the canonical document no longer ends with its sequence")
        return before_prev, rest[: -len(b"0}")]


class AuditCheckpoint(AppendOnly):
    """An Ed25519 signature over the chain hash at `sequence`, by a key held outside the database."""

    sequence = models.BigIntegerField(primary_key=True)
    chain_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=32)
    signature = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "audit_checkpoint"
        ordering: ClassVar = ["sequence"]

    def signed_document(self) -> dict[str, Any]:
        from riskroute.audit.canonical import CHECKPOINT_PURPOSE

        return {
            "purpose": CHECKPOINT_PURPOSE,
            "sequence": self.sequence,
            "chain_hash": self.chain_hash,
            "key_id": self.key_id,
            "created_at": utc_text(self.created_at),
        }
