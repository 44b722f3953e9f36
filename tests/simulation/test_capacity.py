"""Capacity-limited enforcement, grading at referral, harm over a fixed window, history matching,
overrides and sweeps: the mechanisms issue 12 asked for, each held to what it must show."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskroute.core.errors import InvalidInput
from riskroute.simulation.calibration import TARGETS, fluid_history, plausible
from riskroute.simulation.cohort import ATTRIBUTES, SHARE_OF, build_pool
from riskroute.simulation.engine import draw_cases, run_pipeline
from riskroute.simulation.export import replication_frame
from riskroute.simulation.metrics import CONTRACT_METRICS
from riskroute.simulation.montecarlo import replicate, simulate, stream, summarise
from riskroute.simulation.scenario import parse_overrides
from riskroute.simulation.sweep import sweep

GOLDEN = Path(__file__).parent / "data" / "demand_limited_v1.json"
RECORDED = ("action", "arrest", "exam_done", "file_done", "caution", "charged", "court_done", "disposal")


def _digest(values: np.ndarray) -> str:
    return hashlib.sha256(np.round(values, 6).tobytes()).hexdigest()


def test_the_switch_reproduces_the_demand_limited_engine_exactly(loaded):
    """enforcement.capacity_limited = 0 gives engine 1.0's per-case event times, bit for bit.

    The golden file was written by engine 1.0 (the demand-limited engine as on main, run from main's
    own source; its `engine` field names the commit) at its scenario's central values, which it
    also records; the newer parameters are neutral there.
    """
    golden = json.loads(GOLDEN.read_text())
    params = loaded.scenario.central() | golden["params"] | {"enforcement.capacity_limited": 0}
    seed = golden["seed"]
    pool = build_pool(params, "npcc-2017", stream(seed, 0), per_stratum=golden["per_stratum"])
    for i in range(2):
        draws = draw_cases(
            params,
            pool,
            golden["years"],
            np.random.default_rng(stream(seed, 1, i, 1)),
            np.random.default_rng(stream(seed, 1, i, 2)),
        )
        for name, use_policy in (("baseline", False), ("policy", True)):
            run = run_pipeline(params, draws, pool, use_policy=use_policy)
            expected = golden["runs"][f"{i}-{name}"]
            for field in RECORDED:
                assert _digest(getattr(run, field)) == expected[field], (i, name, field)
            assert hashlib.sha256(run.route.astype(np.int8).tobytes()).hexdigest() == expected["route"]
            assert int((~np.isnan(run.caution)).sum()) == expected["cautions"]


def _central(quick, years: float, **overrides: float):
    pool = build_pool(quick.scenario.central(), "npcc-2017", stream(2, 0), per_stratum=120)
    names = {k.replace("__", "."): v for k, v in overrides.items()}
    return replicate(quick.scenario, pool, years, 2, 0, overrides=names, sample_parameters=False)


def test_arrests_respond_to_investigator_capacity(quick):
    few = _central(quick, 1, enforcement__investigators=220)
    many = _central(quick, 1, enforcement__investigators=400)
    assert many.baseline["arrests_per_month"] > 1.2 * few.baseline["arrests_per_month"]
    # In the demand-limited model, once capacity keeps up, arrests are the arrival rate whatever it is.
    some0 = _central(quick, 1, enforcement__investigators=400, enforcement__capacity_limited=0)
    many0 = _central(quick, 1, enforcement__investigators=800, enforcement__capacity_limited=0)
    assert many0.baseline["arrests_per_month"] == pytest.approx(some0.baseline["arrests_per_month"], rel=0.02)


def test_freed_investigator_capacity_reaches_contact_risk_sooner_and_ample_capacity_removes_it(quick):
    """Where investigators are the constraint, diversion frees file work and the suspects who pose
    a contact risk or have access are reached sooner; with ample capacity there is nothing to free."""
    bound = {"forensics__examiners": 400, "diversion__programme_places": 900}
    tight = _central(quick, 3, **bound)
    effect = (
        tight.policy["days_to_action_contact_risk_median"]
        - tight.baseline["days_to_action_contact_risk_median"]
    )
    assert tight.policy["cases_diverted"] > 0
    assert effect < -5
    assert tight.policy["people_reached_per_month"] > tight.baseline["people_reached_per_month"]
    assert tight.policy["child_days_at_risk"] < tight.baseline["child_days_at_risk"]
    ample = _central(quick, 3, enforcement__investigators=3000, **bound)
    ample_effect = (
        ample.policy["days_to_action_contact_risk_median"]
        - ample.baseline["days_to_action_contact_risk_median"]
    )
    assert abs(ample_effect) < 0.1 * abs(effect)
    assert ample.baseline["days_to_action_contact_risk_median"] < 5


def test_proactive_posts_use_only_spare_capacity(quick):
    spare = _central(quick, 1, enforcement__investigators=800)
    assert spare.baseline["proactive_arrests_per_month"] > 0
    none = _central(quick, 1, enforcement__investigators=800, enforcement__proactive_share=0)
    assert none.baseline["proactive_arrests_per_month"] == 0
    assert spare.baseline["arrests_per_month"] > none.baseline["arrests_per_month"]
    assert spare.baseline["proactive_reserve_exhausted"] == 0


def test_grading_at_referral_never_raises_a_band_and_is_exact_when_all_is_seen(small_pool):
    full = small_pool.band  # 0 = very high ... 3 = low
    assert (small_pool.band_at_referral[:, 1, 1] == full).all()
    assert (small_pool.band_at_referral >= full[:, None, None]).all()
    hidden_access = small_pool.stratum % 2 == 1
    assert (small_pool.band_at_referral[hidden_access, 0, 1] > full[hidden_access]).any()


def test_a_suspect_graded_too_low_waits_longer(quick):
    rep = _central(quick, 1)
    assert rep.baseline["share_graded_below_full_band"] > 0
    perfect = _central(
        quick, 1, banding__access_seen_at_referral=1, banding__contact_indicator_seen_at_referral=1
    )
    assert perfect.baseline["share_graded_below_full_band"] == 0


def test_cohort_weights_are_one_at_the_centre_and_reproduce_a_drawn_share(loaded, small_pool):
    central = loaded.scenario.central()
    assert np.array_equal(small_pool.weights(central), np.ones(small_pool.stratum.size))
    column = small_pool.attributes[:, ATTRIBUTES.index("distribution")]
    for share in (0.1, 0.35):
        w = small_pool.weights(central | {SHARE_OF["distribution"]: share})
        assert float((w * column).sum() / w.sum()) == pytest.approx(share, abs=0.03)


def test_custody_incapacitates_and_a_harmful_programme_shows(quick):
    """Harm is over a fixed window from referral: more custody means fewer reoffences; a programme
    that makes things worse (negative effect) makes diversion cost reoffences."""
    lenient = _central(quick, 2, sentencing__custody_share=0.0)
    harsh = _central(quick, 2, sentencing__custody_share=0.9)
    assert harsh.baseline["expected_sexual_reoffences"] < lenient.baseline["expected_sexual_reoffences"]
    places = {"diversion__programme_places": 900}
    harmful = _central(quick, 2, reoffending__treatment_effect=-0.5, **places)
    helpful = _central(quick, 2, reoffending__treatment_effect=0.5, **places)

    def effect(rep):
        return rep.policy["expected_contact_reoffences"] - rep.baseline["expected_contact_reoffences"]

    assert effect(harmful) > 0 > effect(helpful)


def test_every_sampled_draw_matches_the_history_or_says_so(quick):
    result = simulate(quick, "npcc-2017", replications=4, seed=3, years=0.5, pool_per_stratum=40)
    for rep in result.replications:
        assert rep.attempts >= 1
        unscaled = rep.params | {"model.scale": quick.scenario.central()["model.scale"]}
        assert plausible(unscaled)
    matching = result.document()["history_matching"]
    assert matching["replications_without_a_match"] == 0
    assert matching["draws_per_kept_replication"] >= 1


def test_history_matching_rejects_an_implausible_regime(loaded):
    central = loaded.scenario.central()
    assert plausible(central)
    assert not plausible(central | {"forensics.examiners": 60})  # the forensic queue would explode
    assert not plausible(central | {"enforcement.investigators": 900})  # far more arrests than 2017
    assert fluid_history(central)["arrests_per_month_first_year"] == pytest.approx(470, abs=15)


def test_calibration_table_names_a_source_for_every_row(quick):
    result = simulate(quick, "npcc-2017", replications=2, seed=1, years=1, pool_per_stratum=40)
    rows = result.calibration()
    assert [row["target"] for row in rows] == [t.name for t in TARGETS]
    for row in rows:
        assert row["source"] and row["published"] and row["support"]
        assert row["model_p05"] <= row["model_mean"] <= row["model_p95"]


def test_summaries_carry_the_monte_carlo_standard_error():
    row = summarise([1.0, 2.0, 3.0, 4.0])
    assert row["mcse"] == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2)
    assert summarise([5.0])["mcse"] == 0.0


def test_overrides_are_checked_like_the_scenario_file(loaded):
    scenario = loaded.scenario
    assert parse_overrides(scenario, ["enforcement.investigators=500"]) == {
        "enforcement.investigators": 500.0
    }
    assert parse_overrides(scenario, ["parameters.cohort.contact_risk_share=0.2"]) == {
        "cohort.contact_risk_share": 0.2
    }
    for bad, path in [
        ("enforcement.investigatorz=5", "enforcement.investigatorz"),
        ("cohort.contact_risk_share=1.5", "cohort.contact_risk_share"),
        ("enforcement.capacity_limited=0.5", "enforcement.capacity_limited"),
        ("forensics.examiners=lots", "forensics.examiners"),
        ("forensics.examiners=inf", "forensics.examiners"),
        ("no-equals-sign", "--set"),
    ]:
        with pytest.raises(InvalidInput) as info:
            parse_overrides(scenario, [bad])
        assert info.value.details[0]["path"] == path, bad


@settings(max_examples=25, deadline=None)
@given(share=st.floats(min_value=0.0, max_value=1.0), count=st.integers(min_value=1, max_value=5000))
def test_any_valid_share_or_capacity_is_accepted(loaded, share, count):
    out = parse_overrides(
        loaded.scenario, [f"cohort.access_to_children_share={share!r}", f"charging.lawyers={count}"]
    )
    assert out == {"cohort.access_to_children_share": share, "charging.lawyers": float(count)}


def test_sweep_shares_seeds_across_points_and_export_recomputes_the_summary(quick):
    document = sweep(
        quick,
        "npcc-2017",
        "enforcement.investigators",
        [300.0, 300.0, 500.0],
        replications=2,
        seed=4,
        years=0.5,
        pool_per_stratum=40,
    )
    assert document["param"] == "enforcement.investigators"
    assert [p["value"] for p in document["points"]] == [300.0, 300.0, 500.0]
    first, again, other = document["points"]
    assert first == again  # the same value with the same seed: the same point
    assert set(CONTRACT_METRICS) <= set(first["difference"])
    assert first["baseline"]["arrests_per_month"] != other["baseline"]["arrests_per_month"]

    result = simulate(quick, "npcc-2017", replications=3, seed=4, years=0.5, pool_per_stratum=40)
    frame = replication_frame(result)
    assert len(frame) == 3
    summary = result.document()["difference"]["cost_gbp_total"]
    assert frame["difference.cost_gbp_total"].mean() == pytest.approx(summary["mean"])
    assert isinstance(frame, pd.DataFrame) and "param.enforcement.investigators" in frame
