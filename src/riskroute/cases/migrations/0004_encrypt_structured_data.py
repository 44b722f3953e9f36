"""Encrypt every structured column of the case models at rest.

A case's facts and suspected activities, the facts and outputs an assessment keeps, the
priority, notification and MAPPA outputs, the caution checks, the sentencing guideline, review
dates and the case history all say things about one person. 0002 sealed the identity and free
text; this seals the rest, so no JSON column of a case model is plaintext.

The schema steps turn the JSON columns into encrypted fields (text columns holding the JSON as it
was); the data step then seals every value still held as plaintext. `seal_plaintext` leaves `v1.`
values alone, so the step can be re-run safely. Reversing leaves the values sealed, as in 0002:
decrypting personal data back into plaintext columns is never done silently.
"""

from typing import Any

from django.db import migrations

import riskroute.crypto.fields
from riskroute.crypto.rotation import seal_plaintext

#: Models whose columns this migration makes encrypted.
SEALED_MODELS = (
    "Assessment",
    "Case",
    "CaseEvent",
    "Closure",
    "ConditionalCaution",
    "Mappa",
    "NotificationRecord",
    "PriorityRecord",
    "Prosecution",
)


def seal_existing(apps: Any, schema_editor: Any) -> None:
    for name in SEALED_MODELS:
        seal_plaintext(apps.get_model("cases", name))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_record_reviews"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="facts",
            field=riskroute.crypto.fields.EncryptedJSONField(),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="instruments",
            field=riskroute.crypto.fields.EncryptedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="triage",
            field=riskroute.crypto.fields.EncryptedJSONField(),
        ),
        migrations.AlterField(
            model_name="case",
            name="facts",
            field=riskroute.crypto.fields.EncryptedJSONField(
                default=dict, help_text="A riskroute.core.facts.CaseFacts document."
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="suspected_activities",
            field=riskroute.crypto.fields.EncryptedJSONField(default=list),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="data",
            field=riskroute.crypto.fields.EncryptedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name="closure",
            name="review_dates",
            field=riskroute.crypto.fields.EncryptedJSONField(default=list),
        ),
        migrations.AlterField(
            model_name="conditionalcaution",
            name="checks",
            field=riskroute.crypto.fields.EncryptedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name="mappa",
            name="output",
            field=riskroute.crypto.fields.EncryptedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name="notificationrecord",
            name="output",
            field=riskroute.crypto.fields.EncryptedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name="notificationrecord",
            name="renotification_dates",
            field=riskroute.crypto.fields.EncryptedJSONField(default=list),
        ),
        migrations.AlterField(
            model_name="priorityrecord",
            name="output",
            field=riskroute.crypto.fields.EncryptedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name="prosecution",
            name="sentencing_guideline",
            field=riskroute.crypto.fields.EncryptedJSONField(default=dict),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]
