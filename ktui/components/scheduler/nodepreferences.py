"""TaintToleration's and NodeAffinity's scores and the ``DefaultNormalizeScore`` helper both normalize with."""

from __future__ import annotations

from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo
from ktui.components.scheduler.predicates import node_selector_term_matches, tolerates
from ktui.components.scheduler.topology import MAX_NODE_SCORE

__all__ = ["default_normalize", "node_affinity_score", "taint_toleration_score"]


def taint_toleration_score(pod: PodInfo, node: NodeInfo) -> int:
    """TaintToleration (raw): how many PreferNoSchedule taints the pod does not tolerate (lower is better)."""
    if not node.taints:
        return 0
    tolerations = [t for t in pod.tolerations if (t.get("effect") or "") in ("", "PreferNoSchedule")]
    return sum(
        1
        for taint in node.taints
        if taint.get("effect") == "PreferNoSchedule" and not any(tolerates(t, taint) for t in tolerations)
    )


def node_affinity_score(pod: PodInfo, node: NodeInfo) -> int | None:
    """NodeAffinity (raw): the summed weights of matching preferred terms; None (skip) when there are none."""
    if not pod.preferred_terms:
        return None
    return sum(
        int(t.get("weight") or 0)
        for t in pod.preferred_terms
        if int(t.get("weight") or 0) and node_selector_term_matches(t.get("preference") or {}, node)
    )


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
