"""The report: charts, self-contained HTML (nothing fetched), a real PDF, and the tornado."""

from __future__ import annotations

import re

import orjson
import pytest

from riskroute.simulation.charts import backlogs, costs
from riskroute.simulation.montecarlo import simulate
from riskroute.simulation.report import write_report
from riskroute.simulation.sensitivity import TORNADO_OUTPUTS, screen, tornado


@pytest.fixture(scope="module")
def result(quick):
    return simulate(quick, "npcc-2017", replications=4, seed=2, years=1, pool_per_stratum=60)


def test_screen_picks_uncertain_non_model_parameters(result):
    chosen = screen(result, 5)
    params = result.loaded.scenario.params()
    assert len(chosen) == 5
    assert all(params[name].high > params[name].low and params[name].support != "model" for name in chosen)


def test_tornado_swings_a_parameter_that_matters(result):
    # The treatment effect changes reoffences only through the diverted, so its swing must move
    # the policy's effect on contact reoffences, and in the right direction.
    t = tornado(
        result.loaded.scenario,
        result.pool,
        2,
        2,
        ["reoffending.treatment_effect"],
        replications=2,
        # places and examiners enough for cautions to be given (and completed) inside the run
        overrides={"diversion.programme_places": 900, "forensics.examiners": 400},
    )
    swing = t.swings[0]
    assert set(t.central) == set(TORNADO_OUTPUTS)
    assert swing.at_high["expected_contact_reoffences"] < swing.at_low["expected_contact_reoffences"]


def test_report_is_self_contained_and_has_a_pdf(result, tmp_path):
    t = tornado(result.loaded.scenario, result.pool, 1, 2, ["cohort.contact_risk_share"], replications=1)
    written = write_report(result, t, tmp_path)
    page = written["html"].read_text()
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)  # nothing to fetch
    assert page.count("data:image/svg+xml;base64,") == 5 + len(TORNADO_OUTPUTS)  # charts + tornados
    assert "not verified" in page and "england-wales-2017" in page
    assert written["pdf"].read_bytes().startswith(b"%PDF")
    assert orjson.loads(written["json"].read_bytes())["replications"] == 4
    for name in (
        "backlogs",
        "time_to_action",
        "reaching_the_dangerous",
        "costs",
        "reoffences",
        "tornado_cost_gbp_total",
    ):
        assert (tmp_path / f"{name}.svg").read_bytes().startswith(b"<?xml")
        assert (tmp_path / f"{name}.png").read_bytes().startswith(b"\x89PNG")


def test_charts_are_deterministic(result, tmp_path):
    for directory in (tmp_path / "a", tmp_path / "b"):
        directory.mkdir()
        backlogs(result, directory)
        costs(result, directory)
    for name in ("backlogs", "costs"):
        assert (tmp_path / "a" / f"{name}.svg").read_bytes() == (tmp_path / "b" / f"{name}.svg").read_bytes()


def test_screen_falls_back_to_the_widest_ranges_when_correlations_are_noise(result):
    """Four replications cannot tell a correlation from noise (|rho| > 2/sqrt(4) = 1 is impossible),
    so the bars go to the most uncertain parameters, not to chance correlations."""
    params = result.loaded.scenario.params()
    chosen = screen(result, 3)

    def width(name):
        p = params[name]
        return (p.high - p.low) / abs(p.value)

    others = [n for n, p in params.items() if p.high > p.low and p.support != "model" and n not in chosen]
    assert min(width(n) for n in chosen) >= max(width(n) for n in others)
