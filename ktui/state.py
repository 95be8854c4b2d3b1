"""A cluster's state as a JSON document: its spec (with the seed), its recorded inputs, its clock, a snapshot.

The simulation is deterministic, so the spec and the inputs are all it takes to have the cluster back: loading
builds the world afresh from the spec and replays every recorded input (API writes, ``exec``, faults) at the
kernel step it first ran at, then runs to the saved step and time. Replay alone costs about a second of CPU per
simulated hour of a small busy cluster (``benchmarks/bench_local_state.py``), too slow to open the local cluster
for every ``ktui kubectl``; so the document also carries a snapshot of the world taken at some point of that
history, as data (:mod:`ktui.sim.datagraph`), and loading decodes it and replays only the inputs after it. The
local cluster takes a new snapshot when replaying from the last one would cost more than
``SNAPSHOT_EVERY_STEPS`` kernel events (:mod:`ktui.local`), so a save is usually just the new inputs.

Loading cannot be turned into code execution by whoever writes the file: JSON is parsed as data; a snapshot
names classes and functions, but only those defined in the simulation's own modules (which do no I/O, see
:data:`SIMULATION_MODULES`) and a few standard value types are resolved, and loading calls nothing but their
constructors; recorded API calls can only be the write verbs of the API client.

The document is versioned (``format`` and the ``ktui`` version that wrote it): a replay is exact only on the
same simulation, so a state of another format or another ktui version is refused with :class:`StateError`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, TypeVar

from ktui.sim.history import RecordedInput, ReplayError

if TYPE_CHECKING:
    from ktui.sim.history import History
    from ktui.world import World

__all__ = [
    "FORMAT",
    "KIND",
    "StateError",
    "encode_state",
    "decode_state",
    "state_header",
    "write_atomic",
    "InputEncoder",
    "snapshot_text",
    "dumps_json",
    "SIMULATION_MODULES",
]

SIMULATION_MODULES = ("ktui.sim.", "ktui.store.", "ktui.api.", "ktui.components.", "ktui.net.", "networkx.classes.")
"""Where the classes and functions a snapshot may name are defined (besides ``ktui.world``): the simulation,
which does no I/O, and the graph classes of its network model."""


def _allowed(module: str, qualname: str) -> bool:
    return module == "ktui.world" or module.startswith(SIMULATION_MODULES)


KIND = "ktui-cluster-state"
FORMAT = 1
"""The document's format number; a change that older ktui cannot read bumps it."""


class StateError(ValueError):
    """A state document that cannot be loaded. ``reason`` is one of ``corrupt``, ``version``."""

    def __init__(self, message: str, reason: str = "corrupt") -> None:
        super().__init__(message)
        self.reason = reason


def _version() -> str:
    from ktui.version import __version__

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
            text = hit[1] if hit is not None and hit[0] is inp else dumps_json(inp.to_data())
            cache[id(inp)] = (inp, text)
            parts.append(text)
        self._cache = cache
        return "[" + ",\n".join(parts) + "]"


JSON_DEPTH = 10_000
"""How deeply nested the JSON of a state may be (a world snapshot nests about 110 levels; objects stored in the
cluster may nest more). Python's json module counts its nesting against the recursion limit."""


@contextlib.contextmanager
def _deep_json() -> Iterator[None]:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, JSON_DEPTH))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def dumps_json(value: Any) -> str:
    """Compact JSON text of plain data, as the state document writes it."""
    with _deep_json():
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class SavedCluster(Protocol):
    """What a cluster state is made of (:class:`ktui.cluster.Cluster` has it); the cluster layer builds on
    this module, so it names no Cluster itself."""

    @property
    def name(self) -> str: ...

    @property
    def seed(self) -> int: ...

    spec: dict[str, Any]
    world: "World"

    @property
    def history(self) -> "History[World]": ...


C = TypeVar("C", bound=SavedCluster)


def snapshot_text(cluster: SavedCluster) -> str:
    """A data snapshot of the cluster's world now (without outside watchers), as JSON text for
    :func:`encode_state`."""
    from ktui.sim.datagraph import encode_graph
    from ktui.world import attach_outside, detach_outside

    world = cluster.world
    token = detach_outside(world)
    try:
        graph = encode_graph(world)
    finally:
        attach_outside(world, token)
    return dumps_json(
        {"now": world.kernel.now, "steps": world.kernel.steps, "inputs": len(cluster.history.inputs), "world": graph}
    )


def encode_state(
    cluster: SavedCluster,
    *,
    saved_at: float | None = None,
    encoder: InputEncoder | None = None,
    snapshot: str | None = None,
) -> str:
    """The cluster's state document as JSON text.

    Args:
        saved_at: the wall-clock time of the save (the local cluster catches up from it), or None.
        encoder: reuse the encodings of inputs already saved once.
        snapshot: a :func:`snapshot_text` taken at some point of this cluster's present history, or None
            (loading then replays every input from the spec).
    """
    kernel = cluster.world.kernel
    head = {
        "kind": KIND,
        "format": FORMAT,
        "ktui": _version(),
        "savedAt": saved_at,
        "name": cluster.name,
        "seed": cluster.seed,
        "now": kernel.now,
        "steps": kernel.steps,
        "spec": cluster.spec,
    }
    inputs = (encoder or InputEncoder()).encode(cluster.history.inputs)
    return dumps_json(head)[:-1] + ',\n"snapshot":' + (snapshot or "null") + ',\n"inputs":' + inputs + "}\n"


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
        with _deep_json():
            doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise StateError(
            f"it is not valid JSON (line {e.lineno} column {e.colno}: {e.msg}); it may have been cut short"
        ) from None
    except RecursionError:
        raise StateError("it is nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("kind") != KIND:
        raise StateError("it is not a ktui cluster state")
    fmt, version = doc.get("format"), doc.get("ktui")
    if fmt != FORMAT:
        raise StateError(
            f"it has state format {fmt!r}, written by ktui {version}; this ktui {_version()} reads format {FORMAT}",
            "version",
        )
    if version != _version():
        raise StateError(
            f"it was written by ktui {version}; this is ktui {_version()}, whose simulation may replay it differently",
            "version",
        )
    now, steps = doc.get("now"), doc.get("steps")
    if type(now) not in (int, float) or not math.isfinite(now) or now < 0:  # type: ignore[arg-type, operator]
        raise StateError(f"its time is not a time: {now!r}")
    if type(steps) is not int or steps < 0:
        raise StateError(f"its step count is not a count: {steps!r}")
    if not isinstance(doc.get("spec"), dict):
        raise StateError("it has no cluster spec")
    if not isinstance(doc.get("inputs"), list):
        raise StateError("it has no list of inputs")
    return doc


def decode_state(text: str | bytes | dict[str, Any], build: Callable[..., C]) -> C:
    """The cluster a state document (text, or the dict :func:`state_header` returned) describes.

    Args:
        build: makes the cluster: ``build(spec)`` a new one, ``build(spec, world=world)`` one around a world
            restored from the snapshot (:class:`ktui.cluster.Cluster` itself).

    Raises:
        StateError: for a document this ktui cannot load (with what is wrong with it).
    """
    from ktui.clusterspec import SpecError

    doc = text if isinstance(text, dict) else state_header(text)
    try:
        inputs = [RecordedInput.from_data(d) for d in doc["inputs"]]
    except ValueError as e:
        raise StateError(str(e)) from None
    snap = doc.get("snapshot")
    start = 0
    try:
        if snap is None:
            cluster = build(doc["spec"])
        else:
            world, start = _snapshot_world(snap, len(inputs))
            cluster = build(doc["spec"], world=world)
            if world.spec != cluster.spec:
                raise StateError("its snapshot is of another cluster than its spec")
    except SpecError as e:
        raise StateError(f"its cluster spec is invalid: {e}") from None
    history = cluster.history
    try:
        history.replay(cluster.world, inputs[start:], steps=doc["steps"], now=float(doc["now"]))
    except ReplayError as e:
        raise StateError(f"its inputs do not replay: {e}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise StateError(f"an input is malformed: {type(e).__name__}: {e}") from None
    history.inputs = inputs
    return cluster


def _snapshot_world(snap: Any, n_inputs: int) -> tuple[Any, int]:
    from ktui.sim.datagraph import GraphError, decode_graph
    from ktui.world import World

    if not isinstance(snap, dict) or not {"now", "steps", "inputs", "world"} <= snap.keys():
        raise StateError("its snapshot is not a snapshot")
    start = snap["inputs"]
    if type(start) is not int or not 0 <= start <= n_inputs:
        raise StateError(f"its snapshot follows {start!r} inputs of {n_inputs}")
    try:
        world = decode_graph(snap["world"], _allowed)
    except GraphError as e:
        raise StateError(f"its snapshot cannot be loaded: {e}") from None
    if not isinstance(world, World) or (world.kernel.now, world.kernel.steps) != (snap["now"], snap["steps"]):
        raise StateError("its snapshot is not a snapshot of a world")
    return world, start


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
