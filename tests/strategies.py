"""Hypothesis strategies for the documents the tests feed in: case facts, and any JSON at all.

The case-facts strategy is written from the contract in docs/cli.md, not from the model: every
leaf may be any valid value, `null` or absent. The fixed documents (the bundled examples) are in
tests/factories.py.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

from riskroute.core.facts import FACT_PATHS, CaseFacts, inconsistencies
from tests.factories import divertible

ACTIVITIES = ("possession", "making", "distribution", "production", "live_streaming", "advertising")
RISKY_ACTIVITIES = ("distribution", "production", "live_streaming", "advertising")
POLICIES = ("npcc-2017", "justice-2019", "current-practice")

BOOL = st.booleans()
COUNT = st.integers(min_value=0, max_value=12)

#: section -> field -> strategy of valid values (the contract's shape).
FIELDS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "subject": {
        "age": st.integers(min_value=10, max_value=120),
        "age_at_offence": st.integers(min_value=10, max_value=120),
        "sex": st.sampled_from(["male", "female"]),
        "never_married": BOOL,
    },
    "offence": {
        "activities": st.lists(st.sampled_from(ACTIVITIES), max_size=4),
        "youngest_depicted": st.sampled_from(["under_16", "16_17", "unknown"]),
        "csem_videos": BOOL,
        "csem_stories": BOOL,
        "collection_span_years": st.floats(min_value=0, max_value=120, allow_nan=False),
        "more_boys_than_girls_csem": BOOL,
        "more_boys_than_girls_other_child_content": BOOL,
        "peer_to_peer_sharing": BOOL,
    },
    "history": {
        "any_prior_criminal_history": BOOL,
        "any_failure_on_conditional_release": BOOL,
        "prior_sexual_sanctions": COUNT,
        "prior_contact_sexual_sanctions": COUNT,
        "prior_image_sanctions": COUNT,
        "prior_violent_sanctions": COUNT,
        "contact_offence_allegations": BOOL,
    },
    "access_to_children": {
        "checked": BOOL,
        "household": BOOL,
        "occupation": BOOL,
        "volunteering": BOOL,
        "family_or_friends": BOOL,
    },
    "behaviour": {
        "sexual_communication_with_child": BOOL,
        "grooming_or_incitement": BOOL,
        "sexual_interest_in_children": BOOL,
    },
    "process": {
        "admits_offence": BOOL,
        "sufficient_evidence_to_charge": BOOL,
        "consents_to_caution": BOOL,
        "safeguarding_checks_complete": BOOL,
        "structured_judgement_risk": st.sampled_from(["low", "medium", "high"]),
    },
}
IMAGE_CATEGORIES = ("A", "B", "C")

ABSENT = object()


def _leaf(draw: st.DrawFn, values: st.SearchStrategy[Any], known_weight: int) -> Any:
    # Mostly known values, so that every recommendation is reached often; else null or absent.
    choice = draw(st.integers(0, known_weight + 1))
    if choice < known_weight:
        return draw(values)
    return None if choice == known_weight else ABSENT


@st.composite
def case_documents(draw: st.DrawFn, known_weight: int = 6) -> dict[str, Any]:
    """A valid case-facts document as plain JSON data; each leaf a value, null or absent."""
    document: dict[str, Any] = {}
    for section, fields in FIELDS.items():
        if draw(st.integers(0, 20)) == 0:
            continue  # a whole section absent
        body = {name: _leaf(draw, values, known_weight) for name, values in fields.items()}
        if section == "offence":
            counts = {c: _leaf(draw, COUNT, known_weight) for c in IMAGE_CATEGORIES}
            body["image_counts"] = {k: v for k, v in counts.items() if v is not ABSENT}
        document[section] = {k: v for k, v in body.items() if v is not ABSENT}
    return consistent(document)


def riskier_consistent(document: dict[str, Any]) -> dict[str, Any]:
    """Resolve the contradictions that adding a risk fact can make, towards the riskier reading:
    a prior sanction means a prior criminal history, a contact sexual sanction is a sexual one."""
    counts = [
        get(document, f"history.{name}")
        for name in (
            "prior_sexual_sanctions",
            "prior_contact_sexual_sanctions",
            "prior_image_sanctions",
            "prior_violent_sanctions",
        )
    ]
    if get(document, "history.any_prior_criminal_history") is False and (
        any(c for c in counts if c) or get(document, "history.any_failure_on_conditional_release") is True
    ):
        document = with_value(document, "history.any_prior_criminal_history", True)
    sexual, contact = counts[0], counts[1]
    if sexual is not None and contact is not None and contact > sexual:
        document = with_value(document, "history.prior_sexual_sanctions", contact)
    return consistent(document)


def consistent(document: dict[str, Any]) -> dict[str, Any]:
    """The document with each fact that contradicts another made unknown (null), so that the
    strategies yield valid documents; an unknown fact contradicts nothing, so this ends."""
    while True:
        problems = inconsistencies({path: get(document, path) for path, _ in FACT_PATHS})
        if not problems:
            return document
        document = with_value(document, problems[0][0], None)


def facts(document: dict[str, Any]) -> CaseFacts:
    return CaseFacts.model_validate_json(json.dumps(document))


def get(document: dict[str, Any], path: str) -> Any:
    node: Any = document
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def with_value(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of the document with one leaf set (sections created as needed)."""
    changed = copy.deepcopy(document)
    node = changed
    *parents, leaf = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    return changed


def leaf_paths() -> list[str]:
    """Every leaf path of the contract, image counts included."""
    paths = [f"{section}.{name}" for section, fields in FIELDS.items() for name in fields]
    return paths + [f"offence.image_counts.{c}" for c in IMAGE_CATEGORIES]


def leaf_strategy(path: str) -> st.SearchStrategy[Any]:
    section, *rest = path.split(".")
    if rest[0] == "image_counts":
        return COUNT
    return FIELDS[section][rest[0]]


@st.composite
def near_divert(draw: st.DrawFn) -> dict[str, Any]:
    """The divertible example with a few leaves changed, made unknown or removed.

    Fully random documents almost never divert (about twenty facts must line up), so properties
    about `divert` would hold vacuously; documents near the diversion path reach every outcome.
    """
    document = divertible()
    for path in draw(st.lists(st.sampled_from(leaf_paths()), max_size=4, unique=True)):
        value = draw(st.one_of(leaf_strategy(path), st.none(), st.just(ABSENT)))
        if value is ABSENT:
            section, *rest = path.split(".")
            parent = document.get(section, {})
            if rest[0] == "image_counts":
                parent = parent.get("image_counts", {})
            parent.pop(rest[-1], None)
        else:
            document = with_value(document, path, value)
    return consistent(document)


def any_document() -> st.SearchStrategy[dict[str, Any]]:
    """Random documents and documents near the diversion path, in equal measure."""
    return st.one_of(case_documents(), near_divert())


#: Any JSON value (numbers beyond 64 bits included), nested a little.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def document_paths(document: Any, prefix: str = "") -> list[str]:
    """The dotted path of every leaf of a JSON document (an empty object counts as a leaf)."""
    if not isinstance(document, dict) or not document:
        return [prefix] if prefix else []
    out: list[str] = []
    for key, value in document.items():
        out += document_paths(value, f"{prefix}.{key}" if prefix else key)
    return out


def mutated(document: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The document with one leaf replaced by any JSON value."""
    paths = st.sampled_from(document_paths(document))
    return st.tuples(paths, JSON_VALUES).map(lambda pv: with_value(document, *pv))
