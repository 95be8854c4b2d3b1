"""Shared informers, as client-go's: list once, then watch, keeping a local cache and calling handlers."""

from __future__ import annotations

import builtins
import logging
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ktui.api.objects import key_of

if TYPE_CHECKING:
    from ktui.api.client import Client

__all__ = ["Informer", "InformerFactory"]

log = logging.getLogger("ktui.api")

Handler = Callable[..., None]


class Informer:
    """A cache of one resource kept current by a watch.

    Handlers run on the simulation clock after the cache has changed: ``on_add(obj)``,
    ``on_update(old, new)``, ``on_delete(obj)``. The cached objects are shared and must not be mutated.
    """

    metadata_changes_only = False
    """(Set in ``__init__``; the class's False serves an informer restored from an older snapshot.)"""

    def __init__(
        self,
        client: "Client",
        resource: str,
        namespace: str | None = None,
        *,
        label_selector: str = "",
        field_selector: str = "",
        metadata_changes_only: bool = False,
    ) -> None:
        self.client = client
        self.metadata_changes_only = metadata_changes_only
        """Changes that leave an object's metadata as it was (resourceVersion aside) are not delivered: the
        cache keeps the version before them (for a consumer that reads only metadata, as the garbage collector)."""
        self.resource = resource
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.cache: dict[str, dict] = {}
        """Objects by ``namespace/name`` (``name`` when cluster-scoped)."""
        self._handlers: list[tuple[Handler | None, Handler | None, Handler | None]] = []
        self._indexers: dict[str, Callable[[dict], Iterable[str]]] = {}
        self._indexes: dict[str, dict[str, dict[str, dict]]] = {}
        self._watch: Any = None
        self.synced = False

    def add_handler(
        self, on_add: Handler | None = None, on_update: Handler | None = None, on_delete: Handler | None = None
    ) -> None:
        self._handlers.append((on_add, on_update, on_delete))
        if self.synced and on_add:
            for obj in list(self.cache.values()):
                on_add(obj)

    def add_indexer(self, name: str, fn: Callable[[dict], Iterable[str]]) -> None:
        """Keep an index: ``by_index(name, value)`` returns the objects for which ``fn`` yields ``value``."""
        self._indexers[name] = fn
        idx: dict[str, dict[str, dict]] = {}
        for k, obj in self.cache.items():
            for v in fn(obj):
                idx.setdefault(v, {})[k] = obj
        self._indexes[name] = idx

    def start(self) -> "Informer":
        if self._watch is not None:
            return self
        lst = self.client.list(
            self.resource, self.namespace, label_selector=self.label_selector, field_selector=self.field_selector
        )
        for obj in lst["items"]:
            try:
                self._store(obj)
            except (AttributeError, TypeError, KeyError, ValueError) as e:  # not API-shaped: skipped
                log.warning("informer %s: skipped an unreadable object: %s: %s", self.resource, type(e).__name__, e)
        self.synced = True
        for obj in list(self.cache.values()):
            for on_add, _, _ in self._handlers:
                if on_add:
                    try:
                        on_add(obj)
                    except Exception as e:  # noqa: BLE001 - one bad object must not stop the component
                        log.warning("informer %s: handler failed: %s: %s", self.resource, type(e).__name__, e)
        self._watch = self.client.watch(
            self.resource,
            self._on_event,
            self.namespace,
            label_selector=self.label_selector,
            field_selector=self.field_selector,
            resource_version=lst["metadata"]["resourceVersion"],
        )
        if self.metadata_changes_only:
            self._watch.metadata_changes_only = True
        return self

    def stop(self) -> None:
        if self._watch is not None:
            self._watch.stop()
            self._watch = None

    # ---------------------------------------------------------------- cache

    def get(self, key: str) -> dict | None:
        return self.cache.get(key)

    def list(self, namespace: str | None = None) -> list[dict]:
        if namespace is None:
            return list(self.cache.values())
        return [o for o in self.cache.values() if o["metadata"].get("namespace") == namespace]

    def by_index(self, name: str, value: str) -> builtins.list[dict]:
        return list(self._indexes.get(name, {}).get(value, {}).values())

    def _store(self, obj: dict, k: str | None = None) -> dict | None:
        if k is None:
            k = key_of(obj)
        old = self.cache.get(k)
        self.cache[k] = obj
        if self._indexers:
            if old is not None:
                self._unindex(k, old)
            for name, fn in self._indexers.items():
                for v in fn(obj):
                    self._indexes[name].setdefault(v, {})[k] = obj
        return old

    def _unindex(self, k: str, obj: dict) -> None:
        for name, fn in self._indexers.items():
            for v in fn(obj):
                bucket = self._indexes[name].get(v)
                if bucket is not None:
                    bucket.pop(k, None)
                    if not bucket:
                        del self._indexes[name][v]

    def _on_event(self, etype: str, obj: dict) -> None:
        md = obj.get("metadata") or {}
        ns = md.get("namespace", "")
        k = f"{ns}/{md.get('name', '')}" if ns else md.get("name", "")  # key_of, inline: one call less per event
        if etype == "DELETED":
            old = self.cache.pop(k, None)
            if old is not None:
                self._unindex(k, old)
            for _, _, on_delete in self._handlers:
                if on_delete:
                    on_delete(obj)
            return
        old = self._store(obj, k)
        if old is None:
            for on_add, _, _ in self._handlers:
                if on_add:
                    on_add(obj)
        else:
            for _, on_update, _ in self._handlers:
                if on_update:
                    on_update(old, obj)


class InformerFactory:
    """One informer per (resource, namespace, selectors), shared by the controllers of a process."""

    def __init__(self, client: "Client") -> None:
        self.client = client
        self._informers: dict[tuple, Informer] = {}

    def informer(
        self, resource: str, namespace: str | None = None, *, label_selector: str = "", field_selector: str = ""
    ) -> Informer:
        key = (resource, namespace, label_selector, field_selector)
        inf = self._informers.get(key)
        if inf is None:
            inf = Informer(
                self.client, resource, namespace, label_selector=label_selector, field_selector=field_selector
            )
            self._informers[key] = inf
        return inf

    def metadata_informer(self, resource: str) -> Informer:
        """An informer of every ``resource`` object that is told only of changes to their metadata
        (resourceVersion aside); its own, not the one :meth:`informer` shares."""
        key = (resource, None, "", "", "metadata")
        inf = self._informers.get(key)
        if inf is None:
            inf = self._informers[key] = Informer(self.client, resource, metadata_changes_only=True)
        return inf

    def start(self) -> None:
        for inf in list(self._informers.values()):
            inf.start()
