"""Indexes on the dates the dashboard counts by month (issue 13, item 4).

Referrals by force and received date; arrests, children safeguarded, diversions (signed
cautions), charges and breaches by their dates. Without them each monthly series read its whole
table. Indexes only: no data changes.
"""

from django.db import migrations, models


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
