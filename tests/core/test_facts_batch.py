"""The batch path's validation (`flat_from_json`) against the model's, on good and bad documents.

The batch validates each line into plain dicts rather than building `CaseFacts`. It must accept
exactly what the model accepts, flatten to exactly what `flatten` gives, and report a bad line
with exactly the model's error.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from riskroute.core.errors import InvalidInput
from riskroute.core.facts import CaseFacts, flatten
from riskroute.core.facts_json import flat_from_json
from riskroute.core.strict_json import check_unique_keys
from tests.factories import divertible
from tests.strategies import any_document, get, leaf_paths, with_value

# Values of every JSON type, valid somewhere in the document and invalid elsewhere.
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 130),
    st.sampled_from([2**53, 2**53 - 1, -1, 0, 1, 10, 120, 121]),
    st.floats(-1, 200, allow_nan=False),
    st.sampled_from(["", "3", "true", "male", "possession", "under_16"]),
    st.lists(st.sampled_from(["possession", "making", "sharing", 3]), max_size=3),
    st.just({}),
    st.just({"A": 1}),
)
SECTIONS = ("subject", "offence", "history", "access_to_children", "behaviour", "process")


@st.composite
def odd_leaf(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document with one leaf replaced by a value of any JSON type."""
    return with_value(draw(any_document()), draw(st.sampled_from(leaf_paths())), draw(ODD_VALUES))


@st.composite
def corrupted(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document with a few sections or extra fields replaced by odd values."""
    document = draw(any_document())
    for _ in range(draw(st.integers(1, 2))):
        if draw(st.booleans()):
            document = {**document, draw(st.sampled_from(SECTIONS)): draw(ODD_VALUES)}
        else:
            section = draw(st.sampled_from(SECTIONS))
            inner = document.get(section)
            if isinstance(inner, dict):
                document = {**document, section: {**inner, draw(st.sampled_from(["extra", "D"])): 1}}
            else:
                document = {**document, "unexpected": True}
    return document


def model_outcome(raw: bytes) -> tuple[str, Any]:
    """The reference reading: keys given twice refused (strict_json), then the model."""
    try:
        check_unique_keys(raw)
        return "ok", orjson.dumps(flatten(CaseFacts.model_validate_json(raw)))
    except InvalidInput as exc:
        return "duplicate", exc.details
    except ValidationError as exc:
        return "error", repr(exc.errors(include_url=False))  # repr: NaN inputs compare equal


def batch_outcome(raw: bytes) -> tuple[str, Any]:
    try:
        return "ok", orjson.dumps(flat_from_json(raw))
    except InvalidInput as exc:
        return "duplicate", exc.details
    except ValidationError as exc:
        return "error", repr(exc.errors(include_url=False))  # repr: NaN inputs compare equal


@settings(max_examples=300, deadline=None)
@given(st.one_of(any_document(), odd_leaf(), corrupted()))
def test_batch_validation_accepts_rejects_and_flattens_as_the_model(document: dict[str, Any]) -> None:
    raw = orjson.dumps(document)
    assert batch_outcome(raw) == model_outcome(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[]",
        b"null",
        b"{}",
        b'{"subject": null}',
        b'{"offence": {"image_counts": null}}',
        # Values a lax reading would coerce: strict validation refuses every one.
        b'{"subject": {"never_married": 1}}',
        b'{"subject": {"never_married": "true"}}',
        b'{"subject": {"age": "30"}}',
        b'{"subject": {"age": 30.0}}',
        b'{"subject": {"age": true}}',
        b'{"offence": {"image_counts": {"A": 2.5}}}',
        b'{"offence": {"collection_span_years": "2"}}',
        b'{"offence": {"activities": "possession"}}',
        b'{"offence": {"activities": ["sharing"]}}',
        b'{"history": {"prior_image_sanctions": -1}}',
        b'{"history": {"prior_image_sanctions": 9007199254740992}}',
        b'{"access_to_children": {"checked": true, "pets": false}}',
        # JSON that one parser might read differently from another.
        b'{"subject": {"age": 1e2}}',
        b'{"subject": {"age": 30, "age": 40}}',
        b'{"subject": {"age": -0}}',
        b'{"subject": {"age": 18446744073709551616}}',
        b'{"offence": {"collection_span_years": NaN}}',
        b'{"offence": {"collection_span_years": Infinity}}',
        b'{"offence": {"collection_span_years": 1e400}}',
        b'{"offence": {"collection_span_years": 120.0000001}}',
        b'{"offence": {"activities": ["making", null]}}',
        b'{"subject": {"sex": "male\\u0000"}}',
        b"\xef\xbb\xbf{}",
        b'{"subject": {"sex": "\xff"}}',
        b'  {"subject": {"sex": "male"}}  \n',
        # And values it must keep as they are.
        b'{"offence": {"collection_span_years": 2}}',
        b'{"offence": {"activities": []}}',
        b'{"access_to_children": {"checked": null, "household": false, "occupation": true}}',
        # Keys given twice, at any depth, and contradictions: refused by both readers.
        b'{"access_to_children": {"household": true, "household": false}}',
        b'{"offence": {"image_counts": {"A": 5, "A": 0}}}',
        b'{"process": {}, "process": {"admits_offence": true}}',
        b'{"history": {"any_prior_criminal_history": false, "prior_image_sanctions": 2}}',
        b'{"access_to_children": {"checked": false, "household": false, "occupation": true}}',
        b'{"subject": {"age": 30, "age_at_offence": 31}}',
    ],
)
def test_batch_validation_on_documents_that_are_not_case_facts(raw: bytes) -> None:
    assert batch_outcome(raw) == model_outcome(raw)


#: Every JSON type, and the edges of every range a case fact has.
EVERY_KIND = [
    None,
    True,
    False,
    0,
    1,
    -1,
    9,
    10,
    18,
    120,
    121,
    2**53 - 1,
    2**53,
    0.0,
    2.0,
    2.5,
    -0.5,
    120.0,
    120.5,
    "",
    "3",
    "true",
    "male",
    "female",
    "under_16",
    "16_17",
    "unknown",
    "possession",
    [],
    ["possession"],
    ["making", "possession"],
    ["sharing"],
    [1],
    [None],
    {},
    {"A": 1},
]


@pytest.mark.parametrize("path", leaf_paths())
def test_every_leaf_with_every_kind_of_value(path: str) -> None:
    """Each leaf of a complete document, set to values of every JSON type and range edge."""
    base = divertible()
    for value in EVERY_KIND:
        raw = orjson.dumps(with_value(base, path, value))
        assert batch_outcome(raw) == model_outcome(raw), (path, value)


def test_every_leaf_absent_is_unknown() -> None:
    flat = flat_from_json(b"{}")
    assert set(flat) == set(leaf_paths())
    assert all(get({}, path) is None for path in flat)
    assert all(value is None for value in flat.values())
