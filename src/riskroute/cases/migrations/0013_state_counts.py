"""The dashboard's cases by state, kept by the database (`cases.StateCount`).

Triggers on `cases_case` move a count in the statement that inserts a case, deletes one, or
changes its state or force, on SQLite and PostgreSQL alike, so no write path (the service, a bulk
load, `QuerySet.update()`, SQL by hand) can leave the counts behind. A change of state updates
the two counts in the order of their keys (force, then state), so two cases crossing between
the same two states never lock the two rows the opposite way round. The cases already held are
counted here.

On SQLite, a later migration that remakes `cases_case` (an altered column) drops its triggers
with the old table: `tests/cases/queries/test_state_counts.py` fails if that happens, and such a
migration must create them again (`create_triggers`).
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

#: One more case in a state: the count is created at need.
_ADD = (
    "INSERT INTO cases_statecount (force_id, state, count) VALUES ({row}.force_id, {row}.state, 1) "
    "ON CONFLICT (force_id, state) DO UPDATE SET count = cases_statecount.count + 1"
)
#: One fewer: the count exists, made when the case was added (or counted here). An update, never
#: an insert, so emptying the tables (SQLite's flush deletes row by row, in no set order) leaves
#: no count behind and no count pointing at a force already deleted.
_TAKE = (
    "UPDATE cases_statecount SET count = count - 1 WHERE force_id = {row}.force_id AND state = {row}.state"
)

POSTGRESQL = [
    f"""
    CREATE FUNCTION cases_state_count_move() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {_ADD.format(row="NEW")};
        ELSIF TG_OP = 'DELETE' THEN
            {_TAKE.format(row="OLD")};
        ELSIF (OLD.force_id, OLD.state) < (NEW.force_id, NEW.state) THEN
            {_TAKE.format(row="OLD")};
            {_ADD.format(row="NEW")};
        ELSE
            {_ADD.format(row="NEW")};
            {_TAKE.format(row="OLD")};
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER cases_state_count_insert AFTER INSERT ON cases_case "
    "FOR EACH ROW EXECUTE FUNCTION cases_state_count_move()",
    "CREATE TRIGGER cases_state_count_delete AFTER DELETE ON cases_case "
    "FOR EACH ROW EXECUTE FUNCTION cases_state_count_move()",
    "CREATE TRIGGER cases_state_count_update AFTER UPDATE OF state, force_id ON cases_case "
    "FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.force_id IS DISTINCT FROM NEW.force_id) "
    "EXECUTE FUNCTION cases_state_count_move()",
]

SQLITE = [
    f"CREATE TRIGGER cases_state_count_insert AFTER INSERT ON cases_case BEGIN {_ADD.format(row='NEW')}; END",
    f"CREATE TRIGGER cases_state_count_delete AFTER DELETE ON cases_case BEGIN {_TAKE.format(row='OLD')}; END",
    # SQLite takes one writer at a time: the order of the two rows cannot deadlock here.
    "CREATE TRIGGER cases_state_count_update AFTER UPDATE OF state, force_id ON cases_case "
    "WHEN OLD.state IS NOT NEW.state OR OLD.force_id IS NOT NEW.force_id BEGIN "
    f"{_TAKE.format(row='OLD')}; {_ADD.format(row='NEW')}; END",
]

TRIGGERS = ("cases_state_count_insert", "cases_state_count_delete", "cases_state_count_update")


def create_triggers(apps: Any, schema_editor: Any) -> None:
    """Count the cases held, then keep the counts with every write."""
    vendor = schema_editor.connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"the state counts support SQLite and PostgreSQL, not {vendor}")
    schema_editor.execute(
        "INSERT INTO cases_statecount (force_id, state, count) "
        "SELECT force_id, state, COUNT(*) FROM cases_case GROUP BY force_id, state",
        params=None,
    )
    for statement in SQLITE if vendor == "sqlite" else POSTGRESQL:
        schema_editor.execute(statement, params=None)  # no placeholders: the SQL is all literal


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    for name in TRIGGERS:
        on = " ON cases_case" if schema_editor.connection.vendor == "postgresql" else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{on}", params=None)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS cases_state_count_move()", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_sealed_totp_authenticator"),
        ("cases", "0012_case_assignee_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="StateCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("state", models.CharField(max_length=32)),
                ("count", models.BigIntegerField(default=0)),
                (
                    "force",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.force"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("force", "state"), name="state_count_unique")
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
