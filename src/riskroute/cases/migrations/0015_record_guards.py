"""Records that only exist beside another: the database refuses them without it.

- a disposal proposal rests on an assessment of the same case;
- a programme session (attendance) and a breach are recorded against the case's caution;
- a notification record follows a caution or a prosecution (a sentence).

The services already write them only so (`propose_disposal`, `record_attendance`, `record_breach`,
`support.notify`). The triggers make it hold for every write, on SQLite and PostgreSQL, so the
case page can read each of these sets only when its record is there
(`presenters.case_page_context`) without hiding one that a write by hand or a future path made.
A refused write is an `IntegrityError`. The rows already held are checked first: the migration
stops, naming the table, if one breaks its rule.

On SQLite, a later migration that remakes one of these tables drops its trigger with the old
table: `tests/cases/ui/test_case_page_reads.py` fails if that happens, and such a migration
must create it again (`create_guards`).
"""

from typing import Any

from django.db import migrations

#: table -> (the condition each new row must meet, what the refusal says: no quotes in it)
GUARDS = {
    "cases_disposalproposal": (
        "EXISTS (SELECT 1 FROM cases_assessment a WHERE a.id = NEW.assessment_id AND a.case_id = NEW.case_id)",
        "a disposal proposal rests on an assessment of its own case",
    ),
    "cases_attendance": (
        "EXISTS (SELECT 1 FROM cases_conditionalcaution c WHERE c.case_id = NEW.case_id)",
        "a programme session is recorded against a caution of its case",
    ),
    "cases_breach": (
        "EXISTS (SELECT 1 FROM cases_conditionalcaution c WHERE c.case_id = NEW.case_id)",
        "a breach is recorded against a caution of its case",
    ),
    "cases_notificationrecord": (
        "(EXISTS (SELECT 1 FROM cases_conditionalcaution c WHERE c.case_id = NEW.case_id) "
        "OR EXISTS (SELECT 1 FROM cases_prosecution p WHERE p.case_id = NEW.case_id))",
        "a notification record follows a caution or a prosecution",
    ),
}
#: The columns whose change is checked again (the proposal's assessment, every table's case).
_COLUMNS = {"cases_disposalproposal": "case_id, assessment_id"}


def _name(table: str) -> str:
    return f"{table}_guard"


def _postgresql(table: str, condition: str, message: str) -> list[str]:
    columns = _COLUMNS.get(table, "case_id")
    return [
        f"""
        CREATE FUNCTION {_name(table)}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT {condition} THEN
                RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END
        $$
        """,
        f"CREATE TRIGGER {_name(table)} BEFORE INSERT OR UPDATE OF {columns} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {_name(table)}()",
    ]


def _sqlite(table: str, condition: str, message: str) -> list[str]:
    columns = _COLUMNS.get(table, "case_id")
    body = f"WHEN NOT {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"
    return [
        f"CREATE TRIGGER {_name(table)}_insert BEFORE INSERT ON {table} {body}",
        f"CREATE TRIGGER {_name(table)}_update BEFORE UPDATE OF {columns} ON {table} {body}",
    ]


def create_guards(apps: Any, schema_editor: Any) -> None:
    """Check the rows held, then refuse any new row that breaks its rule."""
    vendor = schema_editor.connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"the record guards support SQLite and PostgreSQL, not {vendor}")
    make = _sqlite if vendor == "sqlite" else _postgresql
    with schema_editor.connection.cursor() as cursor:
        for table, (condition, message) in GUARDS.items():
            held = condition.replace("NEW.", f"{table}.")
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE NOT {held}")
            (broken,) = cursor.fetchone()
            if broken:
                raise RuntimeError(f"{broken} rows of {table} break the rule that {message}; mend them first")
    for table, (condition, message) in GUARDS.items():
        for statement in make(table, condition, message):
            schema_editor.execute(statement, params=None)  # no placeholders: the SQL is all literal


def drop_guards(apps: Any, schema_editor: Any) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    for table in GUARDS:
        if postgresql:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(table)} ON {table}", params=None)
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {_name(table)}()", params=None)
        else:
            for suffix in ("_insert", "_update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(table)}{suffix}", params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_case_event_order")]

    operations = [migrations.RunPython(create_guards, drop_guards)]
