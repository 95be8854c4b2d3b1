"""Work queues on the simulation clock: deduplicated keys, delays and per-key exponential backoff."""

from __future__ import annotations

import logging
from typing import Callable

from ktui.api.errors import ApiError

__all__ = ["WorkQueue"]

log = logging.getLogger("ktui.components")
log.addHandler(logging.NullHandler())  # a library: the shell decides where log lines go


class WorkQueue:
    """The controller pattern's queue: handlers ``add`` keys; ``reconcile(key)`` runs once per burst.

    A reconcile that raises :class:`ApiError` is retried with per-key exponential backoff
    (``base`` doubling to ``cap``), as client-go's ItemExponentialFailureRateLimiter; success forgets it.
    Any other exception (a stored object the controller cannot read) is a log line, as
    ``utilruntime.HandleError``, and the key is retried with the same backoff: one bad object never stops
    the controller. ``errors`` counts them.

    Args:
        kernel: the simulation kernel.
        reconcile: called with each key.
    """

    def __init__(
        self,
        kernel,
        reconcile: Callable[[str], None],
        *,
        base: float = 0.005,
        cap: float = 1000.0,
        min_interval: float = 0.0,
    ) -> None:
        self.kernel = kernel
        self.min_interval = min_interval
        """At most one reconcile of a key per this many simulated seconds (0: no limit). Stands in for the
        batching a real controller gets from taking time: a burst of events makes one sync, not one each."""
        self._last_run: dict[str, float] = {}
        self.reconcile = reconcile
        self.base = base
        self.cap = cap
        self._queued: dict[str, None] = {}
        self._failures: dict[str, int] = {}
        self._delayed: dict[str, float] = {}
        self._scheduled = False
        self.processed = 0
        self.errors = 0
        """Reconciles that raised something other than an ApiError."""

    def add(self, key: str) -> None:
        if key in self._queued:
            return
        self._queued[key] = None
        if not self._scheduled:
            self._scheduled = True
            self.kernel.call_soon(self._drain)

    def add_after(self, key: str, delay: float) -> None:
        """Queue ``key`` after ``delay`` simulated seconds (an earlier pending wake-up wins)."""
        if delay <= 0:
            self.add(key)
            return
        when = self.kernel.now + delay
        pending = self._delayed.get(key)
        if pending is not None and pending <= when:
            return
        self._delayed[key] = when
        self.kernel.schedule_at(when, self._wake, key, when)

    def _wake(self, key: str, when: float) -> None:
        if self._delayed.get(key) == when:
            del self._delayed[key]
            self.add(key)

    def add_rate_limited(self, key: str) -> None:
        n = self._failures.get(key, 0)
        self._failures[key] = n + 1
        self.add_after(key, min(self.cap, self.base * (2**n)))

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)

    def __len__(self) -> int:
        return len(self._queued)

    def _drain(self) -> None:
        self._scheduled = False
        while self._queued:
            key = next(iter(self._queued))
            del self._queued[key]
            if self.min_interval:
                last = self._last_run.get(key)
                if last is not None and self.kernel.now - last < self.min_interval:
                    self.add_after(key, last + self.min_interval - self.kernel.now)
                    continue
                self._last_run[key] = self.kernel.now
            self.processed += 1
            try:
                self.reconcile(key)
            except ApiError:
                self.add_rate_limited(key)
            except Exception as e:  # noqa: BLE001 - isolation: one bad object must not stop the loop
                self.errors += 1
                log.warning("error syncing %r: %s: %s", key, type(e).__name__, e)
                self.add_rate_limited(key)
            else:
                self.forget(key)
