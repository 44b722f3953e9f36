"""One-way sensitivity (tornado): which uncertain inputs move the policy's effect most?

For each of the most uncertain parameters, the model is run with that parameter at its low and at
its high end and every other parameter at its central value, on the same seeds (common random
numbers), so the swing between the two is the parameter's effect and not Monte Carlo noise. The
quantity swung is the policy − baseline difference of an output, because the policy's effect is
what the model is for.

Which parameters get a bar is decided by screening the Monte Carlo sample first (`screen`), so
the expensive one-way runs go to the inputs that drive the spread of the policy's effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from riskroute.simulation.cohort import RoutedPool
from riskroute.simulation.montecarlo import (
    Progress,
    Replication,
    SimulationResult,
    run_replications,
    summarise,
)
from riskroute.simulation.scenario import Scenario

TORNADO_OUTPUTS: tuple[str, ...] = (
    "cost_gbp_total",
    "expected_contact_reoffences",
    "days_to_action_contact_risk_median",
)


@dataclass(frozen=True)
class Swing:
    parameter: str
    low_value: float
    high_value: float
    central_value: float
    at_low: dict[str, float]  # output -> mean policy − baseline difference
    at_high: dict[str, float]
    mcse_low: dict[str, float]  # output -> Monte Carlo standard error of that mean
    mcse_high: dict[str, float]


def screen(result: SimulationResult, count: int) -> list[str]:
    """The parameters that matter most for the policy effect, screened from the Monte Carlo sample.

    Each replication drew every parameter from its range; the Spearman rank correlation between a
    parameter's draws and the replication's policy − baseline difference says how much of the
    spread that parameter explains. With few replications most correlations are noise, so only
    those above the noise level (|ρ| > 2/√n, about two standard errors of ρ under independence)
    rank by strength; the remaining places go to the parameters with the widest relative range
    (the most uncertain), so a small sample does not pick bars by chance. Fixed parameters,
    modelling choices and `--set` overrides are left out.
    """
    reps = result.replications
    params = result.loaded.scenario.params()
    candidates = [
        name
        for name, p in params.items()
        if p.high > p.low and p.support != "model" and name not in result.overrides
    ]

    def width(name: str) -> float:
        p = params[name]
        return (p.high - p.low) / max(abs(p.value), 1e-12)

    noise = 2 / np.sqrt(len(reps)) if reps else np.inf
    strength: dict[str, float] = {}
    for name in candidates:
        draws = rankdata([r.params[name] for r in reps])
        best = 0.0
        for out in TORNADO_OUTPUTS:
            effect = rankdata([r.policy[out] - r.baseline[out] for r in reps])
            if len(reps) > 2 and np.ptp(draws) > 0 and np.ptp(effect) > 0:
                best = max(best, abs(float(np.corrcoef(draws, effect)[0, 1])))
        strength[name] = best
    signal = sorted((n for n in candidates if strength[n] > noise), key=lambda n: (-strength[n], n))
    rest = sorted((n for n in candidates if n not in signal), key=lambda n: (-width(n), n))
    return (signal + rest)[:count]


def _mean_difference(
    reps: Sequence[Replication], outputs: Sequence[str]
) -> tuple[dict[str, float], dict[str, float]]:
    """Mean policy − baseline difference of each output, and its Monte Carlo standard error."""
    means, errors = {}, {}
    for out in outputs:
        summary = summarise([r.policy[out] - r.baseline[out] for r in reps])
        means[out], errors[out] = summary["mean"], summary["mcse"]
    return means, errors


@dataclass(frozen=True)
class Tornado:
    central: dict[str, float]  # output -> mean difference with every parameter central
    central_mcse: dict[str, float]
    swings: list[Swing]
    replications: int


def tornado(
    scenario: Scenario,
    pool: RoutedPool,
    years: float,
    seed: int,
    parameters: Sequence[str],
    replications: int = 10,
    workers: int = 1,
    dask_address: str | None = None,
    progress: Progress | None = None,
    overrides: dict[str, float] | None = None,
) -> Tornado:
    """Swing each parameter to its low and high end; `replications` seeded runs at each end.

    Costs (1 + 2 × len(parameters)) × `replications` replications. `overrides` (`--set`) hold for
    every run; a swung parameter that is also overridden is swung anyway.
    """
    params = scenario.params()
    fixed = overrides or {}

    def mean_difference(swing: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
        reps = run_replications(
            scenario,
            pool,
            years,
            seed,
            range(replications),
            workers=workers,
            dask_address=dask_address,
            progress=progress,
            overrides=fixed | swing,
            sample_parameters=False,
        )
        return _mean_difference(reps, TORNADO_OUTPUTS)

    central, central_mcse = mean_difference({})
    swings = []
    for name in parameters:
        ends = {end: mean_difference({name: getattr(params[name], end)}) for end in ("low", "high")}
        swings.append(
            Swing(
                parameter=name,
                low_value=params[name].low,
                high_value=params[name].high,
                central_value=params[name].value,
                at_low=ends["low"][0],
                at_high=ends["high"][0],
                mcse_low=ends["low"][1],
                mcse_high=ends["high"][1],
            )
        )
    return Tornado(central=central, central_mcse=central_mcse, swings=swings, replications=replications)
