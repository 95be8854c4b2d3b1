"""client-go's ``flowcontrol.Backoff`` on the simulated clock: per-key delays doubling to a cap."""

from __future__ import annotations

__all__ = ["Backoff", "go_duration"]


class Backoff:
    """Per-key exponential back-off (``initial`` doubling to ``cap``), forgotten after ``2 × cap`` of quiet.

    The kubelet keeps one for image pulls (key ``<pod uid>_<image>``) and one for container restarts.
    """

    def __init__(self, initial: float = 10.0, cap: float = 300.0) -> None:
        self.initial = initial
        self.cap = cap
        self._entries: dict[str, tuple[float, float]] = {}
        """key → (current delay, last update time)."""

    def get(self, key: str) -> float:
        entry = self._entries.get(key)
        return entry[0] if entry else 0.0

    def next(self, key: str, now: float) -> None:
        """Record a failure at ``now``: start at ``initial``, otherwise double (capped)."""
        entry = self._entries.get(key)
        if entry is None or now - entry[1] > 2 * self.cap:
            self._entries[key] = (self.initial, now)
        else:
            self._entries[key] = (min(entry[0] * 2, self.cap), now)

    def in_backoff_since(self, key: str, since: float, now: float) -> bool:
        """Whether ``now`` is still within the current delay counted from ``since`` (``IsInBackOffSince``)."""
        entry = self._entries.get(key)
        if entry is None or now - entry[1] > 2 * self.cap:
            return False
        return now - since < entry[0] - 1e-6

    def in_backoff_since_update(self, key: str, now: float) -> bool:
        entry = self._entries.get(key)
        if entry is None or now - entry[1] > 2 * self.cap:
            return False
        return now - entry[1] < entry[0] - 1e-6

    def until(self, key: str, since: float | None = None) -> float:
        """When the current delay (counted from ``since``, or the last update) ends."""
        entry = self._entries.get(key)
        if entry is None:
            return 0.0
        return (entry[1] if since is None else since) + entry[0]

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)


def go_duration(seconds: float) -> str:
    """Go's ``time.Duration.String()``: ``2.345s``, ``523ms``, ``1m20s``, ``5m0s``."""
    ns = int(round(seconds * 1e9))
    if ns == 0:
        return "0s"
    if ns < 1_000_000_000:
        if ns >= 1_000_000:
            return _trim(ns / 1_000_000) + "ms"
        if ns >= 1000:
            return _trim(ns / 1000) + "µs"
        return f"{ns}ns"
    h, rem = divmod(ns, 3600 * 10**9)
    m, rem = divmod(rem, 60 * 10**9)
    s = _trim(rem / 1e9)
    if h:
        return f"{h}h{m}m{s}s"
    if m:
        return f"{m}m{s}s"
    return f"{s}s"


def _trim(x: float) -> str:
    text = f"{x:.9f}".rstrip("0").rstrip(".")
    return text or "0"
