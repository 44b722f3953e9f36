"""Triage: one case-facts document → prioritisation, instrument scores and a policy recommendation.

This is the function the CLI, the case service and the simulation all call, so a recommendation
made in a custody suite, a batch re-score and a policy simulation cannot disagree.

How the instruments feed the policy (documented in docs/policy-authoring.md):
- `priority.level` is the prioritisation band as a number (0 low … 3 very high). While facts are
  unknown it is a span from the band the known facts give to the band the unknown ones could give,
  so "priority low or medium" is only true when no unknown fact could lift it.
- `scores.cport.total` is the CPORT total, a span while one item is unknown (CPORT tolerates one),
  and unknown when CPORT is not scorable.
The result always recommends; it never decides. A person records the decision. Parts of the
result (instrument scores, the notification preview) are memoised and shared between results:
callers must treat the document as read-only.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from riskroute.core.conditions import Span
from riskroute.core.facts import CaseFacts, flatten
from riskroute.core.instruments import get_instrument
from riskroute.core.law.notification import notification_if_cautioned
from riskroute.core.policy import POLICY_IDS, get_policy

DEFAULT_POLICY = "npcc-2017"

# A pure function of three small values: memoised (its result is shared, so read-only).
_notification_preview = lru_cache(maxsize=4096)(notification_if_cautioned)
_PRIORITY_SUMMARY = (
    "band",
    "target_days",
    "band_range",
    "determinate",
    "missing",
    "version",
    "definition_sha256",
    "rules_fired",
)

DISCLAIMER = (
    "Decision support, not a decision: a person decides and records the reasons. The instruments "
    "were validated on convicted adult men, not on suspects before charge."
)


def _cport_total(result: dict[str, Any]) -> int | Span | None:
    if not result["scorable"]:
        return None
    upper = result["total_if_unknown_items_present"]
    return result["total"] if upper is None else Span(result["total"], upper)


def _notification_offence(activities: tuple[str, ...] | None) -> str:
    """Possession alone is CJA 1988 s.160; making, sharing or producing is PCA 1978 s.1."""
    return "cja1988_s160" if activities == ("possession",) else "pca1978_s1"


def triage(facts: CaseFacts, policy_id: str = DEFAULT_POLICY) -> dict[str, Any]:
    """Triage one validated case; deterministic: the same facts and policy give the same document."""
    if policy_id not in POLICY_IDS:
        raise KeyError(f"unknown policy {policy_id!r}; known: {', '.join(POLICY_IDS)}")
    flat = flatten(facts)
    priority_tree = get_instrument("priority")
    priority = priority_tree.evaluate_case(flat)
    scores = {name: get_instrument(name).evaluate_case(flat) for name in ("cport", "casic")}

    context = dict(flat)
    context["priority.level"] = priority_tree.level_span(priority)
    context["scores.cport.total"] = _cport_total(scores["cport"])
    provenance = {"priority.level": priority["missing"], "scores.cport.total": scores["cport"]["missing"]}
    policy = get_policy(policy_id)
    outcome = policy.evaluate(context, provenance)

    return {
        "recommendation": outcome["recommendation"],
        "eligible_for_diversion": outcome["eligible_for_diversion"],
        "blocking_rules": outcome["blocking_rules"],
        "missing_facts": outcome["missing_facts"],
        "priority": {key: priority[key] for key in _PRIORITY_SUMMARY},
        "scores": scores,
        "notification_if_cautioned": _notification_preview(
            _notification_offence(flat["offence.activities"]),
            flat["offence.youngest_depicted"],
            flat["subject.age"],
        ),
        "policy": policy.identity,
        "unverified_rules": outcome["unverified_rules"],
        "trace": outcome["trace"],
        "disclaimer": DISCLAIMER,
    }
