"""TOTP secrets encrypted at rest: `TOTPAuthenticator` replaces django-otp's `TOTPDevice`.

The schema step creates the model (its `key` an encrypted text column); the data step moves every
`TOTPDevice` row into it, sealing the secret, and deletes the plaintext original, so enrolled
users keep their authenticator app. Sessions verified with an old device ask for a code again.
Reversing moves them back (the secret in plain hex again, as django-otp keeps it), on purpose only.
"""

from typing import Any

import django.db.models.deletion
import django_otp.plugins.otp_totp.models
from django.conf import settings
from django.db import migrations, models

import riskroute.crypto.fields

#: The fields both models share (besides the id), copied row by row.
SHARED = (
    "user_id",
    "name",
    "confirmed",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
    "key",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
)


def _move(source: Any, target: Any) -> None:
    for device in source.objects.all().iterator():
        target.objects.create(**{name: getattr(device, name) for name in SHARED})
    source.objects.all().delete()


def seal_devices(apps: Any, schema_editor: Any) -> None:
    _move(apps.get_model("otp_totp", "TOTPDevice"), apps.get_model("accounts", "TOTPAuthenticator"))


def unseal_devices(apps: Any, schema_editor: Any) -> None:
    _move(apps.get_model("accounts", "TOTPAuthenticator"), apps.get_model("otp_totp", "TOTPDevice"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="TOTPAuthenticator",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(help_text="The human-readable name of this device.", max_length=64),
                ),
                ("confirmed", models.BooleanField(default=True, help_text="Is this device ready for use?")),
                (
                    "throttling_failure_timestamp",
                    models.DateTimeField(
                        blank=True,
                        default=None,
                        help_text="A timestamp of the last failed verification attempt. Null if last attempt succeeded.",
                        null=True,
                    ),
                ),
                (
                    "throttling_failure_count",
                    models.PositiveIntegerField(default=0, help_text="Number of successive failed attempts."),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        auto_now_add=True,
                        help_text="The date and time when this device was initially created in the system.",
                        null=True,
                    ),
                ),
                (
                    "last_used_at",
                    models.DateTimeField(
                        blank=True, help_text="The most recent date and time this device was used.", null=True
                    ),
                ),
                (
                    "key",
                    riskroute.crypto.fields.EncryptedTextField(
                        default=django_otp.plugins.otp_totp.models.default_key,
                        help_text="The hex secret (20 random bytes), sealed.",
                    ),
                ),
                ("step", models.PositiveSmallIntegerField(default=30)),
                ("t0", models.BigIntegerField(default=0)),
                ("digits", models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                ("tolerance", models.PositiveSmallIntegerField(default=1)),
                ("drift", models.SmallIntegerField(default=0)),
                ("last_t", models.BigIntegerField(default=-1)),
                (
                    "user",
                    models.ForeignKey(
                        help_text="The user that this device belongs to.",
                        on_delete=django.db.models.deletion.CASCADE,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "TOTP authenticator",
                "abstract": False,
            },
        ),
        migrations.RunPython(seal_devices, unseal_devices),
    ]
