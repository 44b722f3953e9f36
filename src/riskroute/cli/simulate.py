"""`riskroute simulate SCENARIO` and `riskroute sweep SCENARIO`: baseline against a diversion policy,
with uncertainty; a sweep repeats it over the values of one parameter.

Options are read as text and checked here, so a bad value is exit 2 with a JSON error naming the
option (Typer's own type errors would print usage text instead). Progress goes to standard error
(a Rich bar when it is a terminal), so `--json` output on standard output stays one document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    from riskroute.simulation.scenario import LoadedScenario

TORNADO_PARAMETERS = 8


def _number(option: str, raw: str, kind: type[int] | type[float], details: list[ErrorDetail]) -> Any:
    try:
        return kind(raw)
    except ValueError:
        details.append(
            {"path": option, "message": f"must be {'an integer' if kind is int else 'a number'}, got {raw!r}"}
        )
        return None


def _cell(row: dict[str, float]) -> str:
    return f"{row['mean']:,.1f} ±{row['mcse']:,.1f}\n[dim]{row['p05']:,.1f} – {row['p95']:,.1f}[/dim]"


def _summary_table(document: dict[str, Any]) -> Table:
    table = Table(title=f"{document['scenario']}: {document['policy']} vs {document['baseline_policy']}")
    for column in ("metric", "baseline", "policy", "difference"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    # Imported here: the simulation pulls in NumPy, which every other command can do without.
    from riskroute.simulation.metrics import CONTRACT_METRICS

    for name in CONTRACT_METRICS:
        table.add_row(
            name,
            _cell(document["baseline"][name]),
            _cell(document["policy_run"][name]),
            _cell(document["difference"][name]),
        )
    return table


def _calibration_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Back-test: the baseline's history against published series")
    for column in ("target", "published", "model (p05–p95)", "tolerance", "ok", "source"):
        table.add_column(column)
    for row in rows:
        low, high = row["tolerance"]
        table.add_row(
            row["target"],
            row["published"],
            f"{row['model_mean']:,.3g} ({row['model_p05']:,.3g} – {row['model_p95']:,.3g})",
            f"{low:,.3g} – {high:,.3g}",
            "yes" if row["within_tolerance"] else "NO",
            f"{row['source']} [{row['support']}]",
        )
    return table


class _Common:
    """The options `simulate` and `sweep` share, parsed and checked once."""

    def __init__(
        self,
        scenario: str | None,
        policy: str,
        replications: str,
        seed: str,
        years: str,
        workers: str | None,
        sets: list[str] | None,
    ) -> None:
        from riskroute.simulation.montecarlo import default_workers, validate_options
        from riskroute.simulation.scenario import load_scenario, parse_overrides

        details: list[ErrorDetail] = []
        n_reps = _number("--replications", replications, int, details)
        n_seed = _number("--seed", seed, int, details)
        n_years = _number("--years", years, float, details)
        n_workers = default_workers() if workers is None else _number("--workers", workers, int, details)
        if details:
            raise InvalidInput(details)
        if n_seed < 0:
            raise InvalidInput([{"path": "--seed", "message": "must not be negative"}])
        if scenario is None:
            raise InvalidInput(
                [{"path": "scenario", "message": "required: a bundled scenario id or a YAML path"}]
            )
        validate_options(policy, n_reps, n_years, n_workers)
        self.policy: str = policy
        self.replications: int = n_reps
        self.seed: int = n_seed
        self.years: float = n_years
        self.workers: int = n_workers
        self.loaded: LoadedScenario = load_scenario(scenario)
        self.overrides: dict[str, float] = parse_overrides(self.loaded.scenario, sets or [])


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar on standard error when it is a terminal; yields `advance(k)`."""
    console = Console(stderr=True)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("replications", total=total)
        yield lambda k: bar.advance(task, k)


ScenarioArg = Annotated[
    str | None, typer.Argument(help="Bundled scenario id (e.g. england-wales-2017) or a YAML path.")
]
PolicyOpt = Annotated[str, typer.Option(help=f"Policy to test: {', '.join(POLICY_IDS)}.")]
ReplicationsOpt = Annotated[str, typer.Option(help="Monte Carlo replications.")]
SeedOpt = Annotated[str, typer.Option(help="Root seed; the same seed gives identical output.")]
YearsOpt = Annotated[str, typer.Option(help="Years measured after the warm-up.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document on standard output.")]
WorkersOpt = Annotated[
    str | None, typer.Option(help="Parallel worker processes on this machine (default: every core).")
]
DaskOpt = Annotated[str | None, typer.Option(help="Run the replications on a Dask scheduler at ADDRESS.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="PATH=VALUE: fix one scenario parameter by its dotted path (repeatable)."),
]


def simulate_command(
    scenario: ScenarioArg = None,
    policy: PolicyOpt = "npcc-2017",
    replications: ReplicationsOpt = "100",
    seed: SeedOpt = "0",
    years: YearsOpt = "5",
    json_output: JsonOpt = False,
    workers: WorkersOpt = None,
    dask: DaskOpt = None,
    sets: SetOpt = None,
    export: Annotated[
        Path | None,
        typer.Option(
            help="Write one row per replication (inputs and every metric) to a .csv or .parquet file."
        ),
    ] = None,
    calibrate: Annotated[
        bool, typer.Option("--calibrate", help="Add the back-test of the baseline against published series.")
    ] = False,
    report: Annotated[
        Path | None, typer.Option(help="Write charts, report.html and report.pdf to DIR.")
    ] = None,
    tornado_replications: Annotated[
        str, typer.Option(help="Seeded runs per tornado bar (with --report).")
    ] = "20",
) -> None:
    """Simulate the IIOC pipeline under current practice and under POLICY; compare with intervals."""
    from riskroute.simulation.montecarlo import simulate

    try:
        common = _Common(scenario, policy, replications, seed, years, workers, sets)
        details: list[ErrorDetail] = []
        n_tornado = _number("--tornado-replications", tornado_replications, int, details)
        if details:
            raise InvalidInput(details)
        if n_tornado < 1:
            raise InvalidInput([{"path": "--tornado-replications", "message": "must be at least 1"}])
        tornado_runs = (1 + 2 * TORNADO_PARAMETERS) * n_tornado if report else 0
        with _progress(common.replications + tornado_runs) as advance:
            result = simulate(
                common.loaded,
                common.policy,
                common.replications,
                common.seed,
                common.years,
                workers=common.workers,
                dask_address=dask,
                progress=advance,
                overrides=common.overrides,
            )
            tornado = None
            if report is not None:
                from riskroute.simulation.sensitivity import screen
                from riskroute.simulation.sensitivity import tornado as run_tornado

                tornado = run_tornado(
                    common.loaded.scenario,
                    result.pool,
                    common.years,
                    common.seed,
                    screen(result, TORNADO_PARAMETERS),
                    replications=n_tornado,
                    workers=common.workers,
                    dask_address=dask,
                    progress=advance,
                    overrides=common.overrides,
                )
        document = result.document()
        if calibrate:
            document["calibration"] = result.calibration()
        if export is not None:
            from riskroute.simulation.export import write_replications

            document["export"] = str(write_replications(result, export))
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
        return
    out = Console()
    out.print(_summary_table(document))
    if calibrate:
        out.print(_calibration_table(document["calibration"]))
    out.print(
        f"{len(document['unverified_parameters'])} parameters are not verified; see docs/simulation.md."
    )
    if report is not None:
        out.print(f"Report: {document['report']['html']} and {document['report']['pdf']}")


def _values(raw: str) -> list[float]:
    values = []
    for part in raw.split(","):
        try:
            values.append(float(part))
        except ValueError:
            raise InvalidInput(
                [{"path": "--values", "message": f"{part.strip()!r} is not a number"}]
            ) from None
    return values


def sweep_command(
    scenario: ScenarioArg = None,
    param: Annotated[str | None, typer.Option(help="Dotted path of the parameter to sweep.")] = None,
    values: Annotated[str | None, typer.Option(help="Comma-separated values: V1,V2,...")] = None,
    policy: PolicyOpt = "npcc-2017",
    replications: ReplicationsOpt = "20",
    seed: SeedOpt = "0",
    years: YearsOpt = "5",
    json_output: JsonOpt = False,
    workers: WorkersOpt = None,
    dask: DaskOpt = None,
    sets: SetOpt = None,
) -> None:
    """Run the simulation once per value of one parameter: the policy − baseline difference of every
    metric at each value (the same seeds at every value, so the points differ only by the value)."""
    from riskroute.simulation.sweep import sweep

    try:
        if param is None:
            raise InvalidInput([{"path": "--param", "message": "required: the dotted path to sweep"}])
        if values is None or not values.strip():
            raise InvalidInput([{"path": "--values", "message": "required: V1,V2,..."}])
        points = _values(values)
        common = _Common(scenario, policy, replications, seed, years, workers, sets)
        with _progress(common.replications * len(points)) as advance:
            document = sweep(
                common.loaded,
                common.policy,
                param,
                points,
                replications=common.replications,
                seed=common.seed,
                years=common.years,
                workers=common.workers,
                dask_address=dask,
                progress=advance,
                overrides=common.overrides,
            )
    except InvalidInput as exc:
        fail_invalid(exc)
    except Exception as exc:  # one line, never a traceback
        fail_internal(exc)
    if json_output:
        emit(document)
        return
    from riskroute.simulation.metrics import CONTRACT_METRICS

    table = Table(title=f"{document['scenario']}: {document['policy']} − baseline, by {document['param']}")
    table.add_column("metric")
    for point in document["points"]:
        table.add_column(f"{point['value']:g}", justify="right")
    for name in CONTRACT_METRICS:
        table.add_row(name, *(_cell(point["difference"][name]) for point in document["points"]))
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
    app.command("sweep")(sweep_command)
