"""One cycle's scores (an array per plugin, the weighted totals), the plugins' weights, and ``selectHost``'s pick."""

from __future__ import annotations

from itertools import compress
from typing import Any

__all__ = ["ClassTable", "ScoreTable", "WEIGHTS", "select_index"]

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


class ClassTable(ScoreTable):
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
