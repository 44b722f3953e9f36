"""A small discrete-event loop that orders events exactly as SimPy does, at a fraction of the cost.

A replication spends nearly all its time moving suspects between stations. SimPy builds an event
object, a callback list and a resume call for every step; here a process is a plain generator that
yields either a delay (a float: wake me after this long) or a `Turn` (wake me when a station serves
me), and the loop keeps one heap of `(time, priority, sequence, process)`.

The order is SimPy's, so a run gives the same result bit for bit under either (tested in
tests/simulation/test_loop.py): events run by time, then priority (a process's first step is
urgent, everything else normal), then in the order they were scheduled. A process is scheduled at
the moment it yields, as SimPy schedules a timeout when it is created just before the yield, and a
`Turn` is scheduled when `succeed` is called, as SimPy's event is.

`Station` works with this loop and with a `simpy.Environment` alike (both offer `now`, `timeout`,
`event` and `process`), which keeps the station's queueing-theory tests on SimPy meaningful here.
"""

from __future__ import annotations

import heapq
from collections.abc import Generator
from typing import Any, Protocol

#: A process: a generator yielding a delay or a `Turn` (SimPy processes yield SimPy events).
Process = Generator[Any, Any, Any]

#: SimPy's two priorities: a process's first step runs before other events at the same time.
URGENT, NORMAL = 0, 1


class Clock(Protocol):
    """What `Station` needs from its environment: this loop or `simpy.Environment`."""

    @property
    def now(self) -> float: ...

    def timeout(self, delay: float) -> Any: ...

    def event(self) -> Any: ...


class Turn:
    """A visitor's turn at a station: the visitor yields it at once and `succeed` wakes it.

    The loop binds the turn to the process that yields it, so it need not track on every step
    which process is running.
    """

    __slots__ = ("_loop", "_process")

    def __init__(self, loop: EventLoop) -> None:
        self._loop = loop
        self._process: Process | None = None

    def succeed(self) -> None:
        loop, process = self._loop, self._process
        assert process is not None, "a turn must be yielded before it can succeed"
        loop._sequence += 1
        heapq.heappush(loop._heap, (loop.now, NORMAL, loop._sequence, process))


class EventLoop:
    """The clock and the schedule of one run."""

    def __init__(self) -> None:
        self.now = 0.0
        self._heap: list[tuple[float, int, int, Process]] = []
        self._sequence = 0

    def process(self, process: Process) -> None:
        """Start a process: its first step runs now, before the other events due now."""
        self._sequence += 1
        heapq.heappush(self._heap, (self.now, URGENT, self._sequence, process))

    @staticmethod
    def timeout(delay: float) -> float:
        """What a process yields to wait `delay` time units (the delay itself)."""
        return delay

    def event(self) -> Turn:
        """A turn for the process now running, to be yielded at once and woken by `Turn.succeed`."""
        return Turn(self)

    def run(self, until: float) -> int:
        """Run every event due before `until`, then set the clock to `until`.

        Returns the number of events SimPy would have processed for the same run: each step, and
        the end of each process (SimPy schedules a finished process as one more event).
        """
        heap = self._heap
        pop, push = heapq.heappop, heapq.heappush
        events = 0
        while heap and heap[0][0] < until:
            now, _, _, process = pop(heap)
            self.now = now
            events += 1
            try:
                wait = next(process)
            except StopIteration:
                events += 1
                continue
            if wait.__class__ is Turn:
                wait._process = process
            else:
                self._sequence += 1
                push(heap, (now + wait, NORMAL, self._sequence, process))
        self.now = until
        return events
