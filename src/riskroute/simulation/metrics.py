"""From one run's record to the metrics of the CLI contract (and a few more).

Conventions, all documented in docs/simulation.md:
- counts, costs and place-years are totals over the measured window (after warm-up) for England &
  Wales (divided by `model.scale`); "per month" metrics are averages over the window;
- waits are medians over the cohort that entered the stage in the window, by Kaplan-Meier, so a
  case still waiting at the end counts as "at least this long" instead of being dropped (dropping
  it would make a congested system look fast); if fewer than half have finished, the median is
  not identified and the longest observed wait is reported as a lower bound (`*_censored` flags);
- expected reoffences are expectations, not draws, for the cohort referred in the window, over a
  fixed window of `reoffending.followup_years` from referral: untreated while at liberty awaiting
  action and disposal, none while in custody, changed by the programme's effect after completing it;
- costs are in one price year (`prices.*` inflators, named by each cost's `inflate_with`).
"""

from __future__ import annotations

import numpy as np

from riskroute.simulation.cohort import BANDS, DIVERT
from riskroute.simulation.engine import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    ENFORCE,
    CaseDraws,
    RunRecord,
    enforcement_days,
)
from riskroute.simulation.notification import notification_years

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
    "days_to_action_contact_risk_median",
    "child_days_at_risk",
    "people_reached_per_month",
    "programme_wait_days_median",
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


def _waiting(since: np.ndarray, until: np.ndarray, end: float) -> tuple[np.ndarray, np.ndarray]:
    """Durations to `until`, censored at `end` where it has not happened: (durations, finished)."""
    finished = ~np.isnan(until)
    return np.where(finished, until, end) - since, finished


def _overlap(a0: np.ndarray, a1: np.ndarray, b0: np.ndarray | float, b1: np.ndarray | float) -> np.ndarray:
    """Length of [a0, a1] ∩ [b0, b1], element-wise (0 when they do not meet)."""
    length: np.ndarray = np.clip(np.minimum(a1, b1) - np.maximum(a0, b0), 0.0, None)
    return length


def at_risk_share(params: dict[str, float]) -> float:
    """P(access to children or a true contact risk); access is independent of contact risk."""
    access, contact = params["cohort.access_to_children_share"], params["cohort.contact_risk_share"]
    return 1 - (1 - access) * (1 - contact)


def compute_metrics(
    params: dict[str, float], draws: CaseDraws, run: RunRecord, price: dict[str, float] | None = None
) -> dict[str, float]:
    """Every metric of one run (contract metrics, cost parts and diagnostics) as plain floats.

    `price` maps a cost parameter to the factor that brings it to the scenario's price year.
    """
    start, end = draws.warmup, draws.horizon
    scale = params["model.scale"]
    months = (end - start) / DAYS_PER_MONTH
    up = 1.0 / scale
    out: dict[str, float] = {}
    referral = draws.start_stage == ENFORCE
    proactive = np.isinf(draws.arrival)
    at_risk = draws.access | draws.latent_contact

    arrested = _in(run.arrest, start, end)
    out["arrests_per_month"] = arrested.sum() * up / months
    out["proactive_arrests_per_month"] = (arrested & proactive).sum() * up / months
    # Suspects reached by a warrant, arrested or not: the arrests with the warrants that found no
    # one to arrest (folded into each arrest, engine.py) counted back in.
    out["people_reached_per_month"] = out["arrests_per_month"] / params["enforcement.warrant_to_arrest"]
    out["children_safeguarded_per_month"] = (
        out["arrests_per_month"] * params["arrivals.children_safeguarded_per_arrest"]
    )
    first_year = _in(run.arrest, start, min(end, start + DAYS_PER_YEAR))
    out["arrests_per_month_first_year"] = (
        first_year.sum() * up / (min(end - start, DAYS_PER_YEAR) / DAYS_PER_MONTH)
    )

    cohort = (draws.arrival >= start) & referral
    out["referrals_per_month"] = cohort.sum() * up / months
    wait, acted = _waiting(draws.arrival[cohort], run.action[cohort], end)
    out["days_referral_to_action_median"], censored = km_median(wait, acted)
    out["days_referral_to_action_median_censored"] = float(censored)
    seen = run.band_seen[cohort]
    for b, name in enumerate(BANDS):
        in_band = seen == b
        median, censored = km_median(wait[in_band], acted[in_band])
        out[f"days_referral_to_action_median_{name}"] = median
        out[f"days_referral_to_action_median_{name}_censored"] = float(censored)
        out[f"share_band_{name}"] = float(in_band.mean()) if in_band.size else 0.0
    out["share_graded_below_full_band"] = float((seen > run.band[cohort]).mean()) if seen.size else 0.0
    risky = at_risk[cohort]
    median, censored = km_median(wait[risky], acted[risky])
    out["days_to_action_contact_risk_median"] = median
    out["days_to_action_contact_risk_median_censored"] = float(censored)

    # Days that suspects with access to children or a true contact risk spent not yet reached,
    # inside the measured window, times the children at risk per such suspect.
    pending = referral & at_risk
    not_reached_until = np.where(np.isnan(run.action), end, run.action)[pending]
    suspect_days = _overlap(draws.arrival[pending], not_reached_until, start, end).sum()
    children_per_suspect = params["arrivals.children_safeguarded_per_arrest"] / max(
        at_risk_share(params), 1e-9
    )
    out["child_days_at_risk"] = suspect_days * children_per_suspect * up

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
    simple = _in(run.simple_caution, start, end)
    out["cases_charged"] = charged.sum() * up
    out["cases_diverted"] = cautioned.sum() * up
    out["simple_cautions"] = simple.sum() * up
    out["cautions_total"] = out["simple_cautions"] + out["cases_diverted"]

    since_arrest = ~np.isnan(run.arrest) & (run.arrest >= start) & (run.arrest <= end)
    since_arrest &= cohort | proactive
    to_disposal, disposed = _waiting(run.arrest[since_arrest], run.disposal[since_arrest], end)
    out["days_arrest_to_disposal_median"], censored = km_median(to_disposal, disposed)
    out["days_arrest_to_disposal_median_censored"] = float(censored)

    ready = _in(run.file_done, start, end) & (run.route == DIVERT)
    programme_wait, placed = _waiting(run.file_done[ready], run.caution[ready], end)
    out["programme_wait_days_median"], censored = km_median(programme_wait, placed)
    out["programme_wait_days_median_censored"] = float(censored) if ready.any() else 0.0

    sentenced = _in(run.court_done, start, end) & run.convicted
    custody = sentenced & (draws.u_custody < params["sentencing.custody_share"])
    suspended_or_community = sentenced & ~custody
    custody_years = draws.custody_months[custody] * params["sentencing.fraction_served"] / 12
    out["convictions"] = sentenced.sum() * up
    out["custody_place_years"] = custody_years.sum() * up
    out["custody_sentences"] = custody.sum() * up
    out["custody_share_of_sentenced"] = float(custody.sum() / sentenced.sum()) if sentenced.any() else 0.0
    out["community_or_suspended_sentences"] = suspended_or_community.sum() * up
    suspended = suspended_or_community & (
        draws.u_suspended < params["sentencing.suspended_share_of_non_custody"]
    )
    out["suspended_sentences"] = suspended.sum() * up
    out["breaches"] = (cautioned & run.breached).sum() * up
    crown_charged = charged & draws.crown
    to_completion, completed = _waiting(run.charged[crown_charged], run.court_done[crown_charged], end)
    out["crown_days_charge_to_completion_median"], censored = km_median(to_completion, completed)
    out["crown_days_charge_to_completion_median_censored"] = float(censored)

    # Periods from the decision core's s.82 table (simulation/notification.py says what is assumed).
    periods = notification_years()
    registered_years = (
        periods.custody(draws.custody_months[custody]).sum()
        + periods.suspended(draws.suspended_months[suspended]).sum()
        + (suspended_or_community & ~suspended).sum() * periods.community
        + cautioned.sum() * periods.conditional_caution
        + simple.sum() * periods.caution
    )
    out["new_registrations"] = (sentenced.sum() + cautioned.sum() + simple.sum()) * up
    out["notification_years_imposed"] = registered_years * up

    # Costs of the work done inside the window, in one price year.
    factor = price or {}

    def cost(name: str) -> float:
        return params[name] * factor.get(name, 1.0)

    c = params
    files = _in(run.file_done, start, end)
    file_days = np.where(
        run.route == DIVERT,
        c["enforcement.investigator_days_per_caution"],
        c["enforcement.investigator_days_per_prosecution_file"],
    )
    police_days = (draws.work[arrested, 0] * enforcement_days(params)).sum() + (
        draws.work[files, 2] * file_days[files]
    ).sum()
    examined = _in(run.exam_done, start, end)
    exam_share = np.where(run.route == DIVERT, c["forensics.diverted_exam_fraction"], 1.0)
    devices = (draws.work[examined, 1] * exam_share[examined]).sum() * c["forensics.devices_per_case"]
    courts_done = _in(run.court_done, start, end)
    out["cost_police"] = police_days * cost("costs.investigator_day") * up
    out["cost_forensics"] = devices * cost("costs.forensic_device") * up
    out["cost_cps"] = (
        (charged & draws.crown).sum() * cost("costs.cps_crown")
        + (charged & ~draws.crown).sum() * cost("costs.cps_magistrates")
    ) * up
    out["cost_courts"] = (
        (courts_done & draws.crown).sum() * cost("costs.court_crown")
        + (courts_done & ~draws.crown).sum() * cost("costs.court_magistrates")
    ) * up
    out["cost_prison"] = out["custody_place_years"] * cost("costs.prison_place_year")
    out["cost_community_sentences"] = out["community_or_suspended_sentences"] * cost("costs.community_order")
    out["cost_programme"] = out["cases_diverted"] * cost("costs.programme_participant")
    out["cost_notification"] = out["notification_years_imposed"] * cost("costs.registered_person_year")
    out["cost_gbp_total"] = sum(out[part] for part in COST_PARTS)

    sexual, contact = _expected_reoffences(params, draws, run, cohort)
    out["expected_sexual_reoffences"] = sexual * up
    out["expected_contact_reoffences"] = contact * up
    out["harm_cost_gbp"] = (out["expected_sexual_reoffences"] - out["expected_contact_reoffences"]) * cost(
        "costs.harm_sexual_reoffence"
    ) + out["expected_contact_reoffences"] * cost("costs.harm_contact_reoffence")

    diverted = cohort & (run.route == DIVERT)
    out["diverted_share_of_cohort"] = float(diverted[cohort].mean()) if cohort.any() else 0.0
    out["contact_risk_among_diverted"] = (
        float(draws.latent_contact[diverted].mean()) if diverted.any() else 0.0
    )
    out["proactive_reserve_exhausted"] = float(run.proactive_exhausted)
    for name, summary in run.stations.items():
        out[f"utilisation_{name}"] = summary["utilisation"]
        out[f"mean_wait_days_{name}"] = summary["Wq_all"]
        out[f"completed_per_month_{name}"] = summary["throughput"] * DAYS_PER_MONTH * up
    return {k: float(v) for k, v in out.items()}


def _expected_reoffences(
    params: dict[str, float], draws: CaseDraws, run: RunRecord, cohort: np.ndarray
) -> tuple[float, float]:
    """Expected sexual and contact reoffences of the cohort over a fixed window from referral.

    The rates are over `reoffending.followup_years`, spread evenly over the window that starts at
    referral, whatever happens to the person; inside it, time in custody carries no risk
    (incapacitation) and time after completing the programme carries the rate times
    (1 - `treatment_effect`), which may be above 1 (a harmful programme). Everything else is at
    the untreated rate: waiting for action, for a decision, for court, on a caution not completed,
    and after a non-custodial sentence. Custody counts only when sentenced before the horizon.

    The contact rate is a population average; it is split so that people posing a contact risk
    reoffend `contact_risk_relative_risk` times as often as the others and the average still holds.
    """
    p = params["cohort.contact_risk_share"]
    rr = params["reoffending.contact_risk_relative_risk"]
    base_contact = params["reoffending.contact_rate"] / (1 - p + rr * p)
    contact_rate = np.where(draws.latent_contact, base_contact * rr, base_contact)[cohort]
    sexual_rate = np.maximum(params["reoffending.sexual_rate"], contact_rate)  # contact offences are sexual

    window = params["reoffending.followup_years"] * DAYS_PER_YEAR
    t0 = draws.arrival[cohort]
    t1 = t0 + window
    court_done = run.court_done[cohort]
    jailed = (
        run.convicted[cohort]
        & ~np.isnan(court_done)
        & (draws.u_custody[cohort] < params["sentencing.custody_share"])
    )
    served = draws.custody_months[cohort] * params["sentencing.fraction_served"] * DAYS_PER_MONTH
    c0 = np.where(jailed, court_done, 0.0)
    in_custody = np.where(jailed, _overlap(c0, c0 + served, t0, t1), 0.0)
    completed = (
        (run.route[cohort] == DIVERT)
        & ~np.isnan(run.caution[cohort])
        & (draws.u_complete[cohort] < params["diversion.completion_share"])
    )
    treated_from = np.where(
        completed, run.caution[cohort] + params["diversion.programme_months"] * DAYS_PER_MONTH, t1
    )
    treated = np.clip(t1 - np.maximum(treated_from, t0), 0.0, None)
    untreated = window - in_custody - treated
    exposure = (untreated + (1.0 - params["reoffending.treatment_effect"]) * treated) / window
    return float((sexual_rate * exposure).sum()), float((contact_rate * exposure).sum())
