"""Simulation speed: engine events per second against a bare SimPy loop, CPU seconds per
replication, and the wall time of 100 replications × 5 years of `england-wales-2017` on 1 and 2
worker processes.

Both event rates are measured in the same run on the same machine, so they compare like with like:
- the bare loop is the textbook SimPy pattern (one process per customer, `PriorityResource`
  request/release, five stations in a row, nothing recorded);
- the engine is one baseline run of the bundled scenario at its central values, with routing,
  monitors and bookkeeping, on its own event loop (`simulation/loop.py`), counting the events SimPy
  would process for the same run.
The wall times run the real command, `riskroute simulate england-wales-2017 --replications 100
--years 5 --json --workers N`, end to end (interpreter start-up, pool triage, replications, JSON),
and check that both worker counts print the same document. The machine is shared, so wall times
are noisy; CPU seconds are less so: the 1-worker command runs every replication in its own process,
so its CPU time (user + system, from the operating system's accounting of the finished child)
covers the whole command. Writes docs/benchmarks.md between the simulation markers. Run with
`make bench`.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from resource import RUSAGE_CHILDREN, getrusage

import numpy as np
import simpy

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- simulation:begin -->", "<!-- simulation:end -->"
TARGET_SECONDS = 60.0
REPLICATIONS, YEARS = 100, 5


def bare_simpy_events_per_second(
    customers: int = 20_000, stations: int = 5, servers: int = 20
) -> tuple[float, int]:
    """The plain SimPy idiom over five priority resources; returns (events/s, events)."""
    env = simpy.Environment()
    resources = [simpy.PriorityResource(env, capacity=servers) for _ in range(stations)]
    rng = np.random.default_rng(1)
    gaps = rng.exponential(1.0, customers).tolist()
    services = rng.exponential(servers * 0.9, (customers, stations)).tolist()

    def customer(i: int):  # type: ignore[no-untyped-def]
        for k, resource in enumerate(resources):
            with resource.request(priority=i % 4) as request:
                yield request
                yield env.timeout(services[i][k])

    def source():  # type: ignore[no-untyped-def]
        for i in range(customers):
            yield env.timeout(gaps[i])
            env.process(customer(i))

    env.process(source())
    events = 0
    start = time.process_time()
    while env.peek() != float("inf"):
        env.step()
        events += 1
    return events / (time.process_time() - start), events


def engine_measures() -> tuple[float, int, int, float]:
    """Engine events per CPU second in one 5-year baseline run (central values), and CPU seconds
    per full replication (parameter draw, baseline and policy runs, metrics), best of five.

    Returns (events/s, events, cases, CPU s per replication).
    """
    from riskroute.simulation.cohort import build_pool
    from riskroute.simulation.engine import draw_cases, run_pipeline
    from riskroute.simulation.montecarlo import replicate, stream
    from riskroute.simulation.scenario import load_scenario

    scenario = load_scenario("england-wales-2017").scenario
    params = scenario.central()
    pool = build_pool(params, "npcc-2017", stream(0, 0), per_stratum=1000)
    draws = draw_cases(
        params,
        pool,
        YEARS,
        np.random.default_rng(stream(0, 1, 0, 1)),
        np.random.default_rng(stream(0, 1, 0, 2)),
    )
    best, events = 0.0, 0
    for _ in range(3):
        start = time.process_time()
        run = run_pipeline(params, draws, pool, use_policy=False)
        best = max(best, run.events / (time.process_time() - start))
        events = run.events
    per_replication = []
    for index in range(5):
        start = time.process_time()
        replicate(scenario, pool, YEARS, 0, index)
        per_replication.append(time.process_time() - start)
    return best, events, int(draws.n_referred), min(per_replication)


def simulate_times(workers: int) -> tuple[float, float, bytes]:
    """Wall seconds, CPU seconds of the finished command (its own process; worker processes are
    counted only as far as the operating system reaps them into it) and the printed document."""
    command = [
        sys.executable,
        "-m",
        "riskroute",
        "simulate",
        "england-wales-2017",
        "--replications",
        str(REPLICATIONS),
        "--years",
        str(YEARS),
        "--seed",
        "2017",
        "--json",
        "--workers",
        str(workers),
    ]
    before = getrusage(RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = getrusage(RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    load_before = os.getloadavg()[0]
    bare_rate, bare_events = bare_simpy_events_per_second()
    engine_rate, engine_events, cases, cpu_per_rep = engine_measures()
    one, one_cpu, out_one = simulate_times(1)
    two, _, out_two = simulate_times(2)
    same = "identical" if out_one == out_two else "DIFFERENT (a reproducibility bug)"
    verdict = "meets" if two < TARGET_SECONDS else "misses"
    command = f"`riskroute simulate england-wales-2017 --replications {REPLICATIONS} --years {YEARS}`"
    rows = [
        (
            f"Bare SimPy loop (`PriorityResource`, 5 stations, {bare_events:,} events)",
            f"**{bare_rate:,.0f} events/s**",
        ),
        (
            f"riskroute engine, one 5-year baseline run ({cases:,} cases, {engine_events:,} events)",
            f"**{engine_rate:,.0f}/CPU s** ({engine_rate / bare_rate:.2f} × bare)",
        ),
        ("CPU time per replication (baseline + policy, in-process, best of 5)", f"{cpu_per_rep:.2f} s"),
        (
            f"{command}, 1 worker: CPU time of the whole command (user + system)",
            f"**{one_cpu:.1f} CPU s** ({one_cpu / REPLICATIONS:.2f} CPU s per replication, incl. start-up)",
        ),
        ("the same, 1 worker: wall time", f"{one:.1f} s"),
        (
            "the same, `--workers 2`",
            f"**{two:.1f} s** ({verdict} the {TARGET_SECONDS:.0f} s target; speed-up {one / two:.2f} ×)",
        ),
        (
            "the same, `--workers 2`, ideal on two idle cores (1-worker CPU time ÷ 2)",
            f"{one_cpu / 2:.1f} s",
        ),
        ("JSON output, 1 vs 2 workers", same),
        (
            "1-minute load average when the benchmark started",
            f"{load_before:.2f} (other work slows every figure)",
        ),
    ]
    table = "\n".join(f"| {name} | {value} |" for name, value in rows)
    section = f"""{BEGIN}
## Simulation speed

`make bench` → `benchmarks/simulation_scale.py`, on {platform.machine()}, {os.cpu_count()} cores,
Python {platform.python_version()}, SimPy {simpy.__version__}.

| Measure | Value |
|---|---|
{table}

The machine is shared, so wall times move with the load; CPU seconds much less. Event rates are
per second of this process's CPU time. Each replication runs the baseline and the policy over the
same people (two pipeline runs), plus the warm-up; {REPLICATIONS} of them need about
{REPLICATIONS * cpu_per_rep:.0f} CPU seconds in-process, so on two otherwise idle cores the 2-worker
wall time is bounded below by about {REPLICATIONS * cpu_per_rep / 2:.0f} s plus start-up.
Wall times are end to end, including interpreter start-up and triaging the synthetic
pool once (4,000 people under two policies, and again as graded at referral), and the history
match of each replication's parameter draws. The engine's stations cost one event per visit when a
server is free and two when the visitor waits, against three for `PriorityResource`
request/release, so a replication needs fewer events than the textbook idiom would; and its event
loop (`simulation/loop.py`, SimPy's ordering without SimPy's per-event objects) costs less per
event than SimPy's (the event counts are SimPy's, so the rates compare).
{END}"""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
