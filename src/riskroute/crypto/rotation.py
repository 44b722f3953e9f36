"""Key rotation without downtime: re-seal every encrypted column under the active key, in batches.

`reencrypt_all()` finds every model with encrypted fields through the app registry, walks each
table by primary key in batches, and rewrites only values sealed under an older key. Each batch
is one short transaction and each rewrite is a compare-and-set (`... WHERE pk = %s AND col = old`):
a row the service changed meanwhile was re-sealed by the service itself, so nothing is lost and no
lock is held for long. Old keys stay in the ring (readable) until `retire_key`, which
`riskroute keys retire` allows only once `key_usage` shows no value left under that key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from riskroute.crypto.aead import decrypt_text, encrypt_text, key_id_of
from riskroute.crypto.fields import EncryptedTextField
from riskroute.crypto.keyring import load_keyring

DEFAULT_BATCH = 500


@dataclass(frozen=True)
class EncryptedColumns:
    """One model's table and its encrypted columns."""

    model: type[models.Model]
    fields: tuple[EncryptedTextField, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def encrypted_models() -> list[EncryptedColumns]:
    """Every installed model with at least one encrypted field, in a stable order."""
    found = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        fields = tuple(f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField))
        if fields:
            found.append(EncryptedColumns(model, fields))
    return sorted(found, key=lambda item: item.label)


def _pk_column(model: type[models.Model]) -> str:
    pk = model._meta.pk
    if pk is None or pk.column is None:
        raise TypeError(f"{model._meta.label} has no primary-key column")
    return pk.column


def _batches(columns: EncryptedColumns, batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
    """Raw rows (pk, stored values...) in primary-key order; raw, because the ORM would decrypt."""
    meta = columns.model._meta
    quote = connection.ops.quote_name
    pk = quote(_pk_column(columns.model))
    cols = ", ".join(quote(str(f.column)) for f in columns.fields)
    head = f"SELECT {pk}, {cols} FROM {quote(meta.db_table)}"
    first, following = f"{head} ORDER BY {pk} LIMIT %s", f"{head} WHERE {pk} > %s ORDER BY {pk} LIMIT %s"
    last: Any = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(first, [batch_size])
            else:
                cursor.execute(following, [last, batch_size])
            rows = [tuple(row) for row in cursor.fetchall()]
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def key_usage() -> dict[str, dict[str, int]]:
    """For each `<model>.<field>`, how many stored values each key id seals (NULLs not counted)."""
    usage: dict[str, dict[str, int]] = {}
    for columns in encrypted_models():
        counts = [dict[str, int]() for _ in columns.fields]
        for batch in _batches(columns, DEFAULT_BATCH):
            for row in batch:
                for index, value in enumerate(row[1:]):
                    if value is not None:
                        key_id = key_id_of(str(value)) or "not-encrypted"
                        counts[index][key_id] = counts[index].get(key_id, 0) + 1
        for field, count in zip(columns.fields, counts, strict=True):
            usage[f"{columns.label}.{field.name}"] = dict(sorted(count.items()))
    return usage


def reencrypt_all(
    batch_size: int = DEFAULT_BATCH, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Re-seal every value not under the active key; returns the number rewritten per column."""
    rewritten: dict[str, int] = {}
    quote = connection.ops.quote_name
    for columns in encrypted_models():
        meta = columns.model._meta
        pk = quote(_pk_column(columns.model))
        for field in columns.fields:
            rewritten[f"{columns.label}.{field.name}"] = 0
        for batch in _batches(columns, batch_size):
            active = load_keyring().active  # a second rotation mid-run moves the target forward
            with transaction.atomic(), connection.cursor() as cursor:
                for row in batch:
                    for field_index, field in enumerate(columns.fields):
                        stored = row[1 + field_index]
                        if stored is None or key_id_of(str(stored)) == active:
                            continue
                        fresh = encrypt_text(decrypt_text(str(stored), field.context), field.context)
                        col = quote(str(field.column))
                        cursor.execute(
                            f"UPDATE {quote(meta.db_table)} SET {col} = %s WHERE {pk} = %s AND {col} = %s",
                            [fresh, row[0], stored],
                        )
                        rewritten[f"{columns.label}.{field.name}"] += cursor.rowcount
            if progress is not None:
                progress(columns.label, len(batch))
    return rewritten


def seal_plaintext(model: type[models.Model], batch_size: int = DEFAULT_BATCH) -> dict[str, int]:
    """Encrypt values still held as plaintext in a model's encrypted columns; returns counts per column.

    For the data migration that follows turning an existing column into an encrypted field: pass
    the historical model (`apps.get_model("cases", "Subject")`) from a `RunPython` step. Values
    already in the `v1.` form are left alone, so the step can be re-run safely.
    """
    fields = tuple(f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField))
    columns = EncryptedColumns(model, fields)
    quote = connection.ops.quote_name
    pk = quote(_pk_column(model))
    sealed = {f"{columns.label}.{field.name}": 0 for field in fields}
    for batch in _batches(columns, batch_size):
        with transaction.atomic(), connection.cursor() as cursor:
            for row in batch:
                for field_index, field in enumerate(fields):
                    stored = row[1 + field_index]
                    if stored is None or key_id_of(str(stored)) is not None:
                        continue
                    col = quote(str(field.column))
                    cursor.execute(
                        f"UPDATE {quote(model._meta.db_table)} SET {col} = %s WHERE {pk} = %s AND {col} = %s",
                        [encrypt_text(field.to_text(stored), field.context), row[0], stored],
                    )
                    sealed[f"{columns.label}.{field.name}"] += cursor.rowcount
    return sealed
