"""From one run's record to the metrics of the CLI contract (and a few more).

Conventions, all documented in docs/simulation.md:
- counts, costs and place-years are totals over the measured window (after warm-up) for England &
  Wales (divided by `model.scale`); "per month" metrics are averages over the window;
- waits are medians over the cohort that entered the stage in the window, by Kaplan-Meier, so a
  case still waiting at the end counts as "at least this long" instead of being dropped (dropping
  it would make a congested system look fast); if fewer than half have finished, the median is
  not identified and the longest observed wait is reported as a lower bound (`*_censored` flags);
- expected reoffences are expectations, not draws, for the cohort arrested in the window: while at
  liberty awaiting action and disposal (up to the end of the run) plus the follow-up after disposal.
"""

from __future__ import annotations

import numpy as np

from riskroute.simulation.cohort import BANDS, DIVERT
from riskroute.simulation.engine import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    NOTIFY_CAUTION,
    NOTIFY_INDEFINITE,
    NOTIFY_MEDIUM,
    NOTIFY_NON_CUSTODIAL,
    NOTIFY_SHORT,
    CaseDraws,
    RunRecord,
)

#: The metrics the CLI contract requires, in its order.
CONTRACT_METRICS: tuple[str, ...] = (
    "arrests_per_month",
    "children_safeguarded_per_month",
    "days_referral_to_action_median",
    "forensic_backlog_end",
    "cases_charged",
    "cases_diverted",
    "court_backlog_end",
    "days_arrest_to_disposal_median",
    "custody_place_years",
    "cost_gbp_total",
    "expected_sexual_reoffences",
    "expected_contact_reoffences",
)

COST_PARTS: tuple[str, ...] = (
    "cost_police",
    "cost_forensics",
    "cost_cps",
    "cost_courts",
    "cost_prison",
    "cost_community_sentences",
    "cost_programme",
    "cost_notification",
)


def km_median(durations: np.ndarray, finished: np.ndarray) -> tuple[float, bool]:
    """Kaplan-Meier median of right-censored durations; (lower bound, True) if not identified."""
    if durations.size == 0:
        return 0.0, True
    order = np.lexsort((~finished, durations))  # events before censorings at equal times
    d, f = durations[order], finished[order]
    at_risk = np.arange(d.size, 0, -1, dtype=float)
    survival = np.cumprod(np.where(f, 1.0 - 1.0 / at_risk, 1.0))
    below = np.flatnonzero(survival <= 0.5)
    if below.size:
        return float(d[below[0]]), False
    return float(d.max()), True


def _in(times: np.ndarray, start: float, end: float) -> np.ndarray:
    return (times >= start) & (times <= end)  # NaN compares False: never happened


def _notification_years(custody: np.ndarray, months: np.ndarray) -> np.ndarray:
    """SOA 2003 s.82 periods for convictions: custody by length, otherwise five years."""
    years = np.full(custody.size, NOTIFY_NON_CUSTODIAL)
    years[custody & (months <= 6)] = NOTIFY_SHORT
    years[custody & (months > 6) & (months < 30)] = NOTIFY_MEDIUM
    years[custody & (months >= 30)] = NOTIFY_INDEFINITE
    return years


def compute_metrics(params: dict[str, float], draws: CaseDraws, run: RunRecord) -> dict[str, float]:
    """Every metric of one run (contract metrics, cost parts and diagnostics) as plain floats."""
    start, end = draws.warmup, draws.horizon
    scale = params["model.scale"]
    months = (end - start) / DAYS_PER_MONTH
    up = 1.0 / scale
    out: dict[str, float] = {}

    arrested = _in(run.arrest, start, end)
    out["arrests_per_month"] = arrested.sum() * up / months
    out["children_safeguarded_per_month"] = (
        out["arrests_per_month"] * params["arrivals.children_safeguarded_per_arrest"]
    )

    cohort = (draws.arrival >= start) & (draws.start_stage == 0)
    acted = ~np.isnan(run.action[cohort])
    wait = np.where(acted, run.action[cohort], end) - draws.arrival[cohort]
    out["days_referral_to_action_median"], censored = km_median(wait, acted)
    out["days_referral_to_action_median_censored"] = float(censored)
    for b, name in enumerate(BANDS):
        in_band = run.band[cohort] == b
        median, censored = km_median(wait[in_band], acted[in_band])
        out[f"days_referral_to_action_median_{name}"] = median
        out[f"days_referral_to_action_median_{name}_censored"] = float(censored)
        out[f"share_band_{name}"] = float(in_band.mean()) if in_band.size else 0.0

    out["forensic_backlog_end"] = (
        run.stations["examiners"]["waiting_end"] * params["forensics.devices_per_case"] * up
    )
    out["court_backlog_end"] = (
        run.stations["crown"]["present_end"] + run.stations["magistrates"]["present_end"]
    ) * up
    out["enforcement_backlog_end"] = (
        run.series["enforcement_backlog"][-1] if run.series["enforcement_backlog"] else 0.0
    )

    charged = _in(run.charged, start, end)
    cautioned = _in(run.caution, start, end)
    out["cases_charged"] = charged.sum() * up
    out["cases_diverted"] = cautioned.sum() * up

    since_arrest = cohort & arrested
    disposed = ~np.isnan(run.disposal[since_arrest])
    to_disposal = np.where(disposed, run.disposal[since_arrest], end) - run.arrest[since_arrest]
    out["days_arrest_to_disposal_median"], censored = km_median(to_disposal, disposed)
    out["days_arrest_to_disposal_median_censored"] = float(censored)

    sentenced = _in(run.court_done, start, end) & run.convicted
    custody = sentenced & (draws.u_custody < params["sentencing.custody_share"])
    suspended_or_community = sentenced & ~custody
    custody_years = draws.custody_months[custody] * params["sentencing.fraction_served"] / 12
    out["custody_place_years"] = custody_years.sum() * up
    out["custody_sentences"] = custody.sum() * up
    out["community_or_suspended_sentences"] = suspended_or_community.sum() * up
    out["suspended_sentences"] = (
        suspended_or_community & (draws.u_suspended < params["sentencing.suspended_share_of_non_custody"])
    ).sum() * up
    out["breaches"] = (cautioned & run.breached).sum() * up

    notify = _notification_years(custody[sentenced], draws.custody_months[sentenced])
    registered_years = notify.sum() + cautioned.sum() * NOTIFY_CAUTION
    out["new_registrations"] = (sentenced.sum() + cautioned.sum()) * up
    out["notification_years_imposed"] = registered_years * up

    # Costs of the work done inside the window.
    c = params
    inv_days_per_arrest = c["enforcement.investigator_days_per_warrant"] / c["enforcement.warrant_to_arrest"]
    files = _in(run.file_done, start, end)
    file_days = np.where(
        run.route == DIVERT,
        c["enforcement.investigator_days_per_caution"],
        c["enforcement.investigator_days_per_prosecution_file"],
    )
    police_days = (draws.work[arrested, 0] * inv_days_per_arrest).sum() + (
        draws.work[files, 2] * file_days[files]
    ).sum()
    examined = _in(run.exam_done, start, end)
    exam_share = np.where(run.route == DIVERT, c["forensics.diverted_exam_fraction"], 1.0)
    devices = (draws.work[examined, 1] * exam_share[examined]).sum() * c["forensics.devices_per_case"]
    courts_done = _in(run.court_done, start, end)
    out["cost_police"] = police_days * c["costs.investigator_day"] * up
    out["cost_forensics"] = devices * c["costs.forensic_device"] * up
    out["cost_cps"] = (
        (charged & draws.crown).sum() * c["costs.cps_crown"]
        + (charged & ~draws.crown).sum() * c["costs.cps_magistrates"]
    ) * up
    out["cost_courts"] = (
        (courts_done & draws.crown).sum() * c["costs.court_crown"]
        + (courts_done & ~draws.crown).sum() * c["costs.court_magistrates"]
    ) * up
    out["cost_prison"] = out["custody_place_years"] * c["costs.prison_place_year"]
    out["cost_community_sentences"] = out["community_or_suspended_sentences"] * c["costs.community_order"]
    out["cost_programme"] = out["cases_diverted"] * c["costs.programme_participant"]
    out["cost_notification"] = out["notification_years_imposed"] * c["costs.registered_person_year"]
    out["cost_gbp_total"] = sum(out[part] for part in COST_PARTS)

    sexual, contact = _expected_reoffences(params, draws, run, cohort, end)
    out["expected_sexual_reoffences"] = sexual * up
    out["expected_contact_reoffences"] = contact * up
    out["harm_cost_gbp"] = (out["expected_sexual_reoffences"] - out["expected_contact_reoffences"]) * c[
        "costs.harm_sexual_reoffence"
    ] + out["expected_contact_reoffences"] * c["costs.harm_contact_reoffence"]

    out["diverted_share_of_cohort"] = float((run.route[cohort] == DIVERT).mean()) if cohort.any() else 0.0
    out["contact_risk_among_diverted"] = (
        float(draws.latent_contact[cohort & (run.route == DIVERT)].mean())
        if (cohort & (run.route == DIVERT)).any()
        else 0.0
    )
    for name, summary in run.stations.items():
        out[f"utilisation_{name}"] = summary["utilisation"]
        out[f"mean_wait_days_{name}"] = summary["Wq"]
        out[f"completed_per_month_{name}"] = summary["throughput"] * DAYS_PER_MONTH * up
    return {k: float(v) for k, v in out.items()}


def _expected_reoffences(
    params: dict[str, float], draws: CaseDraws, run: RunRecord, cohort: np.ndarray, end: float
) -> tuple[float, float]:
    """Expected sexual and contact reoffences of the cohort, at liberty before and after disposal.

    The contact rate is a population average; it is split so that people posing a contact risk
    reoffend `contact_risk_relative_risk` times as often as the others and the average still holds.
    Completing the programme reduces both rates by `treatment_effect`. Time in custody is not
    taken off the follow-up (a limit, stated in the docs).
    """
    p = params["cohort.contact_risk_share"]
    rr = params["reoffending.contact_risk_relative_risk"]
    base_contact = params["reoffending.contact_rate"] / (1 - p + rr * p)
    contact_rate = np.where(draws.latent_contact, base_contact * rr, base_contact)[cohort]
    sexual_rate = np.full(contact_rate.size, params["reoffending.sexual_rate"])
    sexual_rate = np.maximum(sexual_rate, contact_rate)  # contact reoffences are sexual reoffences

    treated = (run.route == DIVERT) & (draws.u_complete < params["diversion.completion_share"])
    effect = np.where(treated[cohort], 1.0 - params["reoffending.treatment_effect"], 1.0)
    waiting_years = (
        np.where(np.isnan(run.disposal), end, run.disposal)[cohort] - draws.arrival[cohort]
    ) / DAYS_PER_YEAR
    hazard_share = waiting_years / params["reoffending.followup_years"]
    sexual = (sexual_rate * (hazard_share + effect)).sum()
    contact = (contact_rate * (hazard_share + effect)).sum()
    return float(sexual), float(contact)
