"""The `riskroute` command (Typer). Each command group lives in its own module and registers itself.

The contract is `shared/spec/cli.md`: JSON in, JSON out, exit 2 with field paths on bad input.
"""

from __future__ import annotations

import typer

from riskroute.cli import law, score, security, simulate, tour, triage, web

app = typer.Typer(
    name="riskroute",
    help="Decision support for indecent-image investigations: triage, scoring, law, simulation, service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (score, triage, law, simulate, tour, web, security):
    module.register(app)


def main() -> None:
    app()
