"""Helpers for the CLI tests: an app with only `score` and `triage`, a runner and the error checks."""

from __future__ import annotations

import json
from typing import Any

import typer
from typer.testing import CliRunner

from riskroute.cli import score, triage
from riskroute.examples import example_paths


def build_app() -> typer.Typer:
    # A bare app with only these two commands, so the tests do not depend on the others.
    root = typer.Typer(pretty_exceptions_enable=False)

    @root.callback()
    def _root() -> None:
        """riskroute (score and triage only)."""

    score.register(root)
    triage.register(root)
    return root


APP = build_app()


def run(args: list[str], stdin: str | bytes = "") -> tuple[int, str, str]:
    result = CliRunner().invoke(APP, args, input=stdin)
    # An exception escaping the command would be a traceback for a real user.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


def assert_invalid(code: int, out: str, err: str, path: str) -> list[dict[str, str]]:
    """Exit 2, nothing on stdout, exactly one error document on stderr naming `path`."""
    assert "Traceback" not in err
    assert code == 2, (code, out, err)
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    document = json.loads(err)
    assert set(document) == {"error", "details"}
    assert document["error"] == "invalid_input"
    details: list[dict[str, str]] = document["details"]
    assert details
    for detail in details:
        assert set(detail) == {"path", "message"} and detail["message"]
    assert path in [d["path"] for d in details], details
    return details


def example_bytes(name_prefix: str) -> bytes:
    (path,) = [p for p in example_paths() if p.name.startswith(name_prefix)]
    return path.read_bytes()


def example_document(name_prefix: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(example_bytes(name_prefix))
    return document


def compact(document: Any) -> str:
    return json.dumps(document)


#: A valid input document per `score` instrument.
VALID: dict[str, dict[str, Any]] = {
    "cport": {
        "age_at_index": 30,
        "any_prior_criminal_history": False,
        "any_contact_sexual_offending": False,
        "any_failure_on_conditional_release": None,
        "sexual_interest_in_children": True,
        "more_boys_than_girls_csem": False,
        "more_boys_than_girls_other_child_content": False,
    },
    "casic": {
        "never_married": True,
        "csem_videos": True,
        "csem_stories": False,
        "interest_two_years_or_more": None,
        "volunteered_with_high_access_to_children": False,
        "online_sexual_communication_with_minor": False,
    },
    "osp-dc": {
        "sex": "male",
        "contact_adult_sexual_sanctions": 0,
        "contact_child_sexual_sanctions": 0,
        "non_contact_sexual_sanctions_excluding_images": 0,
        "indecent_image_sanctions": 1,
        "total_sanctions": 1,
        "age_at_start_of_followup": 40,
        "age_at_last_sexual_sanction": 40,
        "current_offence_stranger_victim": False,
    },
    "osp-iic": {
        "sex": "male",
        "indecent_image_sanctions": 1,
        "contact_child_sexual_sanctions": 0,
        "contact_adult_sexual_sanctions": 0,
        "non_contact_sexual_sanctions_excluding_images": 0,
    },
    "priority": example_document("01"),
}
