"""One run of the pipeline: processes over capacity-limited stations, on a small event loop with
SimPy's ordering (`loop.py`).

Flow of one suspect (docs/simulation.md has the diagram):

    referral ──► pool of referrals not yet reached ──► enforcement action (investigators, at
      capacity, earliest target date first by the band graded at referral) ──► arrest
      ──► forensic examination (examiners; re-banded on the full facts; a diverted case needs only
          a triage examination)
      ──► prosecute: case file (investigators) ──► charging decision (CPS) ──► court (Crown or
          magistrates' slots) ──► sentence (custody / suspended / community) or acquittal;
          not charged ──► simple caution or no further action
      ──► divert: caution paperwork (investigators) ──► conditional caution when a programme place
          is free ──► programme ──► completed, or breached ──► back to the CPS for prosecution
    proactive work: investigators with no referral or file waiting find and arrest suspects who
      were never referred (lowest priority, at most `enforcement.proactive_share` of the posts).

The grain is the referral that ends in an arrest once actioned: referrals arrive at
`arrivals.referrals_per_month` × `enforcement.warrant_to_arrest`, and the work of the warrants that
find no one to arrest is folded into each arrest (days per warrant ÷ warrant-to-arrest conversion),
which keeps the event count per replication modest.

`enforcement.capacity_limited = 0` switches the referral pool, the proactive work and the grading
at referral off and reproduces the demand-limited model of engine 1.0 exactly (tested): arrivals
are then arrests at `arrivals.arrests_per_month`, whatever the capacity, and enforcement is ordered
by the full band (strict priority).

A share `model.scale` of the national caseload is simulated with the same share of every capacity;
counts and costs are scaled back up.

Every random number a case needs is drawn up front (`draw_cases`) in an order that does not depend
on routing, including a reserve of proactive suspects taken in order. The baseline and policy runs
of a replication therefore see the same people, the same arrival times and the same service times
(common random numbers): the difference between them is the policy, not noise, and a policy that
diverts nobody reproduces the baseline exactly.
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from riskroute.simulation.cohort import (
    DIVERT,
    RoutedPool,
    latent_contact_probability,
    stratum_probabilities,
)
from riskroute.simulation.loop import EventLoop, Process
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
#: In the capacity-limited model a case already arrested is progressed before a new arrest is made
#: (G: no source says how forces balance the two; this makes arrests what capacity leaves over).
FILES_FIRST = -math.inf
#: Proactive work comes after every referral and file: it only uses capacity nobody else needs.
PROACTIVE_PRIORITY = math.inf
COURT_PRIORITY = 0
#: The reserve of proactive suspects drawn per run: this many times the most the proactive posts
#: could reach at the mean effort (running out is reported, `proactive_reserve_exhausted`).
PROACTIVE_RESERVE_MARGIN = 1.5

#: The longest term a suspended sentence may have: 2 years (Sentencing Code s.277; mark R, recalled).
#: Drawn terms are capped here, so none reaches the 30 months of an indefinite notification.
SUSPENDED_MONTHS_MAX = 24.0

#: Allocations between collections of the youngest generation during a run (default 700).
GC_YOUNG_THRESHOLD = 50_000

# Where a case enters the pipeline: referrals start at enforcement; the initial backlogs start
# further in; proactive suspects enter when an investigator takes them on.
ENFORCE, FORENSIC, COURT, PROACTIVE = 0, 1, 2, 3

STATION_NAMES = ("investigators", "examiners", "lawyers", "crown", "magistrates", "programme")


@dataclass(frozen=True)
class CaseDraws:
    """Every random input of every case in one replication (shared by its baseline and policy runs).

    Cases `[0, n_referred)` are the initial backlogs and the referrals; the rest are the reserve of
    proactive suspects (arrival = inf: they have no referral), taken in order by either run.
    """

    arrival: np.ndarray  # day of referral
    start_stage: np.ndarray
    pool_index: np.ndarray
    access: np.ndarray  # bool: access to children (in the full facts)
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
    suspended_months: np.ndarray  # the term of a suspended sentence, were one passed
    access_seen: np.ndarray  # bool: an access is known when the referral is graded
    contact_seen: np.ndarray  # bool: a contact indicator is known when the referral is graded
    n_referred: int
    horizon: float
    warmup: float


def capacity_limited(params: dict[str, float]) -> bool:
    return params["enforcement.capacity_limited"] == 1


def _arrival_rate(params: dict[str, float], t: np.ndarray | float) -> np.ndarray | float:
    if capacity_limited(params):
        per_month = params["arrivals.referrals_per_month"] * params["enforcement.warrant_to_arrest"]
        growth = params["arrivals.referral_growth"]
    else:
        per_month, growth = params["arrivals.arrests_per_month"], params["arrivals.annual_growth"]
    per_day = per_month * params["model.scale"] / DAYS_PER_MONTH
    return per_day * (1 + growth) ** (np.asarray(t) / DAYS_PER_YEAR)


def enforcement_days(params: dict[str, float]) -> float:
    """Investigator working days of one arrest, the warrants that found nobody folded in."""
    return params["enforcement.investigator_days_per_warrant"] / params["enforcement.warrant_to_arrest"]


def _proactive_posts(params: dict[str, float], investigators: float) -> int:
    if not capacity_limited(params):
        return 0
    return round(params["enforcement.proactive_share"] * investigators)


def _people(params: dict[str, float], pool: RoutedPool, n: int, rng: np.random.Generator) -> dict[str, Any]:
    """Who each case is and its per-case draws, in engine 1.0's order of draws."""
    strata = rng.choice(4, size=n, p=stratum_probabilities(params))
    members = pool.members()
    weights = pool.weights(params)
    u_member = rng.random(n)
    pool_index = np.empty(n, dtype=np.int64)
    for s in range(4):
        mask = strata == s
        # inverse CDF over the members' importance weights (uniform when they are all 1)
        cumulative = np.cumsum(weights[members[s]])
        picked = np.searchsorted(cumulative, u_member[mask] * cumulative[-1], side="right")
        pool_index[mask] = members[s][np.minimum(picked, members[s].size - 1)]
    return {
        "pool_index": pool_index,
        "access": strata % 2 == 1,
        "latent_contact": rng.random(n) < latent_contact_probability(params, strata >= 2),
        "work": rng.standard_gamma(WORK_SHAPE, size=(n, 4)) / WORK_SHAPE,
        "court": rng.standard_gamma(COURT_SHAPE, size=n) / COURT_SHAPE,
        "crown": rng.random(n) < params["courts.crown_share"],
        "u_charge": rng.random(n),
        "u_convict": rng.random(n),
        "u_complete": rng.random(n),
        "u_custody": rng.random(n),
        "u_suspended": rng.random(n),
        "custody_months": rng.standard_gamma(WORK_SHAPE, size=n)
        / WORK_SHAPE
        * params["sentencing.custody_months_mean"],
    }


def _sight(params: dict[str, float], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draws engine 1.0 did not make (grading at referral), from their own stream so its streams
    are unchanged."""
    return {
        "access_seen": rng.random(n) < params["banding.access_seen_at_referral"],
        "contact_seen": rng.random(n) < params["banding.contact_indicator_seen_at_referral"],
    }


def _proactive_reserve(params: dict[str, float], horizon: float) -> int:
    """An upper bound on how many suspects the proactive posts can take on before the horizon."""
    years = horizon / DAYS_PER_YEAR
    investigators = (
        params["enforcement.investigators"]
        * params["model.scale"]
        * (1 + max(0.0, params["model.capacity_growth"])) ** math.ceil(years)
    )
    posts = _proactive_posts(params, investigators)
    if posts == 0:
        return 0
    calendar_days = enforcement_days(params) * DAYS_PER_YEAR / params["enforcement.working_days_per_year"]
    return math.ceil(PROACTIVE_RESERVE_MARGIN * posts * horizon / calendar_days) + 10


def draw_cases(
    params: dict[str, float],
    pool: RoutedPool,
    years: float,
    rng: np.random.Generator,
    side: np.random.Generator,
) -> CaseDraws:
    """Arrival times (non-homogeneous Poisson by thinning), backlogs and every per-case draw.

    `rng` makes exactly engine 1.0's draws; `side` makes the new ones (grading at referral) and
    the proactive reserve, and last of all the suspended terms, so that adding them changed no
    earlier draw of either stream.
    """
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
    people = _people(params, pool, n, rng)
    n_crown_backlog = backlog[2][1]
    first_court = backlog[0][1] + backlog[1][1]
    people["crown"][first_court : first_court + n_crown_backlog] = True
    people["crown"][first_court + n_crown_backlog : n_backlog] = False
    sight = _sight(params, n, side)

    n_reserve = _proactive_reserve(params, horizon)
    if n_reserve:
        reserve = _people(params, pool, n_reserve, side)
        reserve_sight = _sight(params, n_reserve, side)
        people = {k: np.concatenate([v, reserve[k]]) for k, v in people.items()}
        sight = {k: np.concatenate([v, reserve_sight[k]]) for k, v in sight.items()}
        start = np.concatenate([start, np.full(n_reserve, PROACTIVE, dtype=np.int8)])
        arrival = np.concatenate([arrival, np.full(n_reserve, np.inf)])
    suspended_months = np.minimum(
        side.standard_gamma(WORK_SHAPE, size=arrival.size)
        / WORK_SHAPE
        * params["sentencing.suspended_months_mean"],
        SUSPENDED_MONTHS_MAX,
    )
    return CaseDraws(
        arrival=arrival,
        start_stage=start,
        **people,
        **sight,
        suspended_months=suspended_months,
        n_referred=n,
        horizon=horizon,
        warmup=warmup,
    )


@dataclass
class RunRecord:
    """What happened to each case (NaN = did not happen before the horizon) and the monitors."""

    route: np.ndarray
    band: np.ndarray  # on the full facts, after arrest
    band_seen: np.ndarray  # as graded at referral (what the investigators ordered by)
    action: np.ndarray  # enforcement action starts (the referral is taken on)
    arrest: np.ndarray
    exam_done: np.ndarray
    file_done: np.ndarray
    caution: np.ndarray  # conditional caution (diversion)
    simple_caution: np.ndarray  # simple caution after a file was not charged
    charged: np.ndarray
    court_done: np.ndarray
    convicted: np.ndarray
    disposal: np.ndarray
    breached: np.ndarray
    proactive_taken: int
    proactive_exhausted: bool
    series: dict[str, list[float]]
    stations: dict[str, dict[str, float]]
    events: int


def run_pipeline(params: dict[str, float], draws: CaseDraws, pool: RoutedPool, use_policy: bool) -> RunRecord:
    """Simulate one run. `use_policy` routes cases arriving after the warm-up by the tested policy."""
    env = EventLoop()
    scale = params["model.scale"]
    growth = params["model.capacity_growth"]
    limited = capacity_limited(params)
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
    band_seen = (
        pool.band_at_referral[draws.pool_index, draws.access_seen.astype(int), draws.contact_seen.astype(int)]
        if limited
        else band
    )
    base_route = pool.base_route[draws.pool_index]
    route = base_route.copy()
    if use_policy:
        # Referrals after the warm-up; proactive suspects (arrival inf) are re-checked when taken on.
        after = draws.arrival >= draws.warmup
        route[after] = pool.policy_route[draws.pool_index[after]]

    svc_enforce = draws.work[:, 0] * enforcement_days(params) * inv_factor
    exam_full = draws.work[:, 1] * (
        params["forensics.devices_per_case"] * params["forensics.examiner_days_per_device"] * inv_factor
    )
    exam_triage = exam_full * params["forensics.diverted_exam_fraction"]
    file_prosecute = (
        draws.work[:, 2] * params["enforcement.investigator_days_per_prosecution_file"] * inv_factor
    )
    file_caution = draws.work[:, 2] * params["enforcement.investigator_days_per_caution"] * inv_factor
    svc_cps = draws.work[:, 3] * params["charging.lawyer_days_per_file"] * inv_factor
    svc_court = draws.court * np.where(
        draws.crown, params["courts.crown_days"], params["courts.magistrates_days"]
    )
    programme_days = params["diversion.programme_months"] * DAYS_PER_MONTH
    charge_share = params["charging.charge_share"]
    caution_limit = min(1.0, charge_share + params["charging.caution_share"])
    convict_share = params["sentencing.conviction_share"]
    completion = params["diversion.completion_share"]
    # Investigators' order. Capacity-limited model: files and caution paperwork of people already
    # arrested first, then referrals by earliest target date (referral + the target days of the band
    # graded at referral), so a low referral is not starved for ever; proactive work last.
    # Engine 1.0: strict band priority, files at the priority of a medium referral.
    if limited:
        targets = np.asarray(pool.target_days, dtype=float)
        enforce_key = (draws.arrival + targets[band_seen]).tolist()
        file_key: float = FILES_FIRST
    else:
        enforce_key = band.tolist()
        file_key = FILE_PRIORITY

    # Per-case outcomes as plain lists (faster than NumPy element writes inside the processes).
    nan = float("nan")
    action, arrest, exam_done, file_done = [nan] * n, [nan] * n, [nan] * n, [nan] * n
    caution, simple_caution = [nan] * n, [nan] * n
    charged, court_done, disposal = [nan] * n, [nan] * n, [nan] * n
    convicted, breached = [False] * n, [False] * n
    awaiting_action = [0]

    band_l, crown_l = band.tolist(), draws.crown.tolist()
    route_l, base_route_l = route.tolist(), base_route.tolist()
    svc_enforce_l, svc_cps_l, svc_court_l = svc_enforce.tolist(), svc_cps.tolist(), svc_court.tolist()
    exam_l = (exam_full.tolist(), exam_triage.tolist())
    file_l = (file_prosecute.tolist(), file_caution.tolist())
    u_charge_l, u_convict_l, u_complete_l = (
        draws.u_charge.tolist(),
        draws.u_convict.tolist(),
        draws.u_complete.tolist(),
    )

    def case(i: int, stage: int) -> Process:
        """One suspect's path; written as one flat generator because nesting costs time per event."""
        if stage != COURT:
            if stage == ENFORCE:
                referred = env.now
                waited = yield from inv.visit(enforce_key[i], svc_enforce_l[i])
                action[i] = referred + waited  # investigators take the referral on
                awaiting_action[0] -= 1
                arrest[i] = env.now
            divert = route_l[i] == DIVERT
            yield from exam.visit(band_l[i], exam_l[divert][i])
            exam_done[i] = env.now
            yield from inv.visit(file_key, file_l[divert][i])
            file_done[i] = env.now
            if divert:
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
                    disposal[i] = env.now  # simple caution or no further action
                    if u_charge_l[i] < caution_limit:
                        simple_caution[i] = env.now
                return
        charged[i] = env.now
        yield from (crown_st if crown_l[i] else mags).visit(COURT_PRIORITY, svc_court_l[i])
        court_done[i] = env.now
        convicted[i] = u_convict_l[i] < convict_share
        if disposal[i] != disposal[i]:
            disposal[i] = env.now

    def arrivals() -> Process:
        times = draws.arrival[: draws.n_referred].tolist()
        stages = draws.start_stage.tolist()
        for i in range(draws.n_referred):
            if times[i] > env.now:
                yield env.timeout(times[i] - env.now)
            if stages[i] == ENFORCE:
                awaiting_action[0] += 1
            env.process(case(i, stages[i]))

    taken = [draws.n_referred]  # next proactive suspect in the reserve

    def proactive_post() -> Process:
        """One post's proactive work: whenever no referral or file waits, take on the next suspect."""
        while taken[0] < n:
            k = taken[0]
            taken[0] += 1
            joined = env.now
            waited = yield from inv.visit(PROACTIVE_PRIORITY, svc_enforce_l[k])
            action[k] = joined + waited
            arrest[k] = env.now
            if action[k] < draws.warmup:
                route_l[k] = base_route_l[k]  # the policy applies from the end of the warm-up
            env.process(case(k, FORENSIC))

    posts = [0]

    def add_proactive_posts(investigators: int) -> None:
        while posts[0] < _proactive_posts(params, investigators):
            posts[0] += 1
            env.process(proactive_post())

    devices = params["forensics.devices_per_case"]
    series: dict[str, list[float]] = {
        "month": [],
        "enforcement_backlog": [],
        "forensic_backlog_devices": [],
        "court_backlog": [],
        "programme_queue": [],
    }

    def monitor() -> Process:
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

    def capacity_plan() -> Process:
        year = 0
        while True:
            yield env.timeout(DAYS_PER_YEAR)
            year += 1
            for name, cap in base_capacity.items():
                st[name].set_capacity(round(cap * (1 + growth) ** year))
            add_proactive_posts(inv.capacity)

    def end_warmup() -> Process:
        yield env.timeout(draws.warmup)
        for station in st.values():
            station.reset_monitor()

    env.process(arrivals())
    if n > draws.n_referred:
        add_proactive_posts(inv.capacity)
    env.process(monitor())
    env.process(capacity_plan())
    if draws.warmup > 0:
        env.process(end_warmup())
    events = _count_events(env, draws.horizon)
    return RunRecord(
        route=np.array(route_l, dtype=np.int8),
        band=band,
        band_seen=band_seen,
        action=np.array(action),
        arrest=np.array(arrest),
        exam_done=np.array(exam_done),
        file_done=np.array(file_done),
        caution=np.array(caution),
        simple_caution=np.array(simple_caution),
        charged=np.array(charged),
        court_done=np.array(court_done),
        convicted=np.array(convicted, dtype=bool),
        disposal=np.array(disposal),
        breached=np.array(breached, dtype=bool),
        proactive_taken=taken[0] - draws.n_referred,
        proactive_exhausted=n > draws.n_referred and taken[0] >= n,
        series=series,
        stations={name: station.summary() for name, station in st.items()},
        events=events,
    )


def _count_events(env: EventLoop, until: float) -> int:
    """Run up to `until` and count the events processed (the benchmark reports events per second).

    A run keeps thousands of waiting processes alive (the referral pool); at the default
    thresholds the cyclic garbage collector walks them again every few hundred allocations. The
    youngest generation's threshold is raised for the run (and restored after), which saves a
    noticeable share of the run time for tens of megabytes more memory at most.
    """
    previous = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *previous[1:])
    try:
        return env.run(until)
    finally:
        gc.set_threshold(*previous)
