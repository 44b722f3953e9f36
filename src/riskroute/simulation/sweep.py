"""`riskroute sweep`: the policy's effect at each value of one parameter.

Each value is a fixed override of the parameter (`--set PATH=VALUE`), run with the same seed, so
every point sees the same parameter draws for everything else and the same people: the points
differ by the swept value and by what it changes downstream, not by Monte Carlo noise. The
synthetic pool is built once. One use is a break-even question: at what programme capacity, or
what detection rate, does the difference in a metric change sign?
"""

from __future__ import annotations

from typing import Any

from riskroute.simulation.montecarlo import Progress, routed_pool, simulate
from riskroute.simulation.scenario import LoadedScenario, parse_overrides


def sweep(
    loaded: LoadedScenario,
    policy_id: str,
    param: str,
    values: list[float],
    replications: int = 20,
    seed: int = 0,
    years: float = 5.0,
    workers: int = 1,
    dask_address: str | None = None,
    progress: Progress | None = None,
    overrides: dict[str, float] | None = None,
    pool_per_stratum: int = 1000,
) -> dict[str, Any]:
    """The `riskroute sweep --json` document (docs/cli.md), plus each point's two runs."""
    scenario = loaded.scenario
    # Each value is checked exactly as `--set` checks it (an unknown path or bad value: exit 2).
    fixed = [parse_overrides(scenario, [f"{param}={value!r}"]) for value in values]
    name = next(iter(fixed[0])) if fixed else param.removeprefix("parameters.")
    pool = routed_pool(loaded, policy_id, seed, pool_per_stratum)
    points = []
    for value, override in zip(values, fixed, strict=True):
        result = simulate(
            loaded,
            policy_id,
            replications,
            seed,
            years,
            workers=workers,
            dask_address=dask_address,
            progress=progress,
            overrides=(overrides or {}) | override,
            pool=pool,
        )
        document = result.document()
        points.append(
            {
                "value": value,
                "difference": document["difference"],
                "baseline": document["baseline"],
                "policy_run": document["policy_run"],
            }
        )
    return {
        "scenario": scenario.id,
        "policy": policy_id,
        "param": name,
        "values": values,
        "points": points,
        "seed": seed,
        "replications": replications,
        "years": int(years) if float(years).is_integer() else years,
        "overrides": overrides or {},
        "scenario_sha256": loaded.sha256,
    }
