"""Encrypt the last free-text columns of the case models: court, programme name, history lines.

An adversarial test found `Prosecution.court`, `ConditionalCaution.programme_name` and
`CaseEvent.summary` ("Court outcome: acquitted") stored as plain text. The schema steps make them
encrypted text columns; the data step seals every value still held as plaintext (`seal_plaintext`
leaves `v1.` values alone, so it can be re-run). Reversing leaves the values sealed, as in 0002
and 0004: personal data is never decrypted back into plaintext columns silently.
"""

from typing import Any

from django.db import migrations

import riskroute.crypto.fields
from riskroute.crypto.rotation import seal_plaintext

SEALED_MODELS = ("CaseEvent", "ConditionalCaution", "Prosecution")


def seal_existing(apps: Any, schema_editor: Any) -> None:
    for name in SEALED_MODELS:
        seal_plaintext(apps.get_model("cases", name))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_encrypt_structured_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseevent",
            name="summary",
            field=riskroute.crypto.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="conditionalcaution",
            name="programme_name",
            field=riskroute.crypto.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="prosecution",
            name="court",
            field=riskroute.crypto.fields.EncryptedTextField(blank=True),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]
