"""The API server's reads and status writes for admission plugins (their ``ClusterReader``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api.decode import readable
from ktui.api.registry import Registry

if TYPE_CHECKING:
    from ktui.store.protocol import Store

__all__ = ["AdmissionReader"]


class AdmissionReader:
    """The ``ClusterReader`` part of :class:`ktui.api.server.APIServer` (which sets what is declared here)."""

    store: "Store"
    registry: Registry
    _store_watches: dict[str, Any]
    _corrupt: set[str]
    _trusted: Any

    if TYPE_CHECKING:

        def _next_rv(self) -> str: ...

    def get_object(self, resource: str, namespace: str | None, name: str) -> dict | None:
        """A stored object for admission, or None (also when it cannot be decoded as its kind)."""
        r = self.registry.resolve(resource)
        kv = self.store.get(r.key(namespace, name))
        if kv is None:
            return None
        if r.plural in self._store_watches:  # every write was checked as it was stored
            return None if self._corrupt and kv.key in self._corrupt else kv.value
        return kv.value if readable(r.kind, r.api_version, kv.value) else None

    def list_objects(self, resource: str, namespace: str | None = None) -> list[dict]:
        """Stored objects for admission, leaving out any that cannot be decoded as their kind."""
        r = self.registry.resolve(resource)
        kvs = self.store.range(r.prefix(namespace)).kvs
        if r.plural in self._store_watches:  # every write was checked as it was stored
            corrupt = self._corrupt
            return [kv.value for kv in kvs if kv.key not in corrupt] if corrupt else [kv.value for kv in kvs]
        return [kv.value for kv in kvs if readable(r.kind, r.api_version, kv.value)]

    def write_status(self, resource: str, obj: dict) -> dict:
        r = self.registry.resolve(resource)
        md = obj["metadata"]
        obj = {**obj, "metadata": {**md, "resourceVersion": self._next_rv()}}
        self._trusted = obj
        self.store.update(r.key(md.get("namespace"), md["name"]), obj)
        return obj
