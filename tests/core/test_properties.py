"""Hypothesis properties of triage over generated case-facts documents, under every policy.

What the design guarantees, and so what is asserted here:
(a) a blocking fact known to be present always gives `prosecute` (so never `divert`);
(b) adding a risk fact never lowers the priority band, and a `prosecute` stays `prosecute`;
(c) `divert` only when every rule in the trace is true;
(d) the same input and policy give byte-identical output, memoised or not;
(e) filling in unknown facts keeps a `prosecute` a `prosecute` and a `divert` a `divert` (three-
    valued rules are monotone in information: a rule true or false on known facts stays so).
Deliberately NOT asserted, because the design does not promise it: that adding a risk fact can
never turn `needs_information` into `divert`. CPORT tolerates one unknown item, so recording a
second unknown item (even as present) can make CPORT scorable and complete the assessment.
"""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from riskroute.core.facts_json import flat_from_json
from riskroute.core.instruments import get_instrument
from riskroute.core.policy import get_policy
from riskroute.core.triage import triage, triage_json
from tests.strategies import (
    POLICIES,
    RISKY_ACTIVITIES,
    any_document,
    consistent,
    facts,
    get,
    leaf_paths,
    leaf_strategy,
    riskier_consistent,
    with_value,
)

LEVEL = {"low": 0, "medium": 1, "high": 2, "very_high": 3}
SETTINGS = settings(max_examples=120, deadline=None)

BLOCKING: list[tuple[str, Any]] = [
    ("access_to_children.household", True),
    ("access_to_children.occupation", True),
    ("access_to_children.volunteering", True),
    ("access_to_children.family_or_friends", True),
    ("history.contact_offence_allegations", True),
    ("history.prior_contact_sexual_sanctions", "positive"),
    ("behaviour.sexual_communication_with_child", True),
    ("behaviour.grooming_or_incitement", True),
    *[("offence.activities", activity) for activity in RISKY_ACTIVITIES],
]

RISK_BOOLEANS = (
    "subject.never_married",
    "offence.csem_videos",
    "offence.csem_stories",
    "offence.more_boys_than_girls_csem",
    "offence.more_boys_than_girls_other_child_content",
    "history.any_prior_criminal_history",
    "history.any_failure_on_conditional_release",
    "history.contact_offence_allegations",
    "access_to_children.household",
    "access_to_children.occupation",
    "access_to_children.volunteering",
    "access_to_children.family_or_friends",
    "behaviour.sexual_communication_with_child",
    "behaviour.grooming_or_incitement",
    "behaviour.sexual_interest_in_children",
)
RISK_COUNTS = (
    "history.prior_sexual_sanctions",
    "history.prior_contact_sexual_sanctions",
    "history.prior_image_sanctions",
    "history.prior_violent_sanctions",
    "offence.image_counts.A",
)


def apply(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    if path == "offence.activities":
        return with_value(document, path, [*(get(document, path) or []), value])
    if value == "positive":
        return riskier_consistent(with_value(document, path, (get(document, path) or 0) + 1))
    return riskier_consistent(with_value(document, path, value))


@SETTINGS
@given(any_document(), st.sampled_from(BLOCKING), st.sampled_from(POLICIES))
def test_a_known_blocking_fact_always_prosecutes(
    document: dict[str, Any], blocking: tuple[str, Any], policy: str
) -> None:
    result = triage(facts(apply(document, *blocking)), policy)
    assert result["recommendation"] == "prosecute"
    assert result["eligible_for_diversion"] is False


@st.composite
def risk_additions(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    kind = draw(st.sampled_from(["boolean", "count", "activity"]))
    if kind == "boolean":
        path = draw(st.sampled_from(RISK_BOOLEANS))
        assume(get(document, path) is not True)
        return riskier_consistent(with_value(document, path, True))
    if kind == "count":
        path = draw(st.sampled_from(RISK_COUNTS))
        return riskier_consistent(
            with_value(document, path, (get(document, path) or 0) + draw(st.integers(1, 5)))
        )
    return apply(document, "offence.activities", draw(st.sampled_from(RISKY_ACTIVITIES)))


@SETTINGS
@given(st.data(), any_document(), st.sampled_from(POLICIES))
def test_adding_a_risk_fact_never_lowers_priority_or_undoes_prosecution(
    data: st.DataObject, document: dict[str, Any], policy: str
) -> None:
    riskier = data.draw(risk_additions(document))
    before = triage(facts(document), policy)
    after = triage(facts(riskier), policy)
    assert LEVEL[after["priority"]["band"]] >= LEVEL[before["priority"]["band"]]
    if before["recommendation"] == "prosecute":
        assert after["recommendation"] == "prosecute"


@SETTINGS
@given(any_document(), st.sampled_from(POLICIES))
def test_divert_only_when_every_rule_is_true(document: dict[str, Any], policy: str) -> None:
    result = triage(facts(document), policy)
    all_true = all(entry["result"] is True for entry in result["trace"])
    assert (result["recommendation"] == "divert") == all_true
    if result["recommendation"] == "divert":
        assert result["missing_facts"] == [] and result["blocking_rules"] == []
        assert result["eligible_for_diversion"] is True
    if any(entry["result"] is False for entry in result["trace"]):
        assert result["recommendation"] == "prosecute"
    if policy == "current-practice":
        assert result["recommendation"] == "prosecute"  # never diverts, whatever the facts


def forget_memos() -> None:
    """Empty every memo, so the next triage is a first evaluation."""
    for name in ("priority", "cport", "casic"):
        get_instrument(name).clear_memos()
    for policy in POLICIES:
        get_policy(policy).clear_memos()


@settings(max_examples=60, deadline=None)
@given(any_document(), st.lists(any_document(), min_size=1, max_size=5), st.sampled_from(POLICIES))
def test_same_input_gives_byte_identical_output(
    document: dict[str, Any], others: list[dict[str, Any]], policy: str
) -> None:
    forget_memos()
    first = orjson.dumps(triage(facts(document), policy))
    for other in others:
        triage(facts(other), policy)
    again = orjson.dumps(triage(facts(document), policy))
    assert again == first
    assert orjson.dumps(triage(facts(document), policy)) == first


@settings(max_examples=60, deadline=None)
@given(any_document(), st.lists(any_document(), min_size=1, max_size=5), st.sampled_from(POLICIES))
def test_batch_serialisation_equals_the_document(
    document: dict[str, Any], others: list[dict[str, Any]], policy: str
) -> None:
    """The batch reader (`flat_from_json`, plain dicts) gives the same bytes as the validated model
    (`triage`, through `flatten`), cold and after other cases have filled the memos: `triage` is
    now decoded from `triage_json`, so what this holds is the two readers and the memos."""
    forget_memos()
    first = triage_json(flat_from_json(orjson.dumps(document)), policy, line=7)
    for other in others:
        triage_json(flat_from_json(orjson.dumps(other)), policy, line=1)
    expected = orjson.dumps(triage(facts(document), policy) | {"line": 7})
    assert first == expected
    assert triage_json(flat_from_json(orjson.dumps(document)), policy, line=7) == expected


@st.composite
def refinements(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """The document with some unknown (null or absent) leaves filled in with valid values."""
    unknown = [p for p in leaf_paths() if get(document, p) is None]
    assume(unknown)
    chosen = draw(st.lists(st.sampled_from(unknown), min_size=1, max_size=len(unknown), unique=True))
    refined = document
    for path in chosen:
        refined = with_value(refined, path, draw(leaf_strategy(path)))
    assume(consistent(refined) == refined)  # facts that contradict each other are refused
    return refined


@settings(max_examples=200, deadline=None)
@given(st.data(), any_document(), st.sampled_from(POLICIES))
def test_filling_in_unknowns_keeps_prosecute_and_divert(
    data: st.DataObject, document: dict[str, Any], policy: str
) -> None:
    before = triage(facts(document), policy)
    refined = data.draw(refinements(document))
    after = triage(facts(refined), policy)
    if before["recommendation"] in ("prosecute", "divert"):
        assert after["recommendation"] == before["recommendation"]
    if before["recommendation"] == "prosecute":
        blocked_before = {r["id"] for r in before["blocking_rules"]}
        assert blocked_before <= {r["id"] for r in after["blocking_rules"]}


@SETTINGS
@given(any_document(), st.sampled_from(POLICIES))
def test_missing_facts_are_case_fact_paths(document: dict[str, Any], policy: str) -> None:
    result = triage(facts(document), policy)
    assert set(result["missing_facts"]) <= set(leaf_paths())
    if result["recommendation"] == "needs_information":
        assert result["missing_facts"]
        assert result["eligible_for_diversion"] is None
