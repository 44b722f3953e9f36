"""A mistyped command line is invalid input like any other: exit 2 and one JSON error document.

These go through `riskroute.cli.main`, the real entry point, because usage errors are turned into
the contract's error document there (not inside the commands).
"""

from __future__ import annotations

import json
import sys

import pytest

from riskroute.cli import main


def run_main(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["riskroute", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capfd.readouterr()
    return int(exited.value.code or 0), out, err


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (("score",), "instrument"),
        (("triage", "--polcy", "x"), "--polcy"),
        (("triage", "--policy"), "--policy"),
        (("score", "cport", "a", "b"), "$"),
        (("no-such-command",), "$"),
    ],
)
def test_usage_errors_are_json_invalid_input(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], args: tuple[str, ...], path: str
) -> None:
    code, out, err = run_main(monkeypatch, capfd, *args)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err and "Usage:" not in err
    document = json.loads(err)
    assert document["error"] == "invalid_input"
    assert [d["path"] for d in document["details"]] == [path]
    assert document["details"][0]["message"]


@pytest.mark.parametrize("args", [(), ("--help",), ("law",)])
def test_help_still_shows_with_exit_zero(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    code, out, err = run_main(monkeypatch, capfd, *args)
    assert code == 0
    assert "Usage:" in out
    assert err == ""
