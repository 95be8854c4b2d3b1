"""The PreFilter state of one scheduling cycle (``framework.CycleState``), set on the pod's ``PodInfo.cycle``.

PodTopologySpread's and InterPodAffinity's PreFilter (:mod:`.podtopologyspread`, :mod:`.interpodaffinity`)
run once per cycle, against the :class:`~.topology.TopologyIndex`; VolumeBinding's state is set by the
scheduler (:mod:`.volumebinding`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ktui.components.scheduler.interpodaffinity import AffinityState, inter_pod_affinity_prefilter
from ktui.components.scheduler.podtopologyspread import SpreadState, pod_topology_spread_prefilter
from ktui.components.scheduler.topology import TopologyIndex

if TYPE_CHECKING:  # pragma: no cover
    from ktui.components.scheduler.podinfo import PodInfo

__all__ = ["CycleState", "prefilter"]


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
    state = CycleState(index, pod_topology_spread_prefilter(pod, index), inter_pod_affinity_prefilter(pod, index))
    pod.cycle = state  # type: ignore[assignment]
    return state
