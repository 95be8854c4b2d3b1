"""How long ``get -w`` and ``logs -f`` follow the simulated clock: ``--request-timeout``, else a minute.

A real kubectl watches until interrupted; a command here has to end, so it follows the clock for
:data:`WATCH_SECONDS` unless ``--request-timeout`` says otherwise (bounded as every follow is, see
:mod:`ktui.kubectl.durations`).
"""

from __future__ import annotations

from ktui.kubectl.durations import bounded_follow, follow_note, parse_request_timeout
from ktui.kubectl.main import Invocation

__all__ = ["WATCH_SECONDS", "watch_seconds"]

WATCH_SECONDS = 60.0
"""How long ``get -w`` (and ``logs -f``) follow the simulated clock without ``--request-timeout``."""


def watch_seconds(inv: Invocation) -> float:
    """``--request-timeout`` when positive, else :data:`WATCH_SECONDS`; at most what one command may follow.

    A longer one is cut short with a warning (the dispatcher has already refused a malformed value).
    """
    seconds = parse_request_timeout(inv.opts.get("request-timeout") or "0")
    seconds = seconds if seconds > 0 else WATCH_SECONDS
    if bounded_follow(seconds) < seconds:
        inv.warn(follow_note(seconds))
    return bounded_follow(seconds)
