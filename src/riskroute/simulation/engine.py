"""One run of the pipeline: SimPy processes over capacity-limited stations.

Flow of one arrestee (docs/simulation.md has the diagram):

    referral ──► enforcement action (investigators, priority by band) ──► arrest
      ──► forensic examination (examiners; a diverted case needs only a triage examination)
      ──► prosecute: case file (investigators) ──► charging decision (CPS) ──► court (Crown or
          magistrates' slots) ──► sentence (custody / suspended / community) or acquittal;
          not charged ──► no further action
      ──► divert: caution paperwork (investigators) ──► conditional caution when a programme place
          is free ──► programme ──► completed, or breached ──► back to the CPS for prosecution

The grain is the arrest: a referral that ends without an arrest is folded into the enforcement
work of the arrests (days per warrant ÷ warrant-to-arrest conversion), which keeps the event count
per replication modest. A share `model.scale` of the national caseload is simulated with the same
share of every capacity; counts and costs are scaled back up.

Every random number a case needs is drawn up front (`draw_cases`) from the replication's process
stream, in an order that does not depend on routing. The baseline and policy runs of a replication
therefore see the same people, the same arrival times and the same service times (common random
numbers): the difference between them is the policy, not noise, and a policy that diverts nobody
reproduces the baseline exactly.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from riskroute.simulation.cohort import DIVERT, RoutedPool, latent_contact_probability, stratum_probabilities
from riskroute.simulation.station import Station

DAYS_PER_YEAR = 365.0
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

#: Service-time shapes (gamma): police, forensic and CPS work vary a lot from case to case
#: (coefficient of variation 0.71); court time less so (0.5). Modelling guesses (G).
WORK_SHAPE = 2.0
COURT_SHAPE = 4.0
#: Case files and caution paperwork queue for investigators at the priority of a medium referral:
#: below very high and high enforcement action, above low (G; no source says how forces balance it).
FILE_PRIORITY = 2
COURT_PRIORITY = 0

# Where a case enters the pipeline: new arrivals start at enforcement; the initial backlogs start
# further in.
ENFORCE, FORENSIC, COURT = 0, 1, 2

#: Notification periods by disposal (SOA 2003 s.82; law.md §7). Indefinite is counted as 15 years,
#: the first point at which a review is possible.
NOTIFY_CAUTION, NOTIFY_NON_CUSTODIAL, NOTIFY_SHORT, NOTIFY_MEDIUM, NOTIFY_INDEFINITE = (
    2.0,
    5.0,
    7.0,
    10.0,
    15.0,
)

STATION_NAMES = ("investigators", "examiners", "lawyers", "crown", "magistrates", "programme")


@dataclass(frozen=True)
class CaseDraws:
    """Every random input of every case in one replication (shared by its baseline and policy runs)."""

    arrival: np.ndarray  # day
    start_stage: np.ndarray
    pool_index: np.ndarray
    latent_contact: np.ndarray  # bool
    work: np.ndarray  # (n, 4) unit-mean gamma draws: enforcement, exam, file, cps
    court: np.ndarray  # unit-mean gamma draw
    crown: np.ndarray  # bool
    u_charge: np.ndarray
    u_convict: np.ndarray
    u_complete: np.ndarray
    u_custody: np.ndarray
    u_suspended: np.ndarray
    custody_months: np.ndarray
    horizon: float
    warmup: float


def _arrival_rate(params: dict[str, float], t: np.ndarray | float) -> np.ndarray | float:
    per_day = params["arrivals.arrests_per_month"] * params["model.scale"] / DAYS_PER_MONTH
    return per_day * (1 + params["arrivals.annual_growth"]) ** (np.asarray(t) / DAYS_PER_YEAR)


def draw_cases(
    params: dict[str, float], pool: RoutedPool, years: float, rng: np.random.Generator
) -> CaseDraws:
    """Arrival times (non-homogeneous Poisson by thinning), backlogs and every per-case draw."""
    warmup = params["model.warmup_months"] * DAYS_PER_MONTH
    horizon = warmup + years * DAYS_PER_YEAR
    peak = float(max(_arrival_rate(params, 0.0), _arrival_rate(params, horizon)))
    candidates = np.sort(rng.uniform(0.0, horizon, rng.poisson(peak * horizon)))
    keep = rng.random(candidates.size) * peak < _arrival_rate(params, candidates)
    arrivals = candidates[keep]

    scale = params["model.scale"]
    backlog = [
        (ENFORCE, round(params["enforcement.initial_backlog"] * scale)),
        (FORENSIC, round(params["forensics.initial_backlog"] * scale)),
        (COURT, round(params["courts.initial_backlog_crown"] * scale)),
        (COURT, round(params["courts.initial_backlog_magistrates"] * scale)),
    ]
    n_backlog = sum(n for _, n in backlog)
    n = n_backlog + arrivals.size
    start = np.concatenate(
        [np.full(k, stage, dtype=np.int8) for stage, k in backlog] + [np.zeros(arrivals.size, np.int8)]
    )
    arrival = np.concatenate([np.zeros(n_backlog), arrivals])

    strata = rng.choice(4, size=n, p=stratum_probabilities(params))
    members = pool.members()
    u_member = rng.random(n)
    pool_index = np.empty(n, dtype=np.int64)
    for s in range(4):
        mask = strata == s
        pool_index[mask] = members[s][(u_member[mask] * members[s].size).astype(np.int64)]
    latent = rng.random(n) < latent_contact_probability(params, strata >= 2)
    work = rng.standard_gamma(WORK_SHAPE, size=(n, 4)) / WORK_SHAPE
    court = rng.standard_gamma(COURT_SHAPE, size=n) / COURT_SHAPE
    crown = rng.random(n) < params["courts.crown_share"]
    n_crown_backlog = backlog[2][1]
    first_court = backlog[0][1] + backlog[1][1]
    crown[first_court : first_court + n_crown_backlog] = True
    crown[first_court + n_crown_backlog : n_backlog] = False
    return CaseDraws(
        arrival=arrival,
        start_stage=start,
        pool_index=pool_index,
        latent_contact=latent,
        work=work,
        court=court,
        crown=crown,
        u_charge=rng.random(n),
        u_convict=rng.random(n),
        u_complete=rng.random(n),
        u_custody=rng.random(n),
        u_suspended=rng.random(n),
        custody_months=rng.standard_gamma(WORK_SHAPE, size=n)
        / WORK_SHAPE
        * params["sentencing.custody_months_mean"],
        horizon=horizon,
        warmup=warmup,
    )


@dataclass
class RunRecord:
    """What happened to each case (NaN = did not happen before the horizon) and the monitors."""

    route: np.ndarray
    band: np.ndarray
    action: np.ndarray  # enforcement action starts (the referral is taken on)
    arrest: np.ndarray
    exam_done: np.ndarray
    file_done: np.ndarray
    caution: np.ndarray
    charged: np.ndarray
    court_done: np.ndarray
    convicted: np.ndarray
    disposal: np.ndarray
    breached: np.ndarray
    series: dict[str, list[float]]
    stations: dict[str, dict[str, float]]
    events: int


def run_pipeline(params: dict[str, float], draws: CaseDraws, pool: RoutedPool, use_policy: bool) -> RunRecord:
    """Simulate one run. `use_policy` routes cases arriving after the warm-up by the tested policy."""
    env = simpy.Environment()
    scale = params["model.scale"]
    growth = params["model.capacity_growth"]
    inv_factor = DAYS_PER_YEAR / params["enforcement.working_days_per_year"]
    base_capacity = {
        "investigators": params["enforcement.investigators"] * scale,
        "examiners": params["forensics.examiners"] * scale,
        "lawyers": params["charging.lawyers"] * scale,
        "crown": params["courts.crown_slots"] * scale,
        "magistrates": params["courts.magistrates_slots"] * scale,
        "programme": params["diversion.programme_places"] * scale,
    }
    st = {name: Station(env, name, max(1, round(cap))) for name, cap in base_capacity.items()}
    inv, exam, cps, crown_st, mags, prog = (st[name] for name in STATION_NAMES)

    n = draws.arrival.size
    band = pool.band[draws.pool_index]
    route = pool.base_route[draws.pool_index].copy()
    if use_policy:
        after = draws.arrival >= draws.warmup
        route[after] = pool.policy_route[draws.pool_index[after]]

    enforce_days = (
        params["enforcement.investigator_days_per_warrant"] / params["enforcement.warrant_to_arrest"]
    )
    exam_days = (
        params["forensics.devices_per_case"] * params["forensics.examiner_days_per_device"] * inv_factor
    )
    svc_enforce = draws.work[:, 0] * enforce_days * inv_factor
    svc_exam = draws.work[:, 1] * exam_days
    svc_exam = np.where(route == DIVERT, svc_exam * params["forensics.diverted_exam_fraction"], svc_exam)
    file_days = np.where(
        route == DIVERT,
        params["enforcement.investigator_days_per_caution"],
        params["enforcement.investigator_days_per_prosecution_file"],
    )
    svc_file = draws.work[:, 2] * file_days * inv_factor
    svc_cps = draws.work[:, 3] * params["charging.lawyer_days_per_file"] * inv_factor
    svc_court = draws.court * np.where(
        draws.crown, params["courts.crown_days"], params["courts.magistrates_days"]
    )
    programme_days = params["diversion.programme_months"] * DAYS_PER_MONTH
    charge_share = params["charging.charge_share"]
    convict_share = params["sentencing.conviction_share"]
    completion = params["diversion.completion_share"]

    # Per-case outcomes as plain lists (faster than NumPy element writes inside the processes).
    nan = float("nan")
    action, arrest, exam_done, file_done = [nan] * n, [nan] * n, [nan] * n, [nan] * n
    caution = [nan] * n
    charged, court_done, disposal = [nan] * n, [nan] * n, [nan] * n
    convicted, breached = [False] * n, [False] * n
    awaiting_action = [0]

    band_l, route_l, crown_l = band.tolist(), route.tolist(), draws.crown.tolist()
    svc_enforce_l, svc_exam_l, svc_file_l = svc_enforce.tolist(), svc_exam.tolist(), svc_file.tolist()
    svc_cps_l, svc_court_l = svc_cps.tolist(), svc_court.tolist()
    u_charge_l, u_convict_l, u_complete_l = (
        draws.u_charge.tolist(),
        draws.u_convict.tolist(),
        draws.u_complete.tolist(),
    )

    def case(i: int, stage: int) -> Generator[simpy.Event, Any, None]:
        """One arrestee's path; written as one flat generator because nesting costs time per event."""
        if stage != COURT:
            if stage == ENFORCE:
                referred = env.now
                waited = yield from inv.visit(band_l[i], svc_enforce_l[i])
                action[i] = referred + waited  # investigators take the referral on
                awaiting_action[0] -= 1
                arrest[i] = env.now
            yield from exam.visit(band_l[i], svc_exam_l[i])
            exam_done[i] = env.now
            yield from inv.visit(FILE_PRIORITY, svc_file_l[i])
            file_done[i] = env.now
            if route_l[i] == DIVERT:
                entered = env.now
                turn = prog.acquire(0)
                if turn is not None:
                    yield turn
                caution[i] = disposal[i] = env.now  # a conditional caution needs a free programme place
                yield env.timeout(programme_days)
                prog.release(entered, env.now - programme_days - entered)
                if u_complete_l[i] < completion:
                    return
                breached[i] = True  # back to the CPS for prosecution of the original offence
            yield from cps.visit(band_l[i], svc_cps_l[i])
            if u_charge_l[i] >= charge_share:
                if disposal[i] != disposal[i]:  # NaN: not yet disposed of
                    disposal[i] = env.now  # no further action
                return
        charged[i] = env.now
        yield from (crown_st if crown_l[i] else mags).visit(COURT_PRIORITY, svc_court_l[i])
        court_done[i] = env.now
        convicted[i] = u_convict_l[i] < convict_share
        if disposal[i] != disposal[i]:
            disposal[i] = env.now

    def arrivals() -> Generator[simpy.Event, Any, None]:
        times = draws.arrival.tolist()
        stages = draws.start_stage.tolist()
        for i in range(n):
            if times[i] > env.now:
                yield env.timeout(times[i] - env.now)
            if stages[i] == ENFORCE:
                awaiting_action[0] += 1
            env.process(case(i, stages[i]))

    devices = params["forensics.devices_per_case"]
    series: dict[str, list[float]] = {
        "month": [],
        "enforcement_backlog": [],
        "forensic_backlog_devices": [],
        "court_backlog": [],
        "programme_queue": [],
    }

    def monitor() -> Generator[simpy.Event, Any, None]:
        """Backlogs at the end of each month (month 0 is the initial state, before any work)."""
        initial = draws.start_stage[draws.arrival == 0.0]
        series["month"].append(0.0)
        series["enforcement_backlog"].append(float((initial == ENFORCE).sum()) / scale)
        series["forensic_backlog_devices"].append(float((initial == FORENSIC).sum()) * devices / scale)
        series["court_backlog"].append(float((initial == COURT).sum()) / scale)
        series["programme_queue"].append(0.0)
        month = 0
        while True:
            yield env.timeout(DAYS_PER_MONTH)
            month += 1
            series["month"].append(float(month))
            series["enforcement_backlog"].append(awaiting_action[0] / scale)
            series["forensic_backlog_devices"].append(exam.waiting * devices / scale)
            series["court_backlog"].append((crown_st.present + mags.present) / scale)
            series["programme_queue"].append(prog.waiting / scale)

    def capacity_plan() -> Generator[simpy.Event, Any, None]:
        year = 0
        while True:
            yield env.timeout(DAYS_PER_YEAR)
            year += 1
            for name, cap in base_capacity.items():
                st[name].set_capacity(round(cap * (1 + growth) ** year))

    def end_warmup() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(draws.warmup)
        for station in st.values():
            station.reset_monitor()

    env.process(arrivals())
    env.process(monitor())
    env.process(capacity_plan())
    if draws.warmup > 0:
        env.process(end_warmup())
    events = _count_events(env, draws.horizon)
    return RunRecord(
        route=route,
        band=band,
        action=np.array(action),
        arrest=np.array(arrest),
        exam_done=np.array(exam_done),
        file_done=np.array(file_done),
        caution=np.array(caution),
        charged=np.array(charged),
        court_done=np.array(court_done),
        convicted=np.array(convicted, dtype=bool),
        disposal=np.array(disposal),
        breached=np.array(breached, dtype=bool),
        series=series,
        stations={name: station.summary() for name, station in st.items()},
        events=events,
    )


def _count_events(env: simpy.Environment, until: float) -> int:
    """Run up to `until`, counting processed events (the benchmark reports events per second)."""
    events = 0
    step, peek = env.step, env.peek
    while peek() < until:
        step()
        events += 1
    env.run(until=until)  # move the clock to the horizon so time averages cover the whole window
    return events
