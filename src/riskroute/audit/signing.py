"""The Ed25519 checkpoint key, held in files outside the database.

The private key (`settings.AUDIT_SIGNING_KEY_FILE`, PKCS#8 PEM, mode 0600) is created on first
use; its public half is written beside it (`settings.AUDIT_VERIFY_KEY_FILE`). Verification needs
only the public key, so it can run on a machine that cannot sign. A key id is the first 16 hex
digits of SHA-256 over the raw 32-byte public key.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

_lock = threading.Lock()


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


def signing_key() -> Ed25519PrivateKey:
    """The private key, created (0600) on first use; its public key file is written if missing."""
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
        public_path = Path(settings.AUDIT_VERIFY_KEY_FILE)
        if not public_path.exists():
            with contextlib.suppress(FileExistsError):
                fd = os.open(public_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(_public_pem(private.public_key()))
        return private


def verify_keys() -> dict[str, Ed25519PublicKey]:
    """Public keys by id: the verify-key file, else the public half of the signing key if present."""
    public_path = Path(settings.AUDIT_VERIFY_KEY_FILE)
    private_path = Path(settings.AUDIT_SIGNING_KEY_FILE)
    public: Ed25519PublicKey | None = None
    if public_path.exists():
        loaded = serialization.load_pem_public_key(public_path.read_bytes())
        if not isinstance(loaded, Ed25519PublicKey):
            raise SigningKeyError(f"{public_path} is not an Ed25519 public key")
        public = loaded
    elif private_path.exists():
        public = signing_key().public_key()
    return {} if public is None else {key_id(public): public}
