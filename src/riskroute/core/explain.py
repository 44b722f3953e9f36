"""Plain-English explanations of a triage result: why, and what happens next.

A `divert` recommendation says which rules held and what a diversion then involves: the
rehabilitation condition, who may authorise the caution and by which route, the notification it
brings and the MAPPA category. A `prosecute` or `needs_information` says why in one sentence. A
subject under 18 gets the youth route instead of the adult policy's answer.

Everything here is derived from the policy file, the legal tables and the notification preview,
so an explanation cannot say something the rules did not decide. The result depends only on the
policy, its outcome, the preview and whether the subject is a child: it is memoised (read-only).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from riskroute.core.law import mappa, notification_if_cautioned
from riskroute.core.law.cautions import caution_rules
from riskroute.core.law.youth import youth_route
from riskroute.core.policy.engine import Outcome, Policy

Step = dict[str, str]


def _period_text(preview: dict[str, Any]) -> str:
    period = preview["period"]
    if period is None:
        return "not known"
    if period["indefinite"]:
        return "an indefinite period"
    years = period["years"]
    return f"{years:g} year{'s' if years != 1 else ''}"


def _divert_steps(policy: Policy, preview: dict[str, Any]) -> list[Step]:
    spec = policy.spec
    rules = caution_rules()
    category = mappa(True, diverted_low_risk=True)
    return [
        {
            "step": "Rehabilitation condition",
            "detail": spec.outcome_if_eligible.strip(),
            "citation": spec.source.citation.strip(),
            "mark": spec.source.mark.value,
        },
        *(
            {
                "step": title,
                "detail": rules[rule].text.strip(),
                "citation": rules[rule].citation,
                "mark": rules[rule].mark.value,
            }
            for title, rule in (
                ("Who may authorise the caution", "authoriser"),
                ("The route a caution for these offences needs", "exceptional_circumstances"),
            )
        ),
        {
            "step": "Notification (sex offenders register)",
            "detail": (
                f"Notification for {_period_text(preview)} beginning with the date of the caution; the "
                "first notification is made in person at a police station within 3 days beginning "
                "with that date."
            ),
            "citation": "; ".join(preview["basis"]),
            "mark": preview["verification"],
        },
        {
            "step": "MAPPA",
            "detail": (
                f"Category {category['category']} (registered sexual offenders), managed at level "
                f"{category['level']}: {category['levels'][str(category['level'])]}"
            ),
            "citation": "; ".join(category["basis"]),
            "mark": category["verification"],
        },
    ]


def _youth_steps(safety_blocked: bool) -> list[Step]:
    route = youth_route(safety_blocked)
    steps = [
        {"step": o["label"], "detail": o["text"], "citation": o["citation"], "mark": o["mark"]}
        for o in route["options"]
    ]
    if not safety_blocked:
        referral = route["referral"]
        steps.append(
            {
                "step": referral["label"],
                "detail": referral["text"],
                "citation": referral["citation"],
                "mark": referral["mark"],
            }
        )
    return steps


def explanation(
    policy: Policy, outcome: Outcome, preview: dict[str, Any], youth: bool | None
) -> dict[str, Any]:
    """{"summary", "held", "next_steps"} for one result (see the module docstring)."""
    blocked_ids = {rule["id"] for rule in outcome.blocking}
    safety_blocked = any(r.kind == "safety" and r.spec.id in blocked_ids for r in policy.rules)
    if youth:
        summary = (
            "The subject is under 18, so the adult diversion policy does not apply: the youth route "
            "does. "
            + (
                "A safety exclusion blocks any out-of-court disposal."
                if safety_blocked
                else "No safety exclusion blocks on the known facts; the options below are for the "
                "decision-maker, with the youth justice service."
            )
        )
        return {"summary": summary, "held": [], "next_steps": _youth_steps(safety_blocked)}
    if outcome.recommendation == "divert":
        held = [rule.holds for rule in policy.rules]
        summary = (
            f"Every one of the {len(held)} rules of {policy.spec.name} held on the recorded facts, "
            "including every safety exclusion, so diversion to a conditional caution with "
            "rehabilitation may be considered. A person decides, with a second person's approval."
        )
        return {"summary": summary, "held": held, "next_steps": _divert_steps(policy, preview)}
    if outcome.recommendation == "prosecute":
        reasons = " ".join(rule["reason"].strip() for rule in outcome.blocking)
        summary = f"Diversion is not open: {reasons}"
        steps = [
            {
                "step": "Full criminal-justice response",
                "detail": (
                    "Complete the investigation and refer the case file to the CPS for a charging decision."
                ),
                "citation": "Code for Crown Prosecutors",
                "mark": "recalled",
            }
        ]
        return {"summary": summary, "held": [], "next_steps": steps}
    summary = (
        "Not enough is known to recommend diversion: establish each fact listed as missing. "
        "Until then no rule may be read as passing."
    )
    return {"summary": summary, "held": [], "next_steps": []}


@lru_cache(maxsize=4096)
def explanation_cached(
    policy: Policy, blocked: int, unknown: int, preview_key: tuple[Any, ...], youth: bool | None
) -> dict[str, Any]:
    """`explanation`, memoised on what it depends on (read-only: shared between results)."""
    return explanation(
        policy, policy.outcome(blocked, unknown), notification_if_cautioned(*preview_key), youth
    )
