"""Encrypt the subject's personal data and every free-text note at rest; add cross-force shares.

The schema steps turn the columns into encrypted fields (text columns); the data steps then seal
any value still held as plaintext and fill the subject-name blind index. Both data steps skip
what is already done, so the migration can be re-run safely (`seal_plaintext` leaves `v1.` values
alone). Reversing leaves the values sealed: decrypting personal data back into plaintext columns
is never something a migration should do silently.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import riskroute.crypto.fields
from riskroute.crypto import blind_index
from riskroute.crypto.rotation import seal_plaintext

#: Models whose columns this migration makes encrypted.
SEALED_MODELS = (
    "Subject",
    "Case",
    "DisposalProposal",
    "ConditionalCaution",
    "Attendance",
    "Breach",
    "Closure",
)
NAME_INDEX_PURPOSE = "cases.subject.full_name"  # as Subject.NAME_INDEX_PURPOSE


def seal_existing(apps: Any, schema_editor: Any) -> None:
    for name in SEALED_MODELS:
        seal_plaintext(apps.get_model("cases", name))


def index_names(apps: Any, schema_editor: Any) -> None:
    subject_model = apps.get_model("cases", "Subject")
    for subject in subject_model.objects.filter(name_index="").exclude(full_name__isnull=True).iterator():
        subject.name_index = blind_index(subject.full_name, NAME_INDEX_PURPOSE)
        subject.save(update_fields=["name_index"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="personal_data_erased_on",
            field=models.DateField(
                blank=True,
                help_text="Set by the erasure service; the audit log holds the tombstone.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="subject",
            name="name_index",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="attendance",
            name="note",
            field=riskroute.crypto.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="breach",
            name="description",
            field=riskroute.crypto.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="breach",
            name="excuse_details",
            field=riskroute.crypto.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="case",
            name="summary",
            field=riskroute.crypto.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="closure",
            name="reason",
            field=riskroute.crypto.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="conditionalcaution",
            name="exceptional_window_reason",
            field=riskroute.crypto.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="conditionalcaution",
            name="other_conditions",
            field=riskroute.crypto.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="disposalproposal",
            name="decision_reason",
            field=riskroute.crypto.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="disposalproposal",
            name="departure_reason",
            field=riskroute.crypto.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="disposalproposal",
            name="exceptional_circumstances",
            field=riskroute.crypto.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="disposalproposal",
            name="reason",
            field=riskroute.crypto.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="subject",
            name="address",
            field=riskroute.crypto.fields.EncryptedTextField(null=True),
        ),
        migrations.AlterField(
            model_name="subject",
            name="date_of_birth",
            field=riskroute.crypto.fields.EncryptedDateField(null=True),
        ),
        migrations.AlterField(
            model_name="subject",
            name="full_name",
            field=riskroute.crypto.fields.EncryptedTextField(null=True),
        ),
        migrations.CreateModel(
            name="CaseShare",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("granted_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                ("reason", riskroute.crypto.fields.EncryptedTextField()),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="shares", to="cases.case"
                    ),
                ),
                (
                    "granted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "recipient_force",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="shared_cases",
                        to="accounts.force",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-granted_at", "-id"],
                "indexes": [
                    models.Index(fields=["recipient_force", "expires_at"], name="share_force_expiry")
                ],
            },
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RunPython(index_names, migrations.RunPython.noop),
    ]
