"""The default profile's Score plugins as pure functions, their normalization and weights, and host selection.

Raw scores and normalization follow pkg/scheduler/framework/plugins: LeastAllocated (NodeResourcesFit),
BalancedAllocation, TaintToleration (PreferNoSchedule, reversed), NodeAffinity (preferred terms) and
ImageLocality. Each plugin's normalized score is 0-100; the node's total is the weighted sum.
"""

from __future__ import annotations

from itertools import compress
from operator import attrgetter
from typing import Any, Callable

from ktui.components.scheduler import interpodaffinity, podtopologyspread
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
    "score_table",
    "ScoreTable",
    "select_host",
    "select_index",
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

_taints = attrgetter("taints")
_rid = attrgetter("_rid")
_name = attrgetter("name")
_MB = 1024 * 1024
_MIN_IMAGE_THRESHOLD = 23 * _MB
_MAX_CONTAINER_IMAGE_THRESHOLD = 1000 * _MB


def _least_requested(requested: int, capacity: int) -> int:
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX_NODE_SCORE // capacity


def least_allocated(pod: PodInfo, node: NodeInfo) -> int:
    """NodeResourcesFit's LeastAllocated: free share of cpu and memory (weights 1), non-zero requests."""
    pairs = (
        (node.non_zero_requested.milli_cpu + pod.non_zero.milli_cpu, node.allocatable.milli_cpu),
        (node.non_zero_requested.memory + pod.non_zero.memory, node.allocatable.memory),
    )
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
    for requested, allocatable in (
        (node.requested.milli_cpu + pod.requests.milli_cpu, node.allocatable.milli_cpu),
        (node.requested.memory + pod.requests.memory, node.allocatable.memory),
    ):
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


class ScoreTable:
    """The scores of one cycle, kept as one array per plugin and the totals (no per-node dicts);
    :meth:`rows` expands them for ``explain()``."""

    __slots__ = ("names", "_per_plugin", "_totals", "_cells", "_imgs", "_same")

    def __init__(self, names: list[str], per_plugin: dict[str, list[int]] | None, totals: list[int] | None) -> None:
        self.names = names
        self._per_plugin = per_plugin
        self._totals = totals
        self._cells: list[tuple[int, int | None]] = []
        self._imgs: list[int] = []
        self._same: dict[str, int] = {}

    @classmethod
    def from_cells(
        cls,
        names: list[str],
        cells: list[tuple[int, int | None]],
        imgs: list[int],
        same: dict[str, int],
        totals: list[int],
    ) -> "ScoreTable":
        """A table whose per-plugin arrays are built only when asked for: ``cells`` holds each node's
        (NodeResourcesFit, BalancedAllocation or None), ``imgs`` its ImageLocality and ``same`` the plugins
        that scored every node alike."""
        table = cls(names, None, totals)
        table._cells, table._imgs, table._same = cells, imgs, same
        return table

    @property
    def totals(self) -> list[int]:
        """Each node's weighted total."""
        return self._totals  # type: ignore[return-value]

    def select(self, rng: Any) -> int:
        """The index of the node chosen (:func:`select_index` of the totals)."""
        return select_index(self.totals, rng)

    @property
    def per_plugin(self) -> dict[str, list[int]]:
        """Normalized score per feasible node, by plugin, for the plugins that did not skip."""
        if self._per_plugin is None:
            cells, n = self._cells, len(self._cells)
            out = {p: [v] * n for p, v in self._same.items()}
            out["NodeResourcesFit"] = [c[0] for c in cells]
            if n and cells[0][1] is not None:
                out["NodeResourcesBalancedAllocation"] = [c[1] for c in cells]  # type: ignore[misc]
            out["ImageLocality"] = list(self._imgs)
            self._per_plugin = out
        return self._per_plugin

    def rows(self) -> list[dict[str, Any]]:
        """Per node ``{"node", "scores": {plugin: 0-100}, "total"}``, in the order the nodes were found."""
        per_plugin = self.per_plugin
        plugins = [p for p in WEIGHTS if p in per_plugin]
        return [
            {"node": name, "scores": {p: per_plugin[p][i] for p in plugins}, "total": self.totals[i]}
            for i, name in enumerate(self.names)
        ]


class _ClassTable(ScoreTable):
    """The table of a plain pod whose scores tell the nodes apart by their resource id alone: each node's
    cells and total are those of its id, the per-node lists built only when asked for."""

    __slots__ = ("_rids", "_cell_of", "_total_of", "_img")

    def __init__(
        self,
        names: list[str],
        rids: list[int],
        cell_of: dict[int, tuple[int, int | None]],
        total_of: dict[int, int],
        img: int,
        same: dict[str, int],
    ) -> None:
        super().__init__(names, None, None)
        self._rids, self._cell_of, self._total_of, self._img, self._same = rids, cell_of, total_of, img, same

    @property
    def totals(self) -> list[int]:
        if self._totals is None:
            self._totals = list(map(self._total_of.__getitem__, self._rids))
        return self._totals

    @property
    def per_plugin(self) -> dict[str, list[int]]:
        if self._per_plugin is None:
            self._cells = list(map(self._cell_of.__getitem__, self._rids))
            self._imgs = [self._img] * len(self._rids)
        return ScoreTable.per_plugin.fget(self)  # type: ignore[attr-defined,no-any-return]

    def select(self, rng: Any) -> int:
        """:func:`select_index` of the totals, counted by resource id instead of node by node."""
        rids, total_of = self._rids, self._total_of
        top = max(total_of.values())
        tied = [rid for rid, t in total_of.items() if t == top]
        count = sum(map(rids.count, tied))
        if count == 1:
            return rids.index(tied[0])
        k = count - 1 - rng.randint(0, count - 1)
        if count == len(rids):
            return k
        hit = tied[0].__eq__ if len(tied) == 1 else set(tied).__contains__
        return list(compress(range(len(rids)), map(hit, rids)))[k]


def _resource_scores(pod: PodInfo, nodes: list[NodeInfo], balanced: bool) -> tuple[list[int], list[int] | None]:
    """:func:`least_allocated` and (when ``balanced``) :func:`balanced_allocation` for every node, in one loop;
    nodes with the same allocatable and requested totals (most of a node pool) share one computation."""
    nz_cpu, nz_mem = pod.non_zero.milli_cpu, pod.non_zero.memory
    cpu, mem = pod.requests.milli_cpu, pod.requests.memory
    fit: list[int] = []
    bal: list[int] | None = [] if balanced else None
    memo: dict[tuple[int, ...], tuple[int, int]] = {}
    for n in nodes:
        alloc, nz, used = n.allocatable, n.non_zero_requested, n.requested
        key = (alloc.milli_cpu, alloc.memory, nz.milli_cpu, nz.memory, used.milli_cpu, used.memory)
        hit = memo.get(key)
        if hit is None:
            ac, am = key[0], key[1]
            score = weights = 0
            if ac:
                r = nz.milli_cpu + nz_cpu
                score += 0 if r > ac else (ac - r) * MAX_NODE_SCORE // ac
                weights += 1
            if am:
                r = nz.memory + nz_mem
                score += 0 if r > am else (am - r) * MAX_NODE_SCORE // am
                weights += 1
            if ac and am:
                fc = (used.milli_cpu + cpu) / ac
                fm = (used.memory + mem) / am
                std = abs((fc if fc < 1.0 else 1.0) - (fm if fm < 1.0 else 1.0)) / 2
            else:
                std = 0.0
            hit = memo[key] = (score // weights if weights else 0, int((1 - std) * MAX_NODE_SCORE))
        fit.append(hit[0])
        if bal is not None:
            bal.append(hit[1])
    return fit, bal


def _image_locality_all(
    pod: PodInfo, nodes: list[NodeInfo], image_nodes: dict[str, int], total_nodes: int
) -> list[int]:
    """:func:`image_locality` for every node; nodes holding the same sizes of the pod's images (most of
    them) share one computation."""
    names = [_normalized_image(i) for i in pod.images]
    cache: dict[tuple, int] = {}
    out = []
    for n in nodes:
        sizes = n.image_sizes
        key = tuple(sizes.get(name) for name in names)
        score = cache.get(key)
        if score is None:
            score = cache[key] = image_locality(pod, n, image_nodes, total_nodes)
        out.append(score)
    return out


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
    fit, bal = _resource_scores(pod, nodes, bool(n) and not (pod.requests.milli_cpu == 0 and pod.requests.memory == 0))
    per_plugin["NodeResourcesFit"] = fit
    if spread is not None:
        per_plugin["PodTopologySpread"] = spread
    if inter is not None:
        per_plugin["InterPodAffinity"] = inter
    if bal is not None:
        per_plugin["NodeResourcesBalancedAllocation"] = bal
    if any(_normalized_image(i) in image_nodes for i in pod.images):
        per_plugin["ImageLocality"] = _image_locality_all(pod, nodes, image_nodes, total_nodes)
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


def _resource_cell(key: tuple[int, ...], nz_cpu: int, nz_mem: int, cpu: int, mem: int, balanced: bool) -> tuple:
    """A node's (LeastAllocated, BalancedAllocation or None) from its :attr:`~.NodeInfo.resource_key`."""
    ac, am, nzc, nzm, uc, um = key
    score = weights = 0
    if ac:
        r = nzc + nz_cpu
        score += 0 if r > ac else (ac - r) * MAX_NODE_SCORE // ac
        weights += 1
    if am:
        r = nzm + nz_mem
        score += 0 if r > am else (am - r) * MAX_NODE_SCORE // am
        weights += 1
    bal = None
    if balanced:
        if ac and am:
            fc = (uc + cpu) / ac
            fm = (um + mem) / am
            std = abs((fc if fc < 1.0 else 1.0) - (fm if fm < 1.0 else 1.0)) / 2
        else:
            std = 0.0
        bal = int((1 - std) * MAX_NODE_SCORE)
    return (score // weights if weights else 0, bal)


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
    images = [_normalized_image(i) for i in pod.images]
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
            cell = cell_of[rid] = _resource_cell(nodes[rids.index(rid)].resource_key, *args)
            total_of[rid] = base + cell[0] + (cell[1] or 0) + img
        return _ClassTable(names, rids, cell_of, total_of, img, same)
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
            res = res_memo[rid] = _resource_cell(x.resource_key, *args)
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


def select_index(totals: list[int], rng: Any) -> int:
    """The index of the highest total; a tie is broken uniformly at random with one draw (``selectHost``'s
    reservoir sampling gives every tied node the same chance). With two tied nodes the draw is the same
    one, for the same node, as the reservoir's."""
    top = max(totals)
    count = totals.count(top)
    if count == 1:
        return totals.index(top)
    k = count - 1 - rng.randint(0, count - 1)
    if count == len(totals):
        return k  # every node tied (a uniform pool)
    return list(compress(range(len(totals)), map(top.__eq__, totals)))[k]


def select_host(scored: list[dict[str, Any]], rng: Any) -> str:
    """The node with the highest total of :func:`prioritize`'s rows (see :func:`select_index`)."""
    return scored[select_index([e["total"] for e in scored], rng)]["node"]
