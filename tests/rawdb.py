"""Raw SQL that goes around the ORM, and the audit log's append-only triggers switched off.

Tampering is done the way an attacker with database access would do it: raw SQL on the tables,
after switching the triggers off. Inside a test transaction the switch is rolled back afterwards.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from riskroute.audit.models import AuditEntry

AUDIT_TABLES = ("audit_entry", "audit_checkpoint")
#: Moves a row out of the way while sequence numbers are swapped (UNIQUE is checked per row).
FAR = 10**12


def execute(sql: str, params: list[Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return int(cursor.rowcount)


def rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return [tuple(row) for row in cursor.fetchall()]


def disable_audit_triggers() -> None:
    """What an attacker with owner rights does first; call only inside a test transaction."""
    for table in AUDIT_TABLES:
        if connection.vendor == "postgresql":
            execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            execute(f"DROP TRIGGER {table}_no_update")
            execute(f"DROP TRIGGER {table}_no_delete")


def rehash_in_place(sequence: int, **changes: Any) -> str:
    """Edit an entry and store a hash recomputed to match, as a forger who knows the recipe would."""
    entry = AuditEntry.objects.get(sequence=sequence)
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.hash = entry.compute_hash()
    sets = ", ".join(f"{name} = %s" for name in [*changes, "hash"])
    execute(f"UPDATE audit_entry SET {sets} WHERE sequence = %s", [*changes.values(), entry.hash, sequence])
    return entry.hash
