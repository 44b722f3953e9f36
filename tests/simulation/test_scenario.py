"""Scenario files: every parameter sourced and marked, ranges enforced, bad files named by field."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from riskroute.core.errors import InvalidInput
from riskroute.simulation.scenario import SOURCED, bundled_ids, load_scenario, parse_scenario

from .conftest import BUNDLED


def test_bundled_scenario_is_listed_and_loads(loaded):
    assert BUNDLED in bundled_ids()
    assert loaded.scenario.id == BUNDLED
    assert len(loaded.sha256) == 64


def test_every_parameter_has_unit_year_source_and_support(loaded):
    for name, p in loaded.scenario.params().items():
        assert p.unit and p.year and p.source, name
        assert p.low <= p.value <= p.high, name


def test_seed_figures_match_figures_md(loaded):
    params = loaded.scenario.params()
    arrests = params["arrivals.arrests_per_month"]
    assert (arrests.low, arrests.high) == (400, 438)  # 400+/month (2017) to ~438/month (2018)
    contact = params["cohort.contact_risk_share"]
    assert (contact.low, contact.high, contact.support) == (0.16, 0.50, "Seed")
    assert params["costs.prison_place_year"].value == 35371
    assert params["enforcement.warrant_to_arrest"].value == 0.58


def test_unverified_lists_every_weakly_supported_parameter(loaded):
    unverified = set(loaded.scenario.unverified())
    for name, p in loaded.scenario.params().items():
        assert (name in unverified) == (p.support not in SOURCED)
    assert "enforcement.investigators" in unverified  # a calibrated guess
    assert "costs.prison_place_year" not in unverified  # stated in the source


def _bad(scenario_data, group, name, **fields):
    data = yaml.safe_load(yaml.safe_dump(scenario_data))
    data["parameters"][group][name].update(fields)
    return yaml.safe_dump(data).encode()


@pytest.mark.parametrize(
    ("group", "name", "fields", "path"),
    [
        ("forensics", "examiners", {"value": 1000}, "parameters.forensics.examiners"),
        ("cohort", "contact_risk_share", {"high": 1.5}, "parameters.cohort.contact_risk_share"),
        ("courts", "crown_slots", {"low": 0, "value": 0}, "parameters.courts.crown_slots"),
        ("costs", "forensic_device", {"support": "Z"}, "parameters.costs.forensic_device.support"),
        ("arrivals", "annual_growth", {"surprise": 1}, "parameters.arrivals.annual_growth.surprise"),
        ("charging", "charge_share", {"value": "high"}, "parameters.charging.charge_share.value"),
        ("enforcement", "warrant_to_arrest", {"low": 0}, "parameters.enforcement.warrant_to_arrest"),
        ("model", "scale", {"low": 0, "value": 0, "high": 0}, "parameters.model.scale"),
    ],
)
def test_bad_parameters_are_named_by_path(scenario_data, group, name, fields, path):
    with pytest.raises(InvalidInput) as info:
        parse_scenario(_bad(scenario_data, group, name, **fields), origin="test")
    assert path in [d["path"] for d in info.value.details]


def test_missing_parameter_and_malformed_yaml(scenario_data):
    data = yaml.safe_load(yaml.safe_dump(scenario_data))
    del data["parameters"]["diversion"]["programme_places"]
    with pytest.raises(InvalidInput) as info:
        parse_scenario(yaml.safe_dump(data).encode(), origin="test")
    assert info.value.details[0]["path"] == "parameters.diversion.programme_places"
    with pytest.raises(InvalidInput) as info:
        parse_scenario(b"id: [unclosed", origin="test")
    assert info.value.details[0]["path"] == "$"


def test_unknown_scenario_reference():
    with pytest.raises(InvalidInput) as info:
        load_scenario("no-such-scenario")
    assert info.value.details[0]["path"] == "scenario"


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_sampled_parameters_stay_in_their_ranges(loaded, seed):
    draw = loaded.scenario.sample(np.random.default_rng(seed))
    for name, p in loaded.scenario.params().items():
        assert p.low <= draw[name] <= p.high, name


def test_triangular_sampling_has_the_right_mean(loaded):
    rng = np.random.default_rng(1)
    p = loaded.scenario.params()["cohort.contact_risk_share"]
    draws = np.array([loaded.scenario.sample(rng)["cohort.contact_risk_share"] for _ in range(4000)])
    assert draws.mean() == pytest.approx((p.low + p.value + p.high) / 3, abs=0.006)


def test_docs_list_every_parameter_with_its_support(loaded):
    """docs/simulation.md must not drift from the bundled scenario."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "simulation.md").read_text()
    for name, p in loaded.scenario.params().items():
        rows = [line for line in docs.splitlines() if line.startswith(f"| `{name}` |")]
        assert len(rows) == 1, name
        assert f"| {p.support} |" in rows[0], name
