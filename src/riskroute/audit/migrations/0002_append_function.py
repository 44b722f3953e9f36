"""PostgreSQL: the chain lock and the append as database functions, so the locked section is short.

`audit_lock_chain()` takes the transaction-scoped advisory lock that serialises writers to the
chain; the key is defined here only. `audit_append(...)` takes that lock, reads the last entry's
sequence and hash, hashes the new entry and inserts it, all in one statement: the caller sends
the entry's canonical bytes split around `prev_hash` and `sequence` (computed before the lock,
see `AuditEntry.hash_parts`) and the hash is SHA-256 over exactly the bytes that
`riskroute.audit.canonical.chain_hash` joins. `record()` recomputes the hash in Python from the
returned values before its transaction commits, so a function that hashed differently could not
store an entry. SQLite keeps the plain path (BEGIN IMMEDIATE, then read and insert): nothing here.
"""

from typing import Any

from django.db import migrations

# 0x52534155444954, "RSAUDIT": the advisory lock key naming the audit chain.
CREATE = [
    """
    CREATE FUNCTION audit_lock_chain() RETURNS void LANGUAGE sql AS $$
        SELECT pg_advisory_xact_lock(23172488158792020)
    $$
    """,
    """
    CREATE FUNCTION audit_append(
        before_prev bytea,
        before_sequence bytea,
        entry_created_at timestamptz,
        entry_actor_id bigint,
        entry_actor_username text,
        entry_actor_force text,
        entry_action text,
        entry_object_type text,
        entry_object_id text,
        entry_justification text,
        entry_recipient text,
        entry_details jsonb,
        OUT new_sequence bigint,
        OUT new_prev_hash text,
        OUT new_hash text
    ) LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM audit_lock_chain();
        SELECT e.sequence + 1, e.hash INTO new_sequence, new_prev_hash
            FROM audit_entry e ORDER BY e.sequence DESC LIMIT 1;
        IF NOT FOUND THEN
            new_sequence := 1;
            new_prev_hash := repeat('0', 64);
        END IF;
        new_hash := encode(
            sha256(
                before_prev || convert_to(new_prev_hash, 'UTF8') || before_sequence
                || convert_to(new_sequence::text || '}', 'UTF8')
            ),
            'hex'
        );
        INSERT INTO audit_entry (
            sequence, created_at, actor_id, actor_username, actor_force, action, object_type,
            object_id, justification, recipient, details, prev_hash, hash
        ) VALUES (
            new_sequence, entry_created_at, entry_actor_id, entry_actor_username, entry_actor_force,
            entry_action, entry_object_type, entry_object_id, entry_justification, entry_recipient,
            entry_details, new_prev_hash, new_hash
        );
    END
    $$
    """,
]
DROP = [
    "DROP FUNCTION audit_append(bytea, bytea, timestamptz, bigint, text, text, text, text, text, text, "
    "text, jsonb)",
    "DROP FUNCTION audit_lock_chain()",
]


def create_functions(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def drop_functions(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_functions, drop_functions)]
