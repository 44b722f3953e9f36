"""Sealing one text value with AES-256-GCM, bound to the column it belongs to.

Stored form (ASCII text, so it fits any text column on SQLite and PostgreSQL):

    v1.<key id>.<base64 12-byte nonce>.<base64 ciphertext with 16-byte tag>

The nonce is random per value (96 bits, as GCM expects). The associated data is
`riskroute:v1:<key id>:<context>`, where the context names the model and field (for example
`cases.subject.full_name`), so a ciphertext copied into another column, or given another key id,
fails authentication instead of decrypting to a value in the wrong place.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import NamedTuple

from cryptography.exceptions import InvalidTag

from riskroute.crypto.keyring import KeyRing, KeyRingError, load_keyring

VERSION = "v1"
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A stored value could not be opened: tampered, moved to another column, or its key is gone."""


class Token(NamedTuple):
    version: str
    key_id: str
    nonce: bytes
    ciphertext: bytes


def _associated_data(key_id: str, context: str) -> bytes:
    return f"riskroute:{VERSION}:{key_id}:{context}".encode()


def parse_token(token: str, context: str) -> Token:
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != VERSION:
        raise DecryptionError(f"{context}: stored value is not a {VERSION} ciphertext")
    try:
        nonce = base64.b64decode(parts[2], validate=True)
        ciphertext = base64.b64decode(parts[3], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError(f"{context}: stored value is not valid base64") from exc
    if len(nonce) != NONCE_BYTES:
        raise DecryptionError(f"{context}: nonce must be {NONCE_BYTES} bytes")
    return Token(parts[0], parts[1], nonce, ciphertext)


def key_id_of(token: str) -> str | None:
    """The key id a stored value was sealed under, or None if it is not a ciphertext at all."""
    parts = token.split(".")
    return parts[1] if len(parts) == 4 and parts[0] == VERSION else None


def encrypt_text(plaintext: str, context: str, ring: KeyRing | None = None) -> str:
    """Seal `plaintext` under the active key for the column named by `context`."""
    ring = ring or load_keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = ring.cipher(ring.active).encrypt(
        nonce, plaintext.encode("utf-8"), _associated_data(ring.active, context)
    )
    return ".".join(
        (VERSION, ring.active, base64.b64encode(nonce).decode(), base64.b64encode(sealed).decode())
    )


def decrypt_text(token: str, context: str, ring: KeyRing | None = None) -> str:
    """Open a stored value; any tampering or a wrong column is a `DecryptionError`, never garbage."""
    parsed = parse_token(token, context)
    if ring is None:
        ring = load_keyring()
        if parsed.key_id not in ring.keys:  # a key added since this process last looked
            ring = load_keyring(refresh=True)
    try:
        cipher = ring.cipher(parsed.key_id)
    except KeyRingError as exc:
        raise DecryptionError(f"{context}: {exc}") from exc
    try:
        plain = cipher.decrypt(parsed.nonce, parsed.ciphertext, _associated_data(parsed.key_id, context))
    except InvalidTag:
        raise DecryptionError(
            f"{context}: authentication failed (value altered, or it belongs to another column)"
        ) from None
    return plain.decode("utf-8")
