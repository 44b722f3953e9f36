"""The prioritisation tree's invariants (issue 2), as table tests and hypothesis properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskroute.core.instruments import get_instrument, priority
from riskroute.core.triage import triage
from tests.strategies import any_document, case_documents, consistent, facts, get, with_value

LEVEL = {"low": 0, "medium": 1, "high": 2, "very_high": 3}
TARGET_DAYS = {"very_high": 1, "high": 7, "medium": 14, "low": 30}  # HMICFRS timescales (law.md §9)
ACCESS_KINDS = ("household", "occupation", "volunteering")
VERY_HIGH_FACTS = (
    ("behaviour.sexual_communication_with_child", True),
    ("behaviour.grooming_or_incitement", True),
    ("history.contact_offence_allegations", True),
)

QUIET: dict[str, Any] = {
    "subject": {"age": 40, "sex": "male", "never_married": False},
    "offence": {"activities": ["possession"], "image_counts": {"A": 0, "B": 1, "C": 10}},
    "history": {
        "any_prior_criminal_history": False,
        "any_failure_on_conditional_release": False,
        "prior_sexual_sanctions": 0,
        "prior_contact_sexual_sanctions": 0,
        "prior_image_sanctions": 0,
        "contact_offence_allegations": False,
    },
    "access_to_children": {
        "checked": True,
        "household": False,
        "occupation": False,
        "volunteering": False,
        "family_or_friends": False,
    },
    "behaviour": {
        "sexual_communication_with_child": False,
        "grooming_or_incitement": False,
        "sexual_interest_in_children": False,
    },
}


def band(document: dict[str, Any]) -> str:
    value: str = priority(facts(document))["band"]
    return value


def test_a_case_with_no_risk_marker_is_low_with_30_days() -> None:
    result = priority(facts(QUIET))
    assert (result["band"], result["target_days"]) == ("low", 30)


@pytest.mark.parametrize("kind", ACCESS_KINDS)
def test_access_through_household_occupation_or_volunteering_is_at_least_high(kind: str) -> None:
    assert LEVEL[band(with_value(QUIET, f"access_to_children.{kind}", True))] >= LEVEL["high"]


@pytest.mark.parametrize(("path", "value"), VERY_HIGH_FACTS)
def test_contact_facilitators_are_very_high(path: str, value: Any) -> None:
    assert band(with_value(QUIET, path, value)) == "very_high"


@pytest.mark.parametrize("activity", ["production", "live_streaming"])
def test_production_and_live_streaming_are_very_high(activity: str) -> None:
    assert band(with_value(QUIET, "offence.activities", ["possession", activity])) == "very_high"


@pytest.mark.parametrize(
    "change",
    [
        {"access_to_children.checked": None},
        {"access_to_children.checked": False},
        {"access_to_children.household": None},
        {"access_to_children.family_or_friends": None},
    ],
)
def test_unknown_or_unchecked_access_is_never_low(change: dict[str, Any]) -> None:
    ((path, value),) = change.items()
    # An unchecked "no" is a contradiction: it is refused, and read as unknown once made null.
    assert band(consistent(with_value(QUIET, path, value))) != "low"


@pytest.mark.parametrize(("name", "days"), TARGET_DAYS.items())
def test_target_days_per_band(name: str, days: int) -> None:
    documents = {
        "low": QUIET,
        "medium": with_value(QUIET, "offence.image_counts.A", 3),
        "high": with_value(QUIET, "access_to_children.household", True),
        "very_high": with_value(QUIET, "behaviour.grooming_or_incitement", True),
    }
    result = priority(facts(documents[name]))
    assert (result["band"], result["target_days"]) == (name, days)


def test_triage_reports_the_same_priority() -> None:
    document = with_value(QUIET, "access_to_children.occupation", True)
    assert triage(facts(document))["priority"]["band"] == band(document) == "high"
    assert triage(facts(document))["priority"]["target_days"] == 7


# -- properties over any document ---------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(case_documents(), st.sampled_from(ACCESS_KINDS), st.sampled_from([True, False, None]))
def test_any_access_is_at_least_high(document: dict[str, Any], kind: str, checked: bool | None) -> None:
    document = consistent(
        with_value(
            with_value(document, f"access_to_children.{kind}", True), "access_to_children.checked", checked
        )
    )
    result = priority(facts(document))
    assert LEVEL[result["band"]] >= LEVEL["high"]
    assert result["target_days"] <= 7


@settings(max_examples=100, deadline=None)
@given(
    case_documents(),
    st.sampled_from(
        [
            ("behaviour.sexual_communication_with_child", True),
            ("behaviour.grooming_or_incitement", True),
            ("history.contact_offence_allegations", True),
            ("offence.activities", "production"),
            ("offence.activities", "live_streaming"),
        ]
    ),
)
def test_contact_facilitators_are_always_very_high(document: dict[str, Any], fact: tuple[str, Any]) -> None:
    path, value = fact
    if path == "offence.activities":
        value = [*(get(document, path) or []), value]
    result = priority(facts(with_value(document, path, value)))
    assert result["band"] == "very_high" and result["target_days"] == 1


@settings(max_examples=150, deadline=None)
@given(any_document())
def test_unknown_access_is_never_low(document: dict[str, Any]) -> None:
    access = document.get("access_to_children", {})
    unknown = access.get("checked") is not True or any(
        access.get(kind) is None for kind in (*ACCESS_KINDS, "family_or_friends")
    )
    result = priority(facts(document))
    if unknown:
        assert result["band"] != "low"
    assert result["target_days"] == TARGET_DAYS[result["band"]]


# -- the reason for the band (issue 11: "access through occupation" on every worklist row) ------

#: For every rule of the tree, changes to QUIET that make it true. Where the facts model needs a
#: companion fact (a sanction or a failure on release implies a criminal history), a lower rule
#: fires too; the rule under test is always the highest.
PRIOR = {"history.any_prior_criminal_history": True}
FIRES: dict[str, dict[str, Any]] = {
    "sexual_communication_with_child": {"behaviour.sexual_communication_with_child": True},
    "grooming_or_incitement": {"behaviour.grooming_or_incitement": True},
    "production_or_live_streaming": {"offence.activities": ["possession", "live_streaming"]},
    "distribution_or_advertising": {"offence.activities": ["possession", "distribution"]},
    "contact_offence_allegations": {"history.contact_offence_allegations": True},
    "prior_contact_sexual_sanctions": {
        **PRIOR,
        "history.prior_sexual_sanctions": 1,
        "history.prior_contact_sexual_sanctions": 1,
    },
    "prior_sexual_sanctions": {**PRIOR, "history.prior_image_sanctions": 1},
    "access_household": {"access_to_children.household": True},
    "access_occupation": {"access_to_children.occupation": True},
    "access_volunteering": {"access_to_children.volunteering": True},
    "access_family_or_friends": {"access_to_children.family_or_friends": True},
    "prior_criminal_history": PRIOR,
    "failure_on_conditional_release": {**PRIOR, "history.any_failure_on_conditional_release": True},
    "category_a_images": {"offence.image_counts.A": 2},
    "sexual_interest_in_children": {"behaviour.sexual_interest_in_children": True},
}


def changed(document: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for path, value in changes.items():
        document = with_value(document, path, value)
    return document


RULES = {rule.id: rule for rule in get_instrument("priority").spec.rules}


def test_the_table_covers_every_rule_of_the_tree() -> None:
    """A rule added to the tree without a row here would go untested: the table must keep up."""
    assert set(FIRES) == set(RULES)


@pytest.mark.parametrize("rule_id", sorted(FIRES))
def test_the_rule_that_sets_the_band_is_its_reason_in_its_own_words(rule_id: str) -> None:
    result = priority(facts(changed(QUIET, FIRES[rule_id])))
    rule = RULES[rule_id]
    assert rule_id in result["rules_fired"] and result["band"] == rule.band
    reason = result["reason"]
    at_band = [r for r in result["rules_fired"] if RULES[r].band == rule.band]
    assert reason["rules"] == at_band and rule_id in at_band and reason["unknown"] is False
    assert reason["text"] == "; ".join(RULES[r].label for r in at_band)
    entry = next(item for item in result["items"] if item["id"] == rule_id)
    assert entry["label"] == rule.label


def test_the_worklist_example_access_through_occupation() -> None:
    result = priority(facts(with_value(QUIET, "access_to_children.occupation", True)))
    assert (result["band"], result["reason"]["text"]) == ("high", "access to children through work")


def test_no_rule_met_on_known_facts_says_so() -> None:
    assert priority(facts(QUIET))["reason"] == {"text": "no priority rule met", "rules": [], "unknown": False}


def test_a_band_lifted_by_unknown_access_says_not_known_never_no() -> None:
    """Unchecked access lifts the band to medium (`if_unknown`): the reason is that the facts are
    not known, never an answer to them."""
    result = priority(facts(consistent(with_value(QUIET, "access_to_children.checked", None))))
    assert result["band"] == "medium"
    reason = result["reason"]
    assert reason["unknown"] is True
    assert reason["rules"] == [
        "access_household",
        "access_occupation",
        "access_volunteering",
        "access_family_or_friends",
    ]
    assert (
        reason["text"] == "not known: children in the household; access to children through work; and 2 more"
    )


def test_one_unknown_access_fact_is_named_alone() -> None:
    result = priority(facts(with_value(QUIET, "access_to_children.occupation", None)))
    assert result["band"] == "medium"
    assert result["reason"]["text"] == "not known: access to children through work"


def test_a_low_band_with_unknown_facts_names_them_and_does_not_call_them_no() -> None:
    result = priority(facts(with_value(QUIET, "history.any_prior_criminal_history", None)))
    assert result["band"] == "low" and not result["determinate"]
    assert result["reason"]["text"] == (
        "no priority rule met by the known facts; not known: previous charge or conviction"
    )


def test_a_true_rule_is_the_reason_even_where_unknown_facts_would_give_the_same_band() -> None:
    document = with_value(
        with_value(QUIET, "offence.image_counts.A", 2), "access_to_children.household", None
    )
    result = priority(facts(document))
    assert result["band"] == "medium"
    assert result["reason"] == {"text": "Category A images", "rules": ["category_a_images"], "unknown": False}


def test_rules_below_the_band_are_not_its_reason_and_many_are_counted() -> None:
    document = QUIET
    for rule_id in (
        "grooming_or_incitement",
        "contact_offence_allegations",
        "sexual_communication_with_child",
    ):
        document = changed(document, FIRES[rule_id])
    document = changed(document, FIRES["category_a_images"])  # medium: not the reason
    reason = priority(facts(document))["reason"]
    assert reason["rules"] == [
        "sexual_communication_with_child",
        "grooming_or_incitement",
        "contact_offence_allegations",
    ]
    assert (
        reason["text"] == "sexual communication with a child; grooming or incitement of a child; and 1 more"
    )


def test_triage_carries_the_same_reason() -> None:
    document = with_value(QUIET, "access_to_children.occupation", True)
    assert triage(facts(document))["priority"]["reason"] == priority(facts(document))["reason"]


@settings(max_examples=150, deadline=None)
@given(any_document())
def test_the_reason_never_claims_more_than_its_rules(document: dict[str, Any]) -> None:
    """Named rules set the band: true ones at the band's level, or unknown ones that lift it there.
    No rule answered "no" is ever named, and an unknown one only as "not known"."""
    result = priority(facts(document))
    reason, answers = result["reason"], {item["id"]: item["value"] for item in result["items"]}
    for rule_id in reason["rules"]:
        rule = RULES[rule_id]
        if reason["unknown"]:
            assert answers[rule_id] is None and rule.if_unknown == result["band"]
        else:
            assert answers[rule_id] is True and rule.band == result["band"]
    if reason["unknown"] or "not known: " in reason["text"]:
        named, unknown = reason["text"].split("not known: ", 1)
        assert all(RULES[r].label not in named for r, value in answers.items() if value is None)
        assert all(RULES[r].label not in unknown for r, value in answers.items() if value is not None)
    assert all(RULES[r].label not in reason["text"] for r, value in answers.items() if value is False)
