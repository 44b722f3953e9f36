"""Monte Carlo: many replications on independent, reproducible streams, in parallel if asked.

Streams come from one NumPy `SeedSequence` root (the `--seed`), addressed by spawn key rather than
by spawning in order, so replication i gets the same streams whatever the number of replications,
workers or machines:
    (0,)       the synthetic pool that the decision core routes,
    (1, i, 0)  replication i's parameter draws (every parameter from its range, drawn again until
               the draw matches the published history: `calibration.matched_draw`),
    (1, i, 1)  replication i's process noise as engine 1.0 drew it (arrivals, people, service times,
               outcomes),
    (1, i, 2)  replication i's newer draws (grading at referral, warrant outcomes, the proactive
               reserve), on their own stream so that the switch back to the demand-limited model
               reproduces engine 1.0 exactly.
Results are collected by replication index, so the output is identical for the same seed whether
the replications ran in one process, several processes or on a Dask cluster.

Overrides (`--set`, a sweep's value) are applied after the draw: the history match is made on the
scenario as published, and the override is the analyst's counterfactual. Every other parameter
keeps its draw, so the points of a sweep differ only in the swept parameter (common random numbers).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from riskroute.core.errors import ErrorDetail, InvalidInput
from riskroute.core.policy import POLICY_IDS
from riskroute.simulation import ENGINE_VERSION
from riskroute.simulation.calibration import calibration_table, matched_draw
from riskroute.simulation.cohort import BASELINE_POLICY, RoutedPool, build_pool
from riskroute.simulation.engine import draw_cases, run_pipeline
from riskroute.simulation.metrics import CONTRACT_METRICS, compute_metrics
from riskroute.simulation.scenario import LoadedScenario, Scenario

DASK_CONNECT_TIMEOUT = "10s"
SERIES = ("enforcement_backlog", "forensic_backlog_devices", "court_backlog", "programme_queue")

Progress = Callable[[int], None]


def stream(seed: int, *key: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=key)


@dataclass(frozen=True)
class Replication:
    index: int
    attempts: int  # parameter draws until one matched the history (-1: none did; 0: not sampled)
    params: dict[str, float]
    baseline: dict[str, float]
    policy: dict[str, float]
    baseline_series: dict[str, list[float]]
    policy_series: dict[str, list[float]]
    events: int


def replicate(
    scenario: Scenario,
    pool: RoutedPool,
    years: float,
    seed: int,
    index: int,
    overrides: dict[str, float] | None = None,
    sample_parameters: bool = True,
) -> Replication:
    """Replication `index`: one parameter draw, one set of people, baseline and policy runs."""
    attempts = 0
    if sample_parameters:
        params, attempts = matched_draw(scenario, np.random.default_rng(stream(seed, 1, index, 0)))
    else:
        params = scenario.central()
    params.update(overrides or {})
    draws = draw_cases(
        params,
        pool,
        years,
        np.random.default_rng(stream(seed, 1, index, 1)),
        np.random.default_rng(stream(seed, 1, index, 2)),
    )
    base = run_pipeline(params, draws, pool, use_policy=False)
    pol = run_pipeline(params, draws, pool, use_policy=True)
    price = scenario.price_factors(params)
    return Replication(
        index=index,
        attempts=attempts,
        params=params,
        baseline=compute_metrics(params, draws, base, price),
        policy=compute_metrics(params, draws, pol, price),
        baseline_series={k: base.series[k] for k in SERIES},
        policy_series={k: pol.series[k] for k in SERIES},
        events=base.events + pol.events,
    )


def _task(args: tuple[Scenario, RoutedPool, float, int, int, dict[str, float] | None, bool]) -> Replication:
    return replicate(*args)


def run_replications(
    scenario: Scenario,
    pool: RoutedPool,
    years: float,
    seed: int,
    indices: Sequence[int],
    workers: int = 1,
    dask_address: str | None = None,
    progress: Progress | None = None,
    overrides: dict[str, float] | None = None,
    sample_parameters: bool = True,
) -> list[Replication]:
    """Run the given replications, in this process, a process pool or a Dask cluster; in order."""
    tasks = [(scenario, pool, years, seed, i, overrides, sample_parameters) for i in indices]
    done: dict[int, Replication] = {}

    def collect(results: Iterable[Replication]) -> None:
        for rep in results:
            done[rep.index] = rep
            if progress:
                progress(1)

    if dask_address is not None:
        collect(_run_on_dask(dask_address, tasks))
    elif workers <= 1:
        collect(_task(t) for t in tasks)
    else:
        # forkserver, not fork: the parent may run a progress-bar thread, and forking a threaded
        # process is unsafe. Preloading the engine makes each worker start in milliseconds.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["riskroute.simulation.montecarlo"])
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context) as executor:
            futures = [executor.submit(_task, t) for t in tasks]
            collect(f.result() for f in cf.as_completed(futures))
    return [done[i] for i in indices]


def _run_on_dask(address: str, tasks: list[Any]) -> Iterable[Replication]:
    """Fan the replications out over a Dask distributed cluster (an optional dependency)."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:
        raise InvalidInput(
            [{"path": "--dask", "message": "Dask is not installed: pip install 'riskroute[dask]'"}]
        ) from exc
    try:
        client = Client(address, timeout=DASK_CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise InvalidInput(
            [{"path": "--dask", "message": f"cannot connect to the Dask scheduler at {address}: {exc}"}]
        ) from exc
    try:
        futures = client.map(_task, tasks, pure=False)
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            yield future.result()
    finally:
        client.close()  # type: ignore[no-untyped-call]


def summarise(values: Sequence[float]) -> dict[str, float]:
    """Mean, 5th/95th percentiles across replications, and the Monte Carlo standard error of the
    mean (sample standard deviation / √n; 0 with one replication, where it is not identified)."""
    arr = np.asarray(values, dtype=float)
    return {
        "mean": float(arr.mean()),
        "p05": float(np.percentile(arr, 5)),
        "p95": float(np.percentile(arr, 95)),
        "mcse": float(arr.std(ddof=1) / np.sqrt(arr.size)) if arr.size > 1 else 0.0,
    }


def default_workers() -> int:
    """Every core this machine has (the CLI's default for `--workers`)."""
    return os.cpu_count() or 1


@dataclass
class SimulationResult:
    loaded: LoadedScenario
    policy_id: str
    seed: int
    years: float
    pool: RoutedPool
    replications: list[Replication] = field(default_factory=list)
    overrides: dict[str, float] = field(default_factory=dict)

    @property
    def metric_names(self) -> list[str]:
        first = self.replications[0].baseline
        return list(CONTRACT_METRICS) + [k for k in first if k not in CONTRACT_METRICS]

    def table(self, which: str) -> dict[str, dict[str, float]]:
        """`baseline`, `policy_run` or `difference` (policy − baseline, per replication)."""
        out = {}
        for name in self.metric_names:
            if which == "baseline":
                values = [r.baseline[name] for r in self.replications]
            elif which == "policy_run":
                values = [r.policy[name] for r in self.replications]
            else:
                values = [r.policy[name] - r.baseline[name] for r in self.replications]
            out[name] = summarise(values)
        return out

    def series(self, run: str, name: str) -> dict[str, list[float]]:
        """Monthly mean and 5th/95th percentiles of a backlog series (`baseline` or `policy`)."""
        rows = [getattr(r, f"{run}_series")[name] for r in self.replications]
        length = min(len(row) for row in rows)
        arr = np.array([row[:length] for row in rows])
        return {
            "mean": arr.mean(axis=0).tolist(),
            "p05": np.percentile(arr, 5, axis=0).tolist(),
            "p95": np.percentile(arr, 95, axis=0).tolist(),
        }

    def document(self) -> dict[str, Any]:
        """The `riskroute simulate --json` document (docs/cli.md) plus provenance fields."""
        scenario = self.loaded.scenario
        return {
            "scenario": scenario.id,
            "policy": self.policy_id,
            "seed": self.seed,
            "replications": len(self.replications),
            "years": int(self.years) if float(self.years).is_integer() else self.years,
            "baseline": self.table("baseline"),
            "policy_run": self.table("policy_run"),
            "difference": self.table("difference"),
            "baseline_policy": BASELINE_POLICY,
            "policies": {"baseline": self.pool.baseline_identity, "policy": self.pool.policy_identity},
            "scenario_version": scenario.version,
            "scenario_sha256": self.loaded.sha256,
            "scenario_origin": self.loaded.origin,
            "engine_version": ENGINE_VERSION,
            "needs_information_share": {
                "baseline": float(self.pool.base_needs_information.mean()),
                "policy": float(self.pool.policy_needs_information.mean()),
            },
            "policy_blockers_without_access_or_contact_indicator": self.pool.policy_blockers,
            "unverified_parameters": scenario.unverified(),
            "overrides": self.overrides,
            "history_matching": self.history_matching(),
            "price_year": PRICE_YEAR,
            "notes": [
                "Totals are for England & Wales over the measured years, after warm-up (docs/simulation.md).",
                "Most capacities, efforts and backlogs are guesses (support G): read differences.",
                "Medians are Kaplan-Meier; *_censored = 1 means under half had finished (a lower bound).",
                "mcse is the Monte Carlo standard error of the mean over replications.",
                f"Costs are in {PRICE_YEAR} prices (prices.* inflators, support R).",
            ],
        }

    def history_matching(self) -> dict[str, Any]:
        """How the parameter draws were filtered (calibration.py) and how many draws it took."""
        sampled = [r.attempts for r in self.replications if r.attempts != 0]
        return {
            "method": "rejection of parameter draws whose first-year fluid flows miss the published series",
            "draws_per_kept_replication": float(np.mean([a for a in sampled if a > 0])) if sampled else 0.0,
            "replications_without_a_match": sum(1 for a in sampled if a < 0),
        }

    def calibration(self) -> list[dict[str, Any]]:
        """The back-test: the baseline's history beside the published series."""
        names = {row for r in self.replications for row in r.baseline}
        return calibration_table(
            {name: [r.baseline[name] for r in self.replications] for name in names}, self.years
        )


#: The one price year of every cost (each cost's `inflate_with` brings it there).
PRICE_YEAR = "2018-19"


@lru_cache(maxsize=4)
def routed_pool(loaded: LoadedScenario, policy_id: str, seed: int, per_stratum: int) -> RoutedPool:
    """The synthetic pool of a scenario file, policy and seed, triaged once per process (a pool is
    a pure function of these; a sweep or repeated in-process runs reuse it). Read-only."""
    return build_pool(loaded.scenario.central(), policy_id, stream(seed, 0), per_stratum=per_stratum)


def validate_options(policy_id: str, replications: int, years: float, workers: int) -> None:
    details: list[ErrorDetail] = []
    if policy_id not in POLICY_IDS:
        details.append(
            {"path": "--policy", "message": f"unknown policy {policy_id!r}; one of {', '.join(POLICY_IDS)}"}
        )
    if replications < 1:
        details.append({"path": "--replications", "message": "must be at least 1"})
    if not 0 < years <= 50:
        details.append({"path": "--years", "message": "must be more than 0 and at most 50"})
    if workers < 1:
        details.append({"path": "--workers", "message": "must be at least 1"})
    if details:
        raise InvalidInput(details)


def simulate(
    loaded: LoadedScenario,
    policy_id: str = "npcc-2017",
    replications: int = 100,
    seed: int = 0,
    years: float = 5.0,
    workers: int = 1,
    dask_address: str | None = None,
    progress: Progress | None = None,
    pool_per_stratum: int = 1000,
    overrides: dict[str, float] | None = None,
    pool: RoutedPool | None = None,
) -> SimulationResult:
    """Build the routed pool once (unless given), then run the replications. Same seed → identical
    result, whatever the number of workers."""
    validate_options(policy_id, replications, years, workers)
    scenario = loaded.scenario
    if pool is None:
        pool = routed_pool(loaded, policy_id, seed, pool_per_stratum)
    reps = run_replications(
        scenario,
        pool,
        years,
        seed,
        range(replications),
        workers=workers,
        dask_address=dask_address,
        progress=progress,
        overrides=overrides,
    )
    return SimulationResult(
        loaded=loaded,
        policy_id=policy_id,
        seed=seed,
        years=years,
        pool=pool,
        replications=reps,
        overrides=dict(overrides or {}),
    )
