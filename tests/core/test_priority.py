"""The prioritisation tree's invariants (issue 2), as table tests and hypothesis properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskroute.core.instruments import priority
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
