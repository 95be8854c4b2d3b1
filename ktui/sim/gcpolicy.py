"""Python's cyclic garbage collector tuned for a process that keeps one big simulated cluster running.

A 5,000-node world is some two million tracked objects, nearly all long-lived and acyclic (stored objects are
immutable JSON trees, freed by reference counting when the store lets go of them), yet every full collection
scans them all: seconds of CPU each time, most of what an idle large cluster costs. :func:`settle` collects
once, moves what survives out of the collector's sight (``gc.freeze``) and from then on does the same with
the survivors of each full collection, so a full collection looks only at what was allocated since the
previous one. Frozen objects are still freed as soon as nothing refers to them; only a reference cycle that
becomes garbage after it was frozen waits: when the frozen objects have doubled in number since the last
time everything was looked at, the next full collection looks at everything again (so such garbage costs at
most about as much memory as was live, and the full scans stay proportional to growth).

Long-running shells call :func:`settle` once their cluster is built (``ktui up``, the terminal UI, a lab
session) and may call it again after a big change; the library never does (a test suite builds hundreds of
worlds and would keep every frozen one's cycles). Nothing here changes what the simulation computes.
"""

from __future__ import annotations

import gc
from typing import Any

__all__ = ["settle", "release", "active", "thresholds", "REGROWTH"]

YOUNG_PER_FROZEN = 2
"""While settled, the youngest generation is collected once the tracked objects grew by half the frozen ones
(between :data:`YOUNG_MIN` and the cap; CPython's default is 700). A young collection scans every young object
still alive, and in a big world most of them die by reference counting first: timers and watch deliveries at
once, replaced versions of stored objects when the store compacts its history (every five minutes). Between two
compactions an idle cluster's heartbeat history grows by about a third of the frozen objects (some 120 objects
per node against some 350), so with this share it is freed by compaction before any young collection scans it;
a tenth (the share before) had it scanned every minute or so, 7 % of an idle 5,000-node cluster's time. The
cyclic garbage that waits is bounded by the same share (none was seen: stored objects are acyclic trees)."""
YOUNG_MIN = 10_000
YOUNG_MAX = 1_000_000
"""The cap for a process that serves clients (``ktui up``): a young collection scans at most this many objects
(at most 0.35 s on the workspace machine while 150,000 pods were created onto 5,000 nodes)."""
INTERACTIVE_YOUNG_MAX = 200_000
"""The cap for the terminal UI, where a young collection is a pause between two frames: at most about 60 ms."""


def thresholds(frozen: int, interactive: bool = False) -> tuple[int, int, int]:
    """The ``gc.set_threshold`` values while settled, with ``frozen`` objects out of sight (``interactive``: in
    the terminal UI)."""
    cap = INTERACTIVE_YOUNG_MAX if interactive else YOUNG_MAX
    return (max(YOUNG_MIN, min(cap, frozen // YOUNG_PER_FROZEN)), 20, 10)


REGROWTH = 2.0
"""When the frozen objects have grown by this factor since everything was last looked at, the next full
collection looks at everything again (reference cycles that died while frozen are freed then)."""

_state: dict[str, Any] = {}


def _after_collection(phase: str, info: dict[str, Any]) -> None:
    if phase != "stop" or info.get("generation") != 2:
        return
    gc.freeze()
    if _state.get("unfrozen"):
        _state["unfrozen"] = False
        _state["baseline"] = gc.get_freeze_count()
    elif gc.get_freeze_count() > REGROWTH * _state.get("baseline", 0):
        gc.unfreeze()  # the next full collection looks at everything once
        _state["unfrozen"] = True


def active() -> bool:
    """Whether :func:`settle` is in effect in this process."""
    return _after_collection in gc.callbacks


def settle(interactive: bool = False) -> int:
    """Collect everything once, freeze the survivors, raise the thresholds and keep freezing the survivors
    of later full collections. Returns how many objects are frozen. Calling it again (after a big change)
    collects and freezes anew. ``interactive``: the terminal UI (shorter young collections, see
    :data:`INTERACTIVE_YOUNG_MAX`)."""
    if "thresholds" not in _state:
        _state["thresholds"] = gc.get_threshold()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    _state["baseline"] = gc.get_freeze_count()
    _state["unfrozen"] = False
    gc.set_threshold(*thresholds(_state["baseline"], interactive))
    if not active():
        gc.callbacks.append(_after_collection)
    return _state["baseline"]


def release() -> None:
    """Undo :func:`settle`: the collector sees every object again, with its previous thresholds."""
    if active():
        gc.callbacks.remove(_after_collection)
    gc.unfreeze()
    gc.set_threshold(*_state.pop("thresholds", gc.get_threshold()))
    _state.clear()
