"""Conservative merge of a further referral's facts into the facts a case already holds.

A person referred again (a second NCA package, an industry report after local intelligence) is
not a new case: what the new referral says is merged into the existing case. The merge can only
make the case look as risky or riskier, never less:

- each fact that has a risk order (`RISK_ORDER`, defined once here) takes the riskier of the two
  known values: `true` over `false` for a risk indicator, the larger image count, the longer
  collection span, the younger depicted age band, the union of the activities;
- an unknown value (null, or the age band "unknown") never replaces a known one; a known value
  fills an unknown one;
- a fact with no risk order (the subject's sex and ages, the access check, the process facts)
  is never changed by a merge, and a different value offered for it is reported for review;
- a derived fact (`process.safeguarding_checks_complete`) is never touched;
- an incoming value lower than the case's is a contradiction: the case's value is kept and the
  pair is reported as a conflict for review;
- if the merged facts break a consistency rule (`facts.CONSISTENCY_RULES`), the changes behind
  the contradiction are undone (the case's values kept) and reported as conflicts.

Pure: documents in (plain JSON, as `CaseFacts.model_dump(mode="json")` gives), a result out.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from riskroute.core.facts import FACT_PATHS, inconsistencies

#: A key giving each known value its risk rank (higher is riskier), or None for "not known".
Rank = Callable[[Any], Any]


def _true_riskier(value: Any) -> int | None:
    return None if value is None else int(value)


def _larger_riskier(value: Any) -> float | None:
    return None if value is None else float(value)


_AGE_BAND_RISK = {"16_17": 0, "under_16": 1}  # "unknown" is not known: it ranks as no value
_JUDGEMENT_RISK = {"low": 0, "medium": 1, "high": 2}


def _youngest_depicted(value: Any) -> int | None:
    return _AGE_BAND_RISK.get(value) if value is not None else None


def _judgement(value: Any) -> int | None:
    return _JUDGEMENT_RISK.get(value) if value is not None else None


#: Activities merge as a set: more activities is riskier, so the merge takes the union.
UNION = "union"

#: The risk order of every fact a merge may change, and nothing else. A path missing here has no
#: risk order and is never changed by a merge (`DERIVED` paths are not even reported).
RISK_ORDER: dict[str, Rank | str] = {
    "subject.never_married": _true_riskier,
    "offence.activities": UNION,
    "offence.image_counts.A": _larger_riskier,
    "offence.image_counts.B": _larger_riskier,
    "offence.image_counts.C": _larger_riskier,
    "offence.youngest_depicted": _youngest_depicted,
    "offence.csem_videos": _true_riskier,
    "offence.csem_stories": _true_riskier,
    "offence.collection_span_years": _larger_riskier,
    "offence.more_boys_than_girls_csem": _true_riskier,
    "offence.more_boys_than_girls_other_child_content": _true_riskier,
    "offence.peer_to_peer_sharing": _true_riskier,
    "history.any_prior_criminal_history": _true_riskier,
    "history.any_failure_on_conditional_release": _true_riskier,
    "history.prior_sexual_sanctions": _larger_riskier,
    "history.prior_contact_sexual_sanctions": _larger_riskier,
    "history.prior_image_sanctions": _larger_riskier,
    "history.prior_violent_sanctions": _larger_riskier,
    "history.contact_offence_allegations": _true_riskier,
    "access_to_children.household": _true_riskier,
    "access_to_children.occupation": _true_riskier,
    "access_to_children.volunteering": _true_riskier,
    "access_to_children.family_or_friends": _true_riskier,
    "behaviour.sexual_communication_with_child": _true_riskier,
    "behaviour.grooming_or_incitement": _true_riskier,
    "behaviour.sexual_interest_in_children": _true_riskier,
    "process.structured_judgement_risk": _judgement,
}

#: Facts the service derives from its own records; a referral cannot set them.
DERIVED = frozenset({"process.safeguarding_checks_complete"})


@dataclass(frozen=True)
class Conflict:
    """A value the incoming referral offered that was not applied, with the one kept."""

    path: str
    kept: Any
    offered: Any
    reason: str

    def as_document(self) -> dict[str, Any]:
        return {"path": self.path, "kept": self.kept, "offered": self.offered, "reason": self.reason}


@dataclass
class MergeResult:
    """The merged facts document, the paths it changed and the conflicts left for review."""

    facts: dict[str, Any]
    changed: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


def _get(document: Mapping[str, Any], path: str) -> Any:
    node: Any = document
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *sections, leaf = path.split(".")
    node = document
    for part in sections:
        node = node.setdefault(part, {})
    node[leaf] = value


def rank(path: str, value: Any) -> Any:
    """The risk rank of one value of an ordered fact (None when the value is not known)."""
    order = RISK_ORDER[path]
    if order == UNION:
        return frozenset(value) if value else None
    assert callable(order)
    return order(value)


def _merge_one(path: str, kept: Any, offered: Any) -> tuple[Any, str | None]:
    """The merged value of one fact and, when the offer is not applied, why."""
    order = RISK_ORDER.get(path)
    if order is None:  # no risk order: never changed, any other known value goes to review
        if offered is not None and offered != kept:
            return kept, "this fact has no risk order, so a referral never changes it"
        return kept, None
    have, new = rank(path, kept), rank(path, offered)
    if new is None:
        return kept, None  # unknown never overwrites known
    if have is None:
        return offered, None  # a known value fills an unknown one
    if order == UNION:
        return (kept if new <= have else sorted(have | new)), None
    if new > have:
        return offered, None
    if new < have:
        return kept, "the case already records a higher-risk value"
    return kept, None


def merge_facts(case_facts: Mapping[str, Any], incoming: Mapping[str, Any]) -> MergeResult:
    """Merge `incoming` into `case_facts` conservatively (see the module docstring).

    Both are case-facts documents as plain JSON; the case's document is not modified.
    """
    merged: dict[str, Any] = copy.deepcopy(dict(case_facts))
    changed: list[str] = []
    conflicts: dict[str, Conflict] = {}
    for path, _ in FACT_PATHS:
        if path in DERIVED:
            continue
        kept, offered = _get(case_facts, path), _get(incoming, path)
        value, reason = _merge_one(path, kept, offered)
        if reason is not None:
            conflicts[path] = Conflict(path, kept, offered, reason)
        if value != kept:
            _set(merged, path, value)
            changed.append(path)
    _undo_contradictions(case_facts, incoming, merged, changed, conflicts)
    return MergeResult(merged, changed, list(conflicts.values()))


def _undo_contradictions(
    case_facts: Mapping[str, Any],
    incoming: Mapping[str, Any],
    merged: dict[str, Any],
    changed: list[str],
    conflicts: dict[str, Conflict],
) -> None:
    """Undo the changes behind each broken consistency rule until none is broken.

    The fact a rule names is undone first; if it was not changed, every change in its section is
    undone (the rules relate facts of one section). The case's own facts are consistent, so this
    ends at the latest when every change has been undone.
    """
    reason = "contradicts the facts the case already holds"
    while changed:
        problems = inconsistencies({path: _get(merged, path) for path, _ in FACT_PATHS})
        if not problems:
            return
        path = problems[0][0]
        section = path.split(".")[0]
        undo = [path] if path in changed else [p for p in changed if p.split(".")[0] == section]
        for each in undo or list(changed):
            kept = _get(case_facts, each)
            _set(merged, each, kept)
            changed.remove(each)
            conflicts[each] = Conflict(each, kept, _get(incoming, each), reason)
