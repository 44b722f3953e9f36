"""Three-valued conditions: Kleene's tables for all/any/not, partly known numbers, and bad specs."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from riskroute.core.conditions import ConditionError, Span, compile_condition
from riskroute.core.facts import CaseFacts, flatten

VALUES = (True, False, None)


def kleene_and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def kleene_or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


@pytest.mark.parametrize(("a", "b"), list(itertools.product(VALUES, VALUES)))
def test_kleene_all_any_not(a: bool | None, b: bool | None) -> None:
    facts = {"a": a, "b": b}
    both = compile_condition({"all": [{"fact": "a"}, {"fact": "b"}]})
    either = compile_condition({"any": [{"fact": "a"}, {"fact": "b"}]})
    negated = compile_condition({"not": {"fact": "a"}})
    assert both.evaluate(facts) is kleene_and(a, b)
    assert either.evaluate(facts) is kleene_or(a, b)
    assert negated.evaluate(facts) is (None if a is None else not a)
    assert both.unknown_paths(facts) == [p for p in ("a", "b") if facts[p] is None]


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        ({"lt": 4}, Span(2, 3), True),
        ({"lt": 4}, Span(3, 4), None),  # straddles the cut-off
        ({"lt": 4}, Span(4, 5), False),
        ({"lte": 1}, Span(0, 1), True),
        ({"lte": 1}, Span(0, 2), None),
        ({"gte": 0}, Span(0, 7), True),
        ({"is": 3}, Span(3, 3), True),
        ({"is": 3}, Span(2, 4), None),
        ({"is": 3}, Span(4, 5), False),
        ({"is_not": 3}, Span(4, 5), True),
        ({"gt": 0}, None, None),
        ({"gt": 0}, 0, False),
        ({"gt": 0}, 1, True),
    ],
)
def test_comparisons_over_partly_known_numbers(
    spec: dict[str, Any], value: Any, expected: bool | None
) -> None:
    condition = compile_condition({"fact": "x"} | spec)
    assert condition.evaluate({"x": value}) is expected
    assert condition.unknown_paths({"x": value}) == (
        [] if type(value) is not Span and value is not None else ["x"]
    )


@pytest.mark.parametrize(
    ("op", "operand", "value", "expected"),
    [
        ("intersects", ["distribution"], ("making", "distribution"), True),
        ("intersects", ["distribution"], ("possession",), False),
        ("subset_of", ["possession", "making"], ("making", "possession"), True),
        ("subset_of", ["possession", "making"], ("possession", "production"), False),
        ("in", ["under_16", "16_17"], "unknown", False),
        ("not_in", ["under_16"], "16_17", True),
        ("subset_of", ["possession"], None, None),
    ],
)
def test_membership(op: str, operand: list[str], value: Any, expected: bool | None) -> None:
    assert compile_condition({"fact": "x", op: operand}).evaluate({"x": value}) is expected


def test_known_is_never_unknown() -> None:
    condition = compile_condition({"fact": "x", "known": True})
    assert condition.evaluate({"x": None}) is False
    assert condition.evaluate({"x": 0}) is True


def test_parameters_are_resolved_and_recorded() -> None:
    condition = compile_condition({"fact": "x", "lte": "$limit"}, {"limit": 2})
    assert condition.evaluate({"x": 2}) is True and condition.evaluate({"x": 3}) is False
    assert condition.parameters == ("limit",)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"fact": "x", "about": 3}, "operator"),
        ({"fact": "x", "gt": "$nope"}, "$nope"),
        ({"fact": "x", "gt": "three"}, "number"),
        ({"fact": "x", "gt": True}, "number"),
        ({"fact": "x", "in": "abc"}, "list"),
        ({"all": []}, "non-empty"),
        ({"all": [True], "any": [True]}, "nothing beside"),
        ({"not": True, "fact": "x"}, "stands alone"),
        ({"fact": ""}, "fact path"),
        ("x > 3", "mapping"),
        ({"maybe": 1}, "unknown condition"),
    ],
)
def test_malformed_conditions_name_their_place(spec: Any, words: str) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_condition(spec, where="file.yaml: rule_x")
    assert "file.yaml: rule_x" in str(caught.value) and words in str(caught.value)


def test_flatten_reads_unchecked_no_access_as_unknown_and_keeps_yes() -> None:
    facts = CaseFacts.model_validate(
        {
            "access_to_children": {"checked": None, "household": False, "occupation": True},
            "offence": {"activities": []},
        }
    )
    flat = flatten(facts)
    assert flat["access_to_children.household"] is None
    assert flat["access_to_children.occupation"] is True
    assert flat["access_to_children.volunteering"] is None
    assert flat["offence.activities"] is None
    checked = flatten(
        facts.model_copy(
            update={"access_to_children": facts.access_to_children.model_copy(update={"checked": True})}
        )
    )
    assert checked["access_to_children.household"] is False


def test_flatten_reads_peer_to_peer_sharing_as_distribution() -> None:
    shared = CaseFacts.model_validate({"offence": {"activities": ["making"], "peer_to_peer_sharing": True}})
    assert flatten(shared)["offence.activities"] == ("distribution", "making")
    alone = CaseFacts.model_validate({"offence": {"peer_to_peer_sharing": True}})
    assert flatten(alone)["offence.activities"] == ("distribution",)
    not_shared = CaseFacts.model_validate(
        {"offence": {"activities": ["making"], "peer_to_peer_sharing": False}}
    )
    assert flatten(not_shared)["offence.activities"] == ("making",)


def test_flatten_sorts_and_deduplicates_activities() -> None:
    facts = CaseFacts.model_validate({"offence": {"activities": ["making", "possession", "making"]}})
    assert flatten(facts)["offence.activities"] == ("making", "possession")
