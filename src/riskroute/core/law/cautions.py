"""Adult conditional caution constraints that can be checked before a caution is given (law.md §4).

CJA 2003 Part 3: adults only, the five s.23 requirements, at most 20 hours of attendance
conditions (rehabilitative attendance not counted) and completion normally within 16 weeks,
exceptionally 20. Unknown facts are never read as satisfied: `ok` is then null, not true.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from riskroute.core.knowledge import Definition, DefinitionError
from riskroute.core.law.provenance import Provenance, Rule, TableModel, load_table

Hours = Annotated[float, Field(ge=0, le=10_000)]


class CautionProposal(BaseModel):
    """The facts of a proposed conditional caution; `None` means not yet known or recorded."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    age: Annotated[int, Field(ge=10, le=120)] | None
    evidence_of_offence: bool | None = None
    sufficient_evidence_to_charge: bool | None = None
    admits_offence: bool | None = None
    explained_and_warned: bool | None = None
    signed_document_with_consent: bool | None = None
    authorised_by_sergeant_or_prosecutor: bool | None = None
    exceptional_circumstances_recorded: bool | None = None
    attendance_hours: Hours = 0.0
    rehabilitative_hours: Hours = 0.0
    caution_date: date | None = None
    completion_due: date | None = None
    exceptional_completion: bool = False


class CautionTable(TableModel):
    min_age: int
    attendance_cap_hours: float
    completion_weeks: int
    completion_weeks_exceptional: int
    rules: dict[str, Rule]


# Each yes/no requirement: (rule id, proposal field).
_REQUIREMENTS = (
    ("s23_evidence", "evidence_of_offence"),
    ("s23_sufficient_evidence", "sufficient_evidence_to_charge"),
    ("s23_admission", "admits_offence"),
    ("s23_explanation_and_warning", "explained_and_warned"),
    ("s23_signed_document", "signed_document_with_consent"),
    ("authoriser", "authorised_by_sergeant_or_prosecutor"),
    ("exceptional_circumstances", "exceptional_circumstances_recorded"),
)
_OTHER_RULES = ("age", "attendance_cap", "completion_window")


@cache
def _table() -> tuple[Definition, CautionTable]:
    definition, table = load_table("cautions", CautionTable)
    missing = [r for r in (*(r for r, _ in _REQUIREMENTS), *_OTHER_RULES) if r not in table.rules]
    if missing:
        raise DefinitionError(
            f"{definition.path}: malformed legal table: rules missing: {', '.join(missing)}"
        )
    return definition, table


def caution_rules() -> dict[str, Rule]:
    """The conditional-caution rules by id, as the table states them (for explanations)."""
    return dict(_table()[1].rules)


def completion_deadline(caution_date: date, exceptional: bool = False) -> date:
    """Date by which the conditions should be complete: 16 weeks, or 20 in exceptional cases."""
    table = _table()[1]
    weeks = table.completion_weeks_exceptional if exceptional else table.completion_weeks
    return caution_date + timedelta(weeks=weeks)


def check_conditional_caution(proposal: CautionProposal) -> dict[str, Any]:
    """Check a proposed conditional caution against the statutory and guidance constraints.

    Returns `ok` (true only when every requirement is known to be met, false when any is known
    to fail, otherwise null), the `violations` and `missing` requirements with citations, the
    completion deadline, and the usual `basis`/`verification`/`unverified` provenance.
    """
    definition, table = _table()
    rules = table.rules
    prov = Provenance(definition)
    violations: list[dict[str, str]] = []
    missing: list[dict[str, str]] = []

    def fail(rule_id: str, message: str) -> None:
        violations.append({"rule": rule_id, "message": message, "citation": rules[rule_id].citation})

    prov.use("age", rules["age"])
    if proposal.age is None:
        missing.append({"rule": "age", "field": "age", "citation": rules["age"].citation})
    elif proposal.age < table.min_age:
        fail("age", f"a conditional caution needs the person to be {table.min_age} or over")

    for rule_id, field in _REQUIREMENTS:
        prov.use(rule_id, rules[rule_id])
        value = getattr(proposal, field)
        if value is None:
            missing.append({"rule": rule_id, "field": field, "citation": rules[rule_id].citation})
        elif value is False:
            fail(rule_id, rules[rule_id].text)

    prov.use("attendance_cap", rules["attendance_cap"])
    if proposal.attendance_hours > table.attendance_cap_hours:
        fail(
            "attendance_cap",
            f"{proposal.attendance_hours:g} hours of attendance exceed the "
            f"{table.attendance_cap_hours:g}-hour cap (rehabilitative attendance is not counted)",
        )

    deadline: date | None = None
    if proposal.caution_date is not None:
        prov.use("completion_window", rules["completion_window"])
        deadline = completion_deadline(proposal.caution_date, proposal.exceptional_completion)
        if proposal.completion_due is not None and proposal.completion_due > deadline:
            fail("completion_window", f"completion due {proposal.completion_due} is after {deadline}")
        if proposal.completion_due is not None and proposal.completion_due < proposal.caution_date:
            fail("completion_window", "completion due date is before the caution date")

    ok = False if violations else (None if missing else True)
    return {
        "ok": ok,
        "violations": violations,
        "missing": missing,
        "completion_deadline": deadline.isoformat() if deadline else None,
        "attendance_hours_counted": proposal.attendance_hours,
        "rehabilitative_hours_not_counted": proposal.rehabilitative_hours,
        **prov.summary(),
    }
