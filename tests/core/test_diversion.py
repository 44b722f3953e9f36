"""The diversion prerequisites and safety exclusions (`core/diversion.py`), from the safety file.

Each safety rule of `_safety.yaml` is made to fail, and then made unknown, on the bundled
low-level viewer (who is otherwise divertible): each time, diversion is refused on `kind` with
that rule's own reason, however complete the admission, consent and justification are.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from riskroute.core.diversion import DEFAULT_REASON, diversion_problems, safety_exclusions, safety_problems
from riskroute.core.knowledge import CORE_DIR
from riskroute.core.triage import triage
from tests.factories import divertible
from tests.strategies import POLICIES, case_documents, facts, riskier_consistent, with_value

SAFETY_RULES: list[dict[str, Any]] = yaml.safe_load(
    (CORE_DIR / "policy" / "policies" / "_safety.yaml").read_bytes()
)["rules"]
COMPLETE = {"admission": True, "consent": True, "exceptional_circumstances": "First contact; remorse."}


def _failing(rule: dict[str, Any]) -> tuple[str, Any]:
    """The fact a safety rule reads and a value of it that makes the rule block."""
    requires = rule["requires"]
    if "not" in requires:
        inner = requires["not"]
        return inner["fact"], [inner["intersects"][0]]
    wanted = requires["is"]
    return requires["fact"], (not wanted) if isinstance(wanted, bool) else wanted + 1


def _propose(triage_output: dict[str, Any], **changes: Any) -> list[dict[str, str]]:
    fields = COMPLETE | changes
    return list(
        diversion_problems(recommendation=triage_output["recommendation"], triage=triage_output, **fields)
    )


def test_the_divertible_example_may_be_proposed() -> None:
    result = triage(facts(divertible()))
    assert result["recommendation"] == "divert"
    assert safety_exclusions(result) == []
    assert _propose(result) == []


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"admission": None}, "admission"),
        ({"admission": False}, "admission"),
        ({"consent": None}, "consent"),
        ({"consent": False}, "consent"),
        ({"exceptional_circumstances": "   "}, "exceptional_circumstances"),
    ],
)
def test_each_prerequisite_is_needed(changes: dict[str, Any], path: str) -> None:
    """Only a recorded yes counts: an unknown admission or consent is not one."""
    problems = _propose(triage(facts(divertible())), **changes)
    assert [p["path"] for p in problems] == [path]


@pytest.mark.parametrize("rule", SAFETY_RULES, ids=[r["id"] for r in SAFETY_RULES])
@pytest.mark.parametrize("policy", POLICIES)
def test_each_safety_rule_that_fails_excludes_diversion(rule: dict[str, Any], policy: str) -> None:
    path, value = _failing(rule)
    result = triage(facts(riskier_consistent(with_value(divertible(), path, value))), policy)
    excluded = [e for e in safety_exclusions(result) if e["id"] == rule["id"]]
    assert [(e["result"], e["reason"]) for e in excluded] == [(False, rule["reason"])]
    assert {"path": "kind", "message": f"diversion is excluded: {rule['reason']}"} in _propose(result)


@pytest.mark.parametrize("rule", SAFETY_RULES, ids=[r["id"] for r in SAFETY_RULES])
def test_each_safety_rule_that_is_unknown_excludes_diversion(rule: dict[str, Any]) -> None:
    path, _ = _failing(rule)
    result = triage(facts(with_value(divertible(), path, None)))
    excluded = [e for e in safety_exclusions(result) if e["id"] == rule["id"]]
    assert [e["result"] for e in excluded] == [None]
    message = f"diversion is excluded until this is known: {excluded[0]['reason']}"
    assert {"path": "kind", "message": message} in _propose(result)


def test_needs_information_supports_no_diversion() -> None:
    result = triage(facts(with_value(divertible(), "process.admits_offence", None)))
    assert result["recommendation"] == "needs_information"
    message = "the assessment needs more information; diversion cannot be proposed"
    assert {"path": "kind", "message": message} in _propose(result)


def test_a_rule_without_a_stated_reason_still_excludes() -> None:
    step = {"rule": "new_rule", "kind": "safety", "result": False, "citation": "c", "facts": {}}
    stored = {"trace": [step]}
    assert [e["reason"] for e in safety_exclusions(stored)] == [DEFAULT_REASON]
    assert safety_exclusions({"trace": [{"rule": "p", "kind": "policy", "result": False}]}) == []


@settings(max_examples=150, deadline=None)
@given(case_documents(), st.sampled_from(POLICIES))
def test_any_safety_rule_not_passing_always_blocks_diversion(document: dict[str, Any], policy: str) -> None:
    """Whatever the facts, the policy and the answers given: a safety rule that did not pass (on
    known facts or for want of one) leaves a problem on `kind`, and no problem at all means every
    safety rule passed and the recommendation was not `needs_information`."""
    result = triage(facts(document), policy)
    failing = [s for s in result["trace"] if s["kind"] == "safety" and s["result"] is not True]
    problems = _propose(result)
    assert len(safety_problems(result)) == len(failing)
    if failing:
        assert any(p["path"] == "kind" for p in problems)
    if not problems:
        assert not failing and result["recommendation"] != "needs_information"
