"""Published series the baseline must reproduce: history matching and the back-test table.

One list of targets (`TARGETS`), used twice:

- **History matching** (`plausible`, before a replication runs): a parameter draw is kept only if
  the flows it implies in the first year match the published series within the stated
  tolerances. The flows come from a fluid (deterministic rate) approximation of the first year:
  arrests a month from investigator capacity (files first, at the examiners' pace while the
  initial forensic backlog lasts) and referrals; the forensic wait from the backlog at the start
  and at the end of the year over examiner capacity; and the load (demand ÷ capacity) of each
  later stage. A draw whose load would make a queue explode, which no published series shows, is
  rejected. Each replication draws from its own stream until a draw is kept (at most
  `MAX_ATTEMPTS`), so the accepted draw depends only on the seed and the replication's index.
- **The back-test** (`calibration_table`, `riskroute simulate --calibrate`): the simulated baseline's
  history beside each published figure, with its source and whether it falls within tolerance.

Tolerances are wider than the published ranges because units differ (figures.md: arrests,
defendants and offences are not the same unit) and the model is a fifth-scale pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from riskroute.simulation.engine import DAYS_PER_MONTH, capacity_limited, enforcement_days
from riskroute.simulation.scenario import Scenario

MAX_ATTEMPTS = 1000


@dataclass(frozen=True)
class Target:
    """A published series: its figure as printed, the tolerance a model value must meet, where."""

    name: str
    metric: str  # the baseline metric compared with it (per replication)
    per_year: bool  # the metric is a total over the measured years: divide by the years
    published: str
    low: float
    high: float
    unit: str
    source: str
    support: str
    fluid: bool  # used to filter parameter draws (history matching), not only reported


TARGETS: tuple[Target, ...] = (
    Target(
        "arrests a month",
        "arrests_per_month_first_year",
        False,
        "400+ (2017); ~438 (2018)",
        360.0,
        480.0,
        "arrests per month, first year",
        "NPCC (Bailey) [1][2]; Bailey to HAC [23] (figures.md §1, §2)",
        "Seed / V-sec",
        True,
    ),
    Target(
        "forensic wait",
        "mean_wait_days_examiners",
        False,
        "6 months (one force) to 2 years (~2019); 'in excess of six months' (2014)",
        90.0,
        730.0,
        "days waiting for examination (mean, unfinished counted)",
        "[43][44][11] (figures.md §4)",
        "V",
        True,
    ),
    Target(
        "IIOC prosecutions a year",
        "cases_charged",
        True,
        "~6,540 (2017, D); 4,708 (2018)",
        3000.0,
        7000.0,
        "defendants charged per year",
        "[25][26] (figures.md §2)",
        "V / D",
        False,
    ),
    Target(
        "IIOC convictions a year",
        "convictions",
        True,
        "28,325 sentenced 2012-22 (~2,830 a year)",
        2000.0,
        4500.0,
        "convictions per year",
        "[27] (figures.md §2)",
        "V-sec",
        False,
    ),
    Target(
        "cautions a year",
        "cautions_total",
        True,
        "393 (2015: possession 208, s.1 185)",
        200.0,
        600.0,
        "simple and conditional cautions per year",
        "[35] (figures.md §3)",
        "V",
        False,
    ),
    Target(
        "custody share",
        "custody_share_of_sentenced",
        False,
        "19% (2023/24); 25% possession (2015); 41-52% (2003-07)",
        0.19,
        0.52,
        "share of sentences with immediate custody",
        "[39][35][38] (figures.md §3)",
        "V / V-sec",
        False,
    ),
    Target(
        "court timeliness",
        "crown_days_charge_to_completion_median",
        False,
        "median 178-189 days, Crown 'for trial', all offences (2015-19)",
        150.0,
        365.0,
        "days, charge to Crown completion (median)",
        "[52] (figures.md §4)",
        "V",
        False,
    ),
)

#: The most a stage's demand may exceed its capacity in the first year: the published backlogs
#: grew (the Crown Court's by about 15% a year, 2020-24 [54][55][56]) but did not explode.
MAX_LOAD = 1.15


def fluid_history(params: dict[str, float]) -> dict[str, float]:
    """First-year flows implied by one parameter draw (no simulation): arrests a month, the
    forensic wait at the start and each later stage's load."""
    per_post_month = params["enforcement.working_days_per_year"] / 12
    exam_days = params["forensics.devices_per_case"] * params["forensics.examiner_days_per_device"]
    exam_capacity = params["forensics.examiners"] * per_post_month / exam_days  # cases a month
    if capacity_limited(params):
        # Investigators progress files first, one per examined case, and arrest with what is left.
        # While the initial forensic backlog lasts, examiners finish cases at capacity whatever the
        # arrests, so the files come at that rate; otherwise they come as fast as the arrests.
        investigator_days = params["enforcement.investigators"] * per_post_month
        per_arrest = enforcement_days(params)
        file_days = params["enforcement.investigator_days_per_prosecution_file"]
        if params["forensics.initial_backlog"] > 0:
            arrests = max(0.0, (investigator_days - exam_capacity * file_days) / per_arrest)
        else:
            arrests = investigator_days / (per_arrest + file_days)
        referred = params["arrivals.referrals_per_month"] * params["enforcement.warrant_to_arrest"]
        if arrests > referred:  # spare capacity: proactive work takes up to its share
            proactive = params["enforcement.proactive_share"] * investigator_days / per_arrest
            arrests = referred + min(arrests - referred, proactive)
    else:
        arrests = params["arrivals.arrests_per_month"]
    charged = arrests * params["charging.charge_share"]
    crown = charged * params["courts.crown_share"]
    # The forensic wait over the first year: the backlog at its start and at its end, each over
    # the examiners' capacity (a backlog the examiners clear within the year gives no long wait).
    backlog = params["forensics.initial_backlog"]
    backlog_after = max(0.0, backlog + 12 * (arrests - exam_capacity))
    return {
        "arrests_per_month_first_year": arrests,
        "mean_wait_days_examiners": (backlog + backlog_after) / 2 / exam_capacity * DAYS_PER_MONTH,
        "load_examiners": arrests / exam_capacity,
        "load_lawyers": arrests
        * params["charging.lawyer_days_per_file"]
        / (params["charging.lawyers"] * per_post_month),
        "load_crown": crown * params["courts.crown_days"] / DAYS_PER_MONTH / params["courts.crown_slots"],
        "load_magistrates": (charged - crown)
        * params["courts.magistrates_days"]
        / DAYS_PER_MONTH
        / params["courts.magistrates_slots"],
    }


def plausible(params: dict[str, float]) -> bool:
    """Whether a parameter draw's first year matches the published series (see the module doc)."""
    flows = fluid_history(params)
    for target in TARGETS:
        if target.fluid and not target.low <= flows[target.metric] <= target.high:
            return False
    return all(v <= MAX_LOAD for k, v in flows.items() if k.startswith("load_"))


def matched_draw(scenario: Scenario, rng: np.random.Generator) -> tuple[dict[str, float], int]:
    """The first plausible draw from `rng` and how many draws it took; after `MAX_ATTEMPTS`
    without one, the last draw with attempts = -1 (reported, never hidden)."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        params = scenario.sample(rng)
        if plausible(params):
            return params, attempt
    return params, -1


def calibration_table(baseline: dict[str, list[float]], years: float) -> list[dict[str, Any]]:
    """Each target beside the simulated baseline (mean and 5th-95th percentile over replications)."""
    rows = []
    for target in TARGETS:
        values = np.asarray(baseline[target.metric], dtype=float) / (years if target.per_year else 1.0)
        mean = float(values.mean())
        rows.append(
            {
                "target": target.name,
                "published": target.published,
                "tolerance": [target.low, target.high],
                "unit": target.unit,
                "model_mean": mean,
                "model_p05": float(np.percentile(values, 5)),
                "model_p95": float(np.percentile(values, 95)),
                "within_tolerance": bool(target.low <= mean <= target.high),
                "used_for_history_matching": target.fluid,
                "source": target.source,
                "support": target.support,
            }
        )
    return rows
