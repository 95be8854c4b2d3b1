"""The scheduler's resource vector and a pod's effective requests (framework ``Resource``, ``PodRequests``).

Mirrors pkg/scheduler/framework/types.go's ``Resource`` (milli-CPU, bytes of memory and ephemeral storage,
allowed pod count and scalar resources) and component-helpers' ``PodRequests`` (containers, init containers and
sidecars, overhead), and lists the host ports a pod asks for.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

from ktui.api.quantity import QuantityError, parse_quantity

__all__ = ["DEFAULT_MEMORY_REQUEST", "DEFAULT_MILLI_CPU_REQUEST", "Resource", "host_ports", "pod_requests"]

DEFAULT_MILLI_CPU_REQUEST = 100
"""schedutil.DefaultMilliCPURequest: 0.1 core assumed for a container without a CPU request (scoring only)."""
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024
"""schedutil.DefaultMemoryRequest: 200Mi assumed for a container without a memory request (scoring only)."""


def _is_scalar(name: str) -> bool:
    """Extended (``example.com/foo``), hugepages and attachable-volume resources, as IsScalarResourceName."""
    if name.startswith("hugepages-") or name.startswith("attachable-volumes-"):
        return True
    return "/" in name and not name.startswith("kubernetes.io/") and not name.startswith("requests.")


def _value(text: Any, milli: bool = False) -> int:
    """``Quantity.MilliValue()`` or ``Quantity.Value()``: both round up."""
    if isinstance(text, str):
        return _text_value(text, milli)  # the same few strings come again and again
    try:
        q = parse_quantity(text)
    except QuantityError:
        return 0
    return math.ceil(q * 1000) if milli else math.ceil(q)


@functools.lru_cache(maxsize=4096)
def _text_value(text: str, milli: bool) -> int:
    try:
        q = parse_quantity(text)
    except QuantityError:
        return 0
    return math.ceil(q * 1000) if milli else math.ceil(q)


@dataclass
class Resource:
    """A resource vector as the scheduler counts it."""

    milli_cpu: int = 0
    memory: int = 0
    ephemeral_storage: int = 0
    allowed_pods: int = 0
    scalar: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_list(cls, rl: dict | None) -> "Resource":
        r = cls()
        r.add_list(rl)
        return r

    def add_list(self, rl: dict | None) -> None:
        for name, q in sorted((rl or {}).items()):
            if name == "cpu":
                self.milli_cpu += _value(q, milli=True)
            elif name == "memory":
                self.memory += _value(q)
            elif name == "ephemeral-storage":
                self.ephemeral_storage += _value(q)
            elif name == "pods":
                self.allowed_pods += _value(q)
            elif _is_scalar(name):
                self.scalar[name] = self.scalar.get(name, 0) + _value(q)

    def add(self, other: "Resource", sign: int = 1) -> None:
        self.milli_cpu += sign * other.milli_cpu
        self.memory += sign * other.memory
        self.ephemeral_storage += sign * other.ephemeral_storage
        for name, v in other.scalar.items():
            self.scalar[name] = self.scalar.get(name, 0) + sign * v

    def set_max(self, other: "Resource") -> None:
        self.milli_cpu = max(self.milli_cpu, other.milli_cpu)
        self.memory = max(self.memory, other.memory)
        self.ephemeral_storage = max(self.ephemeral_storage, other.ephemeral_storage)
        for name, v in other.scalar.items():
            self.scalar[name] = max(self.scalar.get(name, 0), v)

    def copy(self) -> "Resource":
        return Resource(self.milli_cpu, self.memory, self.ephemeral_storage, self.allowed_pods, dict(self.scalar))

    def is_zero(self) -> bool:
        return not (self.milli_cpu or self.memory or self.ephemeral_storage or any(self.scalar.values()))


def _container_requests(c: dict, non_missing: bool) -> Resource:
    reqs = dict(((c.get("resources") or {}).get("requests")) or {})
    if non_missing:
        r = Resource.from_list(reqs)
        if "cpu" not in reqs:
            r.milli_cpu = DEFAULT_MILLI_CPU_REQUEST
        if "memory" not in reqs:
            r.memory = DEFAULT_MEMORY_REQUEST
        return r
    return Resource.from_list(reqs)


def pod_requests(pod: dict, non_missing: bool = False) -> Resource:
    """The pod's effective request, as component-helpers' ``PodRequests``.

    Regular containers are summed; each init container counts as the max rule says (an init container runs
    alone, alongside the restartable "sidecar" init containers started before it); sidecars also add to the
    sum; ``spec.overhead`` is added. With ``non_missing``, a container without a CPU or memory request counts
    as 100m / 200Mi (the scorer's ``NonMissingContainerRequests``).
    """
    spec = pod.get("spec") or {}
    total = Resource()
    for c in spec.get("containers") or []:
        total.add(_container_requests(c, non_missing))
    sidecars = Resource()
    init_max = Resource()
    for c in spec.get("initContainers") or []:
        req = _container_requests(c, non_missing)
        if c.get("restartPolicy") == "Always":
            total.add(req)
            sidecars.add(req)
            init_max.set_max(sidecars)
        else:
            running = req.copy()
            running.add(sidecars)
            init_max.set_max(running)
    total.set_max(init_max)
    if spec.get("overhead"):
        total.add(Resource.from_list(spec["overhead"]))
    return total


def host_ports(pod: dict) -> list[tuple[str, str, int]]:
    """(hostIP, protocol, hostPort) of every container port with a hostPort, defaults filled in."""
    spec = pod.get("spec") or {}
    containers = list(spec.get("containers") or [])
    containers += [c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
    out = []
    for c in containers:
        for p in c.get("ports") or []:
            hp = int(p.get("hostPort") or 0)
            if hp > 0:
                out.append((p.get("hostIP") or "0.0.0.0", p.get("protocol") or "TCP", hp))
    return out
