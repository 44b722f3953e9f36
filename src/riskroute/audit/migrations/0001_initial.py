"""The audit tables, created here with their append-only triggers on SQLite and PostgreSQL.

The models are unmanaged (see riskroute.audit.models), so the CreateModel operations only record
state; `create_tables` builds each table from that state with the schema editor (so the column
types are the vendor's own) and then adds the triggers that refuse UPDATE and DELETE.
"""

from typing import Any

from django.db import migrations, models

ACTIONS = [
    ("collection", "Collection"),
    ("alteration", "Alteration"),
    ("consultation", "Consultation"),
    ("disclosure", "Disclosure (including transfers)"),
    ("combination", "Combination"),
    ("erasure", "Erasure"),
    ("login", "Signed in"),
    ("logout", "Signed out"),
    ("login_failed", "Failed sign-in"),
    ("share_granted", "Cross-force share granted"),
    ("share_revoked", "Cross-force share revoked"),
    ("key_rotated", "Field-encryption key rotated"),
]
TABLES = ("audit_entry", "audit_checkpoint")

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, 'audit records are append-only: {op} refused on {table}'); END"
    for table in TABLES
    for op in ("UPDATE", "DELETE")
]
POSTGRESQL_TRIGGERS = [
    """
    CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit records are append-only: % refused on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        for table in TABLES
    ),
    # TRUNCATE fires no row trigger. Django's flush never truncates these (unmanaged) tables.
    *(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
        for table in TABLES
    ),
]


def create_tables(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"the audit log supports SQLite and PostgreSQL, not {vendor}")
    for name in ("AuditEntry", "AuditCheckpoint"):
        schema_editor.create_model(apps.get_model("audit", name))
    for statement in SQLITE_TRIGGERS if vendor == "sqlite" else POSTGRESQL_TRIGGERS:
        schema_editor.execute(statement, params=None)  # no placeholders: plpgsql uses % itself


def drop_tables(apps: Any, schema_editor: Any) -> None:
    for name in ("AuditCheckpoint", "AuditEntry"):
        schema_editor.delete_model(apps.get_model("audit", name))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION audit_refuse_change()")


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("sequence", models.BigIntegerField(primary_key=True, serialize=False)),
                ("chain_hash", models.CharField(max_length=64)),
                ("key_id", models.CharField(max_length=32)),
                ("signature", models.CharField(max_length=100)),
                ("created_at", models.DateTimeField()),
            ],
            options={"db_table": "audit_checkpoint", "ordering": ["sequence"], "managed": False},
        ),
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("sequence", models.BigIntegerField(primary_key=True, serialize=False)),
                ("created_at", models.DateTimeField()),
                ("actor_id", models.BigIntegerField(blank=True, null=True)),
                ("actor_username", models.CharField(max_length=150)),
                ("actor_force", models.CharField(blank=True, max_length=32)),
                ("action", models.CharField(choices=ACTIONS, max_length=32)),
                ("object_type", models.CharField(max_length=64)),
                ("object_id", models.CharField(max_length=64)),
                ("justification", models.TextField(blank=True)),
                ("recipient", models.CharField(blank=True, max_length=200)),
                ("details", models.JSONField(default=dict)),
                ("prev_hash", models.CharField(max_length=64, unique=True)),
                ("hash", models.CharField(max_length=64, unique=True)),
            ],
            options={
                "db_table": "audit_entry",
                "ordering": ["sequence"],
                "managed": False,
                "indexes": [models.Index(fields=["object_type", "object_id"], name="audit_entry_object")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(sequence__gte=1), name="audit_entry_sequence_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(action__in=[value for value, _ in ACTIONS]),
                        name="audit_entry_action_closed",
                    ),
                    models.CheckConstraint(
                        condition=~models.Q(action__in=["consultation", "disclosure"])
                        | ~models.Q(justification=""),
                        name="audit_entry_justified",
                    ),
                    models.CheckConstraint(
                        condition=~models.Q(action__in=["disclosure"]) | ~models.Q(recipient=""),
                        name="audit_entry_recipient",
                    ),
                ],
            },
        ),
        migrations.RunPython(create_tables, drop_tables),
    ]
