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

import orjson

from riskroute.core.conditions import Span
from riskroute.core.facts import CaseFacts, flatten
from riskroute.core.instruments import get_instrument
from riskroute.core.law.notification import notification_if_cautioned
from riskroute.core.memo import Memo
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


def _notification_json(offence: str, youngest: str | None, age: int | None) -> orjson.Fragment:
    return orjson.Fragment(orjson.dumps(_notification_preview(offence, youngest, age)))


_notification_preview_json = lru_cache(maxsize=4096)(_notification_json)


def _priority_summary(memo: Memo) -> Memo:
    """The priority part of a triage result, kept beside the memoised tree result it summarises."""
    if memo.extra is None:
        memo.extra = Memo({key: memo.value[key] for key in _PRIORITY_SUMMARY})
    return memo.extra  # type: ignore[no-any-return]


def _assemble(flat: dict[str, Any], policy_id: str, as_json: bool) -> dict[str, Any]:
    """Build the triage document from flattened facts (to which the derived facts are added);
    with `as_json`, memoised parts are pre-serialised fragments."""
    if policy_id not in POLICY_IDS:
        raise KeyError(f"unknown policy {policy_id!r}; known: {', '.join(POLICY_IDS)}")
    priority_tree = get_instrument("priority")
    priority = priority_tree.case_memo(flat)
    cport, casic = get_instrument("cport").case_memo(flat), get_instrument("casic").case_memo(flat)
    notification_args = (
        _notification_offence(flat["offence.activities"]),
        flat["offence.youngest_depicted"],
        flat["subject.age"],
    )
    # The derived facts the policies read (see the module docstring), beside the case facts.
    flat["priority.level"] = priority_tree.level_span(priority.value)
    flat["scores.cport.total"] = _cport_total(cport.value)
    provenance = {"priority.level": priority.value["missing"], "scores.cport.total": cport.value["missing"]}
    policy = get_policy(policy_id)
    outcome = policy.evaluate(flat, provenance, as_json=as_json)
    summary = _priority_summary(priority)
    return {
        "recommendation": outcome["recommendation"],
        "eligible_for_diversion": outcome["eligible_for_diversion"],
        "blocking_rules": outcome["blocking_rules"],
        "missing_facts": outcome["missing_facts"],
        "priority": summary.json if as_json else summary.value,
        "scores": {"cport": cport.json, "casic": casic.json}
        if as_json
        else {"cport": cport.value, "casic": casic.value},
        "notification_if_cautioned": _notification_preview_json(*notification_args)
        if as_json
        else _notification_preview(*notification_args),
        "policy": policy.identity,
        "unverified_rules": outcome["unverified_rules"],
        "trace": outcome["trace"],
        "disclaimer": DISCLAIMER,
    }


def triage(facts: CaseFacts, policy_id: str = DEFAULT_POLICY) -> dict[str, Any]:
    """Triage one validated case; deterministic: the same facts and policy give the same document."""
    return _assemble(flatten(facts), policy_id, as_json=False)


def triage_json(flat: dict[str, Any], policy_id: str = DEFAULT_POLICY, **extra: Any) -> bytes:
    """The same document as `triage`, serialised (plus `extra` fields), for the batch path.

    Takes the facts flattened (`facts.flat_from_json` validates and flattens a line without
    building the model) and adds the derived facts to that dict. Memoised parts are written from
    their pre-serialised JSON, so a caseload re-score does not encode the same instrument results
    and trace entries again for every case.
    """
    document = _assemble(flat, policy_id, as_json=True)
    document.update(extra)
    return orjson.dumps(document)
