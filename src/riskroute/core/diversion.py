"""What must hold before a person may propose (and a supervisor approve) diversion.

Triage recommends; a person proposes a disposal and a second person approves it. These checks
stand between the two and the recommendation, so that neither can divert around the rules:
- the DPP guidance route for these offences (docs/law.md): a recorded admission, the subject's
  consent, and the exceptional circumstances that justify a caution stated in words;
- a `needs_information` recommendation supports no diversion: the missing facts come first;
- riskroute's safety exclusions (`policy/policies/_safety.yaml`, decision 0002): any safety rule
  of the assessment that did not pass excludes diversion outright. That covers a rule whose fact
  is unknown (unknown is never read as "no risk"). No reason given by anyone overrides it.

Pure functions over a stored triage document (plain JSON, as the case service keeps it), so the
case service's proposal and approval steps and the unit tests read the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from riskroute.core.errors import ErrorDetail


class SafetyExclusion(TypedDict):
    """A safety rule of the assessment that did not pass, with the policy's reason."""

    id: str
    #: False: the rule blocks on known facts; None: a fact it needs is unknown.
    result: bool | None
    reason: str
    citation: str
    facts: dict[str, Any]


#: Said of a safety rule that did not pass when the triage gives no reason for it.
DEFAULT_REASON = "A safety rule of the policy is not met."


def safety_exclusions(triage: Mapping[str, Any]) -> list[SafetyExclusion]:
    """The safety rules (kind "safety" in the trace) that did not pass, in trace order, each with
    the reason the triage's blocking rules give for it."""
    reasons = {rule.get("id"): rule.get("reason") for rule in triage.get("blocking_rules", [])}
    return [
        {
            "id": step.get("rule"),
            "result": step.get("result"),
            "reason": reasons.get(step.get("rule")) or DEFAULT_REASON,
            "citation": step.get("citation", ""),
            "facts": step.get("facts", {}),
        }
        for step in triage.get("trace", [])
        if step.get("kind") == "safety" and step.get("result") is not True
    ]


def safety_problems(triage: Mapping[str, Any]) -> list[ErrorDetail]:
    """Each safety exclusion as an error on the disposal's `kind`: it is never a departure from
    the recommendation that anyone could justify and approve."""
    return [
        {
            "path": "kind",
            "message": (
                f"diversion is excluded: {rule['reason']}"
                if rule["result"] is False
                else f"diversion is excluded until this is known: {rule['reason']}"
            ),
        }
        for rule in safety_exclusions(triage)
    ]


def diversion_problems(
    *,
    admission: bool | None,
    consent: bool | None,
    exceptional_circumstances: str,
    recommendation: str,
    triage: Mapping[str, Any],
) -> list[ErrorDetail]:
    """Why diversion may not be proposed on this assessment (empty: it may).

    Only `True` counts as an admission or consent: unknown is never "yes". A `prosecute`
    recommendation does not stop a proposal here (it is then a departure, which needs reasons
    and a second person's approval); a safety exclusion does.
    """
    problems: list[ErrorDetail] = []
    if admission is not True:
        problems.append({"path": "admission", "message": "diversion needs a recorded admission"})
    if consent is not True:
        problems.append({"path": "consent", "message": "diversion needs the subject's consent"})
    if not exceptional_circumstances.strip():
        problems.append(
            {
                "path": "exceptional_circumstances",
                "message": "state the exceptional circumstances justifying it",
            }
        )
    if recommendation == "needs_information":
        problems.append(
            {
                "path": "kind",
                "message": "the assessment needs more information; diversion cannot be proposed",
            }
        )
    return problems + safety_problems(triage)
