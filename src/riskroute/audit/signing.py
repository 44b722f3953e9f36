"""The Ed25519 checkpoint key, held in files outside the database.

The private key (`settings.AUDIT_SIGNING_KEY_FILE`, PKCS#8 PEM, mode 0600) is created on first
use; its public half is appended to `settings.AUDIT_VERIFY_KEY_FILE`, which keeps the public key of
every signing key used so far (replace a signing key and older checkpoints still verify).
Verification needs only that file, so it can run on a machine that cannot sign. A key id is the first 16 hex
digits of SHA-256 over the raw 32-byte public key.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

_lock = threading.Lock()
_PEM_BEGIN = b"-----BEGIN PUBLIC KEY-----"


class SigningKeyError(RuntimeError):
    """The checkpoint key is unreadable or not an Ed25519 key."""


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _create(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it first; use theirs
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())


def _published(path: Path) -> dict[str, Ed25519PublicKey]:
    """Every Ed25519 public key in a PEM file (one per signing key ever used), by key id."""
    if not path.exists():
        return {}
    keys: dict[str, Ed25519PublicKey] = {}
    text = path.read_bytes()
    for block in text.split(_PEM_BEGIN)[1:]:
        try:
            loaded = serialization.load_pem_public_key(_PEM_BEGIN + block)
        except ValueError as exc:
            raise SigningKeyError(f"{path} holds a malformed public key") from exc
        if not isinstance(loaded, Ed25519PublicKey):
            raise SigningKeyError(f"{path} holds a key that is not Ed25519")
        keys[key_id(loaded)] = loaded
    return keys


def _publish(public: Ed25519PublicKey) -> None:
    """Append the signing key's public half to the verify-key file unless it is there already."""
    path = Path(settings.AUDIT_VERIFY_KEY_FILE)
    if key_id(public) in _published(path):
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    with os.fdopen(fd, "ab") as handle:
        handle.write(_public_pem(public))


def signing_key() -> Ed25519PrivateKey:
    """The private key, created (0600) on first use; its public half is published for verify."""
    path = Path(settings.AUDIT_SIGNING_KEY_FILE)
    with _lock:
        if not path.exists():
            _create(path)
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise SigningKeyError(f"cannot read the audit signing key {path}: {exc}") from exc
        if not isinstance(private, Ed25519PrivateKey):
            raise SigningKeyError(f"{path} is not an Ed25519 private key")
        _publish(private.public_key())
        return private


def verify_keys() -> dict[str, Ed25519PublicKey]:
    """Public keys by id from the verify-key file; old keys stay there, so old checkpoints verify."""
    keys = _published(Path(settings.AUDIT_VERIFY_KEY_FILE))
    if not keys and Path(settings.AUDIT_SIGNING_KEY_FILE).exists():
        public = signing_key().public_key()
        keys = {key_id(public): public}
    return keys
