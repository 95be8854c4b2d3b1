"""The topology index: per-node counts of matching pods that PodTopologySpread and InterPodAffinity share.

Counting is incremental. The :class:`TopologyIndex` keeps, for every pod *matcher* (namespaces and label
selectors) a cycle has asked about, how many assigned pods on each node it matches; the scheduler cache tells
the index about every pod added to or removed from a node, so a cycle turns per-node counts into per-domain
counts by walking the nodes, never all pods. Existing pods with affinity terms are found through the
nodes that hold them (``HavePodsWithAffinityList`` / ``HavePodsWithRequiredAntiAffinityList``).

The plugins themselves are :mod:`.podtopologyspread` and :mod:`.interpodaffinity`; their PreFilter state for a
cycle is :class:`~.cyclestate.CycleState`.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from ktui.api.labels import LabelSelector
from ktui.components.scheduler.terms import Matcher

if TYPE_CHECKING:  # pragma: no cover
    from ktui.components.scheduler.nodeinfo import NodeInfo
    from ktui.components.scheduler.podinfo import PodInfo

__all__ = [
    "TopologyIndex",
    "LABEL_HOSTNAME",
    "LABEL_ZONE",
    "MAX_NODE_SCORE",
    "count_on",
]

LABEL_HOSTNAME = "kubernetes.io/hostname"
LABEL_ZONE = "topology.kubernetes.io/zone"
MAX_NODE_SCORE = 100
MAX_CACHED_MATCHERS = 256
"""Bound on the matchers whose per-node counts the index keeps current (least recently used go first)."""


class TopologyIndex:
    """Per-node counts of matching pods, kept current as pods come and go, and the nodes holding pods
    with affinity terms. ``nodes`` and ``names`` are the scheduler's own (shared, not copied)."""

    def __init__(self, nodes: dict[str, "NodeInfo"], names: list[str]) -> None:
        self.nodes = nodes
        self.names = names
        self._counts: OrderedDict[Matcher, dict[str, int]] = OrderedDict()
        self.affinity_nodes: dict[str, int] = {}
        """Node -> how many of its pods have any pod (anti-)affinity term."""
        self.anti_nodes: dict[str, int] = {}
        """Node -> how many of its pods have required anti-affinity terms."""
        self.listers: dict[str, Any] = {}
        """Informers (``get``/``list``) for services, replicasets, statefulsets, replicationcontrollers and
        namespaces, set by the scheduler; absent ones count as empty."""

    # ------------------------------------------------------------ upkeep

    def pod_added(self, node: str, pod: "PodInfo") -> None:
        self._update(node, pod, 1)

    def pod_removed(self, node: str, pod: "PodInfo") -> None:
        self._update(node, pod, -1)

    def _update(self, node: str, pod: "PodInfo", sign: int) -> None:
        for matcher, counts in self._counts.items():
            if matcher.matches(pod):
                n = counts.get(node, 0) + sign
                if n > 0:
                    counts[node] = n
                else:
                    counts.pop(node, None)
        for flag, book in ((pod.has_affinity, self.affinity_nodes), (bool(pod.req_anti_affinity), self.anti_nodes)):
            if flag:
                n = book.get(node, 0) + sign
                if n > 0:
                    book[node] = n
                else:
                    book.pop(node, None)

    def counts(self, matcher: Matcher) -> dict[str, int]:
        """Node name -> matching pods on it (counted once, then kept current)."""
        got = self._counts.get(matcher)
        if got is not None:
            self._counts.move_to_end(matcher)
            return got
        got = {}
        for name in sorted(self.nodes):
            n = sum(1 for pi in self.nodes[name].pods.values() if matcher.matches(pi))
            if n:
                got[name] = n
        self._counts[matcher] = got
        while len(self._counts) > MAX_CACHED_MATCHERS:
            self._counts.popitem(last=False)
        return got

    def live_nodes(self) -> list["NodeInfo"]:
        return [self.nodes[n] for n in self.names]

    # ------------------------------------------------------------ listers

    def list_objects(self, resource: str, namespace: str) -> list[dict]:
        inf = self.listers.get(resource)
        if inf is None:
            return []
        return sorted(inf.list(namespace), key=lambda o: o["metadata"]["name"])

    def get_object(self, resource: str, key: str) -> dict | None:
        inf = self.listers.get(resource)
        return inf.get(key) if inf is not None else None

    def namespace_labels(self, name: str) -> dict:
        ns = self.get_object("namespaces", name)
        return dict(((ns or {}).get("metadata") or {}).get("labels") or {})

    def namespaces_matching(self, selector: LabelSelector) -> list[str]:
        inf = self.listers.get("namespaces")
        if inf is None:
            return []
        return sorted(
            o["metadata"]["name"] for o in inf.list() if selector.matches((o["metadata"].get("labels") or {}))
        )


def count_on(node: "NodeInfo", matcher: Matcher) -> int:
    """How many pods on ``node`` (possibly a scratch copy) ``matcher`` matches, counted afresh."""
    return sum(1 for pi in node.pods.values() if matcher.matches(pi))
