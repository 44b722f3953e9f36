"""Appends per second to the s.62 audit chain under concurrent writers, on PostgreSQL.

What it does, all on this machine (loopback only):
1. creates a throwaway PostgreSQL database with a unique name on 127.0.0.1:5432 and migrates it;
2. starts `--writers` processes (8 by default), each with its own connection; each makes one
   warm-up append, waits at a barrier, then calls `riskroute.audit.record()` `--each` times
   (2,000 by default) as fast as it can, each call its own transaction, as a CLI job's would be;
3. checks the result (`verify_log()` intact, every append present), drops the database, and
   writes one row, named by `--label`, between the `audit-append` markers of docs/benchmarks.md,
   keeping the rows of other labels (so a "before" run on older code stays beside "after").

Checkpoints are signed at the default interval (every 1,000 entries), inside the appends.

    PYTHONPATH=src python benchmarks/audit_append.py [--writers 8] [--each 2000] [--label after]
        [--code COMMIT] [--no-flush] [--no-doc]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- audit-append:begin -->", "<!-- audit-append:end -->"
SERVER = os.environ.get("RISKROUTE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
HEADER = (
    "| Run | Code | Commit flush | Writers | Appends | Seconds | Appends/s "
    "| p50 ms | p95 ms | p99 ms | Verify |"
)


def _writer(n: int, each: int, barrier: Barrier, results: Any) -> None:
    """One writer process: its own Django set-up and connection; reports (start, end, latencies)."""
    import django

    django.setup()
    from riskroute.audit import Action, SystemActor, record

    actor = SystemActor(f"benchmark writer {n}")
    record(actor, Action.CONSULTATION, "case", n, justification="warm-up")
    barrier.wait(timeout=120)
    latencies: list[float] = []
    start = time.perf_counter()
    for i in range(each):
        before = time.perf_counter()
        record(actor, Action.CONSULTATION, "case", n, justification=f"synthetic review {i}")
        latencies.append(time.perf_counter() - before)
    results.put((start, time.perf_counter(), latencies))


def _percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def run(writers: int, each: int, workdir: Path, *, flush: bool = True) -> dict[str, Any]:
    """Measure one run on a fresh database; the figures and the verification result.

    `flush=False` sets `synchronous_commit = off` on the throwaway database: never a production
    setting for the audit log, it takes the disk flush out of each commit so that what is left is
    the time the chain lock is held for the statements themselves.
    """
    name = f"riskroute_audit_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(f"{SERVER}/postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    if not flush:
        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    os.environ.update(
        DATABASE_URL=f"{SERVER}/{name}",
        DJANGO_SETTINGS_MODULE="riskroute.web.settings",
        RISKROUTE_DATA_DIR=str(workdir),
    )
    os.environ.pop("RISKROUTE_AUDIT_CHECKPOINT_EVERY", None)
    try:
        subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], check=True, cwd=ROOT)
        context = multiprocessing.get_context("spawn")  # each writer sets Django up on its own
        barrier = context.Barrier(writers)
        results = context.Queue()
        processes = [
            context.Process(target=_writer, args=(n, each, barrier, results)) for n in range(writers)
        ]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=600) for _ in processes]
        for process in processes:
            process.join(timeout=60)
            if process.exitcode != 0:
                raise SystemExit(f"a writer failed (exit {process.exitcode})")
        import django

        django.setup()
        from django.db import connections

        from riskroute.audit import verify_log
        from riskroute.audit.models import AuditEntry

        report = verify_log()
        stored = AuditEntry.objects.count()
        connections.close_all()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    seconds = max(end for _, end, _ in outcomes) - min(start for start, _, _ in outcomes)
    latencies = sorted(value for _, _, values in outcomes for value in values)
    return {
        "writers": writers,
        "flush": flush,
        "appends": writers * each,
        "seconds": seconds,
        "rate": writers * each / seconds,
        "p50": _percentile(latencies, 0.50) * 1000,
        "p95": _percentile(latencies, 0.95) * 1000,
        "p99": _percentile(latencies, 0.99) * 1000,
        "verified": report["ok"] is True and stored == writers * (each + 1),
    }


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def _row(label: str, code: str, figures: dict[str, Any]) -> str:
    return (
        f"| {label} | {code} | {'on' if figures['flush'] else 'off'} "
        f"| {figures['writers']} | {figures['appends']:,} | {figures['seconds']:.1f} "
        f"| {figures['rate']:,.0f} | {figures['p50']:.2f} | {figures['p95']:.2f} | {figures['p99']:.2f} "
        f"| {'intact' if figures['verified'] else 'FAILED'} |"
    )


def _section(rows: list[str]) -> str:
    table = "\n".join(rows)
    return f"""{BEGIN}
## s.62 audit chain: appends under concurrent writers (PostgreSQL)

`benchmarks/audit_append.py`: a fresh PostgreSQL database on 127.0.0.1; 8 writer processes, each
with its own connection, each calling `riskroute.audit.record()` 2,000 times in a loop (each call
its own transaction, checkpoints signed every 1,000 entries as by default), started together at a
barrier. Seconds are from the first writer's start to the last writer's end; latencies are per
append, as each writer saw it. Afterwards the whole log is verified and counted. "No flush" rows
set `synchronous_commit = off` on the throwaway database (`--no-flush`; never for production) to
show the locked statements without the disk flush; "1 writer" rows show one append's own cost.
Runs are short (10 s to 3 minutes) on the shared 2-core machine, with the writers, PostgreSQL and
other jobs on the same two cores, so the figures vary from run to run: compare rows measured
together, not across machines.

{HEADER}
|---|---|---|---|---|---|---|---|---|---|---|
{table}
{END}"""


def write_doc(label: str, code: str, figures: dict[str, Any]) -> None:
    """Replace this label's row in the section (creating the section if needed), keeping the rest."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(re.escape(BEGIN) + r".*?" + re.escape(END), text, flags=re.S)
    kept: list[str] = []
    if match is not None:
        for line in match.group(0).splitlines():
            if line.startswith("| ") and not line.startswith(("| Run ", f"| {label} |")):
                kept.append(line)
    section = _section([*kept, _row(label, code, figures)])
    if match is None:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    else:
        text = text[: match.start()] + section + text[match.end() :]
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--each", type=int, default=2000, help="appends per writer")
    parser.add_argument("--label", default="current", help="the row's name in the table (e.g. before, after)")
    parser.add_argument(
        "--code",
        help="the code measured, for the table (default: this checkout's commit); for a run "
        "with PYTHONPATH naming another copy of the source, e.g. the commit before a change",
    )
    parser.add_argument(
        "--no-flush", action="store_true", help="synchronous_commit off on the throwaway database (see run)"
    )
    parser.add_argument("--no-doc", action="store_true", help="print the row; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="riskroute-audit-bench-") as tmp:
        figures = run(args.writers, args.each, Path(tmp), flush=not args.no_flush)
    code = args.code or _commit()
    print(_row(args.label, code, figures))
    if not args.no_doc:
        write_doc(args.label, code, figures)
    if not figures["verified"]:
        raise SystemExit("the log did not verify after the run")


if __name__ == "__main__":
    main()
