"""The engine's event loop runs events in exactly SimPy's order: same trace, same station monitor,
same event count, on a run full of ties (zero gaps, integer service times, capacity changes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import simpy

from riskroute.simulation.loop import EventLoop
from riskroute.simulation.station import Station

UNTIL = 400.0


def _tied_run(env: Any, trace: list[tuple[Any, ...]]) -> Station:
    """Three priorities on two servers; arrivals and services on whole days, so many events fall
    due at the same time and only the tie-breaking rules decide their order."""
    station = Station(env, "tied", 2)
    rng = np.random.default_rng(7)

    def customer(k: int, priority: int, service: float):  # type: ignore[no-untyped-def]
        trace.append((env.now, k, "join"))
        waited = yield from station.visit(priority, service)
        trace.append((env.now, k, "done", waited))

    def source():  # type: ignore[no-untyped-def]
        for k in range(500):
            yield env.timeout(float(rng.integers(0, 2)))
            env.process(customer(k, int(rng.integers(0, 3)), float(rng.integers(1, 5))))

    def plan():  # type: ignore[no-untyped-def]
        yield env.timeout(60.0)
        station.set_capacity(3)
        trace.append((env.now, "capacity", 3))
        yield env.timeout(60.0)
        station.set_capacity(1)
        trace.append((env.now, "capacity", 1))

    def warmup():  # type: ignore[no-untyped-def]
        yield env.timeout(30.0)
        station.reset_monitor()

    env.process(source())
    env.process(plan())
    env.process(warmup())
    return station


def _with_simpy(trace: list[tuple[Any, ...]]) -> tuple[dict[str, float], int]:
    env = simpy.Environment()
    station = _tied_run(env, trace)
    events = 0
    while env.peek() < UNTIL:
        env.step()
        events += 1
    env.run(until=UNTIL)
    return station.summary(), events


def _with_loop(trace: list[tuple[Any, ...]]) -> tuple[dict[str, float], int]:
    env = EventLoop()
    station = _tied_run(env, trace)
    events = env.run(UNTIL)
    assert env.now == UNTIL
    return station.summary(), events


@pytest.mark.parametrize("run", [_with_simpy, _with_loop])
def test_the_tied_run_has_ties_and_queues(run: Callable[[list[tuple[Any, ...]]], Any]) -> None:
    trace: list[tuple[Any, ...]] = []
    summary, _ = run(trace)
    times = [entry[0] for entry in trace]
    assert len(times) - len(set(times)) > 300  # many events share a time
    assert summary["Wq"] > 1.0 and summary["waiting_end"] > 0


def test_the_loop_orders_events_exactly_as_simpy() -> None:
    simpy_trace: list[tuple[Any, ...]] = []
    loop_trace: list[tuple[Any, ...]] = []
    simpy_summary, simpy_events = _with_simpy(simpy_trace)
    loop_summary, loop_events = _with_loop(loop_trace)
    assert loop_trace == simpy_trace
    assert loop_summary == simpy_summary
    assert loop_events == simpy_events


def test_a_process_started_now_runs_before_events_already_due_now() -> None:
    """SimPy's urgent first step: a process started at t runs before timeouts already due at t."""
    env = EventLoop()
    order: list[str] = []

    def sleeper():  # type: ignore[no-untyped-def]
        yield env.timeout(1.0)
        order.append("sleeper")

    def starter():  # type: ignore[no-untyped-def]
        yield env.timeout(1.0)
        env.process(newcomer())

    def newcomer():  # type: ignore[no-untyped-def]
        order.append("newcomer")
        yield env.timeout(0.0)

    env.process(starter())
    env.process(sleeper())
    env.run(5.0)
    assert order == ["newcomer", "sleeper"]
