"""What the panels show, kept current by watches: a list-then-watch cache per resource, drained once a frame.

No Textual here: :class:`ClusterFeed` is a plain API client of the cluster. Watch callbacks run inside the
simulation (``advance``/``step``/a kubectl command) and only record which keys changed; the UI calls
:meth:`ClusterFeed.drain` once per frame and updates just those rows. Derived numbers the panels need
(pods per node and their requests, endpoints per service, quota usage per namespace) are kept as indexes
updated per change, never recomputed over the whole cluster. Widgets never read these live caches: once a
frame the UI takes a :class:`FeedSnapshot` (:meth:`ClusterFeed.snapshot`), read-only views that nothing
changes afterwards, and hands it to every widget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from ktui.api.objects import key_of
from ktui.api.quantity import QuantityError, parse_quantity

if TYPE_CHECKING:
    from ktui.cluster import Cluster

__all__ = ["ClusterFeed", "Changes", "FeedSnapshot", "FrozenView", "WATCHED", "key_of", "pod_requests"]

WATCHED = ("nodes", "pods", "services", "namespaces", "endpoints", "resourcequotas", "events")
"""Every resource the main screen watches."""


def _q(value: Any) -> float:
    if isinstance(value, str):
        return _q_text(value)
    if type(value) is int or type(value) is float:  # the 0 of a missing request: no parse
        return float(value) if value == value and abs(value) != float("inf") else 0.0
    try:
        return float(parse_quantity(value))
    except (QuantityError, TypeError, ValueError):
        return 0.0


@lru_cache(maxsize=4096)
def _q_text(value: str) -> float:
    """A quantity string as a float, remembered: a cluster uses a handful of distinct request strings, and a pod
    change parses them again for the node's usage (1,000 changes a second at 150,000 pods)."""
    try:
        return float(parse_quantity(value))
    except (QuantityError, TypeError, ValueError):
        return 0.0


def pod_requests(pod: dict) -> tuple[float, float]:
    """CPU cores and memory bytes a pod requests, as the scheduler counts them (max of init containers
    against the sum of app containers, plus overhead)."""
    spec = pod.get("spec") or {}
    cpu = mem = 0.0
    for c in spec.get("containers") or []:
        req = (c.get("resources") or {}).get("requests") or {}
        cpu += _q(req.get("cpu", 0))
        mem += _q(req.get("memory", 0))
    for c in spec.get("initContainers") or []:
        req = (c.get("resources") or {}).get("requests") or {}
        cpu = max(cpu, _q(req.get("cpu", 0)))
        mem = max(mem, _q(req.get("memory", 0)))
    over = spec.get("overhead") or {}
    return cpu + _q(over.get("cpu", 0)), mem + _q(over.get("memory", 0))


def _terminal(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


@dataclass
class Changes:
    """What changed in one resource since the last drain."""

    changed: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    reset: bool = False
    """True after a rewind/restore: the panel should rebuild from :attr:`ClusterFeed.objects`."""

    def __bool__(self) -> bool:
        return bool(self.changed or self.removed or self.reset)


_EMPTY: Mapping = MappingProxyType({})
_GONE = object()
"""In a :class:`FrozenView`'s changes: the key was removed."""
_MISSING = object()


class FrozenView(Mapping):
    """A read-only mapping: a frozen copy taken at some frame, plus the changes since (``_GONE``: removed).

    Successive snapshots share the copy and each hold their own small dict of changes, so a frame in which 1,000
    of 150,000 pods changed copies 1,000 entries, not 150,000 (nor frees 150,000 when the last frame goes);
    the feed takes a new full copy once the changes pile up (:data:`REBASE_FRACTION`).
    """

    __slots__ = ("_base", "_delta", "_len")

    def __init__(self, base: dict, delta: dict, length: int) -> None:
        self._base = base
        self._delta = delta
        self._len = length

    def __getitem__(self, key):
        v = self._delta.get(key, _MISSING)
        if v is _MISSING:
            return self._base[key]
        if v is _GONE:
            raise KeyError(key)
        return v

    def get(self, key, default=None):
        v = self._delta.get(key, _MISSING)
        if v is _MISSING:
            return self._base.get(key, default)
        return default if v is _GONE else v

    def __contains__(self, key) -> bool:
        v = self._delta.get(key, _MISSING)
        return key in self._base if v is _MISSING else v is not _GONE

    def __iter__(self):
        delta, base = self._delta, self._base
        if not delta:
            yield from base
            return
        for k in base:
            if delta.get(k) is not _GONE:
                yield k
        for k, v in delta.items():
            if v is not _GONE and k not in base:
                yield k

    def __len__(self) -> int:
        return self._len


REBASE_FRACTION = 16
"""A resource's snapshot copy is taken afresh once the changes since the last copy exceed 1/16 of it."""


@dataclass(frozen=True)
class FeedSnapshot:
    """What the widgets show in one frame: read-only views of the feed's caches, taken at one instant.

    Nothing changes a snapshot after it is taken (the next frame gets a new one): each resource's mapping is a
    :class:`FrozenView` (a copy shared with other snapshots plus this frame's own changes since it) and the
    others are :class:`types.MappingProxyType` views of copies, so assigning or deleting raises ``TypeError``. The objects in it are the watch's own copies, which
    the feed replaces on change and never edits.
    """

    version: int
    """Bumped each time a snapshot with different content (or another ``now``) is taken."""
    now: float
    """The simulated time the snapshot was taken at."""
    objects: Mapping[str, Mapping[str, dict]]
    """Per resource followed, ``key -> object``."""
    node_usage: Mapping[str, tuple[float, float, float]]
    """``node -> (pods, cpu cores, memory bytes)`` of its non-terminated pods."""
    quotas_by_ns: Mapping[str, Mapping[str, dict]]
    """``namespace -> quota name -> ResourceQuota``."""

    def newest_events(self, n: int) -> list[dict]:
        """The ``n`` newest Events, oldest first, as ``kubectl get events`` orders them."""
        evs = sorted(self.objects.get("events", _EMPTY).values(), key=event_time)
        return evs[-n:] if n else []


class ClusterFeed:
    """List-then-watch caches of :data:`WATCHED` for one cluster, surviving rewinds.

    Args:
        cluster: the cluster to follow.
        max_events: how many Events to keep (the newest by last timestamp).
    """

    def __init__(self, cluster: "Cluster", max_events: int = 200) -> None:
        self.cluster = cluster
        self.max_events = max_events
        self.objects: dict[str, dict[str, dict]] = {p: {} for p in WATCHED}
        """Per resource, ``key -> object`` as last seen."""
        self.node_usage: dict[str, list[float]] = {}
        """``node -> [pods, cpu cores, memory bytes]`` of its non-terminated pods."""
        self.quotas_by_ns: dict[str, dict[str, dict]] = {}
        self.revision = 0
        """Bumped on every drained batch; lets views know something moved."""
        self._pending: dict[str, Changes] = {p: Changes() for p in WATCHED}
        self._watches: dict[str, Any] = {}
        self._pod_contrib: dict[str, tuple[str, float, float]] = {}
        self.extra: list[str] = []
        """Resources followed besides :data:`WATCHED` (the ``:deploy``-style panel's kind), see :meth:`follow`."""
        self._snapshot: FeedSnapshot | None = None
        self._published: dict[str, Mapping[str, dict]] = {}
        """Per resource, the read-only copy the last snapshot holds (reused while the resource is unchanged)."""
        self._stale: set[str] = set()
        """Resources (and ``node_usage``/``quotas_by_ns``) changed since the last snapshot."""
        self._bases: dict[str, dict[str, dict]] = {}
        """Per resource, the full copy the current snapshots share (never changed once taken)."""
        self._deltas: dict[str, dict[str, Any]] = {}
        """Per resource, what changed since its copy: ``key -> object`` or ``_GONE``."""
        cluster.on_reset(self._on_reset)
        self._start()

    # ------------------------------------------------------------------ subscription

    def _start(self) -> None:
        self.objects = {p: {} for p in (*WATCHED, *self.extra)}
        self.node_usage = {}
        self.quotas_by_ns = {}
        self._pod_contrib = {}
        self._published = {}
        self._bases = {}
        self._deltas = {}
        self._stale = {"node_usage", "quotas_by_ns"}
        for plural in (*WATCHED, *self.extra):
            self._list_and_watch(plural)

    def _list_and_watch(self, plural: str) -> None:
        listing = self.cluster.api.list(plural)
        self.objects[plural] = {}
        self._pending[plural] = Changes()
        self._stale.add(plural)
        self._bases.pop(plural, None)
        self._deltas.pop(plural, None)
        for obj in listing.get("items") or []:
            self._apply(plural, "ADDED", obj)
        rv = (listing.get("metadata") or {}).get("resourceVersion", "")
        self._watches[plural] = self.cluster.api.watch(plural, self._callback(plural), resource_version=rv)
        self._pending[plural] = Changes(reset=True)

    def follow(self, plural: str) -> None:
        """List and watch one more resource (any registered kind that can be listed), kept across rewinds.

        Raises:
            ApiError: when the resource cannot be listed or watched.
        """
        if plural in self._watches:
            return
        self._list_and_watch(plural)
        self.extra.append(plural)

    def unfollow(self, plural: str) -> None:
        """Stop following a resource :meth:`follow` added (the main panels' resources stay)."""
        if plural not in self.extra:
            return
        self.extra.remove(plural)
        watch = self._watches.pop(plural, None)
        if watch is not None:
            watch.stop()
        self.objects.pop(plural, None)
        self._pending.pop(plural, None)
        self._published.pop(plural, None)
        self._bases.pop(plural, None)
        self._deltas.pop(plural, None)
        self._stale.add(plural)

    def _callback(self, plural: str):
        def on_event(etype: str, obj: dict) -> None:
            if plural in self.objects:
                self._apply(plural, etype, obj)

        return on_event

    def _on_reset(self) -> None:
        for w in self._watches.values():
            try:
                w.stop()
            except Exception:  # noqa: BLE001 - a watch of a world that is gone
                pass
        self._watches = {}
        self._start()

    def close(self) -> None:
        for w in self._watches.values():
            w.stop()
        self._watches = {}

    # ------------------------------------------------------------------ applying events

    def _apply(self, plural: str, etype: str, obj: dict) -> None:
        key = key_of(obj)
        store = self.objects[plural]
        pending = self._pending[plural]
        self._stale.add(plural)
        delta = self._deltas.get(plural)
        if etype == "DELETED":
            if store.pop(key, None) is None:
                return
            pending.removed.add(key)
            pending.changed.discard(key)
            if delta is not None:
                delta[key] = _GONE
        else:
            store[key] = obj
            pending.changed.add(key)
            pending.removed.discard(key)
            if delta is not None:
                delta[key] = obj
        if plural == "pods":
            self._index_pod(key, None if etype == "DELETED" else obj)
        elif plural == "endpoints":
            if key in self.objects["services"]:
                self._pending["services"].changed.add(key)
        elif plural == "resourcequotas":
            ns, _, name = key.partition("/")
            self._stale.add("quotas_by_ns")
            if etype == "DELETED":
                self.quotas_by_ns.get(ns, {}).pop(name, None)
            else:
                self.quotas_by_ns.setdefault(ns, {})[name] = obj
            if ns in self.objects["namespaces"]:
                self._pending["namespaces"].changed.add(ns)
        elif plural == "events" and len(store) > self.max_events * 2:
            self._trim_events()

    def _index_pod(self, key: str, pod: dict | None) -> None:
        old = self._pod_contrib.pop(key, None)
        self._stale.add("node_usage")
        if old is not None:
            usage = self.node_usage[old[0]]
            usage[0] -= 1
            usage[1] -= old[1]
            usage[2] -= old[2]
            self._pending["nodes"].changed.add(old[0])
        if pod is not None and not _terminal(pod):
            node = (pod.get("spec") or {}).get("nodeName")
            if node:
                cpu, mem = pod_requests(pod)
                usage = self.node_usage.setdefault(node, [0, 0.0, 0.0])
                usage[0] += 1
                usage[1] += cpu
                usage[2] += mem
                self._pod_contrib[key] = (node, cpu, mem)
                self._pending["nodes"].changed.add(node)

    def _trim_events(self) -> None:
        store = self.objects["events"]
        keep = sorted(store, key=lambda k: event_time(store[k]))[-self.max_events :]
        keep_set = set(keep)
        delta = self._deltas.get("events")
        for k in [k for k in store if k not in keep_set]:
            del store[k]
            if delta is not None:
                delta[k] = _GONE
            self._pending["events"].removed.add(k)
            self._pending["events"].changed.discard(k)

    # ------------------------------------------------------------------ reading

    def drain(self) -> dict[str, Changes]:
        """The changes since the last drain, per resource (only the resources that changed)."""
        out = {p: c for p, c in self._pending.items() if c}
        if out:
            self.revision += 1
            for p in out:
                self._pending[p] = Changes()
        return out

    def snapshot(self, now: float) -> FeedSnapshot:
        """The caches as they are now, frozen: the previous snapshot when nothing changed since (same
        ``now``), else a new one that copies only the resources that changed and shares the rest."""
        last = self._snapshot
        if last is not None and not self._stale and last.now == now:
            return last
        for plural in self._stale:
            if plural in self.objects:
                self._published[plural] = self._frozen(plural)
        node_usage = last.node_usage if last is not None else _EMPTY
        if "node_usage" in self._stale:
            node_usage = MappingProxyType({n: tuple(u) for n, u in self.node_usage.items()})
        quotas = last.quotas_by_ns if last is not None else _EMPTY
        if "quotas_by_ns" in self._stale:
            quotas = MappingProxyType({ns: MappingProxyType(dict(q)) for ns, q in self.quotas_by_ns.items()})
        self._stale = set()
        objects = MappingProxyType({p: self._published[p] for p in self.objects})
        self._snapshot = FeedSnapshot(last.version + 1 if last is not None else 1, now, objects, node_usage, quotas)
        return self._snapshot

    def _frozen(self, plural: str) -> FrozenView:
        """``plural``'s objects as they are now, read-only: the shared copy plus a copy of the changes since it
        (a new full copy when there is none yet or the changes grew past :data:`REBASE_FRACTION` of it)."""
        live = self.objects[plural]
        base = self._bases.get(plural)
        delta = self._deltas.get(plural)
        if base is None or delta is None or len(delta) * REBASE_FRACTION > max(len(base), 4096):
            base = self._bases[plural] = dict(live)
            delta = self._deltas[plural] = {}
        return FrozenView(base, dict(delta), len(live))

    def newest_events(self, n: int) -> list[dict]:
        """The ``n`` newest Events, oldest first, as ``kubectl get events`` orders them."""
        evs = sorted(self.objects["events"].values(), key=event_time)
        return evs[-n:] if n else []


def event_time(ev: dict) -> tuple[str, str]:
    """The sort key of an Event: its last timestamp (or eventTime, or creation), then its name."""
    md = ev.get("metadata") or {}
    t = ev.get("lastTimestamp") or ev.get("eventTime") or md.get("creationTimestamp") or ""
    if len(t) == 20:  # whole-second RFC 3339: compare equal to the micro form
        t = t[:-1] + ".000000Z"
    return (t, md.get("resourceVersion", "").zfill(12))
