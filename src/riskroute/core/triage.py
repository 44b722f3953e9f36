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

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from riskroute.core.conditions import Span
from riskroute.core.facts import CaseFacts, flatten
from riskroute.core.instruments import Instrument, get_instrument
from riskroute.core.law.notification import notification_if_cautioned
from riskroute.core.memo import Memo, json_bytes
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


_notification_preview_json = lru_cache(maxsize=4096)(
    lambda offence, youngest, age: json_bytes(_notification_preview(offence, youngest, age))
)


@dataclass(frozen=True, slots=True)
class _PriorityParts:
    """What triage takes from a memoised tree result, worked out once per memo entry."""

    summary: Memo
    level: int | Span


def _priority_parts(memo: Memo, tree: Instrument) -> _PriorityParts:
    if memo.extra is None:
        summary = Memo({key: memo.value[key] for key in _PRIORITY_SUMMARY})
        memo.extra = _PriorityParts(summary, tree.level_span(memo.value))
    return memo.extra  # type: ignore[no-any-return]


def _cport_parts(memo: Memo) -> tuple[int | Span | None]:
    """The CPORT total a policy reads (see the module docstring), once per memo entry."""
    if memo.extra is None:
        memo.extra = (_cport_total(memo.value),)
    return memo.extra  # type: ignore[no-any-return]


def _evaluate(flat: dict[str, Any], policy_id: str, as_json: bool) -> dict[str, Any]:
    """Every part of the triage document, from flattened facts (to which the derived facts are
    added); with `as_json` each part is its JSON, as bytes or a list of pieces to join."""
    if policy_id not in POLICY_IDS:
        raise KeyError(f"unknown policy {policy_id!r}; known: {', '.join(POLICY_IDS)}")
    tree, cport_instrument = get_instrument("priority"), get_instrument("cport")
    priority = tree.case_memo(flat)
    cport, casic = cport_instrument.case_memo(flat), get_instrument("casic").case_memo(flat)
    notification_args = (
        _notification_offence(flat["offence.activities"]),
        flat["offence.youngest_depicted"],
        flat["subject.age"],
    )
    parts = _priority_parts(priority, tree)
    # The derived facts the policies read (see the module docstring), beside the case facts.
    flat["priority.level"] = parts.level
    (flat["scores.cport.total"],) = _cport_parts(cport)
    provenance = {"priority.level": priority.value["missing"], "scores.cport.total": cport.value["missing"]}
    policy = get_policy(policy_id)
    outcome = policy.evaluate(flat, provenance, as_json=as_json)
    if as_json:
        outcome["priority"] = parts.summary.json
        outcome["scores"] = [b'{"cport":', cport.json, b',"casic":', casic.json, b"}"]
        outcome["notification_if_cautioned"] = _notification_preview_json(*notification_args)
        outcome["policy"] = _identity_json(policy_id)
        outcome["disclaimer"] = _DISCLAIMER_JSON
    else:
        outcome["priority"] = parts.summary.value
        outcome["scores"] = {"cport": cport.value, "casic": casic.value}
        outcome["notification_if_cautioned"] = _notification_preview(*notification_args)
        outcome["policy"] = policy.identity
        outcome["disclaimer"] = DISCLAIMER
    return outcome


#: The fields of a triage document, in the order they are written.
FIELDS = (
    "recommendation",
    "eligible_for_diversion",
    "blocking_rules",
    "missing_facts",
    "priority",
    "scores",
    "notification_if_cautioned",
    "policy",
    "unverified_rules",
    "trace",
    "disclaimer",
)
#: Each field with what comes before its value in the compact JSON of a document:
#: `{"recommendation":`, `,"eligible_for_diversion":`, and so on.
_PREFIXED = tuple(((b"," if i else b"{") + orjson.dumps(name) + b":", name) for i, name in enumerate(FIELDS))
_DISCLAIMER_JSON = json_bytes(DISCLAIMER)


@lru_cache(maxsize=len(POLICY_IDS))
def _identity_json(policy_id: str) -> bytes:
    return json_bytes(get_policy(policy_id).identity)


def triage(facts: CaseFacts, policy_id: str = DEFAULT_POLICY) -> dict[str, Any]:
    """Triage one validated case; deterministic: the same facts and policy give the same document."""
    parts = _evaluate(flatten(facts), policy_id, as_json=False)
    return {name: parts[name] for name in FIELDS}


def triage_json(flat: dict[str, Any], policy_id: str = DEFAULT_POLICY, **extra: Any) -> bytes:
    """The same document as `triage`, as compact JSON (plus `extra` fields), for the batch path.

    Takes the facts flattened (`facts.flat_from_json` validates and flattens a line without
    building the model) and adds the derived facts to that dict. The document is joined from
    its parts' JSON, and memoised parts (instrument results, rule answers, outcomes) keep theirs,
    so a caseload re-score does not encode the same things again for every case. The bytes equal
    `orjson.dumps(triage(...) | extra)` (a property test holds them to it).
    """
    parts = _evaluate(flat, policy_id, as_json=True)
    pieces: list[bytes] = []
    for prefix, name in _PREFIXED:
        pieces.append(prefix)
        part = parts[name]
        if type(part) is list:
            pieces += part
        else:
            pieces.append(part)
    for name, value in extra.items():
        pieces += (b"," + orjson.dumps(name) + b":", orjson.dumps(value))
    pieces.append(b"}")
    return b"".join(pieces)
