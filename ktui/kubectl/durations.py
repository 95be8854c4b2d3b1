"""Durations as kubectl reads them (Go's ``time.ParseDuration``, client-go's ``--request-timeout``) and the
bound on how far one kubectl command moves the simulated clock.

Real kubectl blocks for as long as a ``--timeout`` says (``wait --timeout=-1s`` is a week). ktui's clock
only moves while a command runs, so one command follows it for at most :data:`MAX_FOLLOW_SECONDS`; a
longer wait stops there, says so, and can be run again.
"""

from __future__ import annotations

__all__ = ["parse_go_duration", "parse_request_timeout", "MAX_FOLLOW_SECONDS", "bounded_follow", "follow_note"]

MAX_FOLLOW_SECONDS = 3600.0
"""The most simulated time one kubectl command lets pass (the local cluster's catch-up bound as well)."""

_UNITS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_MAX_NS = (1 << 63) - 1


def _quote(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable() and ch != "\x7f":
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return '"' + "".join(out) + '"'


def parse_go_duration(text: str) -> float:
    """Seconds in a Go duration (``90s``, ``1h30m``, ``-1s``, ``.5s``, ``1.5h``).

    Raises:
        ValueError: with Go's words (``time: unknown unit "d" in duration "1d"``).
    """
    orig, s = text, text
    invalid = ValueError(f"time: invalid duration {_quote(orig)}")
    neg = False
    if s[:1] in "-+" and s:
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0.0
    if not s:
        raise invalid
    total = 0
    while s:
        i = 0
        while i < len(s) and s[i].isascii() and s[i].isdigit():
            i += 1
        whole, s = s[:i], s[i:]
        frac = ""
        if s.startswith("."):
            j = 1
            while j < len(s) and s[j].isascii() and s[j].isdigit():
                j += 1
            frac, s = s[1:j], s[j:]
            if not whole and not frac:
                raise invalid
        elif not whole:
            raise invalid
        j = 0
        while j < len(s) and s[j] != "." and not (s[j].isascii() and s[j].isdigit()):
            j += 1
        unit, s = s[:j], s[j:]
        if not unit:
            raise ValueError(f"time: missing unit in duration {_quote(orig)}")
        if unit not in _UNITS:
            raise ValueError(f"time: unknown unit {_quote(unit)} in duration {_quote(orig)}")
        scale = _UNITS[unit]
        value = int(whole or "0") * scale
        if frac:
            value += int(frac[:30]) * scale // 10 ** len(frac[:30])
        if value > _MAX_NS:
            raise invalid
        total += value
        if total > _MAX_NS + (1 if neg else 0):
            raise invalid
    return (-total if neg else total) / 1e9


def parse_request_timeout(text: str) -> float:
    """``--request-timeout``: whole seconds (``5``) or a Go duration (``5m``); client-go's error otherwise."""
    if text.isascii() and text.isdigit():
        return float(min(int(text), _MAX_NS // 1_000_000_000))
    try:
        return parse_go_duration(text)
    except ValueError:
        raise ValueError(
            "Invalid timeout value. Timeout must be a single integer in seconds, or an integer "
            "followed by a corresponding time unit (e.g. 1s | 2m | 3h)"
        ) from None


def bounded_follow(seconds: float) -> float:
    """How long a command actually follows the clock for a wait of ``seconds``."""
    return min(seconds, MAX_FOLLOW_SECONDS)


def follow_note(seconds: float) -> str:
    """What ktui says when it stops following the clock before a wait of ``seconds`` is over."""
    from ktui.sim.timefmt import format_duration

    return (
        f"Warning: ktui moves the simulated clock at most {format_duration(MAX_FOLLOW_SECONDS)} per command; "
        f"stopped waiting after {format_duration(MAX_FOLLOW_SECONDS)} of {format_duration(seconds)}"
    )
