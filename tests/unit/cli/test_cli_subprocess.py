"""A few end-to-end runs of the real `riskroute` executable and `python -m riskroute`: what a user's
shell sees (exit code, stdout, stderr) with nothing of the test runner in between."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from cli_support import compact, example_bytes, example_document

from riskroute.core.knowledge import CORE_DIR

EXECUTABLE = Path(sys.executable).with_name("riskroute")


def shell(
    args: list[str], stdin: bytes, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        args, input=stdin, capture_output=True, timeout=60, check=False, env={**os.environ, **(env or {})}
    )


def assert_invalid(done: subprocess.CompletedProcess[bytes], path: str) -> None:
    assert b"Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr
    assert done.stdout == b""
    document = json.loads(done.stderr)
    assert document["error"] == "invalid_input"
    assert path in [d["path"] for d in document["details"]]


def test_executable_triage_malformed_json() -> None:
    assert_invalid(shell([str(EXECUTABLE), "triage"], b'{"subject": '), "$")


def test_executable_score_count_beyond_json_range() -> None:
    document = {
        "sex": "male",
        "contact_adult_sexual_sanctions": 2**64,
        "contact_child_sexual_sanctions": 0,
        "non_contact_sexual_sanctions_excluding_images": 0,
        "indecent_image_sanctions": 1,
        "total_sanctions": 2**64 + 1,
        "age_at_start_of_followup": 40,
        "age_at_last_sexual_sanction": 40,
        "current_offence_stranger_victim": False,
    }
    done = shell([str(EXECUTABLE), "score", "osp-dc"], compact(document).encode())
    assert_invalid(done, "contact_adult_sexual_sanctions")


def test_module_triage_batch_reports_bad_lines_in_place() -> None:
    text = b"\n".join(
        [example_bytes("01").replace(b"\n", b""), b"{oops", example_bytes("02").replace(b"\n", b"")]
    )
    done = shell([sys.executable, "-m", "riskroute", "triage", "--jsonl"], text + b"\n")
    assert b"Traceback" not in done.stderr
    assert done.returncode == 2
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["line"] for r in results] == [1, 2, 3]
    assert results[1]["error"] == "invalid_input"
    assert (results[0]["recommendation"], results[2]["recommendation"]) == ("divert", "prosecute")


def test_module_score_unknown_instrument() -> None:
    assert_invalid(shell([sys.executable, "-m", "riskroute", "score", "rm2000"], b"{}"), "instrument")


def test_executable_uses_a_force_tree_from_the_environment(tmp_path: Path) -> None:
    data = yaml.safe_load((CORE_DIR / "instruments" / "definitions" / "priority.yaml").read_bytes())
    data["version"] = "force-z-2026.3"
    data["default_band"] = "medium"
    tree = tmp_path / "tree.yaml"
    tree.write_text(yaml.safe_dump(data))
    facts = compact(example_document("01")).encode()
    done = shell([str(EXECUTABLE), "triage"], facts, env={"RISKROUTE_PRIORITY_TREE": str(tree)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["priority"]["version"], result["priority"]["band"]) == ("force-z-2026.3", "medium")
