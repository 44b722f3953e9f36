"""The dashboard's monthly counts, kept with each write from now on (`cases.monthly_counts`).

The counts of the records already held are filled in here, by the same grouping the dashboard
did before (each measure's rows by force and month of their date), written out rather than
imported: a migration cannot use the live module safely.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

#: (measure, model, date, force, the field summed (None: one a row), filter), as written in 0011.
MEASURES: tuple[tuple[str, str, str, str, str | None, dict[str, Any]], ...] = (
    ("referrals", "Case", "received_on", "force_id", None, {}),
    ("arrests", "Enforcement", "arrested_on", "case__force_id", None, {}),
    ("children_safeguarded", "Safeguarding", "safeguarded_on", "case__force_id", "children_safeguarded", {}),
    ("diversions", "ConditionalCaution", "signed_on", "case__force_id", None, {}),
    ("charges", "Prosecution", "charged_on", "case__force_id", None, {}),
    ("breaches", "Breach", "occurred_on", "case__force_id", None, {"reasonable_excuse": False}),
)


def count_existing_records(apps: Any, schema_editor: Any) -> None:
    monthly_count = apps.get_model("cases", "MonthlyCount")
    made = []
    for measure, model_name, date, force, amount, only in MEASURES:
        grouped = (
            apps.get_model("cases", model_name)
            .objects.filter(**{f"{date}__isnull": False}, **only)
            .order_by()
            .annotate(counted_month=TruncMonth(date))
            .values(force, "counted_month")
            .annotate(total=Sum(amount) if amount else Count("pk"))
            .values_list(force, "counted_month", "total")
        )
        made += [
            monthly_count(force_id=force_id, measure=measure, month=month, count=total or 0)
            for force_id, month, total in grouped
        ]
    monthly_count.objects.bulk_create(made, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_sealed_totp_authenticator"),
        ("cases", "0010_priority_reason"),
    ]

    operations = [
        migrations.CreateModel(
            name="MonthlyCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField(help_text="The first day of the month counted.")),
                ("measure", models.CharField(max_length=32)),
                ("count", models.IntegerField(default=0)),
                (
                    "force",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.force"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("force", "measure", "month"), name="monthly_count_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "measure__in",
                                (
                                    "referrals",
                                    "arrests",
                                    "children_safeguarded",
                                    "diversions",
                                    "charges",
                                    "breaches",
                                ),
                            )
                        ),
                        name="monthlycount_measure_known",
                    ),
                ],
            },
        ),
        migrations.RunPython(count_existing_records, migrations.RunPython.noop),
    ]
