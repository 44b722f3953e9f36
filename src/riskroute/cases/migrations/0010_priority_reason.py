"""The reason for each case's priority band, kept on the case for worklists (`Case.priority_reason`).

Cases prioritised before this migration get their reason from the tree as it is now, but only
where that tree still gives the band stored on the case: a reason must explain the band shown
beside it, so a case whose band the current tree would change keeps a blank reason until it is
next prioritised. Facts the current model refuses are left alone the same way.
"""

from typing import Any

from django.db import migrations
from pydantic import ValidationError

import riskroute.crypto.fields
from riskroute.core.facts import CaseFacts
from riskroute.core.instruments import priority

BATCH = 500


def backfill_priority_reason(apps: Any, schema_editor: Any) -> None:
    case_model = apps.get_model("cases", "Case")
    reasons = []  # (pk, reason) only; written after the read, not into the table being read
    for case in case_model.objects.exclude(priority_band="").only("facts", "priority_band").iterator(BATCH):
        try:
            result = priority(CaseFacts.model_validate(case.facts or {}))
        except ValidationError:
            continue
        if result["band"] == case.priority_band:
            reasons.append(case_model(pk=case.pk, priority_reason=result["reason"]["text"]))
    case_model.objects.bulk_update(reasons, ["priority_reason"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_referral_intake"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="priority_reason",
            field=riskroute.crypto.fields.EncryptedTextField(blank=True, default=""),
        ),
        migrations.RunPython(backfill_priority_reason, migrations.RunPython.noop),
    ]
