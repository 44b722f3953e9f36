"""Indexes on the dates the dashboard counts by month, and on the worklist order (issue 13).

Referrals by force and received date; arrests, children safeguarded, diversions (signed
cautions), charges and breaches by their dates. Without them each monthly series read its whole
table. And `case_worklist_order`: within a force, the priority band's rank, the action deadline
(none last) and the id, the expressions `models.BAND_RANK` and `models.DEADLINE_KEY` by which
`queries` reads a worklist page. Indexes only: no data changes.
"""

import datetime

from django.db import migrations, models
from django.db.models.functions import Coalesce


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_vocabulary_constraints"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["force", "received_on"], name="case_force_received"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                models.F("force"),
                models.Case(
                    models.When(priority_band="very_high", then=models.Value(0)),
                    models.When(priority_band="high", then=models.Value(1)),
                    models.When(priority_band="medium", then=models.Value(2)),
                    models.When(priority_band="low", then=models.Value(3)),
                    default=models.Value(4),
                    output_field=models.IntegerField(),
                ),
                Coalesce(
                    "action_deadline",
                    models.Value(datetime.date(9999, 12, 31)),
                    output_field=models.DateField(),
                ),
                models.F("id"),
                name="case_worklist_order",
            ),
        ),
        migrations.AddIndex(
            model_name="enforcement",
            index=models.Index(fields=["arrested_on"], name="enforcement_arrested_on"),
        ),
        migrations.AddIndex(
            model_name="safeguarding",
            index=models.Index(fields=["safeguarded_on"], name="safeguarding_safeguarded_on"),
        ),
        migrations.AddIndex(
            model_name="conditionalcaution",
            index=models.Index(fields=["signed_on"], name="caution_signed_on"),
        ),
        migrations.AddIndex(
            model_name="prosecution",
            index=models.Index(fields=["charged_on"], name="prosecution_charged_on"),
        ),
        migrations.AddIndex(
            model_name="breach",
            index=models.Index(fields=["occurred_on"], name="breach_occurred_on"),
        ),
    ]
