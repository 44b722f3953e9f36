"""Load test of the case service: 50 concurrent users for 5 minutes on PostgreSQL (`make bench`).

What it does, all on this machine (loopback only):
1. creates a throwaway PostgreSQL database on 127.0.0.1:5432 and loads the demo data into it
   (demo mode: password-only sign-in, synthetic people only);
2. starts the real server, `riskroute serve` (gunicorn, 3 workers × 4 threads), on 127.0.0.1;
3. runs locust headless (benchmarks/load_locustfile.py) with a fixed user count, spawn rate and
   run time, each user's loop also bounded, so the run stops by itself;
4. stops the server, drops the database, and writes p50/p95/p99 per operation between the
   `load` markers of docs/benchmarks.md. Exit 1 if any request failed.

    python benchmarks/load_service.py [--users 50] [--minutes 5] [--no-doc]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"
SERVER = os.environ.get("RISKROUTE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
BIN = Path(sys.executable).parent
WORKERS = 3
#: Operations reported, in the order a user does them.
OPERATIONS = (
    "worklist (HTML)",
    "case page (HTML)",
    "decision: propose",
    "decision: supervisor rejects",
    "sign in",
    "setup: create case",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server at {url} did not come up within {seconds:.0f} s")


def _demo_password(env: dict[str, str]) -> str:
    code = (
        "import django; django.setup(); from riskroute.cases.demo import DEMO_PASSWORD; print(DEMO_PASSWORD)"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "riskroute.web.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def run(users: int, minutes: float, workdir: Path) -> tuple[list[dict[str, str]], dict[str, object]]:
    name = f"riskroute_load_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(f"{SERVER}/postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_", "RISKROUTE_"))}
    env.update(
        DATABASE_URL=f"{SERVER}/{name}",
        RISKROUTE_DATA_DIR=str(workdir / "data"),
        RISKROUTE_DEMO="1",
    )
    server: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run([str(BIN / "riskroute"), "demo"], env=env, check=True, capture_output=True)
        log = (workdir / "server.log").open("wb")
        server = subprocess.Popen(
            [
                str(BIN / "riskroute"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(WORKERS),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        host = f"http://127.0.0.1:{port}"
        _wait_for(host + "/accounts/login/", 60)
        load_env = {**env, "LOAD_PASSWORD": _demo_password(env)}
        started = time.monotonic()
        result = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(Path(__file__).with_name("load_locustfile.py")),
                "--headless",
                "--host",
                host,
                "--users",
                str(users),
                "--spawn-rate",
                "10",
                "--run-time",
                f"{int(minutes * 60)}s",
                "--stop-timeout",
                "15",
                "--csv",
                str(workdir / "load"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=load_env,
            capture_output=True,
            text=True,
            timeout=minutes * 60 + 180,
        )
        wall = time.monotonic() - started
        with (workdir / "load_stats.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        failures_file = workdir / "load_failures.csv"
        failures = failures_file.read_text(encoding="utf-8") if failures_file.exists() else ""
        meta: dict[str, object] = {"wall": wall, "locust_exit": result.returncode, "failures": failures}
        return rows, meta
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _section(rows: list[dict[str, str]], users: int, minutes: float, wall: float) -> str:
    by_name = {r["Name"]: r for r in rows}
    total = by_name.get("Aggregated", {})
    lines = []
    for op in OPERATIONS:
        r = by_name.get(op)
        if r is None:
            continue
        lines.append(
            f"| {op} | {int(r['Request Count']):,} | {int(r['Failure Count'])} | {r['50%']} | {r['95%']} "
            f"| {r['99%']} | {float(r['Requests/s']):.1f} |"
        )
    table = "\n".join(lines)
    rate = float(total.get("Requests/s", 0))
    return f"""{BEGIN}
## Case service under load (PostgreSQL)

`make bench` → `benchmarks/load_service.py`: {users} concurrent locust users for {minutes:g} minutes
against `riskroute serve` (gunicorn, {WORKERS} workers × 4 threads) on 127.0.0.1, PostgreSQL on
127.0.0.1, demo data plus one case per user. Each user loops: worklist page, case page, then a
decision (propose a diversion as investigator, reject it as sergeant), 0.5–1.5 s think time
between loops. Run on the 2-core development machine with the load generator on the same
cores, so these are upper bounds. Times in milliseconds.

| Operation | Requests | Failures | p50 | p95 | p99 | Requests/s |
|---|---|---|---|---|---|---|
{table}

All requests: {int(total.get("Request Count", 0)):,}, failures {int(total.get("Failure Count", 0))},
over {wall:.0f} s wall time ({rate:.1f} requests/s in all). The server, PostgreSQL and the
{users} locust users share two cores, so at this load the CPU is saturated and most of each
latency is queueing; sign-in is slowest because Argon2 is deliberately expensive.
{END}"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument(
        "--no-doc", action="store_true", help="print the table; leave docs/benchmarks.md alone"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="riskroute-load-") as tmp:
        rows, meta = run(args.users, args.minutes, Path(tmp))
    section = _section(rows, args.users, args.minutes, float(meta["wall"]))  # type: ignore[arg-type]
    print(section)
    if meta["failures"] and len(str(meta["failures"]).splitlines()) > 1:
        print(meta["failures"], file=sys.stderr)
    failed = any(int(r["Failure Count"]) for r in rows)
    if failed or meta["locust_exit"] != 0:
        raise SystemExit(f"load test failed (locust exit {meta['locust_exit']}); docs not updated")
    if not args.no_doc:
        text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
        if BEGIN in text:
            text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S)
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
