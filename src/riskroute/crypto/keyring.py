"""The field-encryption key ring: AES-256 keys with ids, one active, and a separate blind-index key.

The ring is a JSON file outside the database (`settings.FIELD_KEYRING_FILE`, by default
`RISKROUTE_DATA_DIR/keys/field-keys.json`), created with mode 0600 on first use, so a stolen
database file or backup holds ciphertext only. File layout:

    {"format": 1, "active": "<id>",
     "keys": {"<id>": {"created": "<UTC ISO time>", "secret": "<base64 32 bytes>"}},
     "retired": {"<id>": "<UTC ISO time>"},
     "blind_index_key": "<base64 32 bytes>"}

Each process keeps the parsed ring (and one AES-GCM object per key) in memory and re-reads the
file when it changes (compared by inode, size and mtime), so a rotation started from the CLI is
picked up by running web workers without a restart. The file is looked at (one `stat()`) at most
every `RECHECK_SECONDS`, not on every value: a list of 50 rows opens hundreds of values. A value
sealed under a key id the cached ring does not hold makes the process look again at once, so a
worker never refuses a value only because its copy is stale; a worker may go on sealing under the
previous active key for up to `RECHECK_SECONDS` after a rotation, which `retire_key`'s callers
already allow for (`riskroute keys retire` refuses while any value is left under the key).
Writes go through a temporary file and `os.replace` under an exclusive lock, so a reader never
sees half a file.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

KEYRING_FORMAT = 1
KEY_BYTES = 32
#: How long a process trusts its copy of the ring before it looks at the file again.
RECHECK_SECONDS = 1.0


class KeyRingError(RuntimeError):
    """The key file is missing a key, malformed, or an operation on it is refused."""


@dataclass(frozen=True)
class KeyRing:
    """An immutable snapshot of the ring as read from its file."""

    path: Path
    active: str
    keys: dict[str, bytes]
    retired: dict[str, str]
    blind_index_key: bytes
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, repr=False, compare=False)

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            state = "retired" if key_id in self.retired else "not in the key ring"
            raise KeyRingError(f"field key {key_id!r} is {state} ({self.path})") from None

    def cipher(self, key_id: str) -> AESGCM:
        """The AES-GCM object for a key, made once per ring snapshot (it holds no per-call state)."""
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            cipher = self._ciphers[key_id] = AESGCM(self.key(key_id))
        return cipher


def keyring_path() -> Path:
    return Path(settings.FIELD_KEYRING_FILE)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _new_key_id(existing: set[str]) -> str:
    while True:
        key_id = "k" + secrets.token_hex(4)
        if key_id not in existing:
            return key_id


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _secret(path: Path, where: str, text: object) -> bytes:
    try:
        raw = base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyRingError(f"{path}: {where} is not base64") from exc
    if len(raw) != KEY_BYTES:
        raise KeyRingError(f"{path}: {where} must be {KEY_BYTES} bytes")
    return raw


def _parse(path: Path, doc: Any) -> KeyRing:
    if not isinstance(doc, dict) or doc.get("format") != KEYRING_FORMAT:
        raise KeyRingError(f"{path}: not a riskroute key ring (format {KEYRING_FORMAT})")
    raw_keys = doc.get("keys")
    if not isinstance(raw_keys, dict) or not raw_keys:
        raise KeyRingError(f"{path}: keys must be a non-empty object")
    keys = {
        str(kid): _secret(path, f"keys.{kid}.secret", (entry or {}).get("secret"))
        for kid, entry in raw_keys.items()
    }
    active = doc.get("active")
    if active not in keys:
        raise KeyRingError(f"{path}: the active key {active!r} is not in keys")
    retired = doc.get("retired") or {}
    return KeyRing(
        path=path,
        active=str(active),
        keys=keys,
        retired={str(k): str(v) for k, v in dict(retired).items()},
        blind_index_key=_secret(path, "blind_index_key", doc.get("blind_index_key")),
    )


def _fresh_document() -> dict[str, Any]:
    key_id = _new_key_id(set())
    return {
        "format": KEYRING_FORMAT,
        "active": key_id,
        "keys": {key_id: {"created": _now(), "secret": _b64(secrets.token_bytes(KEY_BYTES))}},
        "retired": {},
        "blind_index_key": _b64(secrets.token_bytes(KEY_BYTES)),
    }


def _write_private(path: Path, doc: dict[str, Any]) -> None:
    """Replace the file atomically; the temporary file is 0600 from the moment it exists."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Serialise writers of the ring (two rotations at once would lose a key)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


_cache_lock = threading.Lock()
#: The ring read from each file, by the file's name as configured (a string: building a `Path`
#: for every value opened cost more than the look-up), with its signature and when it was compared.
_cache: dict[str, tuple[tuple[int, int, int], float, KeyRing]] = {}


def _read_document(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise KeyRingError(f"{path}: malformed JSON ({exc.msg})") from exc


def load_keyring(*, refresh: bool = False) -> KeyRing:
    """The current ring, created (0600) on first use; re-read whenever the file changes.

    The file is compared at most every `RECHECK_SECONDS`; `refresh=True` compares it now (for a
    key id the copy in memory does not know, and after this process changed the file).
    """
    location = str(settings.FIELD_KEYRING_FILE)  # as `keyring_path()`, without building a Path
    now = time.monotonic()
    cached = _cache.get(location)
    if not refresh and cached is not None and now - cached[1] < RECHECK_SECONDS:
        return cached[2]
    path = Path(location)
    try:
        stat = path.stat()
    except FileNotFoundError:
        with _exclusive(path):
            if not path.exists():
                _write_private(path, _fresh_document())
        stat = path.stat()
    signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    with _cache_lock:
        cached = _cache.get(location)
        if cached is not None and cached[0] == signature:
            _cache[location] = (signature, now, cached[2])
            return cached[2]
        ring = _parse(path, _read_document(path))
        _cache[location] = (signature, now, ring)
        return ring


def add_active_key() -> KeyRing:
    """Add a new key and make it the active one; older keys stay readable until retired."""
    path = keyring_path()
    load_keyring()  # creates the file if needed
    with _exclusive(path):
        doc = _read_document(path)
        _parse(path, doc)
        key_id = _new_key_id(set(doc["keys"]) | set(doc.get("retired") or {}))
        doc["keys"][key_id] = {"created": _now(), "secret": _b64(secrets.token_bytes(KEY_BYTES))}
        doc["active"] = key_id
        _write_private(path, doc)
    return load_keyring(refresh=True)


def retire_key(key_id: str) -> KeyRing:
    """Destroy a key's material (its id is remembered as retired). The active key cannot go."""
    path = keyring_path()
    with _exclusive(path):
        doc = _read_document(path)
        ring = _parse(path, doc)
        if key_id == ring.active:
            raise KeyRingError(f"key {key_id!r} is the active key; rotate first")
        if key_id not in ring.keys:
            raise KeyRingError(f"key {key_id!r} is not in the key ring")
        del doc["keys"][key_id]
        doc.setdefault("retired", {})[key_id] = _now()
        _write_private(path, doc)
    return load_keyring(refresh=True)
