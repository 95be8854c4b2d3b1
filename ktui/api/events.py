"""The event recorder every component uses: core/v1 Events, aggregated and counted as client-go does."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from ktui.api.errors import ApiError
from ktui.sim.timefmt import rfc3339
from ktui.store.sharing import Sharer

if TYPE_CHECKING:
    from ktui.api.client import Client

__all__ = ["EventRecorder", "EPOCH_UNIX_NANOS"]

EPOCH_UNIX_NANOS = 1767225600 * 10**9
"""Unix nanoseconds of simulated time 0 (2026-01-01T00:00:00Z), used in event names."""

LRU_ENTRIES = 4096
"""How many recent events a recorder remembers for counting repeats (client-go's ``maxLruCacheEntries``)."""

_TEXTS = Sharer(8192)
"""Field paths and messages kept once across recorders (``spec.containers{nginx}``, "Container image ...
already present on machine ..." are the same for every pod of a template): memory only."""


class EventRecorder:
    """Records Events for one component (``source.component``, optionally ``source.host``).

    A repeat of the same (object, type, reason, message) updates the existing Event's count and
    lastTimestamp instead of creating a new one, as the client-go event correlator does; like its cache, the
    recorder remembers the :data:`LRU_ENTRIES` most recently recorded events.
    """

    def __init__(self, client: "Client", component: str, host: str = "") -> None:
        self.client = client
        self.component = component
        self.host = host
        self._seen: dict[tuple, str | tuple] = {}
        """Recent events' keys (the namespace first) -> the Event's name while its count is 1, else (name,
        count); least recently used first. (A recorder saved before kept (namespace, name, count).)"""

    def event(self, obj: dict, type_: str, reason: str, message: str, field_path: str = "") -> None:
        """Record one event about ``obj`` (``type_`` is Normal or Warning); ``field_path`` names a part of it,
        e.g. ``spec.containers{nginx}`` for a container's events."""
        if type(self._seen) is OrderedDict:  # a recorder saved while it kept an OrderedDict
            self._seen = dict(self._seen)
        md = obj.get("metadata") or {}
        ns = md.get("namespace") or "default"
        now = self.client.server.kernel.now
        involved = {
            "kind": obj.get("kind", ""),
            "namespace": md.get("namespace", ""),
            "name": md.get("name", ""),
            "uid": md.get("uid", ""),
            "apiVersion": obj.get("apiVersion", ""),
            "resourceVersion": md.get("resourceVersion", ""),
        }
        if not involved["namespace"]:
            involved.pop("namespace")
        if field_path:
            involved["fieldPath"] = field_path = _TEXTS.canonical(field_path)
        message = _TEXTS.canonical(message)
        key = (ns, involved["kind"], involved["name"], involved["uid"], field_path, type_, reason, message)
        seen = self._seen.get(key)
        if seen is not None:
            name_, count = (seen, 1) if isinstance(seen, str) else (str(seen[-2]), int(seen[-1]))
            try:
                # As client-go's recorder: a PATCH from what it remembers, no read (components may not get events).
                self.client.patch("events", name_, {"count": count + 1, "lastTimestamp": rfc3339(now)}, namespace=ns)
                del self._seen[key]
                self._seen[key] = (name_, count + 1)  # the most recently used last
                return
            except ApiError:
                self._seen.pop(key, None)
        name = f"{md.get('name', '')}.{EPOCH_UNIX_NANOS + int(round(now * 1e9)) + self.client.server.requests:x}"
        source = {"component": self.component}
        if self.host:
            source["host"] = self.host
        ev = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": rfc3339(now),
            "lastTimestamp": rfc3339(now),
            "count": 1,
            "type": type_,
            "eventTime": None,
            "reportingComponent": self.component,
            "reportingInstance": self.host,
        }
        try:
            self.client.create("events", ev, namespace=ns, shared=True)  # the answer is not used
        except ApiError:
            return  # events are best effort, as in client-go
        self._seen[key] = name
        if len(self._seen) > LRU_ENTRIES:
            del self._seen[next(iter(self._seen))]  # the least recently used
