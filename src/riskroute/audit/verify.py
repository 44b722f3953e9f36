"""Prove the audit log: recompute the hash chain and check every checkpoint signature.

The walk goes through entries in sequence order and stops at the first one that cannot be
trusted, naming it and the problem:

- `missing`: the sequence jumps (entries were deleted); the first absent number is named;
- `altered`: the stored fields no longer give the stored hash (an edit, or a row moved to another
  sequence number, which is how a reordering or an insertion in the middle shows);
- `chain_broken`: the entry's `prev_hash` is not the previous entry's hash (the previous entry was
  edited and re-hashed, or this one was forged in);

then each checkpoint (in order) is checked: `unknown_key`, `bad_signature` (the checkpoint row was
edited), `mismatch` (the signed chain hash differs from the stored entry: the log was rewritten at
or before that sequence, even if re-hashed consistently) and `truncated` (a checkpoint signs more
entries than the log now holds: entries were removed from the end).

Limits, stated in docs/security.md: entries appended after the last checkpoint are protected by
the chain alone, so someone able to write to the database and recompute hashes could remove or
replace that tail; frequent checkpoints and keeping the signing key off the database host bound it.

`since_checkpoint=True` (`audit verify --since-checkpoint`) starts from the last checkpoint that an
earlier such run verified, kept outside the database in `AUDIT_VERIFIED_STATE_FILE` beside the keys.
That checkpoint is trusted only if it is still in the log unchanged, its signature verifies and
the entry it signs still has the signed hash; otherwise the whole log is verified and the refusal
is reported. It proves the entries after that checkpoint, not those before it (the full verify's
job); an intact run records its last verified checkpoint as the next starting point.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import connection

from riskroute.audit.canonical import GENESIS_HASH, canonical_json, utc_text
from riskroute.audit.models import AuditCheckpoint, AuditEntry
from riskroute.audit.signing import verify_keys

_CHUNK = 2000


def _walk_chain(
    after: int = 0, prev: str = GENESIS_HASH
) -> tuple[int, str, dict[int, str], dict[str, Any] | None]:
    """(verified up to, head hash, stored hashes at checkpoint sequences, first problem or None).

    The walk starts after entry `after`, whose hash is `prev` (0 and the genesis hash: the start).
    """
    checkpoint_sequences = set(
        AuditCheckpoint.objects.filter(sequence__gt=after).values_list("sequence", flat=True)
    )
    hashes_at: dict[int, str] = {}
    expected = after + 1
    entries = AuditEntry.objects.filter(sequence__gt=after).order_by("sequence")
    for entry in entries.iterator(chunk_size=_CHUNK):
        problem: dict[str, Any] | None = None
        if entry.sequence != expected:
            problem = {
                "sequence": expected,
                "problem": "missing",
                "message": f"entries {expected} to {entry.sequence - 1} are missing (deleted)",
            }
        elif entry.compute_hash() != entry.hash:
            problem = {
                "sequence": expected,
                "problem": "altered",
                "message": "the entry's fields do not match its hash (edited, moved or inserted)",
            }
        elif entry.prev_hash != prev:
            problem = {
                "sequence": expected,
                "problem": "chain_broken",
                "message": f"prev_hash is not the hash of entry {expected - 1} "
                f"(entry {expected - 1} was edited and re-hashed, or this entry was inserted)",
            }
        if problem is not None:
            return expected - 1, prev, hashes_at, problem
        if entry.sequence in checkpoint_sequences:
            hashes_at[entry.sequence] = entry.hash
        prev = entry.hash
        expected += 1
    return expected - 1, prev, hashes_at, None


def _signature_problem(
    checkpoint: AuditCheckpoint, keys: dict[str, Ed25519PublicKey]
) -> dict[str, Any] | None:
    where = {"checkpoint": checkpoint.sequence}
    public = keys.get(checkpoint.key_id)
    if public is None:
        return {**where, "problem": "unknown_key", "message": f"no public key with id {checkpoint.key_id}"}
    try:
        public.verify(
            base64.b64decode(checkpoint.signature, validate=True),
            canonical_json(checkpoint.signed_document()),
        )
    except (InvalidSignature, binascii.Error, ValueError):
        return {**where, "problem": "bad_signature", "message": "the checkpoint's signature is not valid"}
    return None


def _check_checkpoint(
    checkpoint: AuditCheckpoint,
    keys: dict[str, Ed25519PublicKey],
    verified_to: int,
    hashes_at: dict[int, str],
) -> dict[str, Any] | None:
    where = {"checkpoint": checkpoint.sequence}
    signature_problem = _signature_problem(checkpoint, keys)
    if signature_problem is not None:
        return signature_problem
    if checkpoint.sequence > verified_to:
        return {
            **where,
            "problem": "truncated",
            "message": f"the checkpoint signs entries up to {checkpoint.sequence} "
            f"but the log ends at {verified_to}",
        }
    if hashes_at.get(checkpoint.sequence) != checkpoint.chain_hash:
        return {
            **where,
            "problem": "mismatch",
            "message": f"entry {checkpoint.sequence} differs from the signed chain hash "
            "(the log was rewritten at or before this entry)",
        }
    return None


def _database() -> str:
    """Which database a recorded verification belongs to (a record for another one is not used)."""
    conf = connection.settings_dict
    return f"{connection.vendor}://{conf.get('HOST') or ''}:{conf.get('PORT') or ''}/{conf['NAME']}"


def _state_file() -> Path:
    return Path(settings.AUDIT_VERIFIED_STATE_FILE)


def _recorded() -> tuple[dict[str, Any] | None, str | None]:
    """(the recorded verification for this database, or None with the reason why there is none)."""
    path = _state_file()
    if not path.exists():
        return None, "no earlier verification is recorded: the whole log was verified"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        sequence, chain_hash = int(state["sequence"]), str(state["chain_hash"])
        database = str(state["database"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, f"the record in {path} is unreadable: the whole log was verified"
    if database != _database():
        return None, "the recorded verification is of another database: the whole log was verified"
    return {**state, "sequence": sequence, "chain_hash": chain_hash}, None


def _resume_problem(state: dict[str, Any], keys: dict[str, Ed25519PublicKey]) -> dict[str, Any] | None:
    """Why the recorded checkpoint cannot be trusted now, or None when it can."""
    sequence, chain_hash = state["sequence"], state["chain_hash"]
    where = {"checkpoint": sequence}
    checkpoint = AuditCheckpoint.objects.filter(sequence=sequence).first()
    if checkpoint is None:
        return {
            **where,
            "problem": "resume_point_missing",
            "message": f"the checkpoint verified at {state.get('verified_at')} is no longer in the log",
        }
    if checkpoint.chain_hash != chain_hash:
        return {
            **where,
            "problem": "resume_point_changed",
            "message": "the checkpoint no longer signs the chain hash that was verified",
        }
    signature_problem = _signature_problem(checkpoint, keys)
    if signature_problem is not None:
        return signature_problem
    entry = AuditEntry.objects.filter(sequence=sequence).first()
    if entry is None or entry.hash != chain_hash or entry.compute_hash() != entry.hash:
        return {
            **where,
            "problem": "mismatch",
            "message": f"entry {sequence} differs from the signed chain hash "
            "(the log was rewritten at or before this entry)",
        }
    return None


def _remember(checkpoint: AuditCheckpoint) -> None:
    """Record a verified checkpoint as the next starting point (written whole, then renamed)."""
    path = _state_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    state = {
        "database": _database(),
        "sequence": checkpoint.sequence,
        "chain_hash": checkpoint.chain_hash,
        "key_id": checkpoint.key_id,
        "verified_at": utc_text(dt.datetime.now(dt.UTC)),
    }
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".audit-verified-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def verify_log(*, since_checkpoint: bool = False) -> dict[str, Any]:
    """A JSON-ready report; `ok` is true only if the chain and every checkpoint are intact.

    With `since_checkpoint`, the walk starts at the recorded checkpoint when it can be trusted
    (module docstring); the report then has a `since_checkpoint` part saying where it started.
    """
    keys = verify_keys()
    resume: dict[str, Any] | None = None
    reason: str | None = None
    resume_problem: dict[str, Any] | None = None
    if since_checkpoint:
        resume, reason = _recorded()
        if resume is not None:
            resume_problem = _resume_problem(resume, keys)
            if resume_problem is not None:
                resume, reason = None, "the recorded checkpoint is not trusted: the whole log was verified"
    start, start_hash = (resume["sequence"], resume["chain_hash"]) if resume else (0, GENESIS_HASH)
    verified_to, head, hashes_at, chain_problem = _walk_chain(start, start_hash)
    checkpoints = list(AuditCheckpoint.objects.filter(sequence__gt=start).order_by("sequence"))
    checkpoint_problem = None
    signed_to = start
    last_verified: AuditCheckpoint | None = None
    for checkpoint in checkpoints:
        if chain_problem is not None and checkpoint.sequence > verified_to:
            break  # beyond the first bad entry nothing can be confirmed; that entry is the finding
        checkpoint_problem = _check_checkpoint(checkpoint, keys, verified_to, hashes_at)
        if checkpoint_problem is not None:
            break
        signed_to = checkpoint.sequence
        last_verified = checkpoint
    ok = chain_problem is None and checkpoint_problem is None and resume_problem is None
    report: dict[str, Any] = {
        "ok": ok,
        "entries_verified": verified_to,
        "head": {"sequence": verified_to, "hash": head},
        "checkpoints": {
            "count": AuditCheckpoint.objects.count() if start else len(checkpoints),
            "signed_up_to": signed_to,
            "public_keys": sorted(keys),
        },
        "unsigned_tail": max(verified_to - signed_to, 0),
        "first_bad_entry": chain_problem,
        "checkpoint_problem": checkpoint_problem,
    }
    if since_checkpoint:
        report["since_checkpoint"] = {
            "resumed_from": None if resume is None else {"sequence": start, "chain_hash": start_hash},
            "reason": reason,
            "resume_problem": resume_problem,
            "entries_checked": verified_to - start,
            "recorded": None,
        }
        if ok and last_verified is not None:
            _remember(last_verified)
            report["since_checkpoint"]["recorded"] = last_verified.sequence
    return report
