"""Batch triage throughput: 100,000 synthetic cases through `riskroute triage --jsonl`, end to end.

Measures what a force re-scoring its caseload would see: process start-up, JSON parsing and
validation, triage, JSON output. Reports cases per second (wall and CPU), peak memory of the CLI
process, and the memo hit rates that explain the speed. Writes the figures into
docs/benchmarks.md between the triage markers. Run with `make bench`.

The synthetic cases vary every fact independently (ages 18-80, image counts over four orders of
magnitude, each yes/no fact true, false or unknown), so they are more varied than a real caseload,
where most people share the same few answers: the memo hit rates here are a conservative case.
"""

from __future__ import annotations

import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
CASES = 100_000
TARGET = 20_000
BEGIN, END = "<!-- triage:begin -->", "<!-- triage:end -->"


def _maybe(rng: random.Random, p_true: float, p_unknown: float = 0.05) -> bool | None:
    draw = rng.random()
    if draw < p_unknown:
        return None
    return draw < p_unknown + p_true


def synthetic_case(rng: random.Random) -> dict[str, Any]:
    """One synthetic case-facts document; no real person, no imagery, counts only.

    Each fact varies independently, then the few that would contradict another are brought into
    line (a prior sanction means a prior criminal history, say), so every line is a valid case.
    """
    activities = ["possession"] if rng.random() < 0.6 else ["making"]
    if rng.random() < 0.15:
        activities.append("distribution")
    if rng.random() < 0.03:
        activities.append("production")
    age = rng.randint(18, 80)
    span = round(rng.uniform(0, 10), 1)
    case = {
        "subject": {
            "age": age,
            "age_at_offence": max(10, age - int(span)) if rng.random() < 0.9 else None,
            "sex": "male" if rng.random() < 0.95 else "female",
            "never_married": _maybe(rng, 0.5),
        },
        "offence": {
            "activities": activities,
            "image_counts": {
                "A": int(rng.expovariate(1 / 20)) if rng.random() < 0.3 else 0,
                "B": int(rng.expovariate(1 / 50)),
                "C": int(rng.expovariate(1 / 400)),
            },
            "youngest_depicted": rng.choice(["under_16", "under_16", "16_17", "unknown"]),
            "csem_videos": _maybe(rng, 0.6),
            "csem_stories": _maybe(rng, 0.3),
            "collection_span_years": span,
            "more_boys_than_girls_csem": _maybe(rng, 0.2),
            "more_boys_than_girls_other_child_content": _maybe(rng, 0.2),
            "peer_to_peer_sharing": ("distribution" in activities) if rng.random() < 0.95 else None,
        },
        "history": {
            "any_prior_criminal_history": _maybe(rng, 0.3),
            "any_failure_on_conditional_release": _maybe(rng, 0.1),
            "prior_sexual_sanctions": 0 if rng.random() < 0.9 else rng.randint(1, 3),
            "prior_contact_sexual_sanctions": 0 if rng.random() < 0.95 else 1,
            "prior_image_sanctions": 0 if rng.random() < 0.9 else 1,
            "contact_offence_allegations": _maybe(rng, 0.1),
        },
        "access_to_children": {
            "checked": _maybe(rng, 0.9),
            "household": _maybe(rng, 0.25),
            "occupation": _maybe(rng, 0.05),
            "volunteering": _maybe(rng, 0.05),
            "family_or_friends": _maybe(rng, 0.2),
        },
        "behaviour": {
            "sexual_communication_with_child": _maybe(rng, 0.05),
            "grooming_or_incitement": _maybe(rng, 0.03),
            "sexual_interest_in_children": _maybe(rng, 0.3),
        },
        "process": {
            "admits_offence": _maybe(rng, 0.7),
            "sufficient_evidence_to_charge": _maybe(rng, 0.9),
            "consents_to_caution": _maybe(rng, 0.6),
            "safeguarding_checks_complete": _maybe(rng, 0.8),
        },
    }
    history, access = case["history"], case["access_to_children"]
    history["prior_sexual_sanctions"] = max(
        history["prior_sexual_sanctions"], history["prior_contact_sexual_sanctions"]
    )
    sanctioned = any(history[k] for k in ("prior_sexual_sanctions", "prior_image_sanctions"))
    if history["any_prior_criminal_history"] is False and (
        sanctioned or history["any_failure_on_conditional_release"]
    ):
        history["any_prior_criminal_history"] = True
    if access["checked"] is False:  # a "no" needs the check: before it, an answer is unknown or yes
        access.update({k: None for k, v in access.items() if k != "checked" and v is False})
    return case


def write_cases(path: Path, count: int, seed: int = 2017) -> None:
    rng = random.Random(seed)
    with path.open("wb") as handle:
        for _ in range(count):
            handle.write(orjson.dumps(synthetic_case(rng)) + b"\n")


#: The target is for one core: where `taskset` exists the CLI is pinned to a single CPU.
PIN = ["taskset", "--cpu-list", "0"] if shutil.which("taskset") else []
RUNS = 5


def run_cli(cases: Path, output: Path) -> tuple[float, float, float, int]:
    """Run the CLI once; returns wall, user and system seconds and the child's peak RSS in KiB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with cases.open("rb") as stdin, output.open("wb") as stdout:
        command = [*PIN, sys.executable, "-m", "riskroute", "triage", "--jsonl"]
        subprocess.run(command, stdin=stdin, stdout=stdout, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime, after.ru_maxrss


def memo_hit_rates(cases: Path) -> dict[str, float]:
    """Triage the same file in-process and report how often each memo answered."""
    from riskroute.core.facts import CaseFacts
    from riskroute.core.instruments import get_instrument
    from riskroute.core.policy import get_policy
    from riskroute.core.triage import triage

    lines = cases.read_bytes().splitlines()
    for line in lines:
        triage(CaseFacts.model_validate_json(line), "npcc-2017")
    rates = {name: 1 - get_instrument(name).memo_size / len(lines) for name in ("priority", "cport", "casic")}
    rules = get_policy("npcc-2017").rules
    rates["policy rules (mean)"] = 1 - sum(len(r.memo) for r in rules) / (len(rules) * len(lines))
    return rates


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cases, output = Path(tmp) / "cases.jsonl", Path(tmp) / "out.jsonl"
        write_cases(cases, CASES)
        runs = [run_cli(cases, output) for _ in range(RUNS)]
        lines = output.read_bytes().count(b"\n")
        size = output.stat().st_size
        rates = memo_hit_rates(cases)
    best = min(runs)
    wall, user, system = best[:3]
    walls = ", ".join(f"{r[0]:.2f}" for r in runs)
    peak = max(r[3] for r in runs)
    verdict = "meets" if CASES / wall >= TARGET else "misses"
    table = "\n".join(f"| {name} | {rate:.1%} |" for name, rate in rates.items())
    section = f"""{BEGIN}
## Batch triage throughput

`make bench` → `benchmarks/triage_throughput.py`: {CASES:,} synthetic cases (seed 2017, every fact
varied independently) piped through `riskroute triage --jsonl` (default policy `npcc-2017`) into a
file, end to end including interpreter start-up, validation, JSON output and process exit, pinned
to one CPU{"" if PIN else " (taskset missing: not pinned)"}; best of {RUNS} runs.

| Measure | Value |
|---|---|
| Cases | {CASES:,} ({lines:,} output lines, {size / CASES / 1024:.1f} KiB per result) |
| Wall time | {wall:.2f} s → **{CASES / wall:,.0f} cases/s** ({verdict} the {TARGET:,}/s target) |
| CPU time of that run | {user:.2f} s user + {system:.2f} s system (the kernel taking the output) |
| All runs (wall, s) | {walls} |
| Peak memory (CLI process RSS) | {peak / 1024:.0f} MiB |
| Machine | {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()} |

Memo hit rates (each instrument and each policy rule is a pure function of the few facts it reads
and is memoised on them; the random cases here are more varied than a real caseload):

| Memo | Hit rate |
|---|---|
{table}

At this rate 500,000 subjects re-score in about {500_000 / (CASES / wall):.0f} s on one core.
{END}"""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
