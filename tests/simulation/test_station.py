"""The station (capacity-limited SimPy resource) against queueing theory: Erlang C, priority, Little."""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy

from riskroute.simulation.station import Station


def erlang_c_wait(arrival: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    a = arrival / service_rate
    rho = a / servers
    tail = a**servers / math.factorial(servers) / (1 - rho)
    p_wait = tail / (sum(a**k / math.factorial(k) for k in range(servers)) + tail)
    return p_wait / (servers * service_rate - arrival)


def run_mmc(
    seed: int, arrival: float, service_rate: float, servers: int, horizon: float, warmup: float
) -> Station:
    env = simpy.Environment()
    station = Station(env, "mmc", servers)
    rng = np.random.default_rng(seed)

    def customer(service: float):
        yield from station.visit(0, service)

    def source():
        while True:
            yield env.timeout(rng.exponential(1 / arrival))
            env.process(customer(rng.exponential(1 / service_rate)))

    def end_warmup():
        yield env.timeout(warmup)
        station.reset_monitor()

    env.process(source())
    env.process(end_warmup())
    env.run(until=horizon)
    return station


@pytest.mark.parametrize(("servers", "arrival"), [(1, 0.7), (3, 2.4), (8, 7.0)])
def test_mmc_mean_wait_matches_erlang_c(servers, arrival):
    analytic = erlang_c_wait(arrival, 1.0, servers)
    waits = [
        run_mmc(seed, arrival, 1.0, servers, horizon=15_000 / arrival, warmup=1_000 / arrival).summary()["Wq"]
        for seed in range(6)
    ]
    mean, se = float(np.mean(waits)), float(np.std(waits, ddof=1) / np.sqrt(len(waits)))
    assert abs(mean - analytic) < 3 * se + 0.02 * analytic, (mean, se, analytic)


def test_mmc_utilisation_and_littles_law():
    station = run_mmc(3, 2.4, 1.0, 3, horizon=12_000, warmup=1_000)
    s = station.summary()
    assert s["utilisation"] == pytest.approx(0.8, rel=0.03)
    assert s["L"] == pytest.approx(s["arrival_rate"] * s["W"], rel=0.03)


def test_higher_priority_is_served_first_and_fifo_within_priority():
    env = simpy.Environment()
    station = Station(env, "one", 1)
    order: list[str] = []

    def job(name: str, priority: int, at: float):
        yield env.timeout(at)
        yield from station.visit(priority, 10.0)
        order.append(name)

    env.process(job("first", 3, 0.0))  # occupies the server
    for name, priority, at in [("low-a", 3, 1.0), ("high", 0, 2.0), ("low-b", 3, 3.0), ("mid", 1, 4.0)]:
        env.process(job(name, priority, at))
    env.run()
    assert order == ["first", "high", "mid", "low-a", "low-b"]


def test_capacity_growth_starts_waiting_visitors_at_once():
    env = simpy.Environment()
    station = Station(env, "grow", 1)
    started: list[float] = []

    def job():
        waited = yield from station.visit(0, 100.0)
        started.append(waited)

    for _ in range(3):
        env.process(job())

    def grow():
        yield env.timeout(5.0)
        station.set_capacity(3)

    env.process(grow())
    env.run()
    assert sorted(started) == [0.0, 5.0, 5.0]
    with pytest.raises(ValueError):
        Station(env, "none", 0)


def test_littles_law_for_the_window_counts_the_visits_still_waiting():
    """An overloaded queue with two priorities, from empty: the area under the number waiting
    equals the waits of every visit that joined, the unfinished counted to the end (exactly).
    Finished visits alone are biased low, because the low priority ones that waited longest never
    finish: the error the engine's wait metrics used to make."""
    env = simpy.Environment()
    station = Station(env, "two-class", 1)
    rng = np.random.default_rng(4)

    def customer(priority: int, service: float):
        yield from station.visit(priority, service)

    def source():
        while True:
            yield env.timeout(rng.exponential(1 / 1.3))
            env.process(customer(int(rng.random() < 0.5), rng.exponential(1.0)))

    env.process(source())
    env.run(until=3_000)
    s = station.summary()
    assert s["waiting_end"] > 100  # the queue grew
    assert s["Lq"] * 3_000 == pytest.approx(s["Wq_all"] * s["arrivals"], rel=1e-9)
    assert s["Wq"] < 0.8 * s["Wq_all"]


def test_unfinished_waits_count_only_visits_that_joined_in_the_window():
    env = simpy.Environment()
    station = Station(env, "one", 1)

    def job(at: float):
        yield env.timeout(at)
        yield from station.visit(0, 100.0)

    for at in (0.0, 1.0, 20.0):
        env.process(job(at))

    def reset():
        yield env.timeout(10.0)
        station.reset_monitor()

    env.process(reset())
    env.run(until=50.0)
    s = station.summary()
    assert s["arrivals"] == 1  # only the visit joining at 20 joined in the window
    assert s["Wq_all"] == pytest.approx(30.0)  # it has waited from 20 to 50 and is still waiting
