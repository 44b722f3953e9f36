"""Public `triage()` hands each caller its own document: nothing in it is shared with the memos.

The memo tables keep instrument results, rule answers and explanations for reuse across a
caseload. If `triage()` returned those objects, a caller editing its result (a case service
adding a field, a test changing a band) would change every later result for the same facts.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from core_cases import POLICIES, case_documents, divertible, facts, load_example
from hypothesis import given, settings
from hypothesis import strategies as st

from riskroute.core.triage import triage
from riskroute.examples import example_paths

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
