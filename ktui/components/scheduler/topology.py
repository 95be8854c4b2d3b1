"""PodTopologySpread and InterPodAffinity: the plugins that look beyond one node.

Follows kube-scheduler v1.37, ``pkg/scheduler/framework/plugins/podtopologyspread`` (``common.go``,
``filtering.go``, ``scoring.go``) and ``pkg/scheduler/framework/plugins/interpodaffinity`` (``filtering.go``,
``scoring.go``), with ``AffinityTerm`` from ``pkg/scheduler/framework/types.go`` and ``DefaultSelector``
from ``pkg/scheduler/framework/plugins/helper/spread.go``.

Counting is incremental. The :class:`TopologyIndex` keeps, for every pod *matcher* (namespaces and label
selectors) a cycle has asked about, how many assigned pods on each node it matches; the scheduler tells the
index about every pod added to or removed from a node, so a cycle turns per-node counts into per-domain
counts by walking the nodes, never all pods. Existing pods with affinity terms are found through the
nodes that hold them (``HavePodsWithAffinityList`` / ``HavePodsWithRequiredAntiAffinityList``).

PreFilter/PreScore state lives on the pod's :class:`~.nodeinfo.PodInfo` for the cycle (``PodInfo.cycle``).
Filters called with a scratch copy of a node (preemption's dry run, nominated pods) recount that one node
and adjust the cycle's totals, which is what the real plugins' ``AddPod``/``RemovePod`` extensions do.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ktui.api.labels import IN, LabelSelector, label_selector_from_dict, new_requirement, selector_from_set
from ktui.components.scheduler.predicates import required_affinity_matches, untolerated_taint
from ktui.components.scheduler.terms import AffinityTerm, Matcher, parse_terms, selector_of

if TYPE_CHECKING:  # pragma: no cover
    from ktui.components.scheduler.nodeinfo import NodeInfo, PodInfo

__all__ = [
    "AffinityTerm",
    "CycleState",
    "Matcher",
    "TopologyIndex",
    "ERR_SPREAD_CONSTRAINTS",
    "ERR_SPREAD_LABEL",
    "ERR_AFFINITY",
    "ERR_ANTI_AFFINITY",
    "ERR_EXISTING_ANTI_AFFINITY",
    "LABEL_HOSTNAME",
    "LABEL_ZONE",
    "SYSTEM_DEFAULT_CONSTRAINTS",
    "default_selector",
    "inter_pod_affinity_filter",
    "inter_pod_affinity_score",
    "parse_terms",
    "pod_topology_spread_filter",
    "pod_topology_spread_score",
    "prefilter",
]

ERR_SPREAD_CONSTRAINTS = "node(s) didn't match pod topology spread constraints"
"""podtopologyspread.ErrReasonConstraintsNotMatch (Unschedulable)."""
ERR_SPREAD_LABEL = ERR_SPREAD_CONSTRAINTS + " (missing required label)"
"""podtopologyspread.ErrReasonNodeLabelNotMatch (UnschedulableAndUnresolvable)."""
ERR_AFFINITY = "node(s) didn't match pod affinity rules"
"""interpodaffinity.ErrReasonAffinityRulesNotMatch (UnschedulableAndUnresolvable)."""
ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
"""interpodaffinity.ErrReasonAntiAffinityRulesNotMatch (Unschedulable)."""
ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
"""interpodaffinity.ErrReasonExistingAntiAffinityRulesNotMatch (Unschedulable)."""

LABEL_HOSTNAME = "kubernetes.io/hostname"
LABEL_ZONE = "topology.kubernetes.io/zone"
SYSTEM_DEFAULT_CONSTRAINTS = ((LABEL_ZONE, 5), (LABEL_HOSTNAME, 3))
"""The v1.37 default profile's ``systemDefaultConstraints`` (both ScheduleAnyway): (topologyKey, maxSkew)."""
HARD_POD_AFFINITY_WEIGHT = 1
"""InterPodAffinityArgs.hardPodAffinityWeight default."""
MAX_NODE_SCORE = 100
MAX_CACHED_MATCHERS = 256
"""Bound on the matchers whose per-node counts the index keeps current (least recently used go first)."""
_NO_DOMAIN = 2**31 - 1


# ---------------------------------------------------------------- the index


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

    def _list(self, resource: str, namespace: str) -> list[dict]:
        inf = self.listers.get(resource)
        if inf is None:
            return []
        return sorted(inf.list(namespace), key=lambda o: o["metadata"]["name"])

    def _get(self, resource: str, key: str) -> dict | None:
        inf = self.listers.get(resource)
        return inf.get(key) if inf is not None else None

    def namespace_labels(self, name: str) -> dict:
        ns = self._get("namespaces", name)
        return dict(((ns or {}).get("metadata") or {}).get("labels") or {})

    def namespaces_matching(self, selector: LabelSelector) -> list[str]:
        inf = self.listers.get("namespaces")
        if inf is None:
            return []
        return sorted(
            o["metadata"]["name"] for o in inf.list() if selector.matches((o["metadata"].get("labels") or {}))
        )


def default_selector(pod: "PodInfo", index: TopologyIndex) -> LabelSelector:
    """``helper.DefaultSelector``: the selectors of the Services matching the pod, merged, plus the selector
    of the pod's controlling ReplicationController, ReplicaSet or StatefulSet."""
    label_set: dict[str, str] = {}
    for svc in index._list("services", pod.namespace):
        sel = (svc.get("spec") or {}).get("selector")
        if sel is None:
            continue  # a nil selector matches nothing
        if selector_from_set(sel).matches(pod.labels):
            label_set.update(sel)
    selector = selector_from_set(label_set)
    owner = next((r for r in (pod.pod.get("metadata") or {}).get("ownerReferences") or [] if r.get("controller")), None)
    if owner is None:
        return selector
    group = (owner.get("apiVersion") or "").rpartition("/")[0]
    kind, key = owner.get("kind"), f"{pod.namespace}/{owner.get('name', '')}"
    if kind == "ReplicationController" and group == "":
        rc = index._get("replicationcontrollers", key)
        if rc is not None:
            label_set.update((rc.get("spec") or {}).get("selector") or {})
            selector = selector_from_set(label_set)
    elif (kind, group) in (("ReplicaSet", "apps"), ("StatefulSet", "apps")):
        obj = index._get("replicasets" if kind == "ReplicaSet" else "statefulsets", key)
        if obj is not None:
            try:
                other = label_selector_from_dict((obj.get("spec") or {}).get("selector"))
            except ValueError:
                other = None
            if other is not None and not other.nothing:
                selector = selector.add(*other.requirements)
    return selector


# ---------------------------------------------------------------- spread constraints


@dataclass
class Constraint:
    key: str
    max_skew: int
    min_domains: int
    selector: LabelSelector
    matcher: Matcher
    honor_affinity: bool = True
    honor_taints: bool = False

    def includes(self, pod: "PodInfo", node: "NodeInfo") -> bool:
        """``matchNodeInclusionPolicies``: the pod's required node affinity (Honor) and taints (Honor)."""
        if self.honor_affinity and not required_affinity_matches(pod, node):
            return False
        if self.honor_taints and untolerated_taint(pod.tolerations, node.taints) is not None:
            return False
        return True


def _constraints(pod: "PodInfo", action: str) -> list[Constraint]:
    """``filterTopologySpreadConstraints``: the pod's constraints with ``whenUnsatisfiable == action``, with
    ``matchLabelKeys`` folded into the selector."""
    out = []
    for c in pod.spread:
        if (c.get("whenUnsatisfiable") or "DoNotSchedule") != action:
            continue
        selector = selector_of(c.get("labelSelector"))
        for k in c.get("matchLabelKeys") or []:
            if k in pod.labels:
                try:
                    selector = selector.add(new_requirement(k, IN, [pod.labels[k]]))
                except ValueError:
                    pass
        out.append(
            Constraint(
                c.get("topologyKey") or "",
                int(c.get("maxSkew") or 1),
                int(c.get("minDomains") or 1),
                selector,
                Matcher(((frozenset([pod.namespace]), selector),), True),
                (c.get("nodeAffinityPolicy") or "Honor") == "Honor",
                (c.get("nodeTaintsPolicy") or "Ignore") == "Honor",
            )
        )
    return out


def _default_constraints(pod: "PodInfo", index: TopologyIndex) -> list[Constraint]:
    """``buildDefaultConstraints``: the system defaults with ``DefaultSelector``, none when it is empty."""
    selector = default_selector(pod, index)
    if selector.empty:
        return []
    matcher = Matcher(((frozenset([pod.namespace]), selector),), True)
    return [Constraint(key, skew, 1, selector, matcher) for key, skew in SYSTEM_DEFAULT_CONSTRAINTS]


@dataclass
class SpreadState:
    """PodTopologySpread's PreFilter state for the DoNotSchedule constraints."""

    constraints: list[Constraint]
    domains: list[dict[str, int]]
    """Per constraint: topology value -> matching pods (every eligible node's domain present)."""
    counted: list[dict[str, int]]
    """Per constraint: eligible node -> its count, as included in ``domains``."""
    paths: list[list[tuple[int, str]]]
    """Per constraint: the two domains with the fewest matching pods (``TpKeyToCriticalPaths``)."""

    def min_match(self, i: int, value: str | None = None, adjusted: int | None = None) -> int:
        if len(self.domains[i]) < self.constraints[i].min_domains:
            return 0
        paths = self.paths[i]
        if not paths:
            return _NO_DOMAIN
        if value is None or adjusted is None or value not in self.domains[i]:
            return paths[0][0]
        other = next((cnt for cnt, v in paths if v != value), _NO_DOMAIN)
        return min(other, adjusted)


def _spread_prefilter(pod: "PodInfo", index: TopologyIndex) -> SpreadState | None:
    constraints = _constraints(pod, "DoNotSchedule")
    if not constraints:
        return None
    domains: list[dict[str, int]] = [{} for _ in constraints]
    counted: list[dict[str, int]] = [{} for _ in constraints]
    per_node = [index.counts(c.matcher) for c in constraints]
    for ni in index.live_nodes():
        if not all(c.key in ni.labels for c in constraints):
            continue
        for i, c in enumerate(constraints):
            if not c.includes(pod, ni):
                continue
            n = per_node[i].get(ni.name, 0)
            value = ni.labels[c.key]
            domains[i][value] = domains[i].get(value, 0) + n
            counted[i][ni.name] = n
    paths = [sorted((n, v) for v, n in d.items())[:2] for d in domains]
    return SpreadState(constraints, domains, counted, paths)


def _count_on(node: "NodeInfo", matcher: Matcher) -> int:
    return sum(1 for pi in node.pods.values() if matcher.matches(pi))


def pod_topology_spread_filter(pod: "PodInfo", node: "NodeInfo") -> tuple[str, bool] | None:
    """PodTopologySpread's Filter: ``(message, unresolvable)`` or None when the node fits."""
    cycle = pod.cycle
    if cycle is None or cycle.spread is None:
        return None
    st = cycle.spread
    scratch = cycle.index.nodes.get(node.name) is not node
    for i, c in enumerate(st.constraints):
        value = node.labels.get(c.key)
        if value is None:
            return ERR_SPREAD_LABEL, True
        match = st.domains[i].get(value, 0)
        if scratch and node.name in st.counted[i]:
            match += _count_on(node, c.matcher) - st.counted[i][node.name]
            min_match = st.min_match(i, value, match)
        else:
            min_match = st.min_match(i)
        self_match = 1 if c.selector.matches(pod.labels) else 0
        if match + self_match - min_match > c.max_skew:
            return ERR_SPREAD_CONSTRAINTS, False
    return None


def _round(x: float) -> int:
    """Go's ``math.Round`` (half away from zero) for the non-negative scores here."""
    return int(math.floor(x + 0.5))


def pod_topology_spread_score(pod: "PodInfo", nodes: list["NodeInfo"]) -> list[int] | None:
    """PodTopologySpread's PreScore, Score and NormalizeScore over the feasible ``nodes``; None (Skip) when
    the pod has no ScheduleAnyway constraints and no system default applies."""
    cycle = pod.cycle
    if cycle is None or not nodes:
        return None
    index = cycle.index
    if pod.spread:
        constraints = _constraints(pod, "ScheduleAnyway")
        require_all = True
    else:
        constraints = _default_constraints(pod, index)
        require_all = False  # systemDefaulted
    if not constraints:
        return None
    ignored: set[str] = set()
    domains: list[dict[str, int]] = [{} for _ in constraints]
    for ni in nodes:
        if require_all and not all(c.key in ni.labels for c in constraints):
            ignored.add(ni.name)
            continue
        for i, c in enumerate(constraints):
            if c.key != LABEL_HOSTNAME:
                domains[i].setdefault(ni.labels.get(c.key, ""), 0)
    weights = []
    for i, c in enumerate(constraints):
        size = len(nodes) - len(ignored) if c.key == LABEL_HOSTNAME else len(domains[i])
        weights.append(math.log(size + 2))
    per_node = [index.counts(c.matcher) for c in constraints]
    for ni in index.live_nodes():
        if require_all and not all(c.key in ni.labels for c in constraints):
            continue
        for i, c in enumerate(constraints):
            if c.key == LABEL_HOSTNAME or not c.includes(pod, ni):
                continue
            value = ni.labels.get(c.key, "")
            if value in domains[i]:
                domains[i][value] += per_node[i].get(ni.name, 0)
    raw: list[int | None] = []
    for ni in nodes:
        if ni.name in ignored:
            raw.append(None)
            continue
        score = 0.0
        for i, c in enumerate(constraints):
            value = ni.labels.get(c.key)
            if value is None:
                continue
            if c.key == LABEL_HOSTNAME:
                cnt = per_node[i].get(ni.name, 0) if index.nodes.get(ni.name) is ni else _count_on(ni, c.matcher)
            else:
                cnt = domains[i][value]
            score += cnt * weights[i] + (c.max_skew - 1)
        raw.append(_round(score))
    valid = [s for s in raw if s is not None]
    lo, hi = (min(valid), max(valid)) if valid else (0, 0)
    out = []
    for s in raw:
        if s is None:
            out.append(0)
        elif hi == 0:
            out.append(MAX_NODE_SCORE)
        else:
            out.append(MAX_NODE_SCORE * (hi + lo - s) // hi)
    return out


# ---------------------------------------------------------------- inter-pod affinity


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
                _count_on(node, self.affinity_matcher)
                if recount
                else index.counts(self.affinity_matcher).get(node.name, 0)
            )
            if n:
                for t in self.affinity_terms:
                    if t.topology_key in node.labels:
                        pair = (t.topology_key, node.labels[t.topology_key])
                        aff[pair] = aff.get(pair, 0) + n
        for t, m in zip(self.anti_terms, self.anti_matchers):
            n = _count_on(node, m) if recount else index.counts(m).get(node.name, 0)
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


def _affinity_prefilter(pod: "PodInfo", index: TopologyIndex) -> AffinityState | None:
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


# ---------------------------------------------------------------- the cycle


@dataclass
class CycleState:
    """What PreFilter computed for one pod in one scheduling cycle."""

    index: TopologyIndex
    spread: SpreadState | None = None
    affinity: AffinityState | None = None
    volumes: Any = None
    """VolumeBinding's PreFilter state (:class:`.volumebinding.VolumeState`), None when the pod has no claims."""


def prefilter(pod: "PodInfo", index: TopologyIndex) -> CycleState:
    """Both plugins' PreFilter for ``pod``; the result is set as ``pod.cycle`` and returned."""
    state = CycleState(index, _spread_prefilter(pod, index), _affinity_prefilter(pod, index))
    pod.cycle = state  # type: ignore[assignment]
    return state
