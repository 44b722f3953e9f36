"""A capacity-limited resource with a priority queue and its own monitor, for the engine's event
loop (`loop.EventLoop`) or a SimPy environment.

`simpy.PriorityResource` costs three scheduled events per visit (request, release and the
release's trigger) and has a fixed capacity. This station costs one event per visit when a server
is free and two when the visitor has to wait, lets the capacity change while running (capacity
grows each year in the scenarios), and keeps its statistics as it goes, so no separate sampling
pass is needed. Ordering is strict priority (lower number first), first come first served within
a priority; service is never pre-empted.

The monitor integrates the number present (waiting + in service), the number waiting and the
number busy over time, which gives the time-average L, Lq, utilisation and, with arrivals and
sojourn times, a check of Little's law L = λW on every stage.

Waits are also counted for every visit that joined in the window, those still queueing at the end
counted up to the end (`Wq_all`): the mean over finished visits alone is biased low whenever a
queue grows, because the visits that have waited longest have not finished. With no visit waiting
at the start of the window, the area under the number-waiting curve equals the sum of these waits
exactly (Little's law for the window, corrected for unfinished visits), which the tests check.
"""

from __future__ import annotations

import heapq
from collections.abc import Generator
from typing import Any

from riskroute.simulation.loop import Clock


class Station:
    """Servers shared by processes; visitors call `visit` with a priority and a service time."""

    def __init__(self, env: Clock, name: str, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"{name}: capacity must be at least 1")
        self.env = env
        self.name = name
        self.capacity = capacity
        self.busy = 0
        self._queue: list[tuple[float, int, Any, float]] = []  # priority, order, turn, joined
        self._seq = 0
        # monitor
        self.present = 0
        self.arrivals = 0
        self.departures = 0
        self.sojourn_total = 0.0
        self.wait_total = 0.0
        self.area_present = 0.0
        self.area_waiting = 0.0
        self.area_busy = 0.0
        self.area_capacity = 0.0
        self.window_wait = 0.0  # finished waits of visits that joined in the window
        self._last = env.now
        self._origin = env.now

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def _advance(self) -> None:
        now = self.env.now
        dt = now - self._last
        if dt > 0:
            self.area_present += self.present * dt
            self.area_waiting += len(self._queue) * dt
            self.area_busy += self.busy * dt
            self.area_capacity += self.capacity * dt
            self._last = now

    def reset_monitor(self) -> None:
        """Forget everything measured so far (end of warm-up); the state itself is kept."""
        self._advance()
        self.arrivals = self.departures = 0
        self.sojourn_total = self.wait_total = self.window_wait = 0.0
        self.area_present = self.area_waiting = self.area_busy = self.area_capacity = 0.0
        self._origin = self.env.now

    def set_capacity(self, capacity: int) -> None:
        """Change the number of servers; extra servers start on waiting visitors at once."""
        self._advance()
        self.capacity = max(1, capacity)
        while self._queue and self.busy < self.capacity:
            self.busy += 1
            heapq.heappop(self._queue)[2].succeed()

    def acquire(self, priority: float) -> Any:
        """Join the station: None if a server is free now, else the event of being served."""
        self._advance()
        self.arrivals += 1
        self.present += 1
        if self.busy < self.capacity:
            self.busy += 1
            return None
        turn = self.env.event()
        heapq.heappush(self._queue, (priority, self._seq, turn, self.env.now))
        self._seq += 1
        return turn

    def release(self, entered: float, waited: float) -> None:
        """Leave after service; the freed server passes straight to the next visitor, if any."""
        self._advance()
        self.present -= 1
        self.departures += 1
        self.sojourn_total += self.env.now - entered
        self.wait_total += waited
        if entered >= self._origin:
            self.window_wait += waited
        if self._queue and self.busy <= self.capacity:
            heapq.heappop(self._queue)[2].succeed()
        else:
            self.busy -= 1

    def visit(self, priority: float, service: float) -> Generator[Any, Any, float]:
        """Queue, be served for `service` time units, leave. Returns the time spent waiting.

        The same steps as `acquire` + timeout + `release`, written out once more because this is
        the innermost loop of every replication (about a third faster than the composed calls).
        """
        env = self.env
        entered = now = env.now
        dt = now - self._last
        if dt > 0:
            self.area_present += self.present * dt
            self.area_waiting += len(self._queue) * dt
            self.area_busy += self.busy * dt
            self.area_capacity += self.capacity * dt
            self._last = now
        self.arrivals += 1
        self.present += 1
        if self.busy < self.capacity:
            self.busy += 1
            waited = 0.0
        else:
            turn = env.event()
            heapq.heappush(self._queue, (priority, self._seq, turn, entered))
            self._seq += 1
            yield turn
            waited = env.now - entered
            if entered >= self._origin:
                self.window_wait += waited
        yield env.timeout(service)
        now = env.now
        dt = now - self._last
        if dt > 0:
            self.area_present += self.present * dt
            self.area_waiting += len(self._queue) * dt
            self.area_busy += self.busy * dt
            self.area_capacity += self.capacity * dt
            self._last = now
        self.present -= 1
        self.departures += 1
        self.sojourn_total += now - entered
        self.wait_total += waited
        if self._queue and self.busy <= self.capacity:
            heapq.heappop(self._queue)[2].succeed()
        else:
            self.busy -= 1
        return waited

    def summary(self) -> dict[str, float]:
        """Time averages and counts since the last reset: L, λ, W, Wq and utilisation."""
        self._advance()
        span = self.env.now - self._origin
        mean_sojourn = self.sojourn_total / self.departures if self.departures else 0.0
        origin, now = self._origin, self.env.now
        still_waiting = sum(now - joined for *_, joined in self._queue if joined >= origin)
        return {
            "L": self.area_present / span if span else 0.0,
            "arrival_rate": self.arrivals / span if span else 0.0,
            "W": mean_sojourn,
            "Wq": self.wait_total / self.departures if self.departures else 0.0,
            "Wq_all": (self.window_wait + still_waiting) / self.arrivals if self.arrivals else 0.0,
            "Lq": self.area_waiting / span if span else 0.0,
            "utilisation": self.area_busy / self.area_capacity if self.area_capacity else 0.0,
            "throughput": self.departures / span if span else 0.0,
            "arrivals": float(self.arrivals),
            "departures": float(self.departures),
            "present_end": float(self.present),
            "waiting_end": float(self.waiting),
        }
