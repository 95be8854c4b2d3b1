"""The default profile's Score plugins as pure functions, their normalization and weights, and host selection.

Raw scores and normalization follow pkg/scheduler/framework/plugins: LeastAllocated (NodeResourcesFit),
BalancedAllocation, TaintToleration (PreferNoSchedule, reversed), NodeAffinity (preferred terms) and
ImageLocality. Each plugin's normalized score is 0-100; the node's total is the weighted sum.
"""

from __future__ import annotations

from typing import Any

from ktui.components.scheduler import topology
from ktui.components.scheduler.filters import node_selector_term_matches, tolerates
from ktui.components.scheduler.nodeinfo import NodeInfo, PodInfo

__all__ = [
    "MAX_NODE_SCORE",
    "WEIGHTS",
    "balanced_allocation",
    "default_normalize",
    "image_locality",
    "least_allocated",
    "node_affinity_score",
    "prioritize",
    "select_host",
    "taint_toleration_score",
]

MAX_NODE_SCORE = 100

WEIGHTS: dict[str, int] = {
    "TaintToleration": 3,
    "NodeAffinity": 2,
    "NodeResourcesFit": 1,
    "PodTopologySpread": 2,
    "InterPodAffinity": 2,
    "NodeResourcesBalancedAllocation": 1,
    "ImageLocality": 1,
}
"""Score plugins ktui models and their v1.37 default weights, in the profile's order."""

_MB = 1024 * 1024
_MIN_IMAGE_THRESHOLD = 23 * _MB
_MAX_CONTAINER_IMAGE_THRESHOLD = 1000 * _MB


def _least_requested(requested: int, capacity: int) -> int:
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX_NODE_SCORE // capacity


def least_allocated(pod: PodInfo, node: NodeInfo) -> int:
    """NodeResourcesFit's LeastAllocated: free share of cpu and memory (weights 1), non-zero requests."""
    pairs = ((node.non_zero_requested.milli_cpu + pod.non_zero.milli_cpu, node.allocatable.milli_cpu),
             (node.non_zero_requested.memory + pod.non_zero.memory, node.allocatable.memory))
    score = weights = 0
    for requested, allocatable in pairs:
        if allocatable == 0:
            continue
        score += _least_requested(requested, allocatable)
        weights += 1
    return score // weights if weights else 0


def balanced_allocation(pod: PodInfo, node: NodeInfo) -> int | None:
    """NodeResourcesBalancedAllocation: ``(1 - std of the cpu/memory fractions) * 100``; None (skip) for
    best-effort pods, as its PreScore does."""
    if pod.requests.milli_cpu == 0 and pod.requests.memory == 0:
        return None
    fractions = []
    for requested, allocatable in ((node.requested.milli_cpu + pod.requests.milli_cpu, node.allocatable.milli_cpu),
                                   (node.requested.memory + pod.requests.memory, node.allocatable.memory)):
        if allocatable == 0:
            continue
        fractions.append(min(1.0, requested / allocatable))
    std = abs(fractions[0] - fractions[1]) / 2 if len(fractions) == 2 else 0.0
    return int((1 - std) * MAX_NODE_SCORE)


def taint_toleration_score(pod: PodInfo, node: NodeInfo) -> int:
    """TaintToleration (raw): how many PreferNoSchedule taints the pod does not tolerate (lower is better)."""
    if not node.taints:
        return 0
    tolerations = [t for t in pod.tolerations if (t.get("effect") or "") in ("", "PreferNoSchedule")]
    return sum(1 for taint in node.taints if taint.get("effect") == "PreferNoSchedule"
               and not any(tolerates(t, taint) for t in tolerations))


def node_affinity_score(pod: PodInfo, node: NodeInfo) -> int | None:
    """NodeAffinity (raw): the summed weights of matching preferred terms; None (skip) when there are none."""
    if not pod.preferred_terms:
        return None
    return sum(int(t.get("weight") or 0) for t in pod.preferred_terms
               if int(t.get("weight") or 0) and node_selector_term_matches(t.get("preference") or {}, node))


def _normalized_image(name: str) -> str:
    if name.rfind(":") <= name.rfind("/"):
        return name + ":latest"
    return name


def image_locality(pod: PodInfo, node: NodeInfo, image_nodes: dict[str, int], total_nodes: int) -> int:
    """ImageLocality: sizes of the pod's images already on the node, scaled by how widely they are spread."""
    total = 0
    for image in pod.images:
        name = _normalized_image(image)
        size = node.image_sizes.get(name)
        if size is not None and total_nodes:
            total += int(size * (image_nodes.get(name, 0) / total_nodes))
    max_threshold = _MAX_CONTAINER_IMAGE_THRESHOLD * max(1, len(pod.images))
    total = min(max(total, _MIN_IMAGE_THRESHOLD), max_threshold)
    return MAX_NODE_SCORE * (total - _MIN_IMAGE_THRESHOLD) // (max_threshold - _MIN_IMAGE_THRESHOLD)


def default_normalize(scores: list[int], reverse: bool = False) -> list[int]:
    """``helper.DefaultNormalizeScore``: scale to 0-100 by the maximum, optionally reversed."""
    top = max(scores, default=0)
    if top == 0:
        return [MAX_NODE_SCORE] * len(scores) if reverse else list(scores)
    out = []
    for s in scores:
        s = MAX_NODE_SCORE * s // top
        out.append(MAX_NODE_SCORE - s if reverse else s)
    return out


def prioritize(pod: PodInfo, nodes: list[NodeInfo], image_nodes: dict[str, int],
               total_nodes: int) -> list[dict[str, Any]]:
    """Score feasible nodes: per node ``{"node", "scores": {plugin: 0-100}, "total"}`` in input order.

    A plugin that skips (NodeAffinity without preferred terms, BalancedAllocation for best-effort pods,
    PodTopologySpread without soft or default constraints, InterPodAffinity without applicable terms; the
    last two need the cycle's PreFilter state, ``pod.cycle``) is absent from ``scores``; ``total`` is the
    sum of weight x normalized score.
    """
    per_plugin: dict[str, list[int]] = {}
    taints = [taint_toleration_score(pod, n) for n in nodes]
    per_plugin["TaintToleration"] = default_normalize(taints, reverse=True)
    affinity = [node_affinity_score(pod, n) for n in nodes]
    if nodes and affinity[0] is not None:
        per_plugin["NodeAffinity"] = default_normalize([a or 0 for a in affinity])
    per_plugin["NodeResourcesFit"] = [least_allocated(pod, n) for n in nodes]
    spread = topology.pod_topology_spread_score(pod, nodes)
    if spread is not None:
        per_plugin["PodTopologySpread"] = spread
    inter = topology.inter_pod_affinity_score(pod, nodes)
    if inter is not None:
        per_plugin["InterPodAffinity"] = inter
    balanced = [balanced_allocation(pod, n) for n in nodes]
    if nodes and balanced[0] is not None:
        per_plugin["NodeResourcesBalancedAllocation"] = [b or 0 for b in balanced]
    if any(_normalized_image(i) in image_nodes for i in pod.images):
        per_plugin["ImageLocality"] = [image_locality(pod, n, image_nodes, total_nodes) for n in nodes]
    else:
        per_plugin["ImageLocality"] = [0] * len(nodes)
    out = []
    for i, n in enumerate(nodes):
        scores = {p: per_plugin[p][i] for p in WEIGHTS if p in per_plugin}
        out.append({"node": n.name, "scores": scores,
                    "total": sum(WEIGHTS[p] * s for p, s in scores.items())})
    return out


def select_host(scored: list[dict[str, Any]], rng: Any) -> str:
    """The highest total; ties broken uniformly at random by reservoir sampling, as ``selectHost``."""
    best = scored[0]["node"]
    top = scored[0]["total"]
    count = 1
    for entry in scored[1:]:
        if entry["total"] > top:
            best, top, count = entry["node"], entry["total"], 1
        elif entry["total"] == top:
            count += 1
            if rng.randint(0, count - 1) == 0:
                best = entry["node"]
    return best
