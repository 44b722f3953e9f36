"""Blind indexes: a keyed hash of a normalised value, so an encrypted column can be searched exactly.

`blind_index("  Alex  SAMPLE ", "subject.full_name") == blind_index("alex sample", "subject.full_name")`.
The key is the ring's blind-index key (separate from the encryption keys); each purpose derives
its own sub-key, so equal values in two different columns give unrelated indexes. An index reveals
equality between rows of one column (that is its job) and nothing else without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from riskroute.crypto.keyring import load_keyring

_PURPOSE = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")


def normalise(value: str) -> str:
    """NFKC, case-folded, trimmed, inner whitespace collapsed: what counts as 'the same' for search."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def blind_index(value: str, purpose: str) -> str:
    """64 hex characters: HMAC-SHA256 under a per-purpose key of the normalised value."""
    if not _PURPOSE.match(purpose):
        raise ValueError(f"blind index purpose {purpose!r} must match {_PURPOSE.pattern}")
    ring = load_keyring()
    sub_key = hmac.new(ring.blind_index_key, b"riskroute-blind-index:" + purpose.encode(), hashlib.sha256)
    return hmac.new(sub_key.digest(), normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()
