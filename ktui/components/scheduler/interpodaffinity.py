"""InterPodAffinity: required (anti-)affinity of the pod and of existing pods (Filter), preferred terms (Score).

Follows kube-scheduler v1.37, ``pkg/scheduler/framework/plugins/interpodaffinity`` (``filtering.go``,
``scoring.go``), with ``AffinityTerm`` from ``pkg/scheduler/framework/types.go``. Per-node counts come from the
:class:`~.topology.TopologyIndex`. A Filter called with a scratch copy of a node (preemption's dry run,
nominated pods) recounts that one node and adjusts the cycle's totals, as the real plugin's
``AddPod``/``RemovePod`` extensions do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ktui.components.scheduler.terms import AffinityTerm, Matcher
from ktui.components.scheduler.topology import MAX_NODE_SCORE, TopologyIndex, count_on

if TYPE_CHECKING:  # pragma: no cover
    from ktui.components.scheduler.nodeinfo import NodeInfo
    from ktui.components.scheduler.podinfo import PodInfo

__all__ = [
    "AffinityState",
    "ERR_AFFINITY",
    "ERR_ANTI_AFFINITY",
    "ERR_EXISTING_ANTI_AFFINITY",
    "inter_pod_affinity_filter",
    "inter_pod_affinity_prefilter",
    "inter_pod_affinity_score",
]

ERR_AFFINITY = "node(s) didn't match pod affinity rules"
"""interpodaffinity.ErrReasonAffinityRulesNotMatch (UnschedulableAndUnresolvable)."""
ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
"""interpodaffinity.ErrReasonAntiAffinityRulesNotMatch (Unschedulable)."""
ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
"""interpodaffinity.ErrReasonExistingAntiAffinityRulesNotMatch (Unschedulable)."""
HARD_POD_AFFINITY_WEIGHT = 1
"""InterPodAffinityArgs.hardPodAffinityWeight default."""


@dataclass
class AffinityState:
    """InterPodAffinity's PreFilter state: topology pair -> count, and each node's share of it."""

    affinity_terms: list[AffinityTerm]
    anti_terms: list[AffinityTerm]
    affinity_matcher: Matcher | None
    anti_matchers: list[Matcher]
    affinity: dict[tuple[str, str], int] = field(default_factory=dict)
    anti: dict[tuple[str, str], int] = field(default_factory=dict)
    existing: dict[tuple[str, str], int] = field(default_factory=dict)
    self_match: bool = False

    def node_share(
        self, pod: "PodInfo", node: "NodeInfo", index: TopologyIndex, recount: bool
    ) -> tuple[dict, dict, dict]:
        """This node's contribution to (affinity, anti, existing), from the index or recounted."""
        aff: dict = {}
        anti: dict = {}
        if self.affinity_matcher is not None:
            n = (
                count_on(node, self.affinity_matcher)
                if recount
                else index.counts(self.affinity_matcher).get(node.name, 0)
            )
            if n:
                for t in self.affinity_terms:
                    if t.topology_key in node.labels:
                        pair = (t.topology_key, node.labels[t.topology_key])
                        aff[pair] = aff.get(pair, 0) + n
        for t, m in zip(self.anti_terms, self.anti_matchers):
            n = count_on(node, m) if recount else index.counts(m).get(node.name, 0)
            if n and t.topology_key in node.labels:
                pair = (t.topology_key, node.labels[t.topology_key])
                anti[pair] = anti.get(pair, 0) + n
        return aff, anti, _existing_share(pod, node, index)


def _existing_share(pod: "PodInfo", node: "NodeInfo", index: TopologyIndex) -> dict:
    """Topology pairs where the node's pods' required anti-affinity terms forbid ``pod``."""
    out: dict = {}
    if not node.pods_with_required_anti_affinity or not node.labels:
        return out
    ns_labels = None
    for key in sorted(node.pods_with_required_anti_affinity):
        existing = node.pods_with_required_anti_affinity[key]
        for t in existing.req_anti_affinity:
            if t.topology_key not in node.labels:
                continue
            if ns_labels is None:
                ns_labels = index.namespace_labels(pod.namespace)
            if t.matches(pod.namespace, pod.labels, ns_labels):
                pair = (t.topology_key, node.labels[t.topology_key])
                out[pair] = out.get(pair, 0) + 1
    return out


def _incoming_matcher(terms: list[AffinityTerm], index: TopologyIndex) -> Matcher:
    """A matcher for the incoming pod's terms, namespace selectors merged into the namespaces
    (``mergeAffinityTermNamespacesIfNotEmpty``)."""
    conj = []
    for t in terms:
        if t.ns_selector.empty:
            conj.append((None, t.selector))
        else:
            conj.append((t.namespaces | frozenset(index.namespaces_matching(t.ns_selector)), t.selector))  # type: ignore[arg-type]
    return Matcher(tuple(conj))


def _add(into: dict, share: dict, sign: int = 1) -> None:
    for k, v in share.items():
        n = into.get(k, 0) + sign * v
        if n:
            into[k] = n
        else:
            into.pop(k, None)


def inter_pod_affinity_prefilter(pod: "PodInfo", index: TopologyIndex) -> AffinityState | None:
    if not pod.req_affinity and not pod.req_anti_affinity and not index.anti_nodes:
        return None
    st = AffinityState(
        pod.req_affinity,
        pod.req_anti_affinity,
        _incoming_matcher(pod.req_affinity, index) if pod.req_affinity else None,
        [_incoming_matcher([t], index) for t in pod.req_anti_affinity],
    )
    for name in sorted(index.anti_nodes):
        ni = index.nodes.get(name)
        if ni is not None and ni.node is not None:
            _add(st.existing, _existing_share(pod, ni, index))
    if st.affinity_matcher is not None or st.anti_matchers:
        matchers = ([st.affinity_matcher] if st.affinity_matcher is not None else []) + st.anti_matchers
        touched = sorted({n for m in matchers for n in index.counts(m)})
        for name in touched:
            ni = index.nodes.get(name)
            if ni is None or ni.node is None:
                continue
            aff, anti, _ = st.node_share(pod, ni, index, False)
            _add(st.affinity, aff)
            _add(st.anti, anti)
    if st.affinity_matcher is not None:
        # podMatchesAllAffinityTerms: the pod matches each of its own terms (namespaces merged).
        st.self_match = st.affinity_matcher.matches(pod)
    return st


def inter_pod_affinity_filter(pod: "PodInfo", node: "NodeInfo") -> tuple[str, bool] | None:
    """InterPodAffinity's Filter: ``(message, unresolvable)`` or None when the node fits."""
    cycle = pod.cycle
    if cycle is None or cycle.affinity is None:
        return None
    st = cycle.affinity
    aff, anti, existing = st.affinity, st.anti, st.existing
    if cycle.index.nodes.get(node.name) is not node:
        orig = cycle.index.nodes.get(node.name)
        aff, anti, existing = dict(aff), dict(anti), dict(existing)
        if orig is not None and orig.node is not None:
            for into, share in zip((aff, anti, existing), st.node_share(pod, orig, cycle.index, False)):
                _add(into, share, -1)
        for into, share in zip((aff, anti, existing), st.node_share(pod, node, cycle.index, True)):
            _add(into, share)
    labels = node.labels
    # satisfyPodAffinity
    exist = True
    for t in st.affinity_terms:
        if t.topology_key not in labels:
            return ERR_AFFINITY, True
        if aff.get((t.topology_key, labels[t.topology_key]), 0) <= 0:
            exist = False
    if not exist and not (not aff and st.self_match):
        return ERR_AFFINITY, True
    # satisfyPodAntiAffinity
    if anti:
        for t in st.anti_terms:
            if t.topology_key in labels and anti.get((t.topology_key, labels[t.topology_key]), 0) > 0:
                return ERR_ANTI_AFFINITY, False
    # satisfyExistingPodsAntiAffinity
    if existing:
        for k in sorted(labels):
            if existing.get((k, labels[k]), 0) > 0:
                return ERR_EXISTING_ANTI_AFFINITY, False
    return None


def inter_pod_affinity_score(pod: "PodInfo", nodes: list["NodeInfo"]) -> list[int] | None:
    """InterPodAffinity's PreScore, Score and NormalizeScore over the feasible ``nodes``; None (Skip) when no
    preferred term of the pod and no term of an existing pod applies."""
    cycle = pod.cycle
    if cycle is None or not nodes:
        return None
    index = cycle.index
    topo: dict[str, dict[str, int]] = {}

    def credit(key: str, value: str, amount: int) -> None:
        topo.setdefault(key, {})
        topo[key][value] = topo[key].get(value, 0) + amount

    # The incoming pod's preferred terms, against every assigned pod (counted per node).
    for terms, mult in ((pod.pref_affinity, 1), (pod.pref_anti_affinity, -1)):
        for t in terms:
            counts = index.counts(_incoming_matcher([t], index))
            for name in sorted(counts):
                ni = index.nodes.get(name)
                if ni is None or ni.node is None or t.topology_key not in ni.labels:
                    continue
                credit(t.topology_key, ni.labels[t.topology_key], t.weight * mult * counts[name])
    # Existing pods' terms that match the incoming pod.
    ns_labels = index.namespace_labels(pod.namespace) if index.affinity_nodes else None
    for name in sorted(index.affinity_nodes):
        ni = index.nodes.get(name)
        if ni is None or ni.node is None or not ni.labels:
            continue
        for key in sorted(ni.pods_with_affinity):
            existing = ni.pods_with_affinity[key]
            for terms, weight, mult in (
                (existing.req_affinity, HARD_POD_AFFINITY_WEIGHT, 1),
                (existing.pref_affinity, None, 1),
                (existing.pref_anti_affinity, None, -1),
            ):
                for t in terms:
                    if t.topology_key in ni.labels and t.matches(pod.namespace, pod.labels, ns_labels):
                        credit(t.topology_key, ni.labels[t.topology_key], (weight or t.weight) * mult)
    if not topo:
        return None
    raw = []
    for ni in nodes:
        s = 0
        for key in sorted(topo):
            if key in ni.labels:
                s += topo[key].get(ni.labels[key], 0)
        raw.append(s)
    lo, hi = min(raw), max(raw)
    diff = hi - lo
    return [int(MAX_NODE_SCORE * ((s - lo) / diff)) if diff > 0 else 0 for s in raw]
