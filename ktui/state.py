"""A cluster's state as a JSON document: its spec (with the seed), its recorded inputs and its clock.

The simulation is deterministic, so this is all it takes to have the cluster back: loading builds the world
afresh from the spec and replays every recorded input (API writes, ``exec``, faults) at the kernel step it first
ran at, then runs to the saved step and time. Nothing in the file names code: loading can only run the
simulation, never execute what someone wrote into the file (the design replaces pickle for that reason).

Why no snapshots of the world: the world's state lives in the components' objects (the kernel's queue of
callbacks, kubelets' containers and files), which have no plain-data form; a generic object-graph encoding would
be pickle again under another name. Replay costs about half a second per simulated hour of a small cluster
(``benchmarks/bench_local_state.py``); ``ktui cluster advance`` is bounded per call and the local cluster's
catch-up is at most an hour per command, and ``ktui cluster reset`` starts the history over.

The document is versioned (``format`` and the ``ktui`` version that wrote it): a replay is exact only on the
same simulation, so a state of another format or another ktui version is refused with :class:`StateError`.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ktui.sim.history import RecordedInput, ReplayError

if TYPE_CHECKING:
    from ktui.cluster import Cluster

__all__ = ["FORMAT", "KIND", "StateError", "encode_state", "decode_state", "state_header", "write_atomic",
           "InputEncoder"]

KIND = "ktui-cluster-state"
FORMAT = 1
"""The document's format number; a change that older ktui cannot read bumps it."""


class StateError(ValueError):
    """A state document that cannot be loaded. ``reason`` is one of ``corrupt``, ``version``."""

    def __init__(self, message: str, reason: str = "corrupt") -> None:
        super().__init__(message)
        self.reason = reason


def _version() -> str:
    from ktui import __version__

    return __version__


class InputEncoder:
    """Encodes recorded inputs as JSON once each, so that saving a long history every few seconds costs only
    the new inputs' encoding and one join."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[RecordedInput, str]] = {}

    def encode(self, inputs: list[RecordedInput]) -> str:
        cache: dict[int, tuple[RecordedInput, str]] = {}
        parts = []
        for inp in inputs:
            hit = self._cache.get(id(inp))
            text = hit[1] if hit is not None and hit[0] is inp else _dumps(inp.to_data())
            cache[id(inp)] = (inp, text)
            parts.append(text)
        self._cache = cache
        return "[" + ",\n".join(parts) + "]"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def encode_state(cluster: "Cluster", *, saved_at: float | None = None, encoder: InputEncoder | None = None) -> str:
    """The cluster's state document as JSON text.

    Args:
        saved_at: the wall-clock time of the save (the local cluster catches up from it), or None.
        encoder: reuse the encodings of inputs already saved once.
    """
    kernel = cluster.world.kernel
    head = {"kind": KIND, "format": FORMAT, "ktui": _version(), "savedAt": saved_at,
            "name": cluster.name, "seed": cluster.seed, "now": kernel.now, "steps": kernel.steps,
            "spec": cluster.spec}
    inputs = (encoder or InputEncoder()).encode(cluster._history.inputs)
    return _dumps(head)[:-1] + ',\n"inputs":' + inputs + "}\n"


def state_header(text: str | bytes) -> dict[str, Any]:
    """The document's fields other than its inputs, checked for kind, format and version.

    Raises:
        StateError: when the text is not a state document this ktui can load.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise StateError(f"it is not UTF-8 text (byte {e.start})") from None
    if not text.strip():
        raise StateError("it is empty")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise StateError(f"it is not valid JSON (line {e.lineno} column {e.colno}: {e.msg}); "
                         "it may have been cut short") from None
    except RecursionError:
        raise StateError("it is nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("kind") != KIND:
        raise StateError("it is not a ktui cluster state")
    fmt, version = doc.get("format"), doc.get("ktui")
    if fmt != FORMAT:
        raise StateError(f"it has state format {fmt!r}, written by ktui {version}; this ktui {_version()} "
                         f"reads format {FORMAT}", "version")
    if version != _version():
        raise StateError(f"it was written by ktui {version}; this is ktui {_version()}, whose simulation may "
                         "replay it differently", "version")
    now, steps = doc.get("now"), doc.get("steps")
    if type(now) not in (int, float) or not math.isfinite(now) or now < 0:
        raise StateError(f"its time is not a time: {now!r}")
    if type(steps) is not int or steps < 0:
        raise StateError(f"its step count is not a count: {steps!r}")
    if not isinstance(doc.get("spec"), dict):
        raise StateError("it has no cluster spec")
    if not isinstance(doc.get("inputs"), list):
        raise StateError("it has no list of inputs")
    return doc


def decode_state(text: str | bytes) -> "Cluster":
    """The cluster a state document describes: built from its spec, its inputs replayed.

    Raises:
        StateError: for a document this ktui cannot load (with what is wrong with it).
    """
    from ktui.cluster import Cluster
    from ktui.clusterspec import SpecError

    doc = state_header(text)
    try:
        inputs = [RecordedInput.from_data(d) for d in doc["inputs"]]
    except ValueError as e:
        raise StateError(str(e)) from None
    try:
        cluster = Cluster(doc["spec"])
    except SpecError as e:
        raise StateError(f"its cluster spec is invalid: {e}") from None
    history = cluster._history
    try:
        history.replay(cluster.world, inputs, steps=doc["steps"], now=float(doc["now"]))
    except ReplayError as e:
        raise StateError(f"its inputs do not replay: {e}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise StateError(f"an input is malformed: {type(e).__name__}: {e}") from None
    history.inputs = inputs
    return cluster


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader (or a crash at any moment) sees the old file or the new one,
    never a part: a temporary file beside it, fsync, rename over, fsync the directory."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
