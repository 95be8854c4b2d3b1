"""The node lifecycle controller's taints: conditions' NoSchedule taints, Ready's NoExecute taints, pods not ready.

As ``doNoScheduleTaintingPass`` and ``processTaintBaseEviction`` of
pkg/controller/nodelifecycle/node_lifecycle_controller.go with the helpers of pkg/controller/util/node
(``SwapNodeControllerTaint``, ``MarkPodsNotReady``): a mixin of
:class:`ktui.components.controllers.node_lifecycle.NodeLifecycleController`, whose health monitor calls it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api.errors import ApiError
from ktui.api.objects import copy_json, get_condition
from ktui.sim.timefmt import rfc3339

if TYPE_CHECKING:
    from ktui.api.client import Client
    from ktui.api.events import EventRecorder
    from ktui.api.informer import Informer
    from ktui.components.base import Context

__all__ = [
    "NodeTainting",
    "TAINT_UNREACHABLE",
    "TAINT_NOT_READY",
    "TAINT_UNSCHEDULABLE",
    "condition_taints",
    "swap_taints",
    "pod_not_ready_status",
]

TAINT_UNREACHABLE = "node.kubernetes.io/unreachable"
TAINT_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"

_CONDITION_TAINTS: dict[str, dict[str, str]] = {
    "Ready": {"False": TAINT_NOT_READY, "Unknown": TAINT_UNREACHABLE},
    "MemoryPressure": {"True": "node.kubernetes.io/memory-pressure"},
    "DiskPressure": {"True": "node.kubernetes.io/disk-pressure"},
    "NetworkUnavailable": {"True": "node.kubernetes.io/network-unavailable"},
    "PIDPressure": {"True": "node.kubernetes.io/pid-pressure"},
}
_CONDITION_TAINT_KEYS = frozenset(k for m in _CONDITION_TAINTS.values() for k in m.values())


# ------------------------------------------------------------------ pure decisions


def condition_taints(node: dict) -> list[tuple[str, str]]:
    """The NoSchedule taints (key, effect) that node conditions and ``spec.unschedulable`` call for."""
    out: list[tuple[str, str]] = []
    for cond in (node.get("status") or {}).get("conditions") or []:
        key = _CONDITION_TAINTS.get(cond.get("type", ""), {}).get(cond.get("status", ""))
        if key:
            out.append((key, "NoSchedule"))
    if (node.get("spec") or {}).get("unschedulable"):
        out.append((TAINT_UNSCHEDULABLE, "NoSchedule"))
    return out


def _is_condition_taint(t: dict) -> bool:
    return t.get("effect") == "NoSchedule" and (
        t.get("key") in _CONDITION_TAINT_KEYS or t.get("key") == TAINT_UNSCHEDULABLE
    )


def swap_taints(
    taints: list[dict] | None, add: list[tuple[str, str]], remove: list[tuple[str, str]], now: float
) -> list[dict] | None:
    """``taints`` with ``add`` added (``timeAdded`` now for NoExecute) and ``remove`` removed; None if unchanged.

    As controller.AddOrUpdateTaintOnNode / RemoveTaintOffNode: a taint is identified by key and effect.
    """
    current = [dict(t) for t in taints or []]
    changed = False
    drop = set(remove)
    kept = [t for t in current if (t.get("key"), t.get("effect")) not in drop]
    if len(kept) != len(current):
        changed = True
    have = {(t.get("key"), t.get("effect")) for t in kept}
    for key, effect in add:
        if (key, effect) in have:
            continue
        taint: dict[str, Any] = {"key": key, "effect": effect}
        if effect == "NoExecute":
            taint["timeAdded"] = rfc3339(now)
        kept.append(taint)
        have.add((key, effect))
        changed = True
    return kept if changed else None


def pod_not_ready_status(pod: dict, now: float) -> dict | None:
    """The pod status with Ready=False (MarkPodsNotReady), or None when it has no Ready=True condition."""
    status = copy_json(pod.get("status") or {})
    cond = get_condition(status.get("conditions"), "Ready")
    if cond is None or cond.get("status") == "False":
        return None
    cond["status"] = "False"
    cond["lastTransitionTime"] = rfc3339(now)
    return status


class NodeTainting:
    """The taint half of :class:`ktui.components.controllers.node_lifecycle.NodeLifecycleController` (which sets
    what is declared here): ``reconcile`` is its NoSchedule tainting pass."""

    ctx: "Context"
    client: "Client"
    recorder: "EventRecorder"
    nodes: "Informer"
    pods: "Informer"

    # ------------------------------------------------------------ NoSchedule taints (doNoScheduleTaintingPass)

    def reconcile(self, key: str) -> None:
        node = self.nodes.get(key)
        if node is None:
            return
        want = set(condition_taints(node))
        have = {
            (t.get("key"), t.get("effect"))
            for t in (node.get("spec") or {}).get("taints") or []
            if _is_condition_taint(t)
        }
        add = sorted(want - have, key=condition_taints(node).index)
        remove = sorted(have - want)
        if add or remove:
            self._swap(key, add, remove)

    def _swap(self, name: str, add: list[tuple[str, str]], remove: list[tuple[str, str]]) -> bool:
        """Add and remove taints on the live node (AddOrUpdateTaintOnNode + RemoveTaintOffNode)."""
        cached = self.nodes.get(name)
        if cached is not None and swap_taints((cached.get("spec") or {}).get("taints"), add, remove, 0) is None:
            return True
        try:
            node = self.client.get("nodes", name)
        except ApiError as e:
            if e.code == 404:
                return False
            raise
        taints = swap_taints((node.get("spec") or {}).get("taints"), add, remove, self.ctx.now)
        if taints is None:
            return True
        spec = node.setdefault("spec", {})
        if taints:
            spec["taints"] = taints
        else:
            spec.pop("taints", None)
        self.client.update("nodes", node)
        return True

    # ------------------------------------------------------------ NoExecute taints and pods (processTaintBaseEviction)

    def _taint_based_eviction(self, node: dict, observed: str) -> None:
        """processTaintBaseEviction: NoExecute taints follow the Ready condition seen at this pass."""
        name = node["metadata"]["name"]
        taints = {(t.get("key"), t.get("effect")) for t in (node.get("spec") or {}).get("taints") or []}
        if observed == "False":
            if (TAINT_NOT_READY, "NoExecute") not in taints:
                self._swap(name, [(TAINT_NOT_READY, "NoExecute")], [(TAINT_UNREACHABLE, "NoExecute")])
        elif observed == "Unknown":
            if (TAINT_UNREACHABLE, "NoExecute") not in taints:
                self._swap(name, [(TAINT_UNREACHABLE, "NoExecute")], [(TAINT_NOT_READY, "NoExecute")])
        elif taints & {(TAINT_UNREACHABLE, "NoExecute"), (TAINT_NOT_READY, "NoExecute")}:
            self._swap(name, [], [(TAINT_UNREACHABLE, "NoExecute"), (TAINT_NOT_READY, "NoExecute")])

    def _mark_pods_not_ready(self, keys: list[str], node_name: str) -> None:
        """MarkPodsNotReady: Ready=False on each pod, and a ``NodeNotReady`` Warning on it."""
        for key in keys:
            pod = self.pods.get(key)
            if pod is None or (pod.get("spec") or {}).get("nodeName") != node_name:
                continue
            status = pod_not_ready_status(pod, self.ctx.now)
            if status is None:
                continue
            new = copy_json(pod)
            new["status"] = status
            try:
                written = self.client.update("pods", new, subresource="status")
            except ApiError:
                continue
            self.recorder.event(written, "Warning", "NodeNotReady", "Node is not ready")
