"""What the panels show, kept current by watches: a list-then-watch cache per resource, drained once a frame.

No Textual here: :class:`ClusterFeed` is a plain API client of the cluster. Watch callbacks run inside the
simulation (``advance``/``step``/a kubectl command) and only record which keys changed; the UI calls
:meth:`ClusterFeed.drain` once per frame and updates just those rows. Derived numbers the panels need
(pods per node and their requests, endpoints per service, quota usage per namespace) are kept as indexes
updated per change, never recomputed over the whole cluster. Widgets never read these live caches: once a
frame the UI takes a :class:`FeedSnapshot` (:meth:`ClusterFeed.snapshot`), read-only views that show the caches
as they were when it was taken, whatever changes afterwards, and hands it to every widget.
"""

from __future__ import annotations

import weakref
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


def _same_share(prev: dict, pod: dict) -> bool:
    """True when two versions of a pod add the same to their node's usage: the same spec (the very same object:
    the watch shares unchanged sub-trees) or the same node, containers and overhead; the same terminal state."""
    if _terminal(prev) != _terminal(pod):
        return False
    a, b = prev.get("spec"), pod.get("spec")
    if a is b:
        return True
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    return (
        a.get("nodeName") == b.get("nodeName")
        and a.get("containers") == b.get("containers")
        and a.get("initContainers") == b.get("initContainers")
        and a.get("overhead") == b.get("overhead")
    )


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
_ABSENT = object()
"""In a :class:`FrozenView`'s undo log: the key was not there when the view was taken."""
_MISSING = object()


class FrozenView(Mapping):
    """A read-only mapping: one resource's objects as they were when the view was taken.

    The view reads the feed's live dict through an undo log: before the feed changes a key, it records the key's
    value as of each view still alive (``_ABSENT``: it was not there), so a frame in which 1,000 of 150,000 pods
    changed costs 1,000 small records, never a copy of 150,000 entries, and the old objects go when the view does.
    Read it on the thread that runs the cluster (the UI thread); a worker thread reads a :meth:`copy`.
    """

    __slots__ = ("_live", "_undo", "_len", "__weakref__")

    def __init__(self, live: dict, length: int) -> None:
        self._live = live
        self._undo: dict[str, Any] = {}
        self._len = length

    def __getitem__(self, key):
        v = self._undo.get(key, _MISSING)
        if v is _MISSING:
            return self._live[key]
        if v is _ABSENT:
            raise KeyError(key)
        return v

    def get(self, key, default=None):
        v = self._undo.get(key, _MISSING)
        if v is _MISSING:
            return self._live.get(key, default)
        return default if v is _ABSENT else v

    def __contains__(self, key) -> bool:
        v = self._undo.get(key, _MISSING)
        return key in self._live if v is _MISSING else v is not _ABSENT

    def __iter__(self):
        undo, live = self._undo, self._live
        if not undo:
            yield from live
            return
        for k in live:
            if undo.get(k) is not _ABSENT:
                yield k
        for k, v in undo.items():
            if v is not _ABSENT and k not in live:
                yield k

    def __len__(self) -> int:
        return self._len

    def copy(self) -> dict:
        """The view's content as a plain dict (for a reader on another thread)."""
        out = self._live.copy()
        for k, v in self._undo.items():
            if v is _ABSENT:
                out.pop(k, None)
            else:
                out[k] = v
        return out


@dataclass(frozen=True)
class FeedSnapshot:
    """What the widgets show in one frame: read-only views of the feed's caches, taken at one instant.

    Nothing changes what a snapshot shows after it is taken (the next frame gets a new one): each resource's
    mapping is a :class:`FrozenView` (the live cache read through the undo log the feed keeps for it) and the
    others are :class:`types.MappingProxyType` views of copies, so assigning or deleting raises ``TypeError``. The
    objects in it are the watch's own copies, which the feed replaces on change and never edits. Only the UI
    thread reads it (the views read the live caches, which the UI thread changes).
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
        self.node_usage: dict[str, tuple[int, float, float]] = {}
        """``node -> (pods, cpu cores, memory bytes)`` of its non-terminated pods."""
        self._usage: dict[str, list[int]] = {}
        """``node -> [pods, cpu nanocores, memory millibytes]``, summed exactly (whatever the order of changes)."""
        self._usage_touched: set[str] = set()
        """Nodes whose usage moved since the last drain (reported changed only if it differs at the drain)."""
        self._usage_drained: dict[str, tuple[int, float, float]] = {}
        """Per node, its usage as of the last drain."""
        self.quotas_by_ns: dict[str, dict[str, dict]] = {}
        self.revision = 0
        """Bumped on every drained batch; lets views know something moved."""
        self._pending: dict[str, Changes] = {p: Changes() for p in WATCHED}
        self._watches: dict[str, Any] = {}
        self._pod_contrib: dict[str, tuple[str, int, int]] = {}
        """Per pod key, what it adds to its node's usage: ``(node, nanocores, millibytes)``."""
        self.extra: list[str] = []
        """Resources followed besides :data:`WATCHED` (the ``:deploy``-style panel's kind), see :meth:`follow`."""
        self._snapshot: FeedSnapshot | None = None
        self._published: dict[str, Mapping[str, dict]] = {}
        """Per resource, the read-only copy the last snapshot holds (reused while the resource is unchanged)."""
        self._stale: set[str] = set()
        """Resources (and ``node_usage``/``quotas_by_ns``) changed since the last snapshot."""
        self._views: dict[str, list[weakref.ref[FrozenView]]] = {}
        """Per resource, the views of its live dict that may still be read (their undo logs are kept)."""
        cluster.on_reset(self._on_reset)
        self._start()

    # ------------------------------------------------------------------ subscription

    def _start(self) -> None:
        self.objects = {p: {} for p in (*WATCHED, *self.extra)}
        self.node_usage = {}
        self._usage = {}
        self._usage_touched = set()
        self._usage_drained = {}
        self.quotas_by_ns = {}
        self._pod_contrib = {}
        self._published = {}
        self._views = {}
        self._stale = {"node_usage", "quotas_by_ns"}
        for plural in (*WATCHED, *self.extra):
            self._list_and_watch(plural)

    def _list_and_watch(self, plural: str) -> None:
        listing = self.cluster.api.list(plural)
        self.objects[plural] = {}
        self._pending[plural] = Changes()
        self._stale.add(plural)
        self._views.pop(plural, None)
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
        self._views.pop(plural, None)
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
        prev = store.get(key)
        if etype == "DELETED":
            if prev is None:
                return
            self._remember(plural, key, prev)
            del store[key]
            pending.removed.add(key)
            pending.changed.discard(key)
        else:
            self._remember(plural, key, _ABSENT if prev is None else prev)
            store[key] = obj
            pending.changed.add(key)
            pending.removed.discard(key)
        if plural == "pods":
            self._index_pod(key, prev, None if etype == "DELETED" else obj)
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

    def _remember(self, plural: str, key: str, old: Any) -> None:
        """Before ``key`` changes in ``plural``'s live dict: keep its value as of each view still alive."""
        refs = self._views.get(plural)
        if refs:
            for ref in refs:
                view = ref()
                if view is not None and key not in view._undo:
                    view._undo[key] = old

    def _index_pod(self, key: str, prev: dict | None, pod: dict | None) -> None:
        """Move the pod's share of its node's usage: ``prev`` is the pod as last seen, ``pod`` as now (None: gone).

        A change that keeps what the share depends on (the node, the containers' requests, the overhead, the
        terminal state) keeps the share: nothing is done (label and status changes, 1,000 a second at 150,000 pods).
        """
        if prev is not None and pod is not None and _same_share(prev, pod):
            return
        new: tuple[str, int, int] | None = None
        if pod is not None and not _terminal(pod):
            node = (pod.get("spec") or {}).get("nodeName")
            if node:
                cpu, mem = pod_requests(pod)
                new = (node, round(cpu * 1e9), round(mem * 1e3))
        old = self._pod_contrib.get(key)
        if old == new:
            return
        if old is not None:
            del self._pod_contrib[key]
            self._add_usage(old[0], -1, -old[1], -old[2])
        if new is not None:
            self._pod_contrib[key] = new
            self._add_usage(new[0], 1, new[1], new[2])

    def _add_usage(self, node: str, pods: int, cpu: int, mem: int) -> None:
        usage = self._usage.get(node)
        if usage is None:
            usage = self._usage[node] = [0, 0, 0]
        usage[0] += pods
        usage[1] += cpu
        usage[2] += mem
        self.node_usage[node] = (usage[0], usage[1] / 1e9, usage[2] / 1e3)
        self._usage_touched.add(node)
        self._stale.add("node_usage")

    def _trim_events(self) -> None:
        store = self.objects["events"]
        keep = sorted(store, key=lambda k: event_time(store[k]))[-self.max_events :]
        keep_set = set(keep)
        for k in [k for k in store if k not in keep_set]:
            self._remember("events", k, store[k])
            del store[k]
            self._pending["events"].removed.add(k)
            self._pending["events"].changed.discard(k)

    # ------------------------------------------------------------------ reading

    def drain(self) -> dict[str, Changes]:
        """The changes since the last drain, per resource (only the resources that changed). A node counts as
        changed when its object changed or its usage differs from the last drain's (not when a pod on it
        changed in a way that leaves the usage as it was, nor went and came back within the frame)."""
        if self._usage_touched:
            drained = self._usage_drained
            changed = self._pending["nodes"].changed
            for node in self._usage_touched:
                usage = self.node_usage.get(node)
                if drained.get(node) != usage:
                    drained[node] = usage  # type: ignore[assignment]
                    changed.add(node)
            self._usage_touched = set()
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
            node_usage = MappingProxyType(self.node_usage.copy())
        quotas = last.quotas_by_ns if last is not None else _EMPTY
        if "quotas_by_ns" in self._stale:
            quotas = MappingProxyType({ns: MappingProxyType(dict(q)) for ns, q in self.quotas_by_ns.items()})
        self._stale = set()
        objects = MappingProxyType({p: self._published[p] for p in self.objects})
        self._snapshot = FeedSnapshot(last.version + 1 if last is not None else 1, now, objects, node_usage, quotas)
        return self._snapshot

    def _frozen(self, plural: str) -> FrozenView:
        """A view of ``plural``'s objects as they are now (the feed keeps its undo log while it is alive)."""
        live = self.objects[plural]
        view = FrozenView(live, len(live))
        refs = [r for r in self._views.get(plural, ()) if r() is not None]
        refs.append(weakref.ref(view))
        self._views[plural] = refs
        return view

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
