"""Scheduling predicates shared by the filters and the topology index (below both): whether a toleration
tolerates a taint, whether a node matches a pod's node selector and required node affinity.

Pure functions over :class:`ktui.components.scheduler.podinfo.PodInfo` / ``NodeInfo`` and plain dicts.
"""

from __future__ import annotations

from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo

__all__ = ["node_selector_term_matches", "required_affinity_matches", "tolerated", "tolerates", "untolerated_taint"]


def tolerates(toleration: dict, taint: dict) -> bool:
    """``Toleration.ToleratesTaint``: effect and key match (empty matches all); Equal compares values."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    op = toleration.get("operator") or "Equal"
    if op == "Exists":
        return True
    if op == "Equal":
        return (toleration.get("value") or "") == (taint.get("value") or "")
    return False


def tolerated(tolerations: list[dict], taint: dict) -> bool:
    """Whether any of ``tolerations`` tolerates ``taint``."""
    return any(tolerates(t, taint) for t in tolerations)


def untolerated_taint(tolerations: list[dict], taints: list[dict]) -> dict | None:
    """The first NoSchedule/NoExecute taint that no toleration tolerates (TaintToleration's verdict), or None."""
    for taint in taints:
        if taint.get("effect") not in ("NoSchedule", "NoExecute"):
            continue
        if not tolerated(tolerations, taint):
            return taint
    return None


def _requirement_matches(req: dict, labels: dict) -> bool:
    key, op, values = req.get("key", ""), req.get("operator", ""), list(req.get("values") or [])
    if op == "In":
        return key in labels and labels[key] in values
    if op == "NotIn":
        return key not in labels or labels[key] not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt"):
        if key not in labels or len(values) != 1:
            return False
        try:
            have, want = int(labels[key]), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def node_selector_term_matches(term: dict, node: NodeInfo) -> bool:
    """One NodeSelectorTerm: all its expressions and fields match (an empty term matches nothing)."""
    exprs = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not exprs and not fields:
        return False
    labels = node.labels
    if not all(_requirement_matches(r, labels) for r in exprs):
        return False
    return all(
        _requirement_matches(r, {"metadata.name": node.name}) if r.get("key") == "metadata.name" else False
        for r in fields
    )


def required_affinity_matches(pod: PodInfo, node: NodeInfo) -> bool:
    """``nodeSelector`` (every pair) and the required terms (any term) both match."""
    labels = node.labels
    for k, v in pod.node_selector.items():
        if labels.get(k) != v:
            return False
    if pod.required_terms is None:
        return True
    return any(node_selector_term_matches(t, node) for t in pod.required_terms)
