"""Any JSON at all, and valid documents with one field replaced by any JSON value, fed to every command:
the answer is exit 0 with one document or exit 2 with one error document, never anything else."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cli.runner import run
from tests.factories import INSTRUMENT_INPUTS, example_document
from tests.strategies import JSON_VALUES, document_paths, with_value

COMMANDS = [["score", name] for name in INSTRUMENT_INPUTS] + [
    ["triage"],
    ["triage", "--policy", "justice-2019"],
]


def assert_contract(args: list[str], text: str) -> None:
    code, out, err = run(args, text)
    assert "Traceback" not in err
    if code == 0:
        assert out.count("\n") == 1 and isinstance(json.loads(out), dict)
        return
    assert code == 2, (args, text, code, err)
    assert out == ""
    document = json.loads(err)
    assert document["error"] == "invalid_input"
    assert all(isinstance(d["path"], str) and d["path"] and d["message"] for d in document["details"])


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(COMMANDS), JSON_VALUES)
def test_any_json_value_is_exit_0_or_2(args: list[str], value: Any) -> None:
    assert_contract(args, json.dumps(value))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(COMMANDS), st.data(), JSON_VALUES)
def test_a_valid_document_with_one_field_replaced_is_exit_0_or_2(
    args: list[str], data: st.DataObject, value: Any
) -> None:
    base = INSTRUMENT_INPUTS[args[1]] if args[0] == "score" else example_document("01")
    path = data.draw(st.sampled_from(document_paths(base)))
    assert_contract(args, json.dumps(with_value(base, path, value)))
