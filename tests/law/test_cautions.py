"""Conditional caution constraints (CJA 2003 Part 3; docs/law.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from riskroute.core.law import CautionProposal, check_conditional_caution, completion_deadline

COMPLETE: dict[str, Any] = {
    "age": 35,
    "evidence_of_offence": True,
    "sufficient_evidence_to_charge": True,
    "admits_offence": True,
    "explained_and_warned": True,
    "signed_document_with_consent": True,
    "authorised_by_sergeant_or_prosecutor": True,
    "exceptional_circumstances_recorded": True,
    "attendance_hours": 20.0,
    "rehabilitative_hours": 60.0,
    "caution_date": date(2025, 1, 6),
}


def check(**changes: Any) -> dict[str, Any]:
    return check_conditional_caution(CautionProposal(**{**COMPLETE, **changes}))


def test_a_complete_proposal_is_ok() -> None:
    result = check()
    assert result["ok"] is True and result["violations"] == [] and result["missing"] == []
    assert result["completion_deadline"] == "2025-04-28"  # 16 weeks
    assert result["verification"] == "secondary"  # completion window and exceptional route are [S]


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"age": 17}, "age"),
        ({"evidence_of_offence": False}, "s23_evidence"),
        ({"sufficient_evidence_to_charge": False}, "s23_sufficient_evidence"),
        ({"admits_offence": False}, "s23_admission"),
        ({"explained_and_warned": False}, "s23_explanation_and_warning"),
        ({"signed_document_with_consent": False}, "s23_signed_document"),
        ({"authorised_by_sergeant_or_prosecutor": False}, "authoriser"),
        ({"exceptional_circumstances_recorded": False}, "exceptional_circumstances"),
        ({"attendance_hours": 20.5}, "attendance_cap"),
        ({"completion_due": date(2025, 4, 29)}, "completion_window"),
        ({"completion_due": date(2025, 1, 5)}, "completion_window"),
    ],
)
def test_each_failed_requirement_is_a_violation(changes: dict[str, Any], rule: str) -> None:
    result = check(**changes)
    assert result["ok"] is False
    assert [v["rule"] for v in result["violations"]] == [rule]
    assert result["violations"][0]["citation"]


def test_rehabilitative_attendance_is_outside_the_cap() -> None:
    assert check(attendance_hours=0.0, rehabilitative_hours=500.0)["ok"] is True


def test_unknown_requirements_are_missing_not_met() -> None:
    result = check(admits_offence=None, age=None)
    assert result["ok"] is None
    assert {m["field"] for m in result["missing"]} == {"admits_offence", "age"}
    assert check(admits_offence=None, age=17)["ok"] is False  # a known failure outranks unknowns


def test_exceptional_completion_window() -> None:
    result = check(exceptional_completion=True, completion_due=date(2025, 5, 26))
    assert result["ok"] is True and result["completion_deadline"] == "2025-05-26"  # 20 weeks


def test_completion_deadline() -> None:
    assert completion_deadline(date(2024, 1, 1)) == date(2024, 4, 22)
    assert completion_deadline(date(2024, 1, 1), exceptional=True) == date(2024, 5, 20)
