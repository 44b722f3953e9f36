"""The simulation's notification years follow the decision core's s.82 table, boundary by boundary,
and follow it when the table changes (the simulation keeps no copy of the law)."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest

import riskroute.simulation.notification as sim
from riskroute.simulation.cohort import build_pool
from riskroute.simulation.engine import DAYS_PER_MONTH, draw_cases, run_pipeline
from riskroute.simulation.metrics import compute_metrics
from riskroute.simulation.montecarlo import stream

from .conftest import fixed

# The package re-exports the function `notification` under the module's name, so import by path.
core = importlib.import_module("riskroute.core.law.notification")
ONE_DAY = 1 / DAYS_PER_MONTH


def _core_years(disposal: core.Disposal) -> float:
    """The core's answer for an adult offender with images of a child under 16."""
    result = core.notification(
        core.NotificationRequest(
            offence="cja1988_s160",
            youngest_depicted="under_16",
            age_at_offence=30,
            age_on_relevant_date=30,
            disposal=disposal,
            relevant_date=date(2020, 6, 1),
        )
    )
    assert result["notifiable"] is True
    if result["period"]["indefinite"]:
        return sim.INDEFINITE_COUNTED_AS_YEARS
    return float(result["period_months"]) / 12


def _custody_boundaries() -> list[float]:
    """Every custody bound in the core table, with a day either side, and the statutory 6 and 30."""
    points = {6.0, 30.0, 0.5, 600.0}
    for row in core.periods():
        bounds = row.custody_months
        if bounds is not None:
            points.update(v for v in (bounds.min, bounds.over, bounds.max, bounds.under) if v is not None)
    return sorted({p + d for p in points for d in (-ONE_DAY, 0.0, ONE_DAY) if p + d > 0})


@pytest.fixture
def fresh() -> Iterator[None]:
    sim.notification_years.cache_clear()
    yield
    sim.notification_years.cache_clear()


def test_custody_periods_match_the_core_at_every_boundary(fresh):
    months = _custody_boundaries()
    assert {6.0, 6.0 + ONE_DAY, 30.0 - ONE_DAY, 30.0} <= set(months)
    expected = [_core_years(core.Disposal(type="custody", custody_months=m)) for m in months]
    assert sim.notification_years().custody(np.array(months)).tolist() == expected


def test_the_statutory_boundaries_fall_where_the_core_puts_them(fresh):
    """6 months or less: 7 years; over 6 and under 30: 10; 30 or more: indefinite (counted)."""
    years = sim.notification_years().custody(np.array([6.0, 6.0 + ONE_DAY, 30.0 - ONE_DAY, 30.0]))
    assert years.tolist() == [7.0, 10.0, 10.0, sim.INDEFINITE_COUNTED_AS_YEARS]


def test_cautions_and_community_sentences_match_the_core(fresh):
    periods = sim.notification_years()
    assert periods.caution == _core_years(core.Disposal(type="caution"))
    assert periods.conditional_caution == _core_years(core.Disposal(type="conditional_caution"))
    assert periods.community == _core_years(core.Disposal(type="community_order"))


def test_a_suspended_sentence_counts_as_imprisonment_of_its_term(fresh):
    """SOA 2003 s.82 with CJA 2003 s.189(6): a suspended term of 6 months or less brings 7 years,
    more than 6 months 10 years, as `riskroute law notification` says (not a community order's 5)."""
    months = [0.5, 4.0, 6.0, 6.0 + ONE_DAY, 12.0, 24.0]
    expected = [_core_years(core.Disposal(type="suspended_sentence", custody_months=m)) for m in months]
    years = sim.notification_years().suspended(np.array(months))
    assert years.tolist() == expected == [7.0, 7.0, 7.0, 10.0, 10.0, 10.0]


def _sentenced_run(variant, suspended_share: float):
    """A small run where every sentence is non-custodial, a share of them suspended for 4 months."""
    scenario = variant(
        {
            "model.scale": fixed(0.05),
            "sentencing.custody_share": fixed(0.0),
            "sentencing.suspended_share_of_non_custody": fixed(suspended_share),
        }
    ).scenario
    params = scenario.central()
    pool = build_pool(params, "npcc-2017", stream(3, 0), per_stratum=60)
    draws = draw_cases(params, pool, 1, np.random.default_rng(8), np.random.default_rng(9))
    draws = dataclasses.replace(draws, suspended_months=np.full(draws.arrival.size, 4.0))
    return compute_metrics(params, draws, run_pipeline(params, draws, pool, use_policy=False))


def test_the_metric_counts_a_four_month_suspended_sentence_as_seven_years(variant):
    """notification_years_imposed: 7 years for each 4-month suspended sentence, 5 for each community
    order, 2 for each caution, matching `riskroute law notification` disposal by disposal."""
    suspended_years = _core_years(core.Disposal(type="suspended_sentence", custody_months=4.0))
    community_years = _core_years(core.Disposal(type="community_order"))
    caution_years = _core_years(core.Disposal(type="caution"))
    assert (suspended_years, community_years) == (7.0, 5.0)
    for share, per_sentence in ((1.0, suspended_years), (0.0, community_years)):
        m = _sentenced_run(variant, share)
        assert m["convictions"] > 0 and m["custody_sentences"] == 0
        assert m["suspended_sentences"] == pytest.approx(share * m["convictions"])
        cautions = m["cases_diverted"] + m["simple_cautions"]
        expected = m["convictions"] * per_sentence + cautions * caution_years
        assert m["notification_years_imposed"] == pytest.approx(expected), share


def test_the_simulation_follows_a_changed_core_table(fresh, monkeypatch):
    """Move the custody thresholds and the caution period in the core's table: the simulation's
    lookups move with them, and still agree with the core function."""
    definition, table = core._table()
    periods = []
    for row in table.periods:
        if row.id == "s82_custody_30_months_or_more":
            row = row.model_copy(update={"custody_months": core.Bounds(min=24)})
        elif row.id == "s82_custody_over_6_under_30_months":
            row = row.model_copy(update={"custody_months": core.Bounds(over=12, under=24), "years": 11})
        elif row.id == "s82_custody_6_months_or_less":
            row = row.model_copy(update={"custody_months": core.Bounds(max=12)})
        elif row.id == "s82_caution":
            row = row.model_copy(update={"years": 3})
        periods.append(row)
    changed = (definition, table.model_copy(update={"periods": periods}))
    monkeypatch.setattr(core, "_table", lambda: changed)  # the simulation reads it via `periods()`

    months = [12.0, 12.0 + ONE_DAY, 24.0 - ONE_DAY, 24.0]
    years = sim.notification_years().custody(np.array(months))
    assert years.tolist() == [7.0, 11.0, 11.0, sim.INDEFINITE_COUNTED_AS_YEARS]
    assert years.tolist() == [_core_years(core.Disposal(type="custody", custody_months=m)) for m in months]
    assert sim.notification_years().caution == 3.0 == _core_years(core.Disposal(type="caution"))


def test_indefinite_is_counted_from_no_earlier_than_the_first_review():
    """The counted years are a modelling choice, but never shorter than the law's first review."""
    assert core._table()[1].review.adult_years <= sim.INDEFINITE_COUNTED_AS_YEARS
