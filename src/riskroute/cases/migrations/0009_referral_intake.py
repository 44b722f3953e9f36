"""Bulk referral intake: the referrals a case received, uploads awaiting confirmation, and the
blind index of each subject's name with date of birth that finds a person referred again.

`Subject.identity_index` is backfilled for every subject whose name and date of birth are still
held (erased subjects keep a blank index), with the same helper the model uses on save.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import riskroute.crypto.fields
from riskroute.crypto import blind_index

#: As `Subject.IDENTITY_INDEX_PURPOSE`; a migration cannot import the live model's constant safely.
IDENTITY_INDEX_PURPOSE = "cases.subject.identity"


def backfill_identity_index(apps: Any, schema_editor: Any) -> None:
    subject_model = apps.get_model("cases", "Subject")
    for subject in subject_model.objects.exclude(full_name__isnull=True).iterator():
        if subject.full_name and subject.date_of_birth:
            value = f"{subject.full_name}|{subject.date_of_birth.isoformat()}"
            subject.identity_index = blind_index(value, IDENTITY_INDEX_PURPOSE)
            subject.save(update_fields=["identity_index"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_sealed_totp_authenticator"),
        ("cases", "0008_date_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="subject",
            name="identity_index",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.RunPython(backfill_identity_index, migrations.RunPython.noop),
        migrations.CreateModel(
            name="PendingImport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", riskroute.crypto.fields.EncryptedTextField()),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Referral",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("nca_ceop", "NCA / CEOP dissemination"),
                            ("industry", "Industry report"),
                            ("local_intelligence", "Local intelligence"),
                        ],
                        max_length=32,
                    ),
                ),
                ("external_reference", models.CharField(max_length=100)),
                ("received_on", models.DateField()),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="referrals", to="cases.case"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "force",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.force"
                    ),
                ),
            ],
            options={
                "ordering": ["received_on", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("force", "source", "external_reference"),
                        name="referral_unique_per_force_source",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("source__in", ["nca_ceop", "industry", "local_intelligence"])),
                        name="referral_source_in_vocabulary",
                    ),
                ],
            },
        ),
    ]
