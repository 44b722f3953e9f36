"""The one definition of the bytes that are hashed and signed.

Canonical JSON: keys sorted, no whitespace, UTF-8 (not ASCII-escaped), no NaN or infinity. Times
are UTC ISO-8601 with microseconds and a `Z`. An entry's hash is SHA-256 over the canonical JSON
of its fields *including* `prev_hash`, so every entry commits to the whole history before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS_HASH = "0" * 64
CHECKPOINT_PURPOSE = "riskroute-audit-checkpoint-v1"


def canonical_json(document: Mapping[str, Any]) -> bytes:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chain_hash(before_prev: bytes, prev_hash: str, before_sequence: bytes, sequence: int) -> str:
    """An entry's hash from its canonical bytes split around the two values only the chain knows.

    `prev_hash` and `sequence` are known only once the chain lock is held; everything else is
    canonicalised before (see `AuditEntry.hash_parts`). The bytes are exactly those of
    `canonical_json(chain_document())`: `sequence` sorts last, so the document ends `N}`.
    PostgreSQL's `audit_append()` (migration 0002) joins the same bytes in the same order.
    """
    joined = before_prev + prev_hash.encode("ascii") + before_sequence + f"{sequence}}}".encode("ascii")
    return sha256_hex(joined)


def utc_text(moment: dt.datetime) -> str:
    """A timezone-aware time as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (naive times are refused)."""
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
