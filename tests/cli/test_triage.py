"""`riskroute triage [FILE|-] [--policy ID]` and `--jsonl` per docs/cli.md."""

from __future__ import annotations

import gc
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from riskroute.core.knowledge import CORE_DIR
from riskroute.examples import example_paths
from tests.cli.runner import assert_invalid, compact, run
from tests.contract import TRIAGE_FIELDS
from tests.factories import example_bytes, example_document

POLICIES = ("npcc-2017", "justice-2019", "current-practice")


def triage_one(text: str | bytes, *args: str) -> dict[str, Any]:
    code, out, err = run(["triage", *args], text)
    assert code == 0, err
    assert err == "" and out.count("\n") == 1
    result: dict[str, Any] = json.loads(out)
    return result


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.name[:2])
@pytest.mark.parametrize("policy", POLICIES)
def test_every_example_triages_with_the_contract_fields(path: Path, policy: str) -> None:
    code, out, err = run(["triage", str(path), "--policy", policy])
    assert code == 0, err
    result = json.loads(out)
    assert set(result) >= TRIAGE_FIELDS
    assert result["recommendation"] in ("divert", "prosecute", "needs_information")
    raw = (CORE_DIR / "policy" / "policies" / f"{policy}.yaml").read_bytes()
    assert result["policy"]["id"] == policy
    assert result["policy"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert set(result["priority"]) >= {"band", "target_days"}


def test_default_policy_is_npcc_2017_and_input_from_stdin() -> None:
    result = triage_one(example_bytes("01"))
    assert result["policy"]["id"] == "npcc-2017"
    assert result["recommendation"] == "divert"
    assert triage_one(example_bytes("01"), "-") == result


@pytest.mark.parametrize(
    ("prefix", "recommendation"),
    [("01", "divert"), ("02", "prosecute"), ("05", "needs_information"), ("08", "prosecute")],
)
def test_recommendations_through_the_cli(prefix: str, recommendation: str) -> None:
    assert triage_one(example_bytes(prefix))["recommendation"] == recommendation


# -- bad input: single document ------------------------------------------------------------------


def changed(path: str, value: Any) -> str:
    document = example_document("01")
    node = document
    *parents, leaf = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    return compact(document)


BAD: list[tuple[str, str]] = [
    ('{"subject": {"age": 42}', "$"),
    ("", "$"),
    ("null", "$"),
    ("[]", "$"),
    (changed("hair_colour", "brown"), "hair_colour"),
    (changed("subject.shoe_size", 9), "subject.shoe_size"),
    (changed("offence.image_counts.D", 2), "offence.image_counts.D"),
    (changed("subject", None), "subject"),
    (changed("subject.age", "42"), "subject.age"),
    (changed("subject.age", 42.0), "subject.age"),
    (changed("subject.age", True), "subject.age"),
    (changed("process.admits_offence", 1), "process.admits_offence"),
    (changed("process.admits_offence", "true"), "process.admits_offence"),
    (changed("offence.activities", "possession"), "offence.activities"),
    (changed("offence.activities", ["possession", "watching"]), "offence.activities[1]"),
    (changed("offence.youngest_depicted", "under_10"), "offence.youngest_depicted"),
    (changed("history.prior_sexual_sanctions", -1), "history.prior_sexual_sanctions"),
    (changed("offence.image_counts.B", -1), "offence.image_counts.B"),
    (changed("offence.collection_span_years", -1.5), "offence.collection_span_years"),
    (changed("subject.age", 9), "subject.age"),
    (changed("subject.age", 121), "subject.age"),
    (changed("offence.image_counts.A", 2**64), "offence.image_counts.A"),
    (changed("history.prior_contact_sexual_sanctions", 10**20), "history.prior_contact_sexual_sanctions"),
]


@pytest.mark.parametrize(("text", "path"), BAD, ids=[f"{n}:{p}" for n, (_, p) in enumerate(BAD)])
def test_bad_document_is_exit_2_with_the_field_path(text: str, path: str) -> None:
    assert_invalid(*run(["triage"], text), path)


def test_several_bad_fields_are_all_reported() -> None:
    document = example_document("01")
    document["subject"]["age"] = 9
    document["history"]["prior_image_sanctions"] = -2
    details = assert_invalid(*run(["triage"], compact(document)), "subject.age")
    assert "history.prior_image_sanctions" in [d["path"] for d in details]


@pytest.mark.parametrize("jsonl", [[], ["--jsonl"]])
def test_unknown_policy_is_exit_2(jsonl: list[str]) -> None:
    assert_invalid(*run(["triage", *jsonl, "--policy", "lenient"], example_bytes("01")), "--policy")


@pytest.mark.parametrize("jsonl", [[], ["--jsonl"]])
def test_unreadable_file_is_exit_2(jsonl: list[str], tmp_path: Path) -> None:
    assert_invalid(*run(["triage", *jsonl, str(tmp_path / "absent.json")]), "$")
    assert_invalid(*run(["triage", *jsonl, str(tmp_path)]), "$")


# -- batch ---------------------------------------------------------------------------------------


def lines_of(out: str) -> list[dict[str, Any]]:
    assert out.endswith("\n")
    return [json.loads(line) for line in out.splitlines()]


def single(text: bytes, policy: str = "npcc-2017") -> dict[str, Any]:
    return triage_one(text, "--policy", policy)


@pytest.mark.parametrize("policy", POLICIES)
def test_batch_of_good_lines_is_exit_0_with_line_numbers(policy: str) -> None:
    documents = [json.loads(p.read_bytes()) for p in example_paths()]
    text = "".join(compact(d) + "\n" for d in documents)
    code, out, err = run(["triage", "--jsonl", "--policy", policy], text)
    assert code == 0, err
    results = lines_of(out)
    assert [r["line"] for r in results] == list(range(1, len(documents) + 1))
    for result, path in zip(results, example_paths(), strict=True):
        line = result.pop("line")
        assert result == single(path.read_bytes(), policy), line


def test_batch_reports_a_bad_line_in_place_and_goes_on(tmp_path: Path) -> None:
    good_a, good_b, good_c = (compact(example_document(p)) for p in ("01", "02", "05"))
    text = "\n".join(
        [
            good_a,  # 1
            '{"subject": {"age": ',  # 2: malformed
            "",  # 3: blank, skipped
            good_b,  # 4
            changed("offence.image_counts.D", 1),  # 5: unknown nested field
            "   ",  # 6: blank, skipped
            changed("subject.age", 121),  # 7: impossible age
            good_c,  # 8
        ]
    )
    source = tmp_path / "caseload.jsonl"
    source.write_text(text + "\n")
    for args, stdin in ((["triage", "--jsonl", str(source)], ""), (["triage", "--jsonl"], text)):
        code, out, err = run(args, stdin)
        assert code == 2
        assert "Traceback" not in err
        results = lines_of(out)
        assert [r["line"] for r in results] == [1, 2, 4, 5, 7, 8]
        errors = {r["line"]: r for r in results if "error" in r}
        assert sorted(errors) == [2, 5, 7]
        for line, path in ((2, "$"), (5, "offence.image_counts.D"), (7, "subject.age")):
            assert errors[line]["error"] == "invalid_input"
            assert set(errors[line]) == {"line", "error", "details"}
            assert path in [d["path"] for d in errors[line]["details"]]
        recommendations = [r["recommendation"] for r in results if "error" not in r]
        assert recommendations == ["divert", "prosecute", "needs_information"]


def test_batch_accepts_crlf_line_endings_and_a_missing_final_newline() -> None:
    text = compact(example_document("01")) + "\r\n" + compact(example_document("02"))
    code, out, _ = run(["triage", "--jsonl"], text)
    assert code == 0
    assert [r["line"] for r in lines_of(out)] == [1, 2]


def test_empty_batch_is_exit_0_with_no_output() -> None:
    code, out, err = run(["triage", "--jsonl"], "")
    assert (code, out) == (0, "")
    assert "Traceback" not in err


def test_batch_cases_make_no_reference_cycles_and_the_collector_is_restored() -> None:
    """The batch pauses the cyclic collector, which is only safe while a case makes no cycles:
    the garbage left for the collector must not grow with the number of lines (the CLI framework
    itself leaves a fixed amount per invocation)."""
    good = [compact(example_document(p)) for p in ("01", "02", "03", "04", "05")]
    bad = ['{"subject": {"age": ', changed("subject.age", 121), changed("offence.image_counts.D", 1)]

    def cyclic_garbage(repeats: int, policy: str) -> int:
        gc.collect()
        gc.disable()
        try:
            code, _, _ = run(["triage", "--jsonl", "--policy", policy], "\n".join((good + bad) * repeats))
            assert code == 2
            return gc.collect()
        finally:
            gc.enable()

    for policy in POLICIES:
        assert cyclic_garbage(40, policy) == cyclic_garbage(1, policy)
    run(["triage", "--jsonl"], "\n".join(good))
    assert gc.isenabled()


def test_an_in_process_batch_does_not_freeze_the_callers_objects() -> None:
    before = gc.get_freeze_count()
    code, _, _ = run(["triage", "--jsonl"], compact(example_document("01")))
    assert code == 0
    assert gc.get_freeze_count() == before
