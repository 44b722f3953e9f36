"""Public `triage()` hands each caller its own document: nothing in it is shared with the memos.

The memo tables keep instrument results, rule answers and explanations for reuse across a
caseload. If `triage()` returned those objects, a caller editing its result (a case service
adding a field, a test changing a band) would change every later result for the same facts.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskroute.core.facts import flatten
from riskroute.core.instruments import get_instrument
from riskroute.core.results import (
    BlockingRule,
    Explanation,
    InstrumentResult,
    ItemEntry,
    NotificationResult,
    PrioritySummary,
    TraceEntry,
    TriageResult,
    UnverifiedFlag,
)
from riskroute.core.triage import FIELDS, triage
from riskroute.examples import example_paths, load_example
from tests.factories import divertible
from tests.strategies import POLICIES, case_documents, facts

SENTINEL = "changed by the caller"


def _vandalise(value: Any) -> int:
    """Change every dict and list inside `value` in place; return how many were changed."""
    changed = 0
    if isinstance(value, dict):
        for child in list(value.values()):
            changed += _vandalise(child)
        value[SENTINEL] = SENTINEL
        changed += 1
    elif isinstance(value, list):
        for child in list(value):
            changed += _vandalise(child)
        value.append(SENTINEL)
        changed += 1
    return changed


def _example_names() -> list[str]:
    return sorted(path.name for path in example_paths())


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("name", _example_names())
def test_changing_a_result_does_not_change_the_next_one(name: str, policy: str) -> None:
    case = facts(load_example(name))
    first = triage(case, policy)
    expected = orjson.dumps(first)
    first["priority"]["band"] = "low" if first["priority"]["band"] != "low" else "very_high"
    first["scores"]["cport"]["total"] = -1
    assert _vandalise(first) > 20  # every nested part: priority, scores, policy, explanation, trace
    second = triage(case, policy)
    assert orjson.dumps(second) == expected


def test_the_named_defect_priority_band() -> None:
    """Issue 11 item 4 as reported: editing `priority.band` changed the next call's result."""
    case = facts(divertible())
    band = triage(case)["priority"]["band"]
    triage(case)["priority"]["band"] = "edited"
    assert triage(case)["priority"]["band"] == band


def test_two_results_share_no_container() -> None:
    case = facts(divertible())
    seen: dict[int, str] = {}

    def walk(value: Any, where: str, record: bool) -> list[str]:
        shared: list[str] = []
        if isinstance(value, (dict, list)):
            if record:
                seen[id(value)] = where
            elif id(value) in seen:
                shared.append(where)
            children = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in children:
                shared += walk(child, f"{where}.{key}", record)
        return shared

    first, second = triage(case), triage(case)
    walk(first, "$", record=True)
    assert walk(second, "$", record=False) == []


@settings(max_examples=40, deadline=None)
@given(case_documents(), st.sampled_from(POLICIES))
def test_any_result_can_be_changed_freely(document: dict[str, Any], policy: str) -> None:
    case = facts(document)
    first = triage(case, policy)
    expected = orjson.dumps(first)
    _vandalise(first)
    assert orjson.dumps(triage(case, policy)) == expected


def _fits(value: Any, shape: Any, where: str) -> list[str]:
    """Where a document has a field its TypedDict does not name, or lacks one it requires."""
    problems = [f"{where}.{key}: missing" for key in shape.__required_keys__ - set(value)]
    problems += [f"{where}.{key}: not in {shape.__name__}" for key in set(value) - set(shape.__annotations__)]
    return problems


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("name", _example_names())
def test_the_types_name_exactly_the_fields_of_the_documents(name: str, policy: str) -> None:
    """`core/results.py` must describe what the core returns, field for field, or mypy checks
    readers against a shape the documents do not have."""
    result = triage(facts(load_example(name)), policy)
    assert list(result) == list(FIELDS) == list(TriageResult.__annotations__)
    problems = _fits(result["priority"], PrioritySummary, "priority")
    problems += _fits(result["notification_if_cautioned"], NotificationResult, "notification_if_cautioned")
    problems += _fits(result["explanation"], Explanation, "explanation")
    for instrument in ("cport", "casic"):
        scores = result["scores"][instrument]
        problems += _fits(scores, InstrumentResult, instrument)
        for item in scores["items"]:
            problems += _fits(item, ItemEntry, f"{instrument}.items")
    for entry in result["trace"]:
        problems += _fits(entry, TraceEntry, "trace")
    for blocking in result["blocking_rules"]:
        problems += _fits(blocking, BlockingRule, "blocking_rules")
    for flag in result["unverified_rules"]:
        problems += _fits(flag, UnverifiedFlag, "unverified_rules")
    tree = get_instrument("priority").evaluate_case(flatten(facts(load_example(name))))
    problems += _fits(tree, InstrumentResult, "priority tree")
    assert problems == []
