"""`riskroute law notification|sentencing`: the legal calculators as JSON commands (docs/cli.md)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from riskroute.cli.io import parse_model, read_bytes, run_json_command
from riskroute.core.law.notification import NotificationRequest, notification
from riskroute.core.law.sentencing import SentencingRequest, sentencing
from riskroute.core.results import NotificationResult

_SOURCE = typer.Argument(help="JSON input file; '-' or nothing reads standard input.", show_default=False)


def _notification(source: Annotated[str | None, _SOURCE] = None) -> None:
    """Notification requirement, period and deadlines for one indecent-image disposal."""

    def action() -> NotificationResult:
        return notification(parse_model(NotificationRequest, read_bytes(source)))

    run_json_command(action)


def _sentencing(source: Annotated[str | None, _SOURCE] = None) -> None:
    """Sentencing guideline starting point and range for an image category and activity."""

    def action() -> dict[str, Any]:
        return sentencing(parse_model(SentencingRequest, read_bytes(source)))

    run_json_command(action)


def register(app: typer.Typer) -> None:
    """Add the `law` command group to the main app."""
    law_app = typer.Typer(
        help="Legal calculators: notification periods and sentencing ranges.", no_args_is_help=True
    )
    law_app.command("notification")(_notification)
    law_app.command("sentencing")(_sentencing)
    app.add_typer(law_app, name="law")
