"""A few end-to-end runs of the real `riskroute` executable and `python -m riskroute`: what a user's
shell sees (exit code, stdout, stderr) with nothing of the test runner in between."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from riskroute.cli import triage as triage_cli
from riskroute.core.knowledge import CORE_DIR
from tests.cli.runner import compact
from tests.factories import example_bytes, example_document

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


def test_batch_to_a_file_and_to_a_pipe_is_the_same_bytes(tmp_path: Path) -> None:
    """The batch hands its output to the kernel in gathered writes: many results, and many bad
    lines (more pieces than one gathered write takes), must arrive whole and in order."""
    good = [compact(example_document(p)) for p in ("01", "02", "03", "04", "05")]
    lines = (good * 60) + ["{oops"] * 1500 + good
    source = tmp_path / "caseload.jsonl"
    source.write_text("\n".join(lines) + "\n")
    target = tmp_path / "results.jsonl"
    with source.open("rb") as stdin, target.open("wb") as stdout:
        to_file = subprocess.run(
            [sys.executable, "-m", "riskroute", "triage", "--jsonl"], stdin=stdin, stdout=stdout, check=False
        )
    to_pipe = shell([sys.executable, "-m", "riskroute", "triage", "--jsonl"], source.read_bytes())
    assert to_file.returncode == to_pipe.returncode == 2
    written = target.read_bytes()
    assert written == to_pipe.stdout
    results = [json.loads(line) for line in written.splitlines()]
    assert [r["line"] for r in results] == list(range(1, len(lines) + 1))
    assert sum("error" in r for r in results) == 1500


def test_a_short_gathered_write_sends_the_rest(monkeypatch: Any, capfd: Any) -> None:
    """If the kernel takes only part of a gathered write, the rest follows, in order."""
    real_writev = os.writev

    def short_writev(fd: int, pieces: list[bytes]) -> int:
        return real_writev(fd, pieces[:1])  # only the first piece, as a signal might leave it

    monkeypatch.setattr(os, "writev", short_writev)
    write = triage_cli._chunk_writer()
    write([b"first ", b"second ", b"third\n"])
    assert capfd.readouterr().out == "first second third\n"


def test_the_command_freezes_its_memos_out_of_the_shutdown_collection() -> None:
    """Run as the `riskroute` command, a batch leaves its memoised objects frozen (so Python's
    shutdown does not walk them for cycles); run in-process by a test, it leaves gc alone."""
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count(), file=sys.stderr))\n"
        "sys.argv = ['riskroute', 'triage', '--jsonl']\n"
        "from riskroute.cli import main\n"
        "main()\n"
    )
    done = shell([sys.executable, "-c", probe], compact(example_document("01")).encode() + b"\n")
    assert done.returncode == 0, done.stderr
    assert int(done.stderr.split(b"frozen ")[1]) > 1000
    assert json.loads(done.stdout)["recommendation"] == "divert"
