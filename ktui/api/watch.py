"""Watch fan-out: one store watch per resource feeds every API watcher of it, with selectors applied."""

from __future__ import annotations

import logging
from collections import deque
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator

from ktui.api.renewal import same_json

if TYPE_CHECKING:
    from ktui.sim.kernel import Kernel

__all__ = ["ApiWatch", "WatchHub"]

log = logging.getLogger("ktui.api")
log.addHandler(logging.NullHandler())  # a library: the shell decides where log lines go

Filter = Callable[[dict], bool]


class ApiWatch:
    """One client's watch. Events arrive, in order, as ``callback(type, object)`` through the kernel
    (never inside the write that caused them), with type ADDED, MODIFIED or DELETED."""

    everything = False
    """(Set in ``__init__``; a watch restored from an older snapshot asks its filter.)"""
    object_name: str | None = None
    """(Set in ``__init__``; likewise.)"""
    metadata_changes_only = False
    """Set by a watcher that reads only metadata and acts only on its changes (the garbage collector's Lease
    informer): a change that leaves the metadata as it was, resourceVersion aside (a Lease renewal), is not
    delivered."""

    def __init__(
        self,
        hub: "WatchHub",
        resource: str,
        namespace: str | None,
        matches: Filter,
        callback: Callable[[str, dict], None],
        node_name: str | None = None,
        object_name: str | None = None,
    ) -> None:
        self.hub = hub
        self.resource = resource
        self.namespace = namespace
        self.matches = matches
        self.callback = callback
        self.node_name = node_name
        """Set when the watch selects ``spec.nodeName=X``; such watches are indexed by node."""
        self.object_name = object_name
        """Set when the watch selects ``metadata.name=X`` (a kubelet's own Node); indexed by that name."""
        self.active = True
        self.external = hub.adding_external
        """A watch of someone outside the simulation (kubectl -w, the UI): its deliveries are observer events
        that do not count as kernel steps, and snapshots leave it out."""
        self.everything = getattr(matches, "labels", 0) is None and getattr(matches, "fields", 0) is None
        """No selector (a :class:`ktui.api.object_rules.Matcher` of none): every object matches, unasked."""
        self._pending: deque[tuple[str, dict]] = deque()
        self._scheduled = False
        self.errors = 0
        """Events whose callback raised (logged and skipped, as an informer's handler panics are)."""

    def stop(self) -> None:
        if self.active:
            self.active = False
            self.hub._remove(self)

    def offer(self, new: dict | None, old: dict | None) -> None:
        """Turn one stored change into the event this watcher sees, if any (selector moves included).
        An object the selectors cannot read (not API-shaped) matches nothing."""
        try:
            self._offer(new, old)
        except (AttributeError, TypeError, KeyError, ValueError) as e:
            log.warning("watch on %s: skipped an unreadable object: %s: %s", self.resource, type(e).__name__, e)

    def _offer(self, new: dict | None, old: dict | None) -> None:
        if self.namespace:
            obj = new if new is not None else old
            if obj.get("metadata", {}).get("namespace") != self.namespace:  # type: ignore[union-attr]
                return
        if self.everything:
            now_in, was_in = new is not None, old is not None
        else:
            now_in = new is not None and self.matches(new)
            was_in = old is not None and self.matches(old)
        if now_in and was_in:
            if self.metadata_changes_only and _same_metadata(new, old):  # type: ignore[arg-type]
                return
            self._push("MODIFIED", new)  # type: ignore[arg-type]
        elif now_in:
            self._push("ADDED", new)  # type: ignore[arg-type]
        elif was_in:
            self._push("DELETED", new if new is not None else old)  # type: ignore[arg-type]

    def _push(self, etype: str, obj: dict) -> None:
        self._pending.append((etype, obj))
        if not self._scheduled:
            self._scheduled = True
            self.hub.kernel.call_soon(self._flush, counted=not self.external)

    def _flush(self) -> None:
        self._scheduled = False
        while self._pending and self.active:
            etype, obj = self._pending.popleft()
            try:
                self.callback(etype, obj)
            except Exception as e:  # noqa: BLE001 - a handler's failure on one event must not drop the rest
                self.errors += 1
                log.warning(
                    "watch on %s: handler failed on a %s event: %s: %s", self.resource, etype, type(e).__name__, e
                )


class WatchHub:
    """Keeps API watchers by resource (pods' by node name, and those of one object by its name) and hands each
    stored change to those that may care — work proportional to the interested watchers, not to all of them."""

    _by_name: "dict[tuple[str, str], list[ApiWatch]] | None" = None
    """(Set in ``__init__``; a hub restored from an older snapshot has none until a watch needs it.)"""
    _named: "set[str] | frozenset[str]" = frozenset()
    """The resources that have watches of one object by name (whose changes look the name up)."""

    def __init__(self, kernel: "Kernel") -> None:
        self.kernel = kernel
        self.adding_external = False
        """Set while a watch for someone outside the simulation is being started."""
        self._by_resource: dict[str, list[ApiWatch]] = {}
        self._by_node: dict[tuple[str, str], list[ApiWatch]] = {}
        self._by_name = {}
        self._named = set()

    @contextmanager
    def external(self) -> Iterator[None]:
        """Within this block, new watches belong to an observer outside the simulation (see :class:`ApiWatch`)."""
        before, self.adding_external = self.adding_external, True
        try:
            yield
        finally:
            self.adding_external = before

    def add(self, w: ApiWatch) -> ApiWatch:
        self._bucket_of(w, True).append(w)  # type: ignore[union-attr]
        return w

    def _bucket_of(self, w: ApiWatch, create: bool = False) -> "list[ApiWatch] | None":
        if w.node_name is not None:
            index, key = self._by_node, (w.resource, w.node_name)
        elif w.object_name is not None:
            if self._by_name is None:
                self._by_name = {}
            if create and w.resource not in self._named:
                self._named = {*self._named, w.resource}
            index, key = self._by_name, (w.resource, w.object_name)
        else:
            return self._by_resource.setdefault(w.resource, []) if create else self._by_resource.get(w.resource)
        bucket = index.get(key)
        if bucket is None and create:
            bucket = index[key] = []
        return bucket

    def _remove(self, w: ApiWatch) -> None:
        bucket = self._bucket_of(w)
        if bucket and w in bucket:
            bucket.remove(w)

    def publish(self, resource: str, new: dict | None, old: dict | None, metadata_kept: bool = False) -> None:
        """Offer a stored change to the watchers that may care. ``metadata_kept``: the writer made ``new``'s
        metadata the same as ``old``'s but for the resourceVersion (a Lease renewal); watchers of metadata
        changes only, without selectors, are not asked."""
        watches = self._by_resource.get(resource)
        if watches:
            for w in tuple(watches):
                if metadata_kept and w.metadata_changes_only and w.everything:
                    continue  # what _offer would decide: an update that keeps the metadata
                w.offer(new, old)
        if self._by_node and resource in self._node_resources():
            nodes = {_node_name(o) for o in (new, old) if o is not None}
            for node in sorted(n for n in nodes if n):
                for w in list(self._by_node.get((resource, node), ())):
                    w.offer(new, old)
        by_name = self._by_name
        if by_name and resource in self._named:
            name = _object_name(new if new is not None else old)
            if name is not None:
                named = by_name.get((resource, name))
                if named:
                    for w in tuple(named):
                        w.offer(new, old)

    def _node_resources(self) -> frozenset[str]:
        """Resources that have watches indexed by node (pods): the others' changes skip the node lookup."""
        by_node = self._by_node
        cached = self.__dict__.get("_node_resources_of")
        if cached is None or cached[0] != len(by_node):
            cached = self._node_resources_of = (len(by_node), frozenset(r for r, _ in by_node))
        return cached[1]

    def _buckets(self) -> list[list[ApiWatch]]:
        return list(self._by_resource.values()) + list(self._by_node.values()) + list((self._by_name or {}).values())

    def take_external(self) -> list[ApiWatch]:
        """Remove and return the watches of observers outside the simulation (put back with :meth:`add`)."""
        external = [w for bucket in self._buckets() for w in bucket if w.external]
        for w in external:
            self._remove(w)
        return external

    def count(self) -> int:
        return sum(map(len, self._buckets()))


def _same_metadata(new: dict, old: dict) -> bool:
    """Whether two versions of an object have the same metadata but for ``resourceVersion``."""
    a, b = new.get("metadata"), old.get("metadata")
    if type(a) is not dict or type(b) is not dict or len(a) != len(b):
        return False
    get = b.get
    for k, v in a.items():
        w = get(k, _MISSING)
        if v is not w and k != "resourceVersion" and (w is _MISSING or not same_json(v, w)):
            return False
    return "resourceVersion" in b or "resourceVersion" not in a


_MISSING = object()


def _object_name(obj: object) -> str | None:
    """``metadata.name`` of a stored object, or None when it has none or is not API-shaped."""
    md = obj.get("metadata") if isinstance(obj, dict) else None
    name = md.get("name") if isinstance(md, dict) else None
    return name if isinstance(name, str) else None


def _node_name(obj: dict) -> str | None:
    """``spec.nodeName`` of a stored object, or None when it has none or is not API-shaped."""
    spec = obj.get("spec") if isinstance(obj, dict) else None
    name = spec.get("nodeName") if isinstance(spec, dict) else None
    return name if isinstance(name, str) else None
