"""The taint eviction controller: deletes pods that do not tolerate their node's NoExecute taints.

Follows pkg/controller/tainteviction/taint_eviction.go (v1.37): when a node's NoExecute taints change
(or a pod lands on a tainted node, or its tolerations change) each pod on it is checked; a pod that does
not tolerate every NoExecute taint is deleted at once, one that tolerates them all for a while
(``tolerationSeconds``, 300s from the DefaultTolerationSeconds admission plugin) is deleted when the
smallest of those runs out, and the scheduled deletion is cancelled when the taint goes away. Deleting
first sets the pod's ``DisruptionTarget`` condition, then makes an ordinary graceful delete.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.api.objects import copy_json, get_condition
from ktui.components.base import Controller
from ktui.components.controllers.node_lifecycle import pod_node_index
from ktui.sim.timefmt import rfc3339

__all__ = ["TaintEvictionController", "tolerates", "matching_tolerations", "min_toleration_seconds", "noexecute_taints"]


def tolerates(toleration: dict, taint: dict) -> bool:
    """``Toleration.ToleratesTaint``: effect, key and (for ``Equal``) value must match."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    op = toleration.get("operator") or "Equal"
    if key and key != taint.get("key"):
        return False
    if op == "Exists":
        return True
    if op == "Equal":
        return bool(key) and (toleration.get("value") or "") == (taint.get("value") or "")
    return False


def matching_tolerations(taints: list[dict], tolerations: list[dict]) -> tuple[bool, list[dict]]:
    """``GetMatchingTolerations``: whether every taint is tolerated, and the tolerations that matched."""
    if not taints:
        return True, []
    if not tolerations:
        return False, []
    used: list[dict] = []
    for taint in taints:
        matched = [t for t in tolerations if tolerates(t, taint)]
        if not matched:
            return False, []
        used.extend(matched)
    return True, used


def min_toleration_seconds(used: list[dict]) -> float:
    """``getMinTolerationTime``: 0 with no tolerations or a non-positive one, -1 for forever."""
    if not used:
        return 0.0
    best: float | None = None
    for t in used:
        secs = t.get("tolerationSeconds")
        if secs is None:
            continue
        if secs <= 0:
            return 0.0
        best = secs if best is None else min(best, secs)
    return -1.0 if best is None else float(best)


def noexecute_taints(node: dict | None) -> list[dict]:
    """The node's NoExecute taints, in order."""
    if node is None:
        return []
    return [t for t in (node.get("spec") or {}).get("taints") or [] if t.get("effect") == "NoExecute"]


def _taint_ids(taints: list[dict]) -> list[tuple]:
    return [(t.get("key"), t.get("value"), t.get("effect"), t.get("timeAdded")) for t in taints]


class _Work:
    """One scheduled pod deletion (a TimedWorker): its clock event, start and fire times."""

    __slots__ = ("event", "created", "fire")

    def __init__(self, event: Any, created: float, fire: float) -> None:
        self.event = event
        self.created = created
        self.fire = fire


class TaintEvictionController(Controller):
    """kube-controller-manager's ``taint-eviction-controller``.

    Args:
        ctx: the component context.
        informers: the shared informer factory.
    """

    name = "taint-eviction-controller"

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.nodes = self.informer("nodes")
        self.pods = self.informer("pods")
        self.pods.add_indexer("nodeName", pod_node_index)
        self.nodes.add_handler(self._on_node_add, self._on_node_update, self._on_node_delete)
        self.pods.add_handler(self._on_pod_add, self._on_pod_update, self._on_pod_delete)
        self.tainted: dict[str, list[dict]] = {}
        """NoExecute taints by node name, as last processed."""
        self.work: dict[str, _Work | None] = {}
        """Scheduled deletions by pod key; None once fired (kept so the pod is not deleted twice)."""

    # ------------------------------------------------------------ handlers (enqueue only)

    def _on_node_add(self, node: dict) -> None:
        self.queue.add("node:" + node["metadata"]["name"])

    def _on_node_update(self, old: dict, new: dict) -> None:
        if _taint_ids(noexecute_taints(old)) != _taint_ids(noexecute_taints(new)):
            self.queue.add("node:" + new["metadata"]["name"])

    def _on_node_delete(self, node: dict) -> None:
        self.queue.add("node:" + node["metadata"]["name"])

    def _on_pod_add(self, pod: dict) -> None:
        self._pod_changed(None, pod)

    def _on_pod_update(self, old: dict, new: dict) -> None:
        self._pod_changed(old, new)

    def _on_pod_delete(self, pod: dict) -> None:
        self._pod_changed(pod, None)

    def _pod_changed(self, old: dict | None, new: dict | None) -> None:
        if old is not None and new is not None:
            os_, ns_ = old.get("spec") or {}, new.get("spec") or {}
            if os_.get("tolerations") == ns_.get("tolerations") and os_.get("nodeName") == ns_.get("nodeName"):
                return
        pod = new if new is not None else old
        md = pod["metadata"]  # type: ignore[index]
        self.queue.add(f"pod:{(pod.get('spec') or {}).get('nodeName') or ''}:{md['namespace']}/{md['name']}")  # type: ignore[union-attr]

    # ------------------------------------------------------------ reconcile

    def reconcile(self, key: str) -> None:
        kind, _, rest = key.partition(":")
        if kind == "node":
            self._handle_node(rest)
        else:
            node_name, _, pod_key = rest.partition(":")
            self._handle_pod(node_name, pod_key)

    def _handle_node(self, name: str) -> None:
        node = self.nodes.get(name)
        if node is None:
            self.tainted.pop(name, None)
            return
        taints = noexecute_taints(node)
        if taints:
            self.tainted[name] = taints
        else:
            self.tainted.pop(name, None)
        pods = sorted(
            self.pods.by_index("nodeName", name), key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"])
        )
        for pod in pods:
            pod_key = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
            if not taints:
                self._cancel(pod_key)
            else:
                self._process(pod_key, (pod.get("spec") or {}).get("tolerations") or [], taints)

    def _handle_pod(self, node_name: str, pod_key: str) -> None:
        pod = self.pods.get(pod_key)
        if pod is None:
            self._cancel(pod_key)
            self.work.pop(pod_key, None)
            return
        if (pod.get("spec") or {}).get("nodeName") != node_name or not node_name:
            return
        taints = self.tainted.get(node_name)
        if taints is None:
            return
        self._process(pod_key, (pod.get("spec") or {}).get("tolerations") or [], taints)

    def _process(self, pod_key: str, tolerations: list[dict], taints: list[dict]) -> None:
        """processPodOnNode."""
        now = self.ctx.now
        if not taints:
            self._cancel(pod_key)
        all_tolerated, used = matching_tolerations(taints, tolerations)
        if not all_tolerated:
            self._cancel(pod_key)
            self._add(pod_key, now, now)
            return
        wait = min_toleration_seconds(used)
        if wait < 0:
            self._cancel(pod_key)
            return
        start, trigger = now, now + wait
        existing = self.work.get(pod_key)
        if existing is not None:
            start = existing.created
            if start + wait < trigger:
                return
            self._cancel(pod_key)
        self._add(pod_key, start, trigger)

    def _add(self, pod_key: str, created: float, fire: float) -> None:
        if pod_key in self.work:
            return  # already scheduled or done (TimedWorkerQueue.AddWork)
        event = self.ctx.kernel.schedule_at(fire, self._fire, pod_key)
        self.work[pod_key] = _Work(event, created, fire)

    def _cancel(self, pod_key: str) -> None:
        """cancelWorkWithEvent: an event only when a pending deletion is cancelled."""
        if pod_key not in self.work:
            return
        work = self.work.pop(pod_key)
        if work is not None:
            work.event.cancel()
            self._event(pod_key, f"Cancelling deletion of Pod {pod_key}")

    def _event(self, pod_key: str, message: str) -> None:
        ns, name = pod_key.split("/", 1)
        ref = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns}}
        self.recorder.event(ref, "Normal", "TaintManagerEviction", message)

    def _fire(self, pod_key: str) -> None:
        """deletePodHandler: the event, the DisruptionTarget condition, then a graceful delete."""
        work = self.work.get(pod_key)
        if work is None:
            return
        self._event(pod_key, f"Marking for deletion Pod {pod_key}")
        ns, name = pod_key.split("/", 1)
        try:
            self._condition_and_delete(ns, name)
        except ApiError:
            self.work.pop(pod_key, None)  # a failed worker is forgotten (retried on the next change)
            return
        self.work[pod_key] = None

    def _condition_and_delete(self, ns: str, name: str) -> None:
        try:
            pod = self.client.get("pods", name, ns)
        except ApiError as e:
            if e.code == 404:
                return
            raise
        status = pod.get("status") or {}
        cond = get_condition(status.get("conditions"), "DisruptionTarget")
        want = {
            "type": "DisruptionTarget",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": rfc3339(self.ctx.now),
            "reason": "DeletionByTaintManager",
            "message": "Taint manager: deleting due to NoExecute taint",
        }
        if cond is None or any(cond.get(k) != want[k] for k in ("status", "reason", "message")):
            new = copy_json(pod)
            conds = [
                c for c in (new.get("status") or {}).get("conditions") or [] if c.get("type") != "DisruptionTarget"
            ]
            if cond is not None and cond.get("status") == "True":
                want["lastTransitionTime"] = cond.get("lastTransitionTime")
            conds.append(want)
            new.setdefault("status", {})["conditions"] = conds
            self.client.update("pods", new, subresource="status")
        try:
            self.client.delete("pods", name, ns)
        except ApiError as e:
            if e.code != 404:
                raise
