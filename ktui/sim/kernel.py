"""The simulation clock and event queue: a heap of times, each with the callbacks due then, in order."""

from __future__ import annotations

import heapq
import math
from collections import deque
from typing import Any, Callable

__all__ = ["Kernel", "ScheduledEvent"]


class ScheduledEvent:
    """One pending callback (a handle to cancel it), run at ``time`` after the events of that time scheduled
    before it (``seq``: its place in the order of scheduling)."""

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

    Events run in order of time, then of scheduling. The queue is a heap of the distinct times that have
    events, each with a first-in first-out list of its events: scheduling is in increasing sequence, so each
    list is in the order a single heap of ``(time, seq)`` would give, and the thousands of kubelets whose
    heartbeats fall due at the same instant cost one heap entry, not one each.

    Callbacks should be bound methods or ``functools.partial`` of them (not
    closures) so that a deep copy of the kernel, taken for a snapshot, calls
    into the copied objects.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now: float = start
        """Simulated seconds since the cluster was created."""
        self._times: list[float] = []
        """A heap of the times that have a list in :attr:`_due`."""
        self._due: dict[float, deque[ScheduledEvent]] = {}
        """The events of each time, in the order they were scheduled (cancelled ones are skipped)."""
        self._seq = 0
        self.steps = 0
        """How many events have run (observers' events not counted)."""

    def _push(self, event: ScheduledEvent) -> ScheduledEvent:
        due = self._due.get(event.time)
        if due is None:
            due = self._due[event.time] = deque()
            heapq.heappush(self._times, event.time)
        due.append(event)
        return event

    def schedule_at(
        self, time: float, callback: Callable[..., Any], *args: Any, counted: bool = True
    ) -> ScheduledEvent:
        """Run ``callback(*args)`` at simulated ``time`` (never in the past); ``counted=False`` for an
        observer's event that must not count in :attr:`steps`."""
        if time < self.now:
            time = self.now
        self._seq = seq = self._seq + 1
        return self._push(ScheduledEvent(time, seq, callback, args, counted))

    def schedule(self, delay: float, callback: Callable[..., Any], *args: Any) -> ScheduledEvent:
        """Run ``callback(*args)`` after ``delay`` simulated seconds."""
        time = self.now + delay if delay > 0.0 else self.now + 0.0  # as schedule_at(now + max(0.0, delay))
        self._seq = seq = self._seq + 1
        event = ScheduledEvent(time, seq, callback, args, True)
        due = self._due.get(time)  # _push, inline: every heartbeat of every node comes here
        if due is None:
            due = self._due[time] = deque()
            heapq.heappush(self._times, time)
        due.append(event)
        return event

    def call_soon(self, callback: Callable[..., Any], *args: Any, counted: bool = True) -> ScheduledEvent:
        """Run ``callback(*args)`` at the current time, after what is already due."""
        self._seq = seq = self._seq + 1
        return self._push(ScheduledEvent(self.now, seq, callback, args, counted))

    def _first(self) -> deque[ScheduledEvent] | None:
        """The list of the earliest time with a live event, its cancelled head dropped (None: no event)."""
        times, due = self._times, self._due
        while times:
            events = due[times[0]]
            while events and events[0].cancelled:
                events.popleft()
            if events:
                return events
            del due[heapq.heappop(times)]
        return None

    def peek(self) -> float | None:
        """The time of the next live event, or None when the queue is empty."""
        return self._times[0] if self._first() is not None else None

    def next_event(self) -> ScheduledEvent | None:
        """The next live event (not run), or None when the queue is empty."""
        events = self._first()
        return events[0] if events is not None else None

    def _events(self) -> list[ScheduledEvent]:
        return [e for events in self._due.values() for e in events]

    def take_uncounted(self) -> list[ScheduledEvent]:
        """Remove and return the observers' events (``counted=False``): the world without its observers."""
        taken = sorted((e for e in self._events() if not e.counted), key=_order)
        if taken:
            for events in self._due.values():
                kept = [e for e in events if e.counted]
                if len(kept) != len(events):
                    events.clear()  # in place: a run going through this list keeps going through it
                    events.extend(kept)
        return taken

    def put_back(self, events: list[ScheduledEvent]) -> None:
        """Queue again events :meth:`take_uncounted` removed, at their own time and order."""
        for e in events:
            due = self._due.get(e.time)
            if due is None or not due or due[-1].seq < e.seq:
                self._push(e)
            else:
                merged = sorted([*due, e], key=_order)
                due.clear()
                due.extend(merged)

    def step(self) -> bool:
        """Run the next event, moving the clock to its time. False when there is none."""
        events = self._first()
        if events is None:
            return False
        event = events.popleft()
        if event.time > self.now:
            self.now = event.time
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
        times, due = self._times, self._due
        pop = heapq.heappop
        while times:
            at = times[0]
            if at > time:
                break
            if at > self.now:
                self.now = at
            events = due[at]
            popleft = events.popleft
            # Events scheduled for this very time while it runs join its list, after what is already due.
            while events:
                event = popleft()
                if event.cancelled:
                    continue
                if event.counted:
                    self.steps += 1
                ran += 1
                event.callback(*event.args)
            if times and times[0] == at and not due.get(at):
                due.pop(pop(times), None)
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
        return sum(1 for e in self._events() if not e.cancelled)


def _order(e: ScheduledEvent) -> tuple[float, int]:
    return (e.time, e.seq)
