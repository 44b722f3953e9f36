"""Safeguarding derived from the record, and the records an ended notification needs.

New columns: the position-of-trust steps of the safeguarding record (LADO, employer or regulator,
DBS; the employer's name encrypted), and `ended_on` on notification records and MAPPA (an
acquittal after a breach ends them, CJA 2003 s.24). The data step re-derives every existing
case's `process.safeguarding_checks_complete` from its record, so a "yes" typed by hand before
this release no longer stands; reversing it leaves the derived values in place.

Numbered 0006 on its branch (after 0004); renumber at merge if another 0005 lands first.
"""

from typing import Any

from django.db import migrations, models

import riskroute.crypto.fields
from riskroute.cases.safeguarding import derived_fact


def derive_existing(apps: Any, schema_editor: Any) -> None:
    case_model = apps.get_model("cases", "Case")
    records = {r.case_id: r for r in apps.get_model("cases", "Safeguarding").objects.all()}
    for case in case_model.objects.all():
        facts = derived_fact(case.facts or {}, records.get(case.pk))
        if facts != case.facts:
            case_model.objects.filter(pk=case.pk).update(facts=facts)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_security_hardening"),
    ]

    operations = [
        migrations.AddField(
            model_name="mappa",
            name="ended_on",
            field=models.DateField(
                blank=True, help_text="Set when the notification it rests on ends.", null=True
            ),
        ),
        migrations.AddField(
            model_name="notificationrecord",
            name="ended_on",
            field=models.DateField(
                blank=True,
                help_text="Set when the disposal it rests on falls away (acquittal after s.24).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="notificationrecord",
            name="ended_reason",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="safeguarding",
            name="dbs_considered_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="safeguarding",
            name="dbs_decision",
            field=models.CharField(
                blank=True,
                choices=[
                    ("referred", "Referred to the DBS"),
                    ("not_referred", "Considered; no referral to the DBS"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="safeguarding",
            name="employer_notified_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="safeguarding",
            name="employer_or_regulator",
            field=riskroute.crypto.fields.EncryptedTextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="safeguarding",
            name="lado_referred_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="safeguarding",
            name="position_of_trust_known_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(derive_existing, migrations.RunPython.noop),
    ]
