"""Knowledge files: every bundled definition loads with its identity and marks; edits change the
hash; malformed files fail clearly, naming the file; a force's own priority tree is used."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskroute.core.conditions import ConditionError
from riskroute.core.instruments import INSTRUMENT_IDS, get_instrument, load_instrument
from riskroute.core.knowledge import CORE_DIR, DefinitionError, Mark, load_bundled, load_definition
from riskroute.core.policy import POLICY_IDS, get_policy
from riskroute.core.policy.engine import SAFETY_FILE, Policy
from riskroute.core.triage import triage
from tests.factories import divertible
from tests.strategies import facts

DEFINITIONS = CORE_DIR / "instruments" / "definitions"
POLICIES = CORE_DIR / "policy" / "policies"
MARKS = {m.value for m in Mark}


def load_yaml(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_bytes())
    return data


@pytest.mark.parametrize("path", sorted(DEFINITIONS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_instrument_definition_loads_with_identity_and_marks(path: Path) -> None:
    instrument = load_instrument(path)
    data = load_yaml(path)
    assert instrument.id == data["id"] and data["version"]
    assert instrument.definition.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert data["source"]["citation"] and data["source"]["mark"] in MARKS
    assert data["population"] and "rates" in data
    entries = data.get("items", []) + data.get("lookup", []) + data.get("rules", [])
    assert entries
    for entry in entries:
        assert entry["mark"] in MARKS, entry["id"]
    for key in ("missing", "probability", "target_days"):
        if data.get(key):
            assert data[key]["mark"] in MARKS


@pytest.mark.parametrize("path", sorted(POLICIES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_policy_file_has_a_citation_and_mark_per_rule_and_parameter(path: Path) -> None:
    data = load_yaml(path)
    assert data["id"] and data["version"]
    assert data["source"]["citation"] and data["source"]["mark"] in MARKS
    for rule in data["rules"]:
        assert rule["citation"] and rule["mark"] in MARKS and rule["reason"], rule["id"]
    for name, parameter in (data.get("parameters") or {}).items():
        assert parameter["mark"] in MARKS and parameter["note"], name


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_every_bundled_policy_compiles_with_the_safety_rules_first(policy_id: str) -> None:
    policy = get_policy(policy_id)
    safety = [r["id"] for r in load_yaml(POLICIES / "_safety.yaml")["rules"]]
    assert [r.spec.id for r in policy.rules][: len(safety)] == safety
    assert policy.identity["id"] == policy_id


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_every_bundled_instrument_compiles(instrument_id: str) -> None:
    assert get_instrument(instrument_id).spec.version


# -- edits and faults, on temporary copies ------------------------------------------------------


@pytest.fixture
def copy_of(tmp_path: Path) -> Any:
    def make(source: Path, edit: Any = None) -> Path:
        target = tmp_path / source.name
        shutil.copyfile(source, target)
        if edit is not None:
            data = load_yaml(target)
            edit(data)
            target.write_text(yaml.safe_dump(data, sort_keys=False))
        return target

    return make


def test_an_edited_definition_has_a_different_hash(copy_of: Any) -> None:
    original = DEFINITIONS / "osp_dc.yaml"
    copy = copy_of(original)
    assert load_definition(copy).sha256 == load_bundled("instruments/definitions/osp_dc.yaml").sha256
    copy.write_bytes(copy.read_bytes() + b"\n# a comment is an edit too\n")
    assert load_definition(copy).sha256 != hashlib.sha256(original.read_bytes()).hexdigest()
    assert load_definition(copy).sha256 == hashlib.sha256(copy.read_bytes()).hexdigest()


def _bad_item_mark(data: dict[str, Any]) -> None:
    data["items"][0]["mark"] = "trust-me"


def _unknown_operator(data: dict[str, Any]) -> None:
    data["items"][0]["when"] = {"fact": "age_at_index", "roughly": 35}


def _unknown_band(data: dict[str, Any]) -> None:
    data["rules"][0]["band"] = "urgent"


def _incomplete_target_days(data: dict[str, Any]) -> None:
    del data["target_days"]["values"]["low"]


def _if_unknown_above_band(data: dict[str, Any]) -> None:
    rule = next(r for r in data["rules"] if r.get("if_unknown"))
    rule["band"], rule["if_unknown"] = "medium", "high"


def _label(value: str | None) -> Any:
    """A tree rule's label removed (None) or replaced: a worklist shows it as the band's reason."""

    def edit(data: dict[str, Any]) -> None:
        rule = next(r for r in data["rules"] if r["id"] == "access_occupation")
        if value is None:
            del rule["label"]
        else:
            rule["label"] = value

    return edit


@pytest.mark.parametrize(
    ("name", "edit", "error", "words"),
    [
        ("priority.yaml", _if_unknown_above_band, DefinitionError, "if_unknown"),
        ("cport.yaml", _bad_item_mark, DefinitionError, "mark"),
        ("cport.yaml", _unknown_operator, ConditionError, "roughly"),
        ("priority.yaml", _unknown_band, DefinitionError, "urgent"),
        ("priority.yaml", _incomplete_target_days, DefinitionError, "target_days"),
        ("priority.yaml", _label(None), DefinitionError, "label"),
        ("priority.yaml", _label(""), DefinitionError, "rule access_occupation: label"),
        ("priority.yaml", _label("   "), DefinitionError, "rule access_occupation: label"),
        ("priority.yaml", _label(" access at work"), DefinitionError, "rule access_occupation: label"),
        ("priority.yaml", _label("access\nat work"), DefinitionError, "rule access_occupation: label"),
        ("priority.yaml", _label("x" * 61), DefinitionError, "rule access_occupation: label"),
    ],
)
def test_a_malformed_instrument_fails_naming_the_file(
    copy_of: Any, name: str, edit: Any, error: type[Exception], words: str
) -> None:
    path = copy_of(DEFINITIONS / name, edit)
    with pytest.raises(error) as caught:
        load_instrument(path)
    assert str(path) in str(caught.value)
    assert words in str(caught.value)


def test_a_definition_that_is_not_yaml_fails_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n")
    with pytest.raises(DefinitionError, match=str(path)):
        load_instrument(path)


def _bad_rule_mark(data: dict[str, Any]) -> None:
    data["rules"][0]["mark"] = "probably"


def _unknown_parameter(data: dict[str, Any]) -> None:
    data["rules"][0]["requires"] = {"fact": "subject.age", "gte": "$adult_age"}


def _policy_unknown_operator(data: dict[str, Any]) -> None:
    data["rules"][0]["requires"] = {"fact": "subject.age", "older_than": 18}


@pytest.mark.parametrize(
    ("edit", "error", "words"),
    [
        (_bad_rule_mark, DefinitionError, "mark"),
        (_unknown_parameter, ConditionError, "$adult_age"),
        (_policy_unknown_operator, ConditionError, "older_than"),
    ],
)
def test_a_malformed_policy_fails_naming_the_file(
    copy_of: Any, edit: Any, error: type[Exception], words: str
) -> None:
    path = copy_of(POLICIES / "npcc-2017.yaml", edit)
    with pytest.raises(error) as caught:
        Policy(load_definition(path), load_bundled(SAFETY_FILE))
    assert str(path) in str(caught.value)
    assert words in str(caught.value)


# -- a force's own prioritisation tree ------------------------------------------------------------


def _force_tree(data: dict[str, Any]) -> None:
    """A force's tree: its own version, and Category B images alone raise the band to high."""
    data["id"] = "priority"
    data["version"] = "force-x-2026.1"
    data["rules"].append(
        {
            "id": "force_category_b",
            "label": "Category B images",
            "domain": "other_factors",
            "band": "high",
            "when": {"fact": "offence.image_counts.B", "gt": 0},
            "mark": "policy",
        }
    )


@pytest.fixture
def force_tree(copy_of: Any) -> Path:
    path: Path = copy_of(DEFINITIONS / "priority.yaml", _force_tree)
    return path


@pytest.fixture
def fresh_instruments() -> Iterator[None]:
    get_instrument.cache_clear()
    yield
    get_instrument.cache_clear()


def test_a_force_tree_from_the_environment_is_used_by_triage(
    force_tree: Path, fresh_instruments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = divertible()  # 3 Category B images
    assert triage(facts(document))["priority"]["band"] == "low"
    monkeypatch.setenv("RISKROUTE_PRIORITY_TREE", str(force_tree))
    get_instrument.cache_clear()
    result = triage(facts(document))
    assert result["priority"]["version"] == "force-x-2026.1"
    assert result["priority"]["definition_sha256"] == hashlib.sha256(force_tree.read_bytes()).hexdigest()
    assert result["priority"]["band"] == "high"
    assert "force_category_b" in result["priority"]["rules_fired"]
    assert result["priority"]["reason"]["text"] == "Category B images"  # the force's own words
    assert result["recommendation"] == "prosecute"  # npcc-2017 needs priority low or medium


def test_a_force_tree_that_is_not_a_tree_fails_naming_the_file(
    fresh_instruments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = DEFINITIONS / "cport.yaml"
    monkeypatch.setenv("RISKROUTE_PRIORITY_TREE", str(wrong))
    get_instrument.cache_clear()
    with pytest.raises(DefinitionError, match=str(wrong)):
        get_instrument("priority")
