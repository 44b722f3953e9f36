"""`riskroute score INSTRUMENT [FILE|-]`: score one instrument's own input document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from riskroute.cli.io import read_bytes, run_json_command
from riskroute.core.conditions import ConditionError
from riskroute.core.errors import InvalidInput
from riskroute.core.instruments import (
    INSTRUMENT_IDS,
    Instrument,
    get_instrument,
    load_instrument,
    require_method,
    score,
)
from riskroute.core.knowledge import DefinitionError
from riskroute.core.results import InstrumentResult


def score_command(
    instrument: Annotated[str, typer.Argument(help=f"One of: {', '.join(INSTRUMENT_IDS)}.")],
    source: Annotated[str | None, typer.Argument(help="Input JSON file; '-' or nothing: stdin.")] = None,
    definition: Annotated[
        Path | None,
        typer.Option(
            help="Score with this definition file instead of the bundled one (e.g. a force's tree)."
        ),
    ] = None,
) -> None:
    """Score one instrument; JSON in, JSON out (exit 2 with field paths on bad input)."""

    def action() -> InstrumentResult:
        if instrument not in INSTRUMENT_IDS:
            known = ", ".join(INSTRUMENT_IDS)
            raise InvalidInput([{"path": "instrument", "message": f"unknown instrument; use one of {known}"}])
        chosen = _load(definition, instrument) if definition else get_instrument(instrument)
        return score(instrument, read_bytes(source), chosen)

    run_json_command(action)


def _load(path: Path, instrument: str) -> Instrument:
    """A definition file named on the command line is input too: a bad one is exit 2, not a crash."""
    try:
        method = "tree" if instrument == "priority" else get_instrument(instrument).spec.method
        return require_method(load_instrument(path), method)
    except (OSError, DefinitionError, ConditionError) as exc:
        raise InvalidInput([{"path": "--definition", "message": str(exc)}]) from exc


def register(app: typer.Typer) -> None:
    app.command("score")(score_command)
