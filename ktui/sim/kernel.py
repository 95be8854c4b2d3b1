"""The simulation clock and event queue: a heap of (time, sequence, callback)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["Kernel", "ScheduledEvent"]


@dataclass(order=True)
class ScheduledEvent:
    """One pending callback. Ordered by time, then by the order it was scheduled."""

    time: float
    seq: int
    callback: Callable[..., Any] = field(compare=False)
    args: tuple = field(compare=False, default=())
    cancelled: bool = field(compare=False, default=False)
    counted: bool = field(compare=False, default=True)
    """False for an observer's event (a watch of someone outside the simulation): it does not count in
    :attr:`Kernel.steps`, so recorded inputs replay at the same step with or without observers."""

    def cancel(self) -> None:
        """Drop the event; it is skipped when its time comes."""
        self.cancelled = True


class Kernel:
    """A discrete-event clock. Nothing here reads the wall clock.

    Callbacks should be bound methods or ``functools.partial`` of them (not
    closures) so that a deep copy of the kernel, taken for a snapshot, calls
    into the copied objects.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now: float = start
        """Simulated seconds since the cluster was created."""
        self._queue: list[ScheduledEvent] = []
        self._seq = 0
        self.steps = 0
        """How many events have run (observers' events not counted)."""

    def schedule_at(self, time: float, callback: Callable[..., Any], *args: Any,
                    counted: bool = True) -> ScheduledEvent:
        """Run ``callback(*args)`` at simulated ``time`` (never in the past); ``counted=False`` for an
        observer's event that must not count in :attr:`steps`."""
        if time < self.now:
            time = self.now
        self._seq += 1
        event = ScheduledEvent(time, self._seq, callback, args, counted=counted)
        heapq.heappush(self._queue, event)
        return event

    def schedule(self, delay: float, callback: Callable[..., Any], *args: Any) -> ScheduledEvent:
        """Run ``callback(*args)`` after ``delay`` simulated seconds."""
        return self.schedule_at(self.now + max(0.0, delay), callback, *args)

    def call_soon(self, callback: Callable[..., Any], *args: Any, counted: bool = True) -> ScheduledEvent:
        """Run ``callback(*args)`` at the current time, after what is already due."""
        return self.schedule_at(self.now, callback, *args, counted=counted)

    def peek(self) -> float | None:
        """The time of the next live event, or None when the queue is empty."""
        while self._queue and self._queue[0].cancelled:
            heapq.heappop(self._queue)
        return self._queue[0].time if self._queue else None

    def step(self) -> bool:
        """Run the next event, moving the clock to its time. False when there is none."""
        if self.peek() is None:
            return False
        event = heapq.heappop(self._queue)
        self.now = max(self.now, event.time)
        if event.counted:
            self.steps += 1
        event.callback(*event.args)
        return True

    def run_until(self, time: float) -> int:
        """Run every event due at or before ``time``, then set the clock to ``time``."""
        ran = 0
        while True:
            nxt = self.peek()
            if nxt is None or nxt > time:
                break
            self.step()
            ran += 1
        self.now = max(self.now, time)
        return ran

    def advance(self, seconds: float) -> int:
        """Move the clock on by ``seconds``, running what falls due."""
        return self.run_until(self.now + seconds)

    def settle(self, limit: int = 100_000) -> int:
        """Run the events due now (not later ones); the cluster reaches quiescence at this instant."""
        return self.run_until(self.now) if limit else 0

    def __len__(self) -> int:
        return sum(1 for e in self._queue if not e.cancelled)
