"""The kubelet's watch-based ConfigMap and Secret manager: one informer per object its pods read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ktui.api.informer import Informer

if TYPE_CHECKING:
    from ktui.api.client import Client

__all__ = ["ObjectCache"]

Key = tuple[str, str, str]
"""(resource, namespace, name)."""


class ObjectCache:
    """ConfigMaps and Secrets as the kubelet's default ``configMapAndSecretChangeDetectionStrategy: Watch``
    reads them: the first read of an object starts an informer of it alone (``metadata.name=<name>`` in its
    namespace), later reads answer from that informer, and the informer stops when no pod of the node refers
    to the object any more (or the kubelet loses the API server).

    Args:
        client: the kubelet's client (the node's credentials).
    """

    def __init__(self, client: "Client") -> None:
        self.client = client
        self._informers: dict[Key, Informer] = {}
        self._refs: dict[Key, int] = {}
        """How many pods of the node refer to each object (kept while the informers are stopped)."""

    def get(self, resource: str, namespace: str, name: str, new_reference: bool = False) -> dict | None:
        """The object (shared: never to be changed) or None when it does not exist. ``new_reference``: a pod
        that had not read it before does now. Raises the ApiError of the informer's list (nothing kept)."""
        key = (resource, namespace, name)
        inf = self._informers.get(key)
        if inf is None:
            inf = Informer(self.client, resource, namespace, field_selector=f"metadata.name={name}")
            inf.start()
            self._informers[key] = inf
        if new_reference:
            self._refs[key] = self._refs.get(key, 0) + 1
        return inf.cache.get(f"{namespace}/{name}")

    def release(self, resource: str, namespace: str, name: str) -> None:
        """A pod that read the object is gone: the object's informer stops with its last reader."""
        key = (resource, namespace, name)
        left = self._refs.get(key, 0) - 1
        if left > 0:
            self._refs[key] = left
            return
        self._refs.pop(key, None)
        inf = self._informers.pop(key, None)
        if inf is not None:
            inf.stop()

    def stop(self) -> None:
        """Stop every informer (the kubelet lost the API server or stopped); reads start them again."""
        for inf in self._informers.values():
            inf.stop()
        self._informers.clear()

    def watched(self) -> list[Key]:
        """The objects whose informers run, sorted."""
        return sorted(self._informers)
