"""PodTopologySpread: the DoNotSchedule constraints' skew (Filter) and the soft or default spreading (Score).

Follows kube-scheduler v1.37, ``pkg/scheduler/framework/plugins/podtopologyspread`` (``common.go``,
``filtering.go``, ``scoring.go``), with ``DefaultSelector`` from ``pkg/scheduler/framework/plugins/helper/spread.go``.
Per-node counts come from the :class:`~.topology.TopologyIndex`. A Filter called with a scratch copy of a node
(preemption's dry run, nominated pods) recounts that one node and adjusts the cycle's totals, which is what the
real plugin's ``AddPod``/``RemovePod`` extensions do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ktui.api.labels import IN, LabelSelector, label_selector_from_dict, new_requirement, selector_from_set
from ktui.components.scheduler.predicates import required_affinity_matches, untolerated_taint
from ktui.components.scheduler.terms import Matcher, selector_of
from ktui.components.scheduler.topology import LABEL_HOSTNAME, LABEL_ZONE, MAX_NODE_SCORE, TopologyIndex, count_on

if TYPE_CHECKING:  # pragma: no cover
    from ktui.components.scheduler.nodeinfo import NodeInfo
    from ktui.components.scheduler.podinfo import PodInfo

__all__ = [
    "Constraint",
    "SpreadState",
    "ERR_SPREAD_CONSTRAINTS",
    "ERR_SPREAD_LABEL",
    "SYSTEM_DEFAULT_CONSTRAINTS",
    "default_selector",
    "pod_topology_spread_filter",
    "pod_topology_spread_prefilter",
    "pod_topology_spread_score",
]

ERR_SPREAD_CONSTRAINTS = "node(s) didn't match pod topology spread constraints"
"""podtopologyspread.ErrReasonConstraintsNotMatch (Unschedulable)."""
ERR_SPREAD_LABEL = ERR_SPREAD_CONSTRAINTS + " (missing required label)"
"""podtopologyspread.ErrReasonNodeLabelNotMatch (UnschedulableAndUnresolvable)."""
SYSTEM_DEFAULT_CONSTRAINTS = ((LABEL_ZONE, 5), (LABEL_HOSTNAME, 3))
"""The v1.37 default profile's ``systemDefaultConstraints`` (both ScheduleAnyway): (topologyKey, maxSkew)."""
_NO_DOMAIN = 2**31 - 1


def default_selector(pod: "PodInfo", index: TopologyIndex) -> LabelSelector:
    """``helper.DefaultSelector``: the selectors of the Services matching the pod, merged, plus the selector
    of the pod's controlling ReplicationController, ReplicaSet or StatefulSet."""
    label_set: dict[str, str] = {}
    for svc in index.list_objects("services", pod.namespace):
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
        rc = index.get_object("replicationcontrollers", key)
        if rc is not None:
            label_set.update((rc.get("spec") or {}).get("selector") or {})
            selector = selector_from_set(label_set)
    elif (kind, group) in (("ReplicaSet", "apps"), ("StatefulSet", "apps")):
        obj = index.get_object("replicasets" if kind == "ReplicaSet" else "statefulsets", key)
        if obj is not None:
            try:
                other = label_selector_from_dict((obj.get("spec") or {}).get("selector"))
            except ValueError:
                other = None
            if other is not None and not other.nothing:
                selector = selector.add(*other.requirements)
    return selector


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


def pod_topology_spread_prefilter(pod: "PodInfo", index: TopologyIndex) -> SpreadState | None:
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
            match += count_on(node, c.matcher) - st.counted[i][node.name]
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
                cnt = per_node[i].get(ni.name, 0) if index.nodes.get(ni.name) is ni else count_on(ni, c.matcher)
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
