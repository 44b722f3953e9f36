"""`riskroute simulate SCENARIO`: baseline against a diversion policy, with uncertainty.

Options are read as text and checked here, so a bad value is exit 2 with a JSON error naming the
option (Typer's own type errors would print usage text instead). Progress goes to standard error
(a Rich bar when it is a terminal), so `--json` output on standard output stays one document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from riskroute.cli.io import emit, fail_internal, fail_invalid
from riskroute.core.errors import ErrorDetail, InvalidInput
from riskroute.core.policy import POLICY_IDS

TORNADO_PARAMETERS = 8


def _number(option: str, raw: str, kind: type[int] | type[float], details: list[ErrorDetail]) -> Any:
    try:
        return kind(raw)
    except ValueError:
        details.append(
            {"path": option, "message": f"must be {'an integer' if kind is int else 'a number'}, got {raw!r}"}
        )
        return None


def _summary_table(document: dict[str, Any]) -> Table:
    table = Table(title=f"{document['scenario']}: {document['policy']} vs {document['baseline_policy']}")
    for column in ("metric", "baseline", "policy", "difference"):
        table.add_column(column, justify="left" if column == "metric" else "right")

    def cell(row: dict[str, float]) -> str:
        return f"{row['mean']:,.1f}\n[dim]{row['p05']:,.1f} – {row['p95']:,.1f}[/dim]"

    # Imported here: the simulation pulls in NumPy, which every other command can do without.
    from riskroute.simulation.metrics import CONTRACT_METRICS

    for name in CONTRACT_METRICS:
        table.add_row(
            name,
            cell(document["baseline"][name]),
            cell(document["policy_run"][name]),
            cell(document["difference"][name]),
        )
    return table


def simulate_command(
    scenario: Annotated[
        str | None, typer.Argument(help="Bundled scenario id (e.g. england-wales-2017) or a YAML path.")
    ] = None,
    policy: Annotated[str, typer.Option(help=f"Policy to test: {', '.join(POLICY_IDS)}.")] = "npcc-2017",
    replications: Annotated[str, typer.Option(help="Monte Carlo replications.")] = "100",
    seed: Annotated[str, typer.Option(help="Root seed; the same seed gives identical output.")] = "0",
    years: Annotated[str, typer.Option(help="Years measured after the warm-up.")] = "5",
    json_output: Annotated[
        bool, typer.Option("--json", help="One JSON document on standard output.")
    ] = False,
    workers: Annotated[str, typer.Option(help="Parallel worker processes on this machine.")] = "1",
    dask: Annotated[str | None, typer.Option(help="Run on a Dask distributed scheduler at ADDRESS.")] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write charts, report.html and report.pdf to DIR.")
    ] = None,
    tornado_replications: Annotated[
        str, typer.Option(help="Seeded runs per tornado bar (with --report).")
    ] = "10",
) -> None:
    """Simulate the IIOC pipeline under current practice and under POLICY; compare with intervals."""
    from riskroute.simulation.montecarlo import simulate, validate_options
    from riskroute.simulation.scenario import load_scenario

    try:
        details: list[ErrorDetail] = []
        n_reps = _number("--replications", replications, int, details)
        n_seed = _number("--seed", seed, int, details)
        n_years = _number("--years", years, float, details)
        n_workers = _number("--workers", workers, int, details)
        n_tornado = _number("--tornado-replications", tornado_replications, int, details)
        if details:
            raise InvalidInput(details)
        if n_seed < 0:
            raise InvalidInput([{"path": "--seed", "message": "must not be negative"}])
        if n_tornado < 1:
            raise InvalidInput([{"path": "--tornado-replications", "message": "must be at least 1"}])
        if scenario is None:
            raise InvalidInput(
                [{"path": "scenario", "message": "required: a bundled scenario id or a YAML path"}]
            )
        validate_options(policy, n_reps, n_years, n_workers)
        loaded = load_scenario(scenario)
        console = Console(stderr=True)
        tornado_runs = (1 + 2 * TORNADO_PARAMETERS) * n_tornado if report else 0
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
        ) as bar:
            task = bar.add_task("replications", total=n_reps + tornado_runs)

            def advance(k: int) -> None:
                bar.advance(task, k)

            result = simulate(
                loaded,
                policy,
                n_reps,
                n_seed,
                n_years,
                workers=n_workers,
                dask_address=dask,
                progress=advance,
            )
            tornado = None
            if report is not None:
                from riskroute.simulation.sensitivity import screen
                from riskroute.simulation.sensitivity import tornado as run_tornado

                tornado = run_tornado(
                    loaded.scenario,
                    result.pool,
                    n_years,
                    n_seed,
                    screen(result, TORNADO_PARAMETERS),
                    replications=n_tornado,
                    workers=n_workers,
                    dask_address=dask,
                    progress=advance,
                )
        document = result.document()
        if report is not None:
            from riskroute.simulation.report import write_report

            try:
                written = write_report(result, tornado, report)
            except OSError as exc:
                raise InvalidInput(
                    [{"path": "--report", "message": f"cannot write the report: {exc}"}]
                ) from exc
            document["report"] = {name: str(path) for name, path in written.items()}
    except InvalidInput as exc:
        fail_invalid(exc)
    except Exception as exc:  # one line, never a traceback
        fail_internal(exc)
    if json_output:
        emit(document)
    else:
        out = Console()
        out.print(_summary_table(document))
        out.print(
            f"{len(document['unverified_parameters'])} parameters are not verified; see docs/simulation.md."
        )
        if report is not None:
            out.print(f"Report: {document['report']['html']} and {document['report']['pdf']}")


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
