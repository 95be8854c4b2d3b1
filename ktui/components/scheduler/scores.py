"""The default profile's Score plugins run over the feasible nodes (``RunScorePlugins``), and host selection.

Each plugin's raw scores and normalization are in its own module, after pkg/scheduler/framework/plugins:
LeastAllocated (NodeResourcesFit) and BalancedAllocation in :mod:`.noderesources`, TaintToleration
(PreferNoSchedule, reversed) and NodeAffinity (preferred terms) in :mod:`.nodepreferences`, ImageLocality in
:mod:`.imagelocality`, PodTopologySpread and InterPodAffinity in their modules. Each plugin's normalized score
is 0-100; the node's total is the weighted sum (:mod:`.scoretable`).
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Callable

from ktui.components.scheduler import interpodaffinity, podtopologyspread
from ktui.components.scheduler.imagelocality import image_locality, image_locality_all, normalized_image
from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.nodepreferences import default_normalize, node_affinity_score, taint_toleration_score
from ktui.components.scheduler.noderesources import resource_cell, resource_scores
from ktui.components.scheduler.podinfo import PodInfo
from ktui.components.scheduler.scoretable import WEIGHTS, ClassTable, ScoreTable, select_index
from ktui.components.scheduler.topology import MAX_NODE_SCORE

__all__ = ["prioritize", "score_table", "select_host"]

_taints = attrgetter("taints")
_rid = attrgetter("_rid")
_name = attrgetter("name")


def score_table(
    pod: PodInfo,
    nodes: list[NodeInfo],
    image_nodes: dict[str, int],
    total_nodes: int,
    uniform: Callable[[str], bool] | None = None,
    untainted: bool = False,
    names: list[str] | None = None,
) -> ScoreTable:
    """Score feasible nodes: each plugin's normalized scores and the weighted totals.

    A plugin that skips (NodeAffinity without preferred terms, BalancedAllocation for best-effort pods,
    PodTopologySpread without soft or default constraints, InterPodAffinity without applicable terms; the
    last two need the cycle's PreFilter state, ``pod.cycle``) has no array, as PreScore's Skip upstream.
    ``uniform(image)``: whether every one of the ``total_nodes`` nodes reports ``image`` at the same size;
    ``untainted``: the caller knows no node has a taint; ``names``: the nodes' names, when the caller has them.
    """
    n = len(nodes)
    spread = podtopologyspread.pod_topology_spread_score(pod, nodes)
    inter = interpodaffinity.inter_pod_affinity_score(pod, nodes)
    tainted = not untainted and any(map(_taints, nodes))
    if n and spread is None and inter is None and not pod.preferred_terms and not tainted:
        return _plain_table(pod, nodes, image_nodes, total_nodes, uniform, names)
    return _full_table(pod, nodes, image_nodes, total_nodes, spread, inter, tainted)


def _full_table(
    pod: PodInfo,
    nodes: list[NodeInfo],
    image_nodes: dict[str, int],
    total_nodes: int,
    spread: list[int] | None,
    inter: list[int] | None,
    tainted: bool,
) -> ScoreTable:
    """:func:`score_table` plugin by plugin, given PodTopologySpread's and InterPodAffinity's scores (None:
    skipped) and whether any node has a taint."""
    n = len(nodes)
    per_plugin: dict[str, list[int]] = {}
    if tainted:
        per_plugin["TaintToleration"] = default_normalize([taint_toleration_score(pod, x) for x in nodes], reverse=True)
    else:
        per_plugin["TaintToleration"] = [MAX_NODE_SCORE] * n
    if n and pod.preferred_terms:
        per_plugin["NodeAffinity"] = default_normalize([node_affinity_score(pod, x) or 0 for x in nodes])
    fit, bal = resource_scores(pod, nodes, bool(n) and not (pod.requests.milli_cpu == 0 and pod.requests.memory == 0))
    per_plugin["NodeResourcesFit"] = fit
    if spread is not None:
        per_plugin["PodTopologySpread"] = spread
    if inter is not None:
        per_plugin["InterPodAffinity"] = inter
    if bal is not None:
        per_plugin["NodeResourcesBalancedAllocation"] = bal
    if any(normalized_image(i) in image_nodes for i in pod.images):
        per_plugin["ImageLocality"] = image_locality_all(pod, nodes, image_nodes, total_nodes)
    else:
        per_plugin["ImageLocality"] = [0] * n
    totals = fit if bal is None else [a + b for a, b in zip(fit, bal)]  # both weigh 1
    same = 0  # what plugins scoring every node alike add to each total
    for plugin, scores in per_plugin.items():
        if plugin in ("NodeResourcesFit", "NodeResourcesBalancedAllocation") or not n:
            continue
        w = WEIGHTS[plugin]
        if scores.count(scores[0]) == n:
            same += w * scores[0]
        else:
            totals = [t + w * s for t, s in zip(totals, scores)]
    if same:
        totals = [t + same for t in totals]
    return ScoreTable([x.name for x in nodes], per_plugin, totals)


def _plain_table(
    pod: PodInfo,
    nodes: list[NodeInfo],
    image_nodes: dict[str, int],
    total_nodes: int,
    uniform: Callable[[str], bool] | None = None,
    names: list[str] | None = None,
) -> ScoreTable:
    """:func:`score_table` when only the resource plugins and ImageLocality tell nodes apart (no taints, no
    preferred node affinity, PodTopologySpread and InterPodAffinity skipped): each node's scores computed
    once per distinct resource totals (:attr:`~.NodeInfo.resource_id`) and image sizes (most of a node pool
    shares them). When every image of the pod is on no node or on every node at one size (``uniform``),
    ImageLocality is the same everywhere and the nodes are told apart by their resource id alone."""
    balanced = not (pod.requests.milli_cpu == 0 and pod.requests.memory == 0)
    args = (pod.non_zero.milli_cpu, pod.non_zero.memory, pod.requests.milli_cpu, pod.requests.memory, balanced)
    images = [normalized_image(i) for i in pod.images]
    scored_images = any(name in image_nodes for name in images)
    base = WEIGHTS["TaintToleration"] * MAX_NODE_SCORE  # no node has a taint: every node scores 100
    if names is None:
        names = list(map(_name, nodes))
    same = {"TaintToleration": MAX_NODE_SCORE}
    if not scored_images or (
        uniform is not None and nodes and all(name not in image_nodes or uniform(name) for name in images)
    ):
        img = image_locality(pod, nodes[0], image_nodes, total_nodes) if scored_images else 0
        rids = list(map(_rid, nodes))
        if 0 in rids:  # the nodes changed since their id was last asked for (few): their ids now
            i = rids.index(0)
            while True:
                rids[i] = nodes[i].resource_id
                try:
                    i = rids.index(0, i + 1)
                except ValueError:
                    break
        cell_of: dict[int, tuple] = {}
        total_of: dict[int, int] = {}
        for rid in set(rids):  # one node per distinct resource totals
            cell = cell_of[rid] = resource_cell(nodes[rids.index(rid)].resource_key, *args)
            total_of[rid] = base + cell[0] + (cell[1] or 0) + img
        return ClassTable(names, rids, cell_of, total_of, img, same)
    one_image = images[0] if len(images) == 1 else None
    res_memo: dict[int, tuple] = {}
    img_memo: dict[Any, int] = {}
    cells = []
    imgs: list[int] = []
    totals = []
    for x in nodes:
        rid = x._rid or x.resource_id
        res = res_memo.get(rid)
        if res is None:
            res = res_memo[rid] = resource_cell(x.resource_key, *args)
        ikey = x.image_sizes.get(one_image) if one_image is not None else tuple(x.image_sizes.get(i) for i in images)
        hit = img_memo.get(ikey)
        if hit is None:
            hit = img_memo[ikey] = image_locality(pod, x, image_nodes, total_nodes)
        cells.append(res)
        imgs.append(hit)
        totals.append(base + res[0] + (res[1] or 0) + hit)
    return ScoreTable.from_cells(names, cells, imgs, same, totals)


def prioritize(
    pod: PodInfo, nodes: list[NodeInfo], image_nodes: dict[str, int], total_nodes: int
) -> list[dict[str, Any]]:
    """Score feasible nodes: per node ``{"node", "scores": {plugin: 0-100}, "total"}`` in input order
    (:func:`score_table` expanded)."""
    return score_table(pod, nodes, image_nodes, total_nodes).rows()


def select_host(scored: list[dict[str, Any]], rng: Any) -> str:
    """The node with the highest total of :func:`prioritize`'s rows (see :func:`~.scoretable.select_index`)."""
    return scored[select_index([e["total"] for e in scored], rng)]["node"]
