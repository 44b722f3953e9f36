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
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from riskroute.audit.canonical import GENESIS_HASH, canonical_json
from riskroute.audit.models import AuditCheckpoint, AuditEntry
from riskroute.audit.signing import verify_keys

_CHUNK = 2000


def _walk_chain() -> tuple[int, str, dict[int, str], dict[str, Any] | None]:
    """(entries verified, head hash, stored hashes at checkpoint sequences, first problem or None)."""
    checkpoint_sequences = set(AuditCheckpoint.objects.values_list("sequence", flat=True))
    hashes_at: dict[int, str] = {}
    expected, prev = 1, GENESIS_HASH
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=_CHUNK):
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


def _check_checkpoint(
    checkpoint: AuditCheckpoint,
    keys: dict[str, Ed25519PublicKey],
    verified_to: int,
    hashes_at: dict[int, str],
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


def verify_log() -> dict[str, Any]:
    """A JSON-ready report; `ok` is true only if the chain and every checkpoint are intact."""
    verified_to, head, hashes_at, chain_problem = _walk_chain()
    keys = verify_keys()
    checkpoints = list(AuditCheckpoint.objects.order_by("sequence"))
    checkpoint_problem = None
    signed_to = 0
    for checkpoint in checkpoints:
        if chain_problem is not None and checkpoint.sequence > verified_to:
            break  # beyond the first bad entry nothing can be confirmed; that entry is the finding
        checkpoint_problem = _check_checkpoint(checkpoint, keys, verified_to, hashes_at)
        if checkpoint_problem is not None:
            break
        signed_to = checkpoint.sequence
    report: dict[str, Any] = {
        "ok": chain_problem is None and checkpoint_problem is None,
        "entries_verified": verified_to,
        "head": {"sequence": verified_to, "hash": head},
        "checkpoints": {"count": len(checkpoints), "signed_up_to": signed_to, "public_keys": sorted(keys)},
        "unsigned_tail": max(verified_to - signed_to, 0),
        "first_bad_entry": chain_problem,
        "checkpoint_problem": checkpoint_problem,
    }
    return report
