"""`riskroute counts rebuild`: recount the dashboard's monthly counts from the records.

The counts are kept with every write the case service makes (`riskroute.cases.monthly_counts`);
a write that went around the models (a bulk load, SQL by hand) leaves them behind until this is
run. Safe while the service runs. Prints `{"counts": N, "corrected": N}`: how many counts there
are now, and how many of those kept before differed from the recount.
"""

from __future__ import annotations

from typing import Any

import typer

from riskroute.cli.io import django_setup, run_json_command

counts_app = typer.Typer(help="The dashboard's monthly counts.")


@counts_app.command("rebuild")
def rebuild() -> None:
    """Recount the monthly counts from the records and replace the kept ones."""

    def action() -> dict[str, Any]:
        django_setup()
        from riskroute.cases import monthly_counts

        return monthly_counts.rebuild()

    run_json_command(action)


def register(app: typer.Typer) -> None:
    app.add_typer(counts_app, name="counts")
