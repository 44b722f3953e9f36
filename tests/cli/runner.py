"""Helpers for the CLI tests: an app with only the commands under test, a runner and the error checks."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import typer
from typer.testing import CliRunner

from riskroute.cli import score, triage


def bare_app(*commands: ModuleType) -> typer.Typer:
    """An app with only these command modules registered, so a test depends on no other command."""
    root = typer.Typer(pretty_exceptions_enable=False)

    @root.callback()
    def _root() -> None:
        """riskroute (only the commands under test)."""

    for module in commands:
        module.register(root)
    return root


APP = bare_app(score, triage)


def run(args: list[str], stdin: str | bytes = "", app: typer.Typer = APP) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, input=stdin)
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


def compact(document: Any) -> str:
    return json.dumps(document)
