"""The API server's store-event hook: fan out stored changes, feed its indexes, report undecodable objects."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ktui.api import errors
from ktui.api.decode import readable
from ktui.api.forgetful import Forgetful
from ktui.api.registry import Resource

if TYPE_CHECKING:
    from ktui.api.watch import WatchHub
    from ktui.sim.kernel import Kernel
    from ktui.store.protocol import Store, WatchEvent

__all__ = ["StoreEvents", "with_rv"]

_log = logging.getLogger("ktui.api")


def _as_delete(ev: Any) -> Any:
    """A store event seen as the deletion of its previous value."""
    from dataclasses import replace

    return replace(ev, type="DELETE")


_NO_FOLDER = object()


def with_rv(obj: Any, revision: int) -> Any:
    """``obj`` with ``metadata.resourceVersion`` set to ``revision`` (unchanged when not API-shaped)."""
    if isinstance(obj, dict) and isinstance(obj.get("metadata"), dict):
        return {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(revision)}}
    return obj


class StoreEvents:
    """The store-event part of :class:`ktui.api.server.APIServer` (which sets what is declared here)."""

    kernel: "Kernel"
    store: "Store"
    allocator: Any
    authorizer: Any
    hub: "WatchHub"
    hooks: Any
    _by_prefix: dict[str, Resource]
    _trusted: Any
    _trusted_as: Any
    _metadata_kept: Any
    _corrupt: set[str]
    _foreign: set[str]

    def _resource_for_key(self, key: str) -> Resource | None:
        """The resource a store key belongs to: prefixes are ``/registry/<one or two segments>/``. Remembered
        by key folder where the folder settles it (every Lease renewal asks for the same one)."""
        folder = key[: key.rfind("/") + 1]
        known = self.__dict__.get("_resource_of_folder")
        if known is None:
            known = self._resource_of_folder = Forgetful()
        r = known.get(folder, _NO_FOLDER)
        if r is not _NO_FOLDER:
            return r  # type: ignore[return-value]
        r = self._resource_for_key_parts(key)
        if folder.count("/") >= 4 or not any(p.startswith(folder) and p != folder for p in self._by_prefix):
            known[folder] = r  # the answer depends on the first two segments only, which the folder holds
        return r

    def _resource_for_key_parts(self, key: str) -> Resource | None:
        parts = key.split("/", 4)
        if len(parts) > 3:
            r = self._by_prefix.get(f"/{parts[1]}/{parts[2]}/{parts[3]}/")
            if r is not None:
                return r
        return self._by_prefix.get(f"/{parts[1]}/{parts[2]}/") if len(parts) > 2 else None

    def _on_store_event(self, ev: "WatchEvent") -> None:
        new = ev.kv.value if ev.type == "PUT" else None
        hint = self._trusted_as
        r = hint[1] if hint is not None and hint[0] is new else self._resource_for_key(ev.kv.key)
        if r is None:
            return
        old = ev.prev_kv.value if ev.prev_kv is not None else None
        if new is not None and new is not self._trusted:
            self._foreign.add(ev.kv.key)
        elif self._foreign:
            self._foreign.discard(ev.kv.key)
        was_corrupt = ev.kv.key in self._corrupt if self._corrupt else False
        if was_corrupt:
            self._corrupt.discard(ev.kv.key)
            old = None  # readers never saw it
        if new is not None and new is not self._trusted and not readable(r.kind, r.api_version, new):
            # Written around the API and not decodable: no reader sees it (it is gone for them).
            _log.warning(
                "store event %s: the stored object cannot be decoded as %s; readers skip it", ev.kv.key, r.kind
            )
            self._corrupt.add(ev.kv.key)
            self.kernel.call_soon(self._report_corrupt, r, ev.kv.key, counted=False)
            if old is None:
                return
            new, ev = None, _as_delete(ev)
        if new is None and old is None:
            return
        try:
            if r.plural == "services" and self.allocator is not None:
                if old is not None:
                    self.allocator.forget(old)
                if new is not None:
                    self.allocator.observe(new)
            if r.plural in ("roles", "clusterroles", "rolebindings", "clusterrolebindings"):
                index = self.authorizer.rbac
                if old is not None:
                    index.remove(old)
                if new is not None:
                    index.add(new)
        except (AttributeError, TypeError, KeyError, ValueError) as e:
            _log.warning("store event %s: skipped an unreadable object: %s: %s", ev.kv.key, type(e).__name__, e)
        if ev.type == "DELETE":
            # A watcher sees the object as it was last stored, with the deleting revision.
            self.hub.publish(r.plural, None, with_rv(old, ev.revision))
        else:
            self.hub.publish(r.plural, new, old, new is self._metadata_kept)

    def _report_corrupt(self, r: Resource, key: str) -> None:
        """A Warning Event about an undecodable stored object, so that ``kubectl get events`` says why it is
        missing from lists (the log line alone is only seen by whoever reads the server's log)."""
        if key not in self._corrupt:
            return  # replaced or deleted since
        if self.hooks.events is None:
            return
        rest = key[len(r.etcd_prefix) :].split("/")
        namespace, name = (rest[0], rest[-1]) if r.namespaced and len(rest) > 1 else ("", rest[-1])
        involved = {"kind": r.kind, "apiVersion": r.api_version, "metadata": {"name": name, "namespace": namespace}}
        self.hooks.events.event(
            involved,
            "Warning",
            "CorruptObject",
            f"the value stored at {key} cannot be decoded as a {r.kind}; lists and watches "
            f"leave it out until it is deleted",
        )

    def _check_corrupt(self, r: Resource, key: str) -> None:
        if self._corrupt and key in self._corrupt:
            raise errors.internal(
                f"corrupt object has been found: the value stored at {key} cannot be decoded as a {r.kind}"
            )

    def _next_rv(self) -> str:
        # Single writer: the revision this write will get. A remote etcd backend would set it on read instead.
        return str(self.store.revision + 1)
