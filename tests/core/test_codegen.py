"""Compiled conditions and policies against an independent reading of the condition language.

The decision core compiles conditions into generated Python (decision 0006). These tests hold the
generated code to a plain recursive interpreter written here from the grammar in
`riskroute.core.conditions`, over random conditions and random facts, and check that nothing from
a knowledge file can become code.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from riskroute.core.conditions import Span, compile_answers, compile_condition, compile_values
from riskroute.core.policy import get_policy

# Three fact paths of three kinds, so every operator meets values it can compare.
NUMBER, FLAG, LABELS = "case.number", "case.flag", "case.labels"
WORDS = ("possession", "making", "distribution")


def kleene(values: list[bool | None], deciding: bool) -> bool | None:
    if deciding in values:
        return deciding
    return None if None in values else not deciding


def reference(spec: Any, facts: dict[str, Any]) -> bool | None:
    """The condition language read directly from its grammar, one node at a time."""
    if isinstance(spec, bool):
        return spec
    if "all" in spec:
        return kleene([reference(part, facts) for part in spec["all"]], deciding=False)
    if "any" in spec:
        return kleene([reference(part, facts) for part in spec["any"]], deciding=True)
    if "not" in spec:
        inner = reference(spec["not"], facts)
        return None if inner is None else not inner
    value = facts.get(spec["fact"])
    op = next((key for key in spec if key != "fact"), None)
    if op == "known":
        return (value is not None) is spec[op]
    if value is None:
        return None
    if op is None:
        return bool(value)
    operand = spec[op]
    if op in ("gt", "gte", "lt", "lte"):
        test = {
            "gt": lambda v: v > operand,
            "gte": lambda v: v >= operand,
            "lt": lambda v: v < operand,
            "lte": lambda v: v <= operand,
        }[op]
        if isinstance(value, Span):
            low, high = test(value.low), test(value.high)
            return low if low == high else None
        return bool(test(value))
    if op in ("is", "is_not"):
        positive = op == "is"
        if isinstance(value, Span):
            if value.low == value.high == operand:
                return positive
            return None if value.low <= operand <= value.high else not positive
        return (value == operand) is positive
    return {
        "in": lambda: value in operand,
        "not_in": lambda: value not in operand,
        "intersects": lambda: bool(set(operand) & set(value)),
        "subset_of": lambda: set(value) <= set(operand),
    }[op]()


numbers = st.integers(-2, 6)
leaves = st.one_of(
    st.booleans(),
    st.builds(lambda: {"fact": FLAG}),
    st.builds(lambda op, n: {"fact": NUMBER, op: n}, st.sampled_from(["gt", "gte", "lt", "lte"]), numbers),
    st.builds(lambda op, n: {"fact": NUMBER, op: n}, st.sampled_from(["is", "is_not"]), numbers),
    st.builds(lambda op, v: {"fact": FLAG, op: v}, st.sampled_from(["is", "is_not"]), st.booleans()),
    st.builds(
        lambda op, words: {"fact": LABELS, op: words},
        st.sampled_from(["intersects", "subset_of"]),
        st.lists(st.sampled_from(WORDS), max_size=3),
    ),
    st.builds(lambda op, ns: {"fact": NUMBER, op: ns}, st.sampled_from(["in", "not_in"]), st.lists(numbers)),
    st.builds(
        lambda path, k: {"fact": path, "known": k}, st.sampled_from([NUMBER, FLAG, LABELS]), st.booleans()
    ),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda parts: {"all": parts}, st.lists(inner, min_size=1, max_size=4)),
        st.builds(lambda parts: {"any": parts}, st.lists(inner, min_size=1, max_size=4)),
        st.builds(lambda part: {"not": part}, inner),
    ),
    max_leaves=12,
)
spans = st.builds(lambda low, extra: Span(low, low + extra), numbers, st.integers(0, 3))
facts = st.fixed_dictionaries(
    {
        NUMBER: st.one_of(st.none(), numbers, spans),
        FLAG: st.one_of(st.none(), st.booleans()),
        LABELS: st.one_of(st.none(), st.lists(st.sampled_from(WORDS), min_size=1).map(tuple)),
    }
)


@settings(max_examples=400, deadline=None)
@given(conditions, facts)
def test_compiled_condition_answers_as_the_grammar_says(spec: Any, case: dict[str, Any]) -> None:
    assert compile_condition(spec).evaluate(case) is reference(spec, case)


@settings(max_examples=150, deadline=None)
@given(st.lists(conditions, min_size=1, max_size=5), facts)
def test_answers_for_a_group_match_each_condition_alone(specs: list[Any], case: dict[str, Any]) -> None:
    flagged = [NUMBER, LABELS, "case.absent"]
    answer = compile_answers([(spec, f"rule {i}") for i, spec in enumerate(specs)], flag_unknown=flagged)
    answers, flags = answer(case)
    assert answers == tuple(reference(spec, case) for spec in specs)
    assert flags == tuple(case.get(path) is None for path in flagged)


def test_values_are_read_in_order_with_absent_facts_as_none() -> None:
    read = compile_values(["b", "missing", "a"])
    assert read({"a": 1, "b": (2,)}) == ((2,), None, 1)
    assert compile_values([])({"a": 1}) == ()


def test_file_contents_never_become_code() -> None:
    """Paths, operands and parameters that look like Python are data in the generated function."""
    hostile = "x') or __import__('os').system('false') or ('"
    condition = compile_condition(
        {"all": [{"fact": hostile}, {"fact": "y", "is": hostile}, {"fact": "z", "in": "$names"}]},
        {"names": [hostile]},
    )
    assert hostile not in condition.evaluate.source  # type: ignore[attr-defined]
    assert condition.evaluate({hostile: True, "y": hostile, "z": hostile}) is True
    assert condition.evaluate({hostile: True, "y": "other", "z": hostile}) is False
    assert condition.evaluate({}) is None


def test_a_policy_compiles_to_one_function_reading_each_fact_once() -> None:
    policy = get_policy("npcc-2017")
    source: str = policy.answer_all.source  # type: ignore[attr-defined]
    paths = {path for rule in policy.rules for path in rule.condition.paths}
    assert source.count("= get(P") == len(paths)
    assert source.count(" or C") == len(policy.rules)
