"""The `riskroute` command (Typer). Each command group lives in its own module and registers itself.

The contract is `docs/cli.md`: JSON in, JSON out, exit 2 with field paths on bad input.
"""

from __future__ import annotations

import typer

# Typer ships its own copy of click; its exceptions are these classes, not the `click` package's.
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from riskroute.cli import (
    accounts,
    backup,
    counts,
    intake,
    io,
    law,
    score,
    security,
    simulate,
    tour,
    triage,
    web,
)
from riskroute.cli.io import fail_invalid
from riskroute.core.errors import InvalidInput

app = typer.Typer(
    name="riskroute",
    help="Decision support for indecent-image investigations: triage, scoring, law, simulation, service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (score, triage, law, simulate, tour, web, security, backup, accounts, intake, counts):
    module.register(app)


def _usage_path(error: UsageError) -> str:
    """The option or argument a usage error is about, as the error document's path."""
    option = getattr(error, "option_name", None)  # NoSuchOption, BadOptionUsage
    if isinstance(option, str) and option:
        return option
    param = getattr(error, "param", None)
    if param is not None:
        return next((o for o in param.opts if o.startswith("--")), param.name or "$")
    return "$"


def main() -> None:
    """Run the command; a mistyped command line is invalid input too (exit 2, JSON, no usage box)."""
    io.RUNNING_AS_COMMAND = True
    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError as error:  # `riskroute` alone: show the help, as a person expects
        typer.echo(error.ctx.get_help() if error.ctx else str(error))
        raise SystemExit(0) from None
    except UsageError as error:
        fail_invalid(InvalidInput([{"path": _usage_path(error), "message": error.format_message()}]))
    except typer.Abort:
        raise SystemExit(1) from None
    finally:
        io.RUNNING_AS_COMMAND = False  # a test calling main() in-process keeps its own gc state
    raise SystemExit(code if isinstance(code, int) else 0)
