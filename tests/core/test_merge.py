"""The conservative merge of a further referral's facts (`riskroute.core.merge`).

Asserted: a known risk fact is never replaced by a lower-risk one; unknown never replaces known;
facts with no risk order and derived facts are never changed; contradictions keep the case's
value and are reported; and, as properties over generated documents, the merged facts are never
lower-risk than the case's for any ordered fact (nor than the referral's, unless reported as a
conflict), are consistent, and merging again changes nothing.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from riskroute.core.facts import FACT_PATHS
from riskroute.core.merge import DERIVED, RISK_ORDER, merge_facts, rank
from tests.strategies import case_documents, facts, get


def test_a_known_risk_fact_is_not_overwritten_by_a_lower_risk_one() -> None:
    case = {"offence": {"csem_videos": True, "image_counts": {"A": 40}}}
    result = merge_facts(case, {"offence": {"csem_videos": False, "image_counts": {"A": 3}}})
    assert get(result.facts, "offence.csem_videos") is True
    assert get(result.facts, "offence.image_counts.A") == 40
    assert result.changed == []
    assert {c.path for c in result.conflicts} == {"offence.csem_videos", "offence.image_counts.A"}


def test_a_riskier_value_replaces_the_case_value() -> None:
    case = {"offence": {"image_counts": {"A": 3}, "youngest_depicted": "16_17"}}
    incoming = {"offence": {"image_counts": {"A": 90}, "youngest_depicted": "under_16"}}
    result = merge_facts(case, incoming)
    assert get(result.facts, "offence.image_counts.A") == 90
    assert get(result.facts, "offence.youngest_depicted") == "under_16"
    assert sorted(result.changed) == ["offence.image_counts.A", "offence.youngest_depicted"]
    assert result.conflicts == []


def test_unknown_never_overwrites_known_and_known_fills_unknown() -> None:
    case = {"history": {"contact_offence_allegations": True}, "offence": {"youngest_depicted": "16_17"}}
    incoming = {
        "history": {"contact_offence_allegations": None, "prior_image_sanctions": 2},
        "offence": {"youngest_depicted": "unknown"},
    }
    result = merge_facts(case, incoming)
    assert get(result.facts, "history.contact_offence_allegations") is True
    assert get(result.facts, "offence.youngest_depicted") == "16_17"
    assert get(result.facts, "history.prior_image_sanctions") == 2
    assert result.changed == ["history.prior_image_sanctions"]


def test_activities_merge_as_the_union() -> None:
    result = merge_facts(
        {"offence": {"activities": ["possession"]}}, {"offence": {"activities": ["distribution"]}}
    )
    assert get(result.facts, "offence.activities") == ["distribution", "possession"]
    same = merge_facts(result.facts, {"offence": {"activities": ["possession"]}})
    assert same.changed == []


def test_facts_without_a_risk_order_are_never_changed_and_are_reported() -> None:
    case = {"subject": {"sex": "male"}, "access_to_children": {"checked": None}}
    incoming = {"subject": {"sex": "female", "age": 40}, "access_to_children": {"checked": True}}
    result = merge_facts(case, incoming)
    assert get(result.facts, "subject.sex") == "male"
    assert get(result.facts, "subject.age") is None
    assert get(result.facts, "access_to_children.checked") is None
    assert result.changed == []
    assert {c.path for c in result.conflicts} == {"subject.sex", "subject.age", "access_to_children.checked"}


def test_derived_facts_are_never_touched_nor_reported() -> None:
    case = {"process": {"safeguarding_checks_complete": False}}
    result = merge_facts(case, {"process": {"safeguarding_checks_complete": True}})
    assert get(result.facts, "process.safeguarding_checks_complete") is False
    assert result.changed == [] and result.conflicts == []


def test_a_merge_that_would_contradict_the_case_keeps_the_case_values() -> None:
    # The case says no prior history; the referral counts prior sanctions. Both cannot stand:
    # the case's value is kept and the counts go to review rather than an inconsistent record.
    case = {"history": {"any_prior_criminal_history": False, "prior_image_sanctions": 0}}
    incoming = {"history": {"prior_image_sanctions": 2}}
    result = merge_facts(case, incoming)
    assert get(result.facts, "history.prior_image_sanctions") == 0
    assert [c.path for c in result.conflicts] == ["history.prior_image_sanctions"]
    facts(result.facts)  # consistent: validates


def test_the_case_document_is_not_modified() -> None:
    case = {"offence": {"image_counts": {"A": 1}}}
    merge_facts(case, {"offence": {"image_counts": {"A": 5}}})
    assert case == {"offence": {"image_counts": {"A": 1}}}


def test_every_fact_is_ordered_derived_or_deliberately_unordered() -> None:
    unordered = {p for p, _ in FACT_PATHS} - set(RISK_ORDER) - DERIVED
    assert unordered == {
        "subject.age",
        "subject.age_at_offence",
        "subject.sex",
        "access_to_children.checked",
        "process.admits_offence",
        "process.sufficient_evidence_to_charge",
        "process.consents_to_caution",
    }


def _not_lower(path: str, merged: Any, other: Any) -> bool:
    have, theirs = rank(path, merged), rank(path, other)
    if theirs is None:
        return True
    if have is None:
        return False
    return bool(have >= theirs)


@settings(max_examples=300, deadline=None)
@given(case_documents(), case_documents())
def test_merged_facts_are_never_lower_risk_than_either_input(
    case: dict[str, Any], incoming: dict[str, Any]
) -> None:
    result = merge_facts(case, incoming)
    facts(result.facts)  # the merged document is itself valid and consistent
    reviewed = {c.path for c in result.conflicts}
    for path in RISK_ORDER:
        merged = get(result.facts, path)
        assert _not_lower(path, merged, get(case, path)), path
        if path not in reviewed:
            assert _not_lower(path, merged, get(incoming, path)), path
    for path, _ in FACT_PATHS:
        if path not in RISK_ORDER:
            assert get(result.facts, path) == get(case, path), path


@settings(max_examples=200, deadline=None)
@given(case_documents(), case_documents())
def test_merging_is_idempotent(case: dict[str, Any], incoming: dict[str, Any]) -> None:
    once = merge_facts(case, incoming)
    twice = merge_facts(once.facts, incoming)
    assert twice.facts == once.facts
    assert twice.changed == []
    assert merge_facts(case, case).changed == []
