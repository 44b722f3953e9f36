"""A case's history read in order from an index (case, at, id), which replaces the index on the
case alone: the case page's newest 25 events, or the API's next page, without sorting every event
of the case. The new index is built before the old one is dropped, so the foreign key is never
without one."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_state_counts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="caseevent",
            index=models.Index(fields=["case", "at", "id"], name="case_event_order"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="case",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="cases.case",
            ),
        ),
    ]
