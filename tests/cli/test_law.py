"""`riskroute law notification|sentencing`: output shape and exit codes per docs/cli.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from riskroute.cli import law
from tests.cli.runner import bare_app, run
from tests.factories import NOTIFICATION_REQUEST


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    return bare_app(law)


@pytest.mark.parametrize("args", [["law", "notification"], ["law", "notification", "-"]])
def test_notification_from_stdin(app: typer.Typer, args: list[str]) -> None:
    code, out, err = run(args, json.dumps(NOTIFICATION_REQUEST), app=app)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["notifiable"] is True
    assert doc["period"] == {"years": 2.0, "indefinite": False}
    assert doc["ends_on"] == "2027-06-01"
    assert doc["initial_notification_due"] == "2025-06-04"
    assert doc["review_possible_after_years"] is None
    assert isinstance(doc["basis"], list) and doc["basis"]
    assert doc["verification"] == "secondary"


def test_notification_from_a_file(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "input.json"
    path.write_text(
        json.dumps({**NOTIFICATION_REQUEST, "disposal": {"type": "custody", "custody_months": 30}})
    )
    code, out, _ = run(["law", "notification", str(path)], app=app)
    assert code == 0
    doc = json.loads(out)
    assert doc["period"] == {"years": None, "indefinite": True}
    assert doc["ends_on"] is None and doc["review_possible_after_years"] == 15


def test_sentencing(app: typer.Typer) -> None:
    code, out, _ = run(["law", "sentencing"], '{"category": "A", "activity": "possession"}', app=app)
    assert code == 0
    doc = json.loads(out)
    assert doc["starting_point"] == {"type": "custody", "label": "1 year", "weeks": 52}
    assert doc["range_low"] == {"type": "custody", "label": "26 weeks", "weeks": 26}
    assert doc["range_high"] == {"type": "custody", "label": "3 years", "weeks": 156}
    assert doc["verification"] == "secondary" and doc["basis"]


def with_(changes: dict[str, Any], base: dict[str, Any] = NOTIFICATION_REQUEST) -> str:
    doc = {**base}
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            doc[outer] = {**doc[outer], inner: value}
        else:
            doc[key] = value
    return json.dumps(doc)


BAD_NOTIFICATION = [
    ('{"offence": "pca1978_s1",', "$"),
    ("[]", "$"),
    (with_({"colour": "red"}), "colour"),
    (with_({"disposal.weeks": 3}), "disposal.weeks"),
    (with_({"age_at_offence": "42"}), "age_at_offence"),
    (with_({"age_at_offence": 42.0}), "age_at_offence"),
    (with_({"age_at_offence": 9}), "age_at_offence"),
    (with_({"age_on_relevant_date": 121}), "age_on_relevant_date"),
    (with_({"relevant_date": "2025-02-30"}), "relevant_date"),
    (with_({"relevant_date": 20250602}), "relevant_date"),
    (with_({"youngest_depicted": "under_13"}), "youngest_depicted"),
    (with_({"offence": "soa2003_s15"}), "offence"),
    (with_({"disposal": {"type": "custody", "custody_months": -3}}), "disposal.custody_months"),
    (with_({"disposal": {"type": "custody", "custody_months": "12"}}), "disposal.custody_months"),
    (with_({"disposal": {"type": "custody"}}), "disposal.custody_months"),
    (
        with_({"disposal": {"type": "conditional_discharge", "discharge_months": -1}}),
        "disposal.discharge_months",
    ),
    (with_({"disposal": {"type": "conditional_discharge"}}), "disposal.discharge_months"),
    (with_({"disposal": {"type": "probation"}}), "disposal.type"),
    # A key given twice would otherwise let the last value win silently.
    (json.dumps(NOTIFICATION_REQUEST)[:-1] + ', "age_at_offence": 15}', "age_at_offence"),
    (
        '{"disposal": {"type": "custody", "type": "caution"}, '
        + json.dumps({k: v for k, v in NOTIFICATION_REQUEST.items() if k != "disposal"})[1:],
        "disposal.type",
    ),
]


@pytest.mark.parametrize(("stdin", "path"), BAD_NOTIFICATION)
def test_bad_notification_input_exits_2_naming_the_field(app: typer.Typer, stdin: str, path: str) -> None:
    code, out, err = run(["law", "notification"], stdin, app=app)
    assert code == 2
    assert out == ""
    doc = json.loads(err)
    assert doc["error"] == "invalid_input"
    assert path in [d["path"] for d in doc["details"]]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("stdin", "path"),
    [
        ("not json", "$"),
        ('{"category": "D", "activity": "possession"}', "category"),
        ('{"category": "A", "activity": "making"}', "activity"),
        ('{"category": "A", "activity": "possession", "count": 3}', "count"),
        ('{"category": "A"}', "activity"),
        ('{"category": 1, "activity": "possession"}', "category"),
        ('{"category": "A", "activity": "possession", "category": "C"}', "category"),
    ],
)
def test_bad_sentencing_input_exits_2(app: typer.Typer, stdin: str, path: str) -> None:
    code, out, err = run(["law", "sentencing"], stdin, app=app)
    assert code == 2 and out == ""
    assert path in [d["path"] for d in json.loads(err)["details"]]


def test_missing_file_exits_2(app: typer.Typer, tmp_path: Path) -> None:
    code, out, err = run(["law", "sentencing", str(tmp_path / "absent.json")], app=app)
    assert code == 2 and out == ""
    assert json.loads(err)["details"][0]["path"] == "$"


def test_the_installed_command_end_to_end() -> None:
    """Through the real `riskroute` entry point, as outside checks run it."""
    exe = Path(sys.executable).with_name("riskroute")
    ok = subprocess.run(
        [str(exe), "law", "sentencing", "-"],
        input=b'{"category":"C","activity":"possession"}',
        capture_output=True,
        check=False,
    )
    assert ok.returncode == 0 and ok.stderr == b""
    assert json.loads(ok.stdout)["starting_point"] == {"type": "community_order", "level": "high"}
    bad = subprocess.run(
        [str(exe), "law", "notification"], input=b'{"offence": 1}', capture_output=True, check=False
    )
    assert bad.returncode == 2 and bad.stdout == b""
    assert b"Traceback" not in bad.stderr
    assert "offence" in [d["path"] for d in json.loads(bad.stderr)["details"]]
