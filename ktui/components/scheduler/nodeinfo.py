"""The scheduler's cache records: a pod's precomputed requests and a node's running totals (``NodeInfo``).

Mirrors pkg/scheduler/framework/types.go: ``Resource`` (milli-CPU, bytes of memory and ephemeral storage,
allowed pod count and scalar resources), ``PodInfo`` (what a pod asks for, computed once) and ``NodeInfo``
(the node plus the sum of what its pods request, kept incrementally as pods come and go).
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from ktui.api.quantity import QuantityError, parse_quantity
from ktui.components.scheduler.terms import parse_terms

__all__ = ["NodeInfo", "PodInfo", "Resource", "DEFAULT_MILLI_CPU_REQUEST", "DEFAULT_MEMORY_REQUEST"]

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


class PodInfo:
    """What a pod asks of a node, computed once per pod version (the PreFilter state of each plugin)."""

    __slots__ = (
        "pod",
        "key",
        "uid",
        "priority",
        "requests",
        "non_zero",
        "ports",
        "tolerations",
        "node_selector",
        "required_terms",
        "preferred_terms",
        "images",
        "node_name",
        "namespace",
        "labels",
        "terminating",
        "spread",
        "req_affinity",
        "req_anti_affinity",
        "pref_affinity",
        "pref_anti_affinity",
        "has_affinity",
        "cycle",
    )

    def __init__(self, pod: dict, like: "PodInfo | None" = None, key: str | None = None) -> None:
        """``like``: an earlier PodInfo of the same pod; what it derived from the spec is reused when the
        spec is the same (a status update, or the binding that only set ``spec.nodeName``). Otherwise it is
        taken from a PodInfo of another pod whose spec has the very same parts (pods of one template, whose
        stored parts the store shares), or derived. ``key``: the pod's ``namespace/name`` when the caller
        has it already (one string for the scheduler's maps and this PodInfo)."""
        md = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        self.pod = pod
        self.key = key if key is not None else f"{md.get('namespace', '')}/{md.get('name', '')}"
        self.uid = md.get("uid", "")
        self.namespace = md.get("namespace", "")
        self.labels = md.get("labels") or _NO_LABELS
        """The pod's own (stored, never changed) labels."""
        self.terminating = bool(md.get("deletionTimestamp"))
        self.cycle = None
        """The PreFilter state of the current scheduling cycle (:class:`.cyclestate.CycleState`), or None."""
        self.node_name = spec.get("nodeName") or ""
        if like is not None and like.namespace == self.namespace and _same_spec(like.pod.get("spec") or {}, spec):
            for name in _FROM_SPEC:
                setattr(self, name, getattr(like, name))
            return
        tkey = (self.namespace, *[(k, id(v)) for k, v in spec.items() if k != "nodeName"])
        template = _TEMPLATES.get(tkey)
        if template is not None:
            for name, value in zip(_FROM_SPEC, template[1]):
                setattr(self, name, value)
            return
        self._derive(pod, spec)
        if len(_TEMPLATES) >= _TEMPLATE_LIMIT:
            _TEMPLATES.clear()
        _TEMPLATES[tkey] = (spec, tuple(getattr(self, name) for name in _FROM_SPEC))

    def _derive(self, pod: dict, spec: dict) -> None:
        """Compute what the plugins' PreFilter needs from the spec (the attributes of ``_FROM_SPEC``)."""
        self.priority = int(spec.get("priority") or 0)
        self.requests = pod_requests(pod)
        """For NodeResourcesFit's filter and the node's Requested total."""
        self.non_zero = pod_requests(pod, non_missing=True)
        """For LeastAllocated scoring and the node's NonZeroRequested total."""
        self.ports = host_ports(pod)
        self.tolerations = list(spec.get("tolerations") or [])
        self.node_selector = dict(spec.get("nodeSelector") or {})
        na = ((spec.get("affinity") or {}).get("nodeAffinity")) or {}
        required = na.get("requiredDuringSchedulingIgnoredDuringExecution")
        self.required_terms = None if required is None else list(required.get("nodeSelectorTerms") or [])
        """None when the pod has no required node affinity (an empty list matches nothing)."""
        self.preferred_terms = list(na.get("preferredDuringSchedulingIgnoredDuringExecution") or [])
        self.images = [c.get("image", "") for c in spec.get("containers") or []] + [
            c.get("image", "") for c in spec.get("initContainers") or []
        ]
        self.spread = list(spec.get("topologySpreadConstraints") or [])
        """The raw ``topologySpreadConstraints`` (PodTopologySpread)."""
        (self.req_affinity, self.req_anti_affinity, self.pref_affinity, self.pref_anti_affinity) = parse_terms(
            spec.get("affinity"), self.namespace
        )
        """InterPodAffinity's terms (``AffinityTerm``), required and preferred."""
        self.has_affinity = bool(
            self.req_affinity or self.req_anti_affinity or self.pref_affinity or self.pref_anti_affinity
        )


_FROM_SPEC = (
    "priority",
    "requests",
    "non_zero",
    "ports",
    "tolerations",
    "node_selector",
    "required_terms",
    "preferred_terms",
    "images",
    "spread",
    "req_affinity",
    "req_anti_affinity",
    "pref_affinity",
    "pref_anti_affinity",
    "has_affinity",
)
"""What :class:`PodInfo` derives from the spec and the namespace alone (besides ``node_name``); never
changed after it is computed, so PodInfos of one spec share it."""

_NO_LABELS: dict[str, str] = {}
"""The labels of a pod without any (shared; never changed)."""

_TEMPLATE_LIMIT = 4096
_TEMPLATES: dict[tuple, tuple[dict, tuple]] = {}
"""PodInfos by (namespace, then each key of the spec but ``nodeName`` with the identity of its value): pods of
one template share the stored parts of their specs (:mod:`ktui.store.sharing`), so their PodInfos share what
is derived from them (the values of ``_FROM_SPEC``, in order). Each entry keeps its spec alive, so the identities in its key stay its own; bounded
(starts afresh when full)."""


def _same_spec(a: dict, b: dict) -> bool:
    """Whether two specs are the same but perhaps for ``nodeName``."""
    if a is b or a == b:
        return True
    return a.get("nodeName") != b.get("nodeName") and {**a, "nodeName": b.get("nodeName")} == b


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
