"""Simulated time as Kubernetes writes it: RFC 3339 timestamps and Go-style durations."""

from __future__ import annotations

import datetime as _dt
import functools
import re

__all__ = ["EPOCH", "rfc3339", "rfc3339_micro", "parse_rfc3339", "parse_duration", "format_duration"]

EPOCH = _dt.datetime(2026, 1, 1, 0, 0, 0, tzinfo=_dt.timezone.utc)
"""Simulated time 0 is this instant; every timestamp is derived from it."""


def rfc3339(seconds: float) -> str:
    """``2026-01-01T00:00:05Z`` for 5 simulated seconds (whole seconds, as metav1.Time)."""
    return _rfc3339_whole(int(seconds))


@functools.lru_cache(maxsize=256)
def _rfc3339_whole(seconds: int) -> str:
    """Many writers stamp the same second (a kubelet's four conditions, a burst of events): formatted once."""
    t = EPOCH + _dt.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_micro(seconds: float) -> str:
    """``2026-01-01T00:00:05.250000Z`` as metav1.MicroTime (Leases, Events' eventTime).

    Every kubelet renews its Lease at the same instants, so the last answer is kept: the writers of one
    instant get the very same string (one object in the store instead of one per node)."""
    last = _last_micro
    if last[0] == seconds:
        return last[1]
    whole, micro = divmod(round(seconds * 1_000_000), 1_000_000)
    text = f"{_rfc3339_whole(whole)[:-1]}.{micro:06d}Z"
    last[0], last[1] = seconds, text
    return text


_last_micro: list = [None, ""]
"""The last (seconds, text) of :func:`rfc3339_micro`."""


_USUAL = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{6}))?Z")
"""What :func:`rfc3339` and :func:`rfc3339_micro` write."""


def parse_rfc3339(text: str) -> float:
    """Simulated seconds for a timestamp written by :func:`rfc3339` or :func:`rfc3339_micro` (the last answer
    is kept: the node lifecycle controller reads one instant's renewTime from every Lease in turn)."""
    last = _last_parsed
    if text is last[0] or text == last[0]:
        return last[1]
    m = _USUAL.fullmatch(text)
    if m is not None:  # the whole seconds parsed once per second, as the slow way computes them
        whole, micro = m.groups()
        value = (_whole_seconds(whole) * 1_000_000 + int(micro or 0)) / 1_000_000
        last[0], last[1] = text, value
        return value
    text = text.replace("Z", "+00:00")
    return (_dt.datetime.fromisoformat(text) - EPOCH).total_seconds()


_last_parsed: list = ["", 0.0]
"""The last (text, seconds) of :func:`parse_rfc3339` that took the usual shape."""


@functools.lru_cache(maxsize=256)
def _whole_seconds(text: str) -> int:
    delta = _dt.datetime.fromisoformat(text + "+00:00") - EPOCH
    return delta.days * 86_400 + delta.seconds


_MAX_DURATION = 9223372036.854775807
"""Go's time.Duration is an int64 of nanoseconds; ParseDuration refuses anything longer."""

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")


def parse_duration(text: str) -> float:
    """Seconds in a Go duration such as ``45s``, ``5m``, ``1h30m``, ``5m0s``, ``500ms``.

    Raises:
        ValueError: when the text is not a duration.
    """
    s = str(text).strip()
    if s in ("0", ""):
        if s == "":
            raise ValueError(f'time: invalid duration "{text}"')
        return 0.0
    pos, total = 0, 0.0
    for m in _DURATION.finditer(s):
        if m.start() != pos:
            raise ValueError(f'time: invalid duration "{text}"')
        value, unit = float(m.group(1)), m.group(2)
        total += value * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[unit]
        pos = m.end()
    if pos != len(s) or total > _MAX_DURATION:
        raise ValueError(f'time: invalid duration "{text}"')
    return total


def format_duration(seconds: float) -> str:
    """A Go ``time.Duration.String()`` for whole seconds: ``5m0s``, ``40s``, ``1h0m0s``."""
    s = int(seconds)
    if s == 0:
        return "0s"
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if h:
        return f"{h}h{m}m{sec}s"
    if m:
        return f"{m}m{sec}s"
    return f"{sec}s"
