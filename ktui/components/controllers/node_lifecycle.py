"""The node lifecycle controller: notices silent kubelets, marks nodes Unknown and taints them.

Follows pkg/controller/nodelifecycle/node_lifecycle_controller.go (v1.37): every
``--node-monitor-period`` it compares each node's last heartbeat (the ``kube-node-lease`` Lease's
renewTime and the Ready condition's lastHeartbeatTime) with ``--node-monitor-grace-period``; past it,
the kubelet-owned conditions turn ``Unknown``, pods on the node are marked not ready and, at the
following pass (``processTaintBaseEviction`` works from the condition observed *before* this pass's
update), the ``node.kubernetes.io/unreachable:NoExecute`` taint is added. The NoSchedule taints that
mirror node conditions (TaintNodesByCondition) are kept in step on every node change. The taints and the
pods marked not ready are the :class:`~ktui.components.controllers.node_taints.NodeTainting` mixin's.
"""

from __future__ import annotations

import heapq

from ktui.api.errors import ApiError
from ktui.api.objects import copy_json, get_condition
from ktui.components.base import Controller
from ktui.components.controllers.node_taints import TAINT_NOT_READY, TAINT_UNREACHABLE, NodeTainting
from ktui.sim.timefmt import parse_duration, parse_rfc3339, rfc3339

__all__ = [
    "NodeLifecycleController",
    "heartbeat_of",
    "mark_conditions_unknown",
    "pod_node_index",
]

_KUBELET_CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
"""Conditions turned Unknown when the kubelet goes silent (NetworkUnavailable is left alone)."""


# ------------------------------------------------------------------ pure decisions


def _ts(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return parse_rfc3339(text)
    except ValueError:
        return None


def heartbeat_of(node: dict, lease: dict | None) -> tuple[float, bool]:
    """The node's latest health signal and whether the kubelet ever posted a Ready condition.

    The signal is the later of the Lease's renewTime and the Ready condition's lastHeartbeatTime; a
    node that never posted status counts from its creationTimestamp (and gets the startup grace period).
    """
    ready = get_condition((node.get("status") or {}).get("conditions"), "Ready")
    stamps = [_ts((node.get("metadata") or {}).get("creationTimestamp")) or 0.0]
    if ready is not None:
        stamps.append(_ts(ready.get("lastHeartbeatTime")) or 0.0)
    if lease is not None:
        stamps.append(_ts((lease.get("spec") or {}).get("renewTime")) or 0.0)
    return max(stamps), ready is not None


def mark_conditions_unknown(node: dict, now: float) -> dict:
    """A copy of ``node`` whose kubelet conditions are ``Unknown``, as tryUpdateNodeHealth writes them."""
    out = copy_json(node)
    status = out.setdefault("status", {})
    conditions = status.setdefault("conditions", [])
    created = (out.get("metadata") or {}).get("creationTimestamp") or rfc3339(now)
    for ctype in _KUBELET_CONDITIONS:
        cond = get_condition(conditions, ctype)
        if cond is None:
            conditions.append(
                {
                    "type": ctype,
                    "status": "Unknown",
                    "lastHeartbeatTime": created,
                    "lastTransitionTime": rfc3339(now),
                    "reason": "NodeStatusNeverUpdated",
                    "message": "Kubelet never posted node status.",
                }
            )
        elif cond.get("status") != "Unknown":
            cond["status"] = "Unknown"
            cond["reason"] = "NodeStatusUnknown"
            cond["message"] = "Kubelet stopped posting node status."
            cond["lastTransitionTime"] = rfc3339(now)
    return out


# ------------------------------------------------------------------ the controller


class NodeLifecycleController(NodeTainting, Controller):
    """kube-controller-manager's ``node-lifecycle-controller`` (events from ``node-controller``).

    Args:
        ctx: the component context; flags ``node-monitor-period``, ``node-monitor-grace-period``,
            ``node-startup-grace-period`` (1m0s) and ``pod-eviction-timeout`` (accepted, unused: eviction
            is the taint eviction controller's, driven by taints and tolerationSeconds).
        informers: the shared informer factory.
    """

    name = "node-controller"
    FLAGS = {
        "node-monitor-period": "5s",
        "node-monitor-grace-period": "40s",  # the seed's value; Kubernetes >= 1.32 ships 50s
        "node-startup-grace-period": "1m0s",
        "pod-eviction-timeout": "5m0s",
    }
    """The kube-controller-manager flags this controller reads, with their defaults (declared once here)."""

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers, component="node-controller")
        flags = {**self.FLAGS, **(ctx.flags or {})}
        self.monitor_period = parse_duration(flags["node-monitor-period"])
        """How often node health is checked."""
        self.grace_period = parse_duration(flags["node-monitor-grace-period"])
        """How long a node may stay silent before it is marked Unknown."""
        self.startup_grace_period = parse_duration(flags["node-startup-grace-period"])
        """The grace period of a node that never posted status."""
        self.pod_eviction_timeout = parse_duration(flags["pod-eviction-timeout"])
        """Accepted for the seed; v1.37 evicts through NoExecute taints and tolerationSeconds."""
        self.nodes = self.informer("nodes")
        self.leases = self.informer("leases", "kube-node-lease")
        self.pods = self.informer("pods")
        self.pods.add_indexer("nodeName", pod_node_index)
        self.nodes.add_handler(self._on_node_add, self._on_node_update, self._on_node_delete)
        # A renewal only moves a node's deadline later, which the deadline heap finds when that entry comes
        # up (reading the Lease then, as monitorNodeHealth reads its lister): no handler for updates.
        self.leases.add_handler(self._on_lease, None, self._on_lease_delete)
        self.pods.add_handler(self._on_pod_add, self._on_pod_update, None)
        self.known: dict[str, dict] = {}
        """Nodes seen by the last monitor pass, by name."""
        self.saved_ready: dict[str, str] = {}
        """The Ready status the last monitor pass left each node in."""
        self._tick = None
        self._node_beat: dict[str, tuple[float, bool]] = {}
        """Per node, the heartbeat its object carries (creation or Ready heartbeat, parsed) and whether the
        kubelet ever posted a Ready condition."""
        self._deadlines: list[tuple[float, str]] = []
        """A heap of (deadline, node): when a node's grace period runs out unless it sends a heartbeat."""
        self._queued: dict[str, float] = {}
        """The earliest deadline each node has in the heap."""
        self._dirty: set[str] = set()
        """Nodes whose object changed (or whose check failed) since the last pass: checked at the next one."""
        self._added: set[str] = set()
        self._removed: set[str] = set()

    def start(self) -> None:
        super().start()
        if self._tick is None:
            self._tick = self.ctx.kernel.call_soon(self.monitor)

    # ------------------------------------------------------------ handlers

    def _on_node_add(self, node: dict) -> None:
        name = node["metadata"]["name"]
        self._added.add(name)
        self._removed.discard(name)
        self._node_changed(node)
        self.enqueue(node)

    def _on_node_update(self, old: dict, new: dict) -> None:
        self._node_changed(new)
        self.enqueue(new)

    def _on_node_delete(self, node: dict) -> None:
        name = node["metadata"]["name"]
        self._removed.add(name)
        self._added.discard(name)
        self._node_beat.pop(name, None)
        self._dirty.discard(name)

    def _node_changed(self, node: dict) -> None:
        name = node["metadata"]["name"]
        ready = get_condition((node.get("status") or {}).get("conditions"), "Ready")
        beat = _ts((node.get("metadata") or {}).get("creationTimestamp")) or 0.0
        if ready is not None:
            beat = max(beat, _ts(ready.get("lastHeartbeatTime")) or 0.0)
        self._node_beat[name] = (beat, ready is not None)
        self._dirty.add(name)
        self._push_deadline(name)

    def _on_lease(self, lease: dict) -> None:
        self._push_deadline(lease["metadata"]["name"])

    def _on_lease_delete(self, lease: dict) -> None:
        self._push_deadline(lease["metadata"]["name"])  # (the informer no longer has it: the node's own beat)

    def _deadline(self, name: str) -> float | None:
        """The last moment ``name`` counts as healthy without a new heartbeat (as :func:`heartbeat_of`)."""
        node = self._node_beat.get(name)
        if node is None:
            return None
        beat, posted = node
        held = self.leases.cache.get("kube-node-lease/" + name)
        if held is not None:
            lease = _ts((held.get("spec") or {}).get("renewTime")) or 0.0
            if lease > beat:
                beat = lease
        return beat + (self.grace_period if posted else self.startup_grace_period)

    def _push_deadline(self, name: str) -> None:
        deadline = self._deadline(name)
        if deadline is None:
            return
        queued = self._queued.get(name)
        if queued is None or deadline < queued:
            self._queued[name] = deadline
            heapq.heappush(self._deadlines, (deadline, name))

    def _expired(self, now: float) -> set[str]:
        """Nodes whose deadline passed (``now > heartbeat + grace``); a later deadline is queued instead."""
        out: set[str] = set()
        heap = self._deadlines
        while heap and heap[0][0] < now:
            deadline, name = heapq.heappop(heap)
            if self._queued.get(name) != deadline:
                continue  # superseded by an earlier entry of the same node
            del self._queued[name]
            current = self._deadline(name)
            if current is None:
                continue
            if current < now:
                out.add(name)
            else:
                self._queued[name] = current
                heapq.heappush(heap, (current, name))
        return out

    def _on_pod_add(self, pod: dict) -> None:
        self._on_pod_update(None, pod)

    def _on_pod_update(self, old: dict | None, pod: dict) -> None:
        node = (pod.get("spec") or {}).get("nodeName")
        if node and (old is None or (old.get("spec") or {}).get("nodeName") != node):
            if self.saved_ready.get(node, "True") != "True":
                self.ctx.kernel.call_soon(
                    self._mark_pods_not_ready, [pod["metadata"]["namespace"] + "/" + pod["metadata"]["name"]], node
                )

    # ------------------------------------------------------------ monitorNodeHealth

    def monitor(self) -> None:
        """One pass of monitorNodeHealth; reschedules itself every ``node-monitor-period``.

        Only nodes that can need action are looked at: those whose object changed since the last pass and
        those whose heartbeat deadline passed (a heap of deadlines, kept as Leases and Nodes change). A
        healthy node with a fresh heartbeat and no change is a no-op for the real controller too.
        """
        self._tick = self.ctx.kernel.schedule(self.monitor_period, self.monitor)
        added = sorted(n for n in self._added if self.nodes.get(n) is not None)
        removed = sorted(n for n in self._removed if self.nodes.get(n) is None)
        self._added.clear()
        self._removed.clear()
        for name in added:
            node = self.nodes.get(name)
            if name not in self.known:
                self._node_event(node, "RegisteredNode", f"Registered Node {name} in Controller")  # type: ignore[arg-type]
                self.known[name] = node  # type: ignore[assignment]
                try:
                    self._swap(name, [], [(TAINT_UNREACHABLE, "NoExecute"), (TAINT_NOT_READY, "NoExecute")])
                except ApiError:
                    pass
        for name in removed:
            if name in self.known:
                self._node_event(self.known.pop(name), "RemovingNode", f"Removing Node {name} from Controller")
                self.saved_ready.pop(name, None)
        due = self._dirty | self._expired(self.ctx.now)
        self._dirty = set()
        for name in sorted(due):
            node = self.nodes.get(name)
            if node is None:
                continue
            try:
                self._check(node)
            except ApiError:
                self._dirty.add(name)  # retried at the next pass, as the real controller does

    def _check(self, node: dict) -> None:
        name = node["metadata"]["name"]
        now = self.ctx.now
        lease = self.leases.get(f"kube-node-lease/{name}")
        beat, posted = heartbeat_of(node, lease)
        grace = self.grace_period if posted else self.startup_grace_period
        observed = get_condition((node.get("status") or {}).get("conditions"), "Ready")
        observed_status = observed.get("status") if observed else "Unknown"
        current_status = observed_status if observed else None
        if now > beat + grace:
            updated = mark_conditions_unknown(node, now)
            current = get_condition(updated["status"]["conditions"], "Ready")
            current_status = current["status"]  # type: ignore[index]
            if current != observed:
                self.client.update("nodes", updated, subresource="status")
                node = updated
        if current_status is None:
            return  # never posted status and still within the startup grace period
        self.saved_ready[name] = current_status
        self._taint_based_eviction(node, observed_status)  # type: ignore[arg-type]
        if current_status != "True" and observed_status == "True":
            self._node_status_event(node, "NodeNotReady")
            keys = [
                f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in self.pods.by_index("nodeName", name)
            ]
            self._mark_pods_not_ready(sorted(keys), name)

    # ------------------------------------------------------------ events

    def _node_ref(self, node: dict) -> dict:
        md = node.get("metadata") or {}
        return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": md.get("name", ""), "uid": md.get("uid", "")}}

    def _node_event(self, node: dict, reason: str, text: str) -> None:
        name = node["metadata"]["name"]
        self.recorder.event(self._node_ref(node), "Normal", reason, f"Node {name} event: {text}")

    def _node_status_event(self, node: dict, status: str) -> None:
        name = node["metadata"]["name"]
        self.recorder.event(self._node_ref(node), "Normal", status, f"Node {name} status is now: {status}")


def pod_node_index(pod: dict) -> list[str]:
    """The ``spec.nodeName`` index of pods (empty for unscheduled pods)."""
    node = (pod.get("spec") or {}).get("nodeName")
    return [node] if node else []
