"""The simulation clock and event queue: a heap of (time, sequence, callback)."""

from __future__ import annotations

import heapq
import math
from typing import Any, Callable

__all__ = ["Kernel", "ScheduledEvent"]


class ScheduledEvent:
    """One pending callback (a handle to cancel it). The heap itself holds plain ``(time, seq, event)``
    tuples, so ordering is by time, then by the order it was scheduled, compared in C."""

    __slots__ = ("time", "seq", "callback", "args", "cancelled", "counted")

    def __init__(
        self, time: float, seq: int, callback: Callable[..., Any], args: tuple = (), counted: bool = True
    ) -> None:
        self.time = time
        self.seq = seq
        self.callback = callback
        self.args = args
        self.cancelled = False
        self.counted = counted
        """False for an observer's event (a watch of someone outside the simulation): it does not count in
        :attr:`Kernel.steps`, so recorded inputs replay at the same step with or without observers."""

    def cancel(self) -> None:
        """Drop the event; it is skipped when its time comes."""
        self.cancelled = True

    def __repr__(self) -> str:
        return f"ScheduledEvent(time={self.time!r}, seq={self.seq}, callback={self.callback!r})"


class Kernel:
    """A discrete-event clock. Nothing here reads the wall clock.

    Callbacks should be bound methods or ``functools.partial`` of them (not
    closures) so that a deep copy of the kernel, taken for a snapshot, calls
    into the copied objects.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now: float = start
        """Simulated seconds since the cluster was created."""
        self._queue: list[tuple[float, int, ScheduledEvent]] = []
        self._seq = 0
        self.steps = 0
        """How many events have run (observers' events not counted)."""

    def schedule_at(
        self, time: float, callback: Callable[..., Any], *args: Any, counted: bool = True
    ) -> ScheduledEvent:
        """Run ``callback(*args)`` at simulated ``time`` (never in the past); ``counted=False`` for an
        observer's event that must not count in :attr:`steps`."""
        if time < self.now:
            time = self.now
        self._seq = seq = self._seq + 1
        event = ScheduledEvent(time, seq, callback, args, counted)
        heapq.heappush(self._queue, (time, seq, event))
        return event

    def schedule(self, delay: float, callback: Callable[..., Any], *args: Any) -> ScheduledEvent:
        """Run ``callback(*args)`` after ``delay`` simulated seconds."""
        time = self.now + delay if delay > 0.0 else self.now + 0.0  # as schedule_at(now + max(0.0, delay))
        self._seq = seq = self._seq + 1
        event = ScheduledEvent(time, seq, callback, args, True)
        heapq.heappush(self._queue, (time, seq, event))
        return event

    def call_soon(self, callback: Callable[..., Any], *args: Any, counted: bool = True) -> ScheduledEvent:
        """Run ``callback(*args)`` at the current time, after what is already due."""
        time = self.now
        self._seq = seq = self._seq + 1
        event = ScheduledEvent(time, seq, callback, args, counted)
        heapq.heappush(self._queue, (time, seq, event))
        return event

    def peek(self) -> float | None:
        """The time of the next live event, or None when the queue is empty."""
        queue = self._queue
        while queue and queue[0][2].cancelled:
            heapq.heappop(queue)
        return queue[0][0] if queue else None

    def next_event(self) -> ScheduledEvent | None:
        """The next live event (not run), or None when the queue is empty."""
        return self._queue[0][2] if self.peek() is not None else None

    def take_uncounted(self) -> list[ScheduledEvent]:
        """Remove and return the observers' events (``counted=False``): the world without its observers."""
        taken = [e for _, _, e in self._queue if not e.counted]
        if taken:
            self._queue = [item for item in self._queue if item[2].counted]
            heapq.heapify(self._queue)
        return taken

    def put_back(self, events: list[ScheduledEvent]) -> None:
        """Queue again events :meth:`take_uncounted` removed, at their own time and order."""
        for e in events:
            heapq.heappush(self._queue, (e.time, e.seq, e))

    def step(self) -> bool:
        """Run the next event, moving the clock to its time. False when there is none."""
        if self.peek() is None:
            return False
        time, _, event = heapq.heappop(self._queue)
        if time > self.now:
            self.now = time
        if event.counted:
            self.steps += 1
        event.callback(*event.args)
        return True

    def run_until(self, time: float) -> int:
        """Run every event due at or before ``time``, then set the clock to ``time``.

        The wall time this takes is proportional to the events run, never to the simulated time crossed.
        A time that is not a finite number raises ValueError (an endless clock would never return).
        """
        if not math.isfinite(time):
            raise ValueError(f"cannot run the simulation until {time!r}: not a finite time")
        ran = 0
        queue = self._queue
        pop = heapq.heappop
        while queue:
            at, _, event = queue[0]
            if event.cancelled:
                pop(queue)
                continue
            if at > time:
                break
            pop(queue)
            if at > self.now:
                self.now = at
            if event.counted:
                self.steps += 1
            ran += 1
            event.callback(*event.args)
        if time > self.now:
            self.now = time
        return ran

    def advance(self, seconds: float) -> int:
        """Move the clock on by ``seconds``, running what falls due."""
        return self.run_until(self.now + seconds)

    def settle(self, limit: int = 100_000) -> int:
        """Run the events due now (not later ones); the cluster reaches quiescence at this instant."""
        return self.run_until(self.now) if limit else 0

    def __len__(self) -> int:
        return sum(1 for _, _, e in self._queue if not e.cancelled)
