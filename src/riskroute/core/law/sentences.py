"""A sentence's terms: which sentence needs which term, and what a court outcome must carry.

The notification rules (s.82) read a custodial term for custody and for a suspended sentence (its
period is that of imprisonment for the suspended term) and the discharge period for a conditional
discharge; no other sentence has either. The notification calculator and the case service's
court-outcome step both check a sentence against these rules, so they are written once, here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from riskroute.core.errors import ErrorDetail

#: Each term, and the sentences that have it.
TERMS: dict[str, tuple[str, ...]] = {
    "custody_months": ("custody", "suspended_sentence"),
    "discharge_months": ("conditional_discharge",),
}
_ASK = {
    "custody_months": "the custodial term in months",
    "discharge_months": "the discharge period in months",
}


def term_problems(
    sentence_type: str, custody_months: float | None, discharge_months: int | None, prefix: str = ""
) -> list[ErrorDetail]:
    """Each term the sentence needs and lacks, and each it has but cannot carry; paths are the
    term's name after `prefix` (`disposal.` in the notification calculator's input)."""
    problems: list[ErrorDetail] = []
    for name, value in (("custody_months", custody_months), ("discharge_months", discharge_months)):
        owners = TERMS[name]
        if sentence_type in owners and value is None:
            problems.append(
                {"path": prefix + name, "message": f"required for {sentence_type}: give {_ASK[name]}"}
            )
        elif sentence_type not in owners and value is not None:
            problems.append({"path": prefix + name, "message": f"only for {' or '.join(owners)}"})
    return problems


def outcome_problems(
    outcome: str,
    sentence_type: str | None,
    custody_months: float | None,
    discharge_months: int | None,
    sentenced_on: date | None,
) -> list[ErrorDetail]:
    """What is wrong with a court outcome's sentence fields (empty: nothing).

    A conviction carries a sentence, its date and the sentence's own terms; any other outcome
    carries none of them, so a stray term cannot reach the notification rules.
    """
    given = {
        "sentence_type": sentence_type,
        "custody_months": custody_months,
        "discharge_months": discharge_months,
        "sentenced_on": sentenced_on,
    }
    if outcome != "convicted":
        return [
            {"path": name, "message": f"must be left empty: an outcome of '{outcome}' carries no sentence"}
            for name, value in given.items()
            if value is not None
        ]
    problems: list[ErrorDetail] = []
    if sentence_type is None:
        problems.append({"path": "sentence_type", "message": "a conviction needs the sentence"})
    if sentenced_on is None:
        problems.append({"path": "sentenced_on", "message": "a conviction needs the sentence date"})
    if sentence_type is not None:
        problems += term_problems(sentence_type, custody_months, discharge_months)
    return problems


def disposal(
    sentence_type: str, custody_months: float | None, discharge_months: int | None
) -> dict[str, Any]:
    """The notification calculator's `disposal` for a sentence whose terms have been checked."""
    terms = {"custody_months": custody_months, "discharge_months": discharge_months}
    return {"type": sentence_type} | {
        name: value for name, value in terms.items() if value is not None and sentence_type in TERMS[name]
    }
