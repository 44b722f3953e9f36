"""Shared fixtures: the bundled scenario, variants of it, and small routed pools (routed by the real core)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from riskroute.simulation.cohort import RoutedPool, build_pool
from riskroute.simulation.montecarlo import stream
from riskroute.simulation.scenario import SCENARIO_DIR, LoadedScenario, load_scenario, parse_scenario

BUNDLED = "england-wales-2017"


@pytest.fixture(scope="session")
def loaded() -> LoadedScenario:
    return load_scenario(BUNDLED)


@pytest.fixture(scope="session")
def scenario_data() -> dict[str, Any]:
    return yaml.safe_load((SCENARIO_DIR / f"{BUNDLED}.yaml").read_text())


def _variant(data: dict[str, Any], changes: dict[str, dict[str, Any]]) -> LoadedScenario:
    """The bundled scenario with some parameters changed: {"group.name": {"value": v, ...}}."""
    new = copy.deepcopy(data)
    for dotted, fields in changes.items():
        group, name = dotted.split(".")
        new["parameters"][group][name].update(fields)
    return parse_scenario(yaml.safe_dump(new).encode(), origin="test-variant")


@pytest.fixture(scope="session")
def variant(scenario_data: dict[str, Any]) -> Callable[[dict[str, dict[str, Any]]], LoadedScenario]:
    return lambda changes: _variant(scenario_data, changes)


def fixed(value: float) -> dict[str, float]:
    return {"value": value, "low": value, "high": value}


@pytest.fixture(scope="session")
def small_pool(loaded: LoadedScenario) -> RoutedPool:
    return build_pool(loaded.scenario.central(), "npcc-2017", stream(7, 0), per_stratum=150)


@pytest.fixture(scope="session")
def quick(scenario_data: dict[str, Any]) -> LoadedScenario:
    """The bundled scenario at a twentieth of E&W instead of a quarter: the same mechanisms, five
    times fewer events, for tests about reproducibility and contracts rather than levels."""
    return _variant(scenario_data, {"model.scale": fixed(0.05)})
