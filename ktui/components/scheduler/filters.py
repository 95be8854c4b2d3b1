"""The default profile's Filter plugins as pure functions: ``None`` when the node fits, else the reason.

Each returns a :class:`Rejection` — a ``str`` equal to the real plugin's status message — carrying the
reasons one by one and whether preemption could help (``UnschedulableAndUnresolvable`` when it cannot).
Plugins run in the v1.37 default order and the first rejection wins, as ``RunFilterPlugins`` does.
"""

from __future__ import annotations

from typing import Callable

from ktui.components.scheduler import interpodaffinity, podtopologyspread, volumebinding
from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo
from ktui.components.scheduler.predicates import (
    node_selector_term_matches,
    required_affinity_matches,
    tolerated,
    tolerates,
    untolerated_taint,
)

__all__ = [
    "FILTERS",
    "Rejection",
    "node_affinity",
    "node_name",
    "node_ports",
    "node_resources_fit",
    "node_unschedulable",
    "run_filters",
    "filters_for",
    "taint_toleration",
    "tolerates",
    "node_selector_term_matches",
    "inter_pod_affinity",
    "pod_topology_spread",
    "volume_binding",
]

ERR_UNSCHEDULABLE = "node(s) were unschedulable"
ERR_NODE_NAME = "node(s) didn't match the requested node name"
ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
ERR_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports"
TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"


class Rejection(str):
    """A filter's failure status: the message, its reasons and whether preemption cannot help."""

    reasons: tuple[str, ...]
    unresolvable: bool

    def __new__(cls, *reasons: str, unresolvable: bool = True) -> "Rejection":
        obj = super().__new__(cls, ", ".join(reasons))
        obj.reasons = tuple(reasons)
        obj.unresolvable = unresolvable
        return obj


# ---------------------------------------------------------------- tolerations and taints


def node_unschedulable(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """NodeUnschedulable: a cordoned node takes only pods tolerating ``node.kubernetes.io/unschedulable``."""
    if not node.unschedulable:
        return None
    if tolerated(pod.tolerations, {"key": TAINT_UNSCHEDULABLE, "effect": "NoSchedule"}):
        return None
    return Rejection(ERR_UNSCHEDULABLE)


def node_name(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """NodeName: a pod naming a node fits only that node."""
    if not pod.node_name or pod.node_name == node.name:
        return None
    return Rejection(ERR_NODE_NAME)


def taint_toleration(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """TaintToleration: the first NoSchedule/NoExecute taint the pod does not tolerate rejects the node."""
    taint = untolerated_taint(pod.tolerations, node.taints)
    if taint is None:
        return None
    return Rejection(f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value', '')}}}")


# ---------------------------------------------------------------- node affinity


def node_affinity(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """NodeAffinity: ``spec.nodeSelector`` and ``requiredDuringSchedulingIgnoredDuringExecution``."""
    return None if required_affinity_matches(pod, node) else Rejection(ERR_NODE_AFFINITY)


# ---------------------------------------------------------------- ports and resources


def _port_conflict(used: dict[tuple[str, str, int], int], want: tuple[str, str, int]) -> bool:
    ip, proto, port = want
    if ip == "0.0.0.0":
        return any(p[1] == proto and p[2] == port for p in used)
    return (ip, proto, port) in used or ("0.0.0.0", proto, port) in used


def node_ports(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """NodePorts: a wanted (hostIP, protocol, hostPort) clashes with one in use (0.0.0.0 clashes with all)."""
    if not pod.ports or not node.used_ports:
        return None
    for want in pod.ports:
        if _port_conflict(node.used_ports, want):
            return Rejection(ERR_NODE_PORTS, unresolvable=False)
    return None


def node_resources_fit(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """NodeResourcesFit: pod count, then each requested resource against allocatable minus requested.

    Every insufficient resource is a reason; the status is unresolvable (preemption cannot help) when the
    request exceeds the node's whole allocatable.
    """
    alloc, used, req = node.allocatable, node.requested, pod.requests
    if (
        len(node.pods) < alloc.allowed_pods
        and req.milli_cpu <= alloc.milli_cpu - used.milli_cpu
        and req.memory <= alloc.memory - used.memory
        and req.ephemeral_storage <= alloc.ephemeral_storage - used.ephemeral_storage
        and not req.scalar
    ):
        return None  # the common case, decided without building the reasons
    reasons: list[str] = []
    unresolvable = False
    if len(node.pods) + 1 > alloc.allowed_pods:
        reasons.append("Too many pods")
    if not req.is_zero():
        checks = (
            ("cpu", req.milli_cpu, alloc.milli_cpu, used.milli_cpu),
            ("memory", req.memory, alloc.memory, used.memory),
            ("ephemeral-storage", req.ephemeral_storage, alloc.ephemeral_storage, used.ephemeral_storage),
        )
        for name, want, have, taken in checks:
            if want > 0 and want > have - taken:
                reasons.append(f"Insufficient {name}")
                unresolvable = unresolvable or want > have
        for name in sorted(req.scalar):
            want = req.scalar[name]
            have = alloc.scalar.get(name, 0)
            if want and want > have - used.scalar.get(name, 0):
                reasons.append(f"Insufficient {name}")
                unresolvable = unresolvable or want > have
    if not reasons:
        return None
    return Rejection(*reasons, unresolvable=unresolvable)


# ---------------------------------------------------------------- topology spread and inter-pod affinity


def pod_topology_spread(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """PodTopologySpread: the DoNotSchedule constraints' skew, from the cycle's PreFilter state
    (:mod:`.podtopologyspread`); passes when the pod has none or no PreFilter ran."""
    r = podtopologyspread.pod_topology_spread_filter(pod, node)
    return None if r is None else Rejection(r[0], unresolvable=r[1])


def inter_pod_affinity(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """InterPodAffinity: the pod's required (anti-)affinity and the existing pods' required anti-affinity,
    from the cycle's PreFilter state (:mod:`.interpodaffinity`)."""
    r = interpodaffinity.inter_pod_affinity_filter(pod, node)
    return None if r is None else Rejection(r[0], unresolvable=r[1])


def volume_binding(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """VolumeBinding: the node suits the pod's bound volumes and can get its WaitForFirstConsumer claims
    bound or provisioned, from the cycle's PreFilter state (:mod:`.volumebinding`)."""
    state = pod.cycle.volumes if pod.cycle is not None else None
    if state is None or node.node is None:
        return None
    reasons = volumebinding.filter_node(state, node.node)
    return Rejection(*reasons) if reasons else None


FilterFn = Callable[[PodInfo, NodeInfo], "Rejection | None"]

FILTERS: tuple[tuple[str, FilterFn], ...] = (
    ("NodeUnschedulable", node_unschedulable),
    ("NodeName", node_name),
    ("TaintToleration", taint_toleration),
    ("NodeAffinity", node_affinity),
    ("NodePorts", node_ports),
    ("NodeResourcesFit", node_resources_fit),
    ("VolumeBinding", volume_binding),
    ("PodTopologySpread", pod_topology_spread),
    ("InterPodAffinity", inter_pod_affinity),
)
"""The filter plugins of the v1.37 default profile that ktui models, in the profile's order."""


ERR_PREFILTER_NODE_AFFINITY = "node(s) didn't satisfy plugin(s) [NodeAffinity]"


def prefilter_node_names(pod_spec: dict) -> set[str] | None:
    """NodeAffinity's PreFilter: when every required term names nodes with ``matchFields metadata.name In``
    (as DaemonSet pods do), only those nodes need filtering. None means all nodes."""
    terms = (
        (
            ((pod_spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
                "requiredDuringSchedulingIgnoredDuringExecution"
            )
            or {}
        ).get("nodeSelectorTerms")
    ) or []
    if not terms:
        return None
    names: set[str] = set()
    for term in terms:
        picked = None
        for req in term.get("matchFields") or []:
            if req.get("key") == "metadata.name" and req.get("operator") == "In":
                vals = set(req.get("values") or [])
                picked = vals if picked is None else picked & vals
        if picked is None:
            return None
        names |= picked
    return names


def filters_for(pod: PodInfo) -> tuple[tuple[str, FilterFn], ...]:
    """The filters that can reject ``pod``, in the profile's order: those whose PreFilter would Skip it
    (NodeName without ``spec.nodeName``, NodeAffinity without selector or required terms, NodePorts without
    host ports, PodTopologySpread and InterPodAffinity without PreFilter state in ``pod.cycle``) are left
    out, as upstream skips them. Their verdict would be "fits" on every node."""
    cycle = pod.cycle
    skip = set()
    if not pod.node_name:
        skip.add("NodeName")
    if not pod.node_selector and pod.required_terms is None:
        skip.add("NodeAffinity")
    if not pod.ports:
        skip.add("NodePorts")
    if cycle is None or cycle.spread is None:
        skip.add("PodTopologySpread")
    if cycle is None or cycle.affinity is None:
        skip.add("InterPodAffinity")
    if cycle is None or cycle.volumes is None:
        skip.add("VolumeBinding")
    return tuple(f for f in FILTERS if f[0] not in skip)


def run_filters(
    pod: PodInfo, node: NodeInfo, filters: tuple[tuple[str, FilterFn], ...] = FILTERS
) -> tuple[str, Rejection] | None:
    """Run the filters in order; the first rejection as (plugin, rejection), or None when the node fits."""
    for plugin, fn in filters:
        r = fn(pod, node)
        if r is not None:
            return plugin, r
    return None
