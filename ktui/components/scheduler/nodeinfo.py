"""The scheduler's record of a node (``NodeInfo``): the node plus the running totals of the pods bound to it.

Mirrors pkg/scheduler/framework/types.go's ``NodeInfo``: the sum of what its pods request, kept incrementally as
pods come and go, and the keys the score plugins memoize on.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from ktui.components.scheduler.resources import Resource

if TYPE_CHECKING:
    from ktui.components.scheduler.podinfo import PodInfo

__all__ = ["NodeInfo"]

_RESOURCE_IDS: dict[tuple[int, ...], int] = {}
"""Resource key -> its id (see :attr:`NodeInfo.resource_id`); forgotten when it grows large."""
_MAX_RESOURCE_IDS = 1 << 16
_next_resource_id = itertools.count(1)


class NodeInfo:
    """One node and the running totals of the pods bound (or assumed) to it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.node: dict | None = None
        self.allocatable = Resource()
        self.requested = Resource()
        self.non_zero_requested = Resource()
        self.pods: dict[str, PodInfo] = {}
        """Pods on the node by ``namespace/name``."""
        self.pods_with_affinity: dict[str, PodInfo] = {}
        """The pods with any pod (anti-)affinity term (``PodsWithAffinity``)."""
        self.pods_with_required_anti_affinity: dict[str, PodInfo] = {}
        """The pods with required pod anti-affinity terms (``PodsWithRequiredAntiAffinity``)."""
        self.used_ports: dict[tuple[str, str, int], int] = {}
        """(hostIP, protocol, port) -> how many pods use it."""
        self.image_sizes: dict[str, int] = {}
        """Image name (every name the node reports) -> size in bytes."""
        self.taints: list[dict] = []
        self.labels: dict[str, str] = {}
        self.unschedulable = False
        self._rkey: tuple[int, ...] | None = None
        self._rid = 0
        self._room: tuple[int, int, int, int] | bool | None = None

    @property
    def resource_key(self) -> tuple[int, ...]:
        """``(allocatable cpu, memory, non-zero requested cpu, memory, requested cpu, memory)``: what the
        resource scores of a node depend on; kept until a pod or the node changes."""
        k = self._rkey
        if k is None:
            a, nz, r = self.allocatable, self.non_zero_requested, self.requested
            k = self._rkey = (a.milli_cpu, a.memory, nz.milli_cpu, nz.memory, r.milli_cpu, r.memory)
        return k

    @property
    def resource_id(self) -> int:
        """A positive int that is the same for two nodes only when their :attr:`resource_key` is (ids are never
        reused, so a memo keyed by them stays right); cheaper to hash than the key. Kept as the key is."""
        rid = self._rid
        if not rid:
            key = self.resource_key
            rid = _RESOURCE_IDS.get(key, 0)
            if not rid:
                if len(_RESOURCE_IDS) >= _MAX_RESOURCE_IDS:
                    _RESOURCE_IDS.clear()  # equal keys may get new ids: only sharing is lost
                rid = _RESOURCE_IDS[key] = next(_next_resource_id)
            self._rid = rid
        return rid

    @property
    def room(self) -> tuple[int, int, int, int] | bool:
        """``(pods, milli-CPU, memory, ephemeral storage)`` still free on an untainted, schedulable node, or
        False for a node with a taint or cordoned; kept until a pod or the node changes."""
        room = self._room
        if room is None:
            if self.taints or self.unschedulable:
                room = False
            else:
                a, u = self.allocatable, self.requested
                room = (
                    a.allowed_pods - len(self.pods),
                    a.milli_cpu - u.milli_cpu,
                    a.memory - u.memory,
                    a.ephemeral_storage - u.ephemeral_storage,
                )
            self._room = room
        return room

    def set_node(self, node: dict) -> None:
        self.node = node
        self._rkey = self._room = None
        self._rid = 0
        self.allocatable = Resource.from_list((node.get("status") or {}).get("allocatable"))
        spec = node.get("spec") or {}
        self.taints = list(spec.get("taints") or [])
        self.labels = dict((node.get("metadata") or {}).get("labels") or {})
        self.unschedulable = bool(spec.get("unschedulable"))
        sizes: dict[str, int] = {}
        for img in (node.get("status") or {}).get("images") or []:
            for n in img.get("names") or []:
                sizes[n] = int(img.get("sizeBytes") or 0)
        self.image_sizes = sizes

    def add_pod(self, pi: PodInfo) -> None:
        if pi.key in self.pods:
            self.remove_pod(pi.key)
        self.pods[pi.key] = pi
        self._rkey = self._room = None
        self._rid = 0
        if pi.has_affinity:
            self.pods_with_affinity[pi.key] = pi
            if pi.req_anti_affinity:
                self.pods_with_required_anti_affinity[pi.key] = pi
        self.requested.add(pi.requests)
        self.non_zero_requested.milli_cpu += pi.non_zero.milli_cpu
        self.non_zero_requested.memory += pi.non_zero.memory
        for p in pi.ports:
            self.used_ports[p] = self.used_ports.get(p, 0) + 1

    def replace_pod(self, pi: PodInfo) -> None:
        """Put ``pi`` in place of the PodInfo of the same pod it shares its spec's values with (a status or
        label-less update): the totals stay; the pod moves last, as :meth:`add_pod` would place it."""
        key = pi.key
        del self.pods[key]
        self.pods[key] = pi
        for book in (self.pods_with_affinity, self.pods_with_required_anti_affinity):
            if key in book:
                del book[key]
                book[key] = pi

    def remove_pod(self, key: str) -> PodInfo | None:
        pi = self.pods.pop(key, None)
        if pi is None:
            return None
        self._rkey = self._room = None
        self._rid = 0
        self.pods_with_affinity.pop(key, None)
        self.pods_with_required_anti_affinity.pop(key, None)
        self.requested.add(pi.requests, -1)
        self.non_zero_requested.milli_cpu -= pi.non_zero.milli_cpu
        self.non_zero_requested.memory -= pi.non_zero.memory
        for p in pi.ports:
            n = self.used_ports.get(p, 0) - 1
            if n > 0:
                self.used_ports[p] = n
            else:
                self.used_ports.pop(p, None)
        return pi
