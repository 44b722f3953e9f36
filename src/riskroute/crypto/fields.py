"""Model fields that hold personal data encrypted at rest (AES-GCM, see riskroute.crypto.aead).

Usage: `full_name = EncryptedTextField()`; `date_of_birth = EncryptedDateField()`;
`facts = EncryptedJSONField(default=dict)`. The column is a
text column holding `v1.<key id>.<nonce>.<ciphertext>`; the context bound into each ciphertext is
`<app_label>.<model_name>.<field name>`, so renaming a model or field needs a data migration that
re-seals the values (documented in docs/security.md).

Lookups other than `isnull` are refused: ciphertexts are randomised, so `filter(full_name=...)`
could never match and would fail silently. Search through a blind-index column instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from riskroute.crypto.aead import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text sealed on save and opened on load; None stays NULL."""

    description = "Text encrypted at rest with AES-GCM"

    @property
    def context(self) -> str:
        """The associated data naming this column: `<app_label>.<model_name>.<field>`."""
        return f"{self.model._meta.label_lower}.{self.name}"

    def to_text(self, value: Any) -> str:
        """The plaintext form of a Python value (subclasses store other types as text)."""
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> Any:
        return self.open(value)

    def open(self, token: str | None) -> Any:
        """The value a stored token seals (None for NULL): what loading does, for a token read
        as plain text so that it is opened only if it is shown (`queries` reads the row after a
        list's page this way, to know that one follows)."""
        if token is None:
            return None
        return self.from_text(decrypt_text(token, self.context))

    def get_prep_value(self, value: Any) -> Any:
        return value  # sealing happens in get_db_prep_value, where the column context is known

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if value is None:
            return None
        return encrypt_text(self.to_text(value), self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, name: str) -> Any:
        return None


class EncryptedDateField(EncryptedTextField):
    """A date sealed as its ISO text (`YYYY-MM-DD`); loads as `datetime.date`."""

    description = "Date encrypted at rest with AES-GCM"

    def to_python(self, value: Any) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))

    def to_text(self, value: Any) -> str:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return dt.date.fromisoformat(str(value)).isoformat()

    def from_text(self, text: str) -> dt.date:
        return dt.date.fromisoformat(text)


class EncryptedJSONField(EncryptedTextField):
    """A JSON object or list sealed as its compact JSON text; loads as the Python value.

    For structured facts about a person (a case's facts, the snapshot an assessment keeps):
    nothing in them can be queried in the database, as with every encrypted field.
    """

    description = "JSON encrypted at rest with AES-GCM"
    # What django-stubs reads as the types set on and got from the model attribute.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def to_python(self, value: Any) -> Any:
        return orjson.loads(value) if isinstance(value, str | bytes) else value

    def to_text(self, value: Any) -> str:
        if isinstance(value, str):  # JSON text already (a plaintext column being sealed)
            orjson.loads(value)  # refuse anything that is not JSON rather than seal it
            return value
        return orjson.dumps(value).decode()

    def from_text(self, text: str) -> Any:
        return orjson.loads(text)

    def value_to_string(self, obj: models.Model) -> str:
        return self.to_text(self.value_from_object(obj))
