"""``n``: run the cluster's next event and say in one line what ran, and which Events it recorded.

The naming of events ("watch: 1 pods event reaches system:kube-scheduler", "kubelet on node02 syncs pod
default/nginx") and the report live below the UI (:mod:`ktui.inspection.events`), so that the control API's
``POST /ktui/v1/clock/step`` answers the same; the step itself is :meth:`ktui.cluster.Cluster.step_report`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ktui.inspection import StepReport, describe_callback

if TYPE_CHECKING:
    from ktui.cluster import Cluster

__all__ = ["StepReport", "next_event", "describe_callback"]


def next_event(cluster: "Cluster") -> StepReport | None:
    """Run the next pending event (the clock jumps to it) and report it; None when nothing is scheduled."""
    return cluster.step_report()
