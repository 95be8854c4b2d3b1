"""Container logs as ``kubectl logs`` receives them: tail, since, and RFC 3339 nano timestamps."""

from __future__ import annotations

import datetime as _dt

from ktui.sim.timefmt import EPOCH

__all__ = ["format_log", "rfc3339_nano"]


def rfc3339_nano(seconds: float) -> str:
    """Go's ``time.RFC3339Nano`` (trailing zeros of the fraction dropped): ``2026-01-01T00:00:05.25Z``."""
    ns = int(round(seconds * 1e9))
    whole, frac = divmod(ns, 10**9)
    t = EPOCH + _dt.timedelta(seconds=whole)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        text += "." + f"{frac:09d}".rstrip("0")
    return text + "Z"


def format_log(
    lines: list[tuple[float, str, str]],
    now: float,
    *,
    tail_lines: int | None = None,
    timestamps: bool = False,
    since_seconds: float | None = None,
) -> str:
    """The log text of one container up to ``now``."""
    shown = sorted(((t, text) for t, _, text in lines if t <= now + 1e-9), key=lambda p: p[0])
    if since_seconds is not None:
        shown = [(t, text) for t, text in shown if t >= now - since_seconds]
    if tail_lines is not None and tail_lines >= 0:
        shown = shown[len(shown) - tail_lines :] if tail_lines else []
    if timestamps:
        return "".join(f"{rfc3339_nano(t)} {text}\n" for t, text in shown)
    return "".join(f"{text}\n" for _, text in shown)
