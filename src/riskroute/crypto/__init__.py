"""Field encryption at rest: an AES-GCM key ring with key ids, encrypted model fields, blind indexes.

Public API (stable; see docs/security.md):
- `riskroute.crypto.fields.EncryptedTextField` and `EncryptedDateField`: model fields that encrypt
  on save and decrypt on load; only `isnull` lookups are allowed on them;
- `riskroute.crypto.blind_index(value, purpose)`: an HMAC-SHA256 of the normalised value, stored in
  a separate indexed column for exact-match search;
- `riskroute.crypto.encrypt_text` / `decrypt_text`: the same sealing for code outside a model field;
- `DecryptionError`: raised, with the column and key id, when a value cannot be opened;
- `riskroute.crypto.rotation.seal_plaintext(model)`: for the data migration that encrypts an
  existing plaintext column after it becomes an encrypted field.

Keys live in a JSON file outside the database (`settings.FIELD_KEYRING_FILE`), never in it.
"""

from __future__ import annotations

from riskroute.crypto.aead import DecryptionError, decrypt_text, encrypt_text
from riskroute.crypto.blind import blind_index, normalise

__all__ = ["DecryptionError", "blind_index", "decrypt_text", "encrypt_text", "normalise"]
