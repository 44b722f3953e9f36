"""The pipeline as a whole: Little's law on every stage, policy = baseline when nobody is diverted,
reproducibility, parallel = serial, warm-up, and the metrics' own arithmetic."""

from __future__ import annotations

import numpy as np
import orjson
import pytest

from riskroute.simulation.cohort import DIVERT, build_pool
from riskroute.simulation.engine import STATION_NAMES, draw_cases, run_pipeline
from riskroute.simulation.metrics import CONTRACT_METRICS, COST_PARTS, km_median
from riskroute.simulation.montecarlo import replicate, simulate, stream

from .conftest import fixed

STABLE = {
    "enforcement.investigators": fixed(600),
    "forensics.examiners": fixed(300),
    "charging.lawyers": fixed(50),
    "courts.crown_slots": fixed(2000),
    "courts.magistrates_slots": fixed(500),
    "diversion.programme_places": fixed(1500),
    "enforcement.initial_backlog": fixed(0),
    "forensics.initial_backlog": fixed(0),
    "courts.initial_backlog_crown": fixed(0),
    "courts.initial_backlog_magistrates": fixed(0),
    "arrivals.annual_growth": fixed(0),
    "arrivals.referral_growth": fixed(0),
    "model.capacity_growth": fixed(0),
    "model.warmup_months": fixed(0),
    "model.scale": fixed(0.1),
    "enforcement.proactive_share": fixed(0),  # idle investigators stay idle: a stable stage
}


def test_littles_law_holds_on_every_stage(variant):
    scenario = variant(STABLE).scenario
    params = scenario.central()
    pool = build_pool(params, "npcc-2017", stream(1, 0), per_stratum=100)
    draws = draw_cases(params, pool, 12, np.random.default_rng(5), np.random.default_rng(6))
    for use_policy in (False, True):
        run = run_pipeline(params, draws, pool, use_policy=use_policy)
        for name in STATION_NAMES:
            s = run.stations[name]
            if name == "programme" and not use_policy:
                assert s["arrivals"] == 0  # current practice diverts nobody here
                continue
            assert s["arrivals"] > 100, name
            assert s["utilisation"] < 0.95, name  # a stable stage, or the law says nothing
            assert s["L"] == pytest.approx(s["arrival_rate"] * s["W"], rel=0.04), name


def test_a_policy_that_diverts_nobody_reproduces_the_baseline_exactly(variant):
    everyone_blocked = variant({"cohort.access_to_children_share": fixed(1.0), "model.scale": fixed(0.05)})
    result = simulate(everyone_blocked, "npcc-2017", replications=2, seed=3, years=1, pool_per_stratum=60)
    document = result.document()
    for metric in document["difference"]:
        assert document["difference"][metric] == {"mean": 0.0, "p05": 0.0, "p95": 0.0, "mcse": 0.0}, metric
    assert document["baseline"] == document["policy_run"]


def test_current_practice_against_itself_is_identical(quick):
    result = simulate(quick, "current-practice", replications=2, seed=4, years=1, pool_per_stratum=60)
    document = result.document()
    assert document["baseline"] == document["policy_run"]
    for metric, row in document["difference"].items():
        assert row == {"mean": 0.0, "p05": 0.0, "p95": 0.0, "mcse": 0.0}, metric


def test_same_seed_same_output_and_other_seed_differs(quick):
    a = simulate(quick, "npcc-2017", replications=2, seed=9, years=1, pool_per_stratum=60).document()
    b = simulate(quick, "npcc-2017", replications=2, seed=9, years=1, pool_per_stratum=60).document()
    c = simulate(quick, "npcc-2017", replications=2, seed=10, years=1, pool_per_stratum=60).document()
    assert orjson.dumps(a) == orjson.dumps(b)
    assert a["baseline"] != c["baseline"]


def test_contract_fields(quick):
    document = simulate(quick, "npcc-2017", replications=2, seed=1, years=1, pool_per_stratum=60).document()
    assert {
        "scenario",
        "policy",
        "seed",
        "replications",
        "years",
        "baseline",
        "policy_run",
        "difference",
    } <= set(document)
    for table in ("baseline", "policy_run", "difference"):
        for metric in CONTRACT_METRICS:
            row = document[table][metric]
            assert set(row) == {"mean", "p05", "p95", "mcse"}
            assert all(np.isfinite(v) for v in row.values())
            assert row["p05"] <= row["mean"] <= row["p95"] or row["p05"] == row["p95"]


def test_replication_streams_do_not_depend_on_how_many_run(quick, small_pool):
    one = replicate(quick.scenario, small_pool, 1, 21, 1)
    again = replicate(quick.scenario, small_pool, 1, 21, 1)
    other = replicate(quick.scenario, small_pool, 1, 21, 2)
    assert one.baseline == again.baseline and one.params == again.params
    assert one.params != other.params


def test_parallel_processes_give_the_serial_result(quick):
    serial = simulate(quick, "npcc-2017", replications=3, seed=5, years=1, pool_per_stratum=60)
    parallel = simulate(quick, "npcc-2017", replications=3, seed=5, years=1, workers=2, pool_per_stratum=60)
    assert orjson.dumps(serial.document()) == orjson.dumps(parallel.document())


def test_policy_starts_after_warm_up_and_diverts_only_the_unblocked(loaded, small_pool):
    params = loaded.scenario.central()
    draws = draw_cases(params, small_pool, 2, np.random.default_rng(2), np.random.default_rng(3))
    run = run_pipeline(params, draws, small_pool, use_policy=True)
    before = (draws.arrival < draws.warmup) | (run.action < draws.warmup)
    assert not (run.route[before] == DIVERT).any()
    diverted = run.route == DIVERT
    assert diverted.any()
    assert (small_pool.stratum[draws.pool_index[diverted]] == 0).all()
    # a caution is a disposal and never comes before the arrest
    cautioned = ~np.isnan(run.caution)
    assert (run.caution[cautioned] >= run.arrest[cautioned]).all()


def test_costs_add_up_and_scale_back_to_england_and_wales(loaded, small_pool):
    # In the demand-limited model arrests are the input (about 420 a month in 2017, growing about
    # 10% a year), so the scale being undone shows directly.
    demand = {"enforcement.capacity_limited": 0.0}
    rep = replicate(loaded.scenario, small_pool, 1, 8, 0, overrides=demand, sample_parameters=False)
    for metrics in (rep.baseline, rep.policy):
        assert metrics["cost_gbp_total"] == pytest.approx(sum(metrics[p] for p in COST_PARTS))
        assert 380 < metrics["arrests_per_month"] < 520
        ratio = metrics["children_safeguarded_per_month"] / metrics["arrests_per_month"]
        assert ratio == pytest.approx(loaded.scenario.central()["arrivals.children_safeguarded_per_arrest"])


def test_km_median_without_censoring_is_the_lower_median():
    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 10, 101):
        x = rng.exponential(10, n)
        median, censored = km_median(x, np.ones(n, dtype=bool))
        assert not censored
        assert median == np.sort(x)[int(np.ceil(n / 2)) - 1]


def test_km_median_counts_the_still_waiting_as_at_least_this_long():
    durations = np.array([1.0, 2.0, 3.0, 10.0, 10.0, 10.0, 10.0])
    finished = np.array([True, True, True, False, False, False, False])
    median, censored = km_median(durations, finished)
    assert censored and median == 10.0  # dropping the still-waiting would have said 2 days
    median, censored = km_median(durations[:6], finished[:6])
    assert not censored and median == 3.0  # exactly half finished by day 3
