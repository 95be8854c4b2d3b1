"""The pod garbage collector: removes terminated pods past a threshold and pods of vanished nodes.

Follows pkg/controller/podgc/gc_controller.go (v1.37). Every 20 seconds (``gcCheckPeriod``):

* when more than ``--terminated-pod-gc-threshold`` (12500) pods are Succeeded or Failed, the oldest
  excess ones are deleted;
* pods bound to a node that no longer exists are, after 40 seconds of quarantine (and a live check that
  the node is still gone), marked ``Failed`` with the ``DisruptionTarget`` condition (``DeletionByPodGC``)
  and force-deleted;
* terminating pods that were never scheduled are force-deleted.
"""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.api.objects import copy_json, get_condition
from ktui.components.base import Controller
from ktui.sim.timefmt import rfc3339

__all__ = ["PodGCController", "terminated_to_delete"]

GC_CHECK_PERIOD = 20.0
QUARANTINE = 40.0


def terminated_to_delete(pods: list[dict], threshold: int) -> list[dict]:
    """The terminated pods to delete: the oldest beyond ``threshold`` (none when threshold <= 0)."""
    if threshold <= 0:
        return []
    done = [p for p in pods if (p.get("status") or {}).get("phase") in ("Succeeded", "Failed")]
    excess = len(done) - threshold
    if excess <= 0:
        return []
    done.sort(key=lambda p: ((p.get("metadata") or {}).get("creationTimestamp") or "", p["metadata"]["name"]))
    return done[:excess]


class PodGCController(Controller):
    """kube-controller-manager's ``pod-garbage-collector-controller``.

    Args:
        ctx: the component context; flag ``terminated-pod-gc-threshold`` (12500).
        informers: the shared informer factory.
    """

    name = "pod-garbage-collector-controller"
    FLAGS = {"terminated-pod-gc-threshold": 12500}
    """kube-controller-manager flags this controller reads, with their defaults."""

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.threshold = int(
            (ctx.flags or {}).get("terminated-pod-gc-threshold", self.FLAGS["terminated-pod-gc-threshold"])
        )
        self.pods = self.informer("pods")
        self.nodes = self.informer("nodes")
        self.missing_since: dict[str, float] = {}
        """Nodes that pods are bound to but that do not exist, with when that was first seen."""
        self._tick = None
        self._bound: dict[str, int] = {}
        """How many cached pods are bound to each node (kept by the pod handlers)."""
        self._terminated: set[str] = set()
        """Cached pods that are Succeeded or Failed, by cache key."""
        self._unbound_terminating: set[str] = set()
        """Cached pods being deleted that were never bound, by cache key."""
        self.pods.add_handler(self._pod_added, self._pod_updated, self._pod_deleted)

    # ------------------------------------------------------------ what a pass may act on, kept as pods change

    def _note(self, pod: dict, add: bool) -> None:
        md = pod["metadata"]
        key = f"{md.get('namespace', '')}/{md.get('name', '')}"
        node = (pod.get("spec") or {}).get("nodeName")
        if node:
            count = self._bound.get(node, 0) + (1 if add else -1)
            if count > 0:
                self._bound[node] = count
            else:
                self._bound.pop(node, None)
        elif md.get("deletionTimestamp"):
            (self._unbound_terminating.add if add else self._unbound_terminating.discard)(key)
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            (self._terminated.add if add else self._terminated.discard)(key)

    def _pod_added(self, pod: dict) -> None:
        self._note(pod, True)

    def _pod_updated(self, old: dict, new: dict) -> None:
        self._note(old, False)
        self._note(new, True)

    def _pod_deleted(self, pod: dict) -> None:
        self._note(pod, False)

    def start(self) -> None:
        super().start()
        if self._tick is None:
            self._tick = self.ctx.kernel.schedule(GC_CHECK_PERIOD, self.gc)

    def reconcile(self, key: str) -> None:
        """One pass now (the key is ignored: the loop is timer driven, and this leaves its timer alone)."""
        self.collect()

    def gc(self) -> None:
        """The timer's pass: reschedules itself every 20 seconds, then collects."""
        self._tick = self.ctx.kernel.schedule(GC_CHECK_PERIOD, self.gc)
        self.collect()

    def collect(self) -> None:
        """One pass of ``gc``: terminated pods past the threshold, orphaned pods, unscheduled terminating pods."""
        if not self._may_act():
            return
        pods = sorted(self.pods.list(), key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
        for pod in terminated_to_delete(pods, self.threshold):
            self._delete(pod, force=False)
        self._gc_orphaned(pods)
        for pod in pods:
            md = pod["metadata"]
            if md.get("deletionTimestamp") and not (pod.get("spec") or {}).get("nodeName"):
                self._delete(pod, force=True)

    def _may_act(self) -> bool:
        """Whether a pass could do anything: more terminated pods than the threshold, a pod bound to a node
        not in the cache, a terminating pod never bound, or nodes still counted as missing. When not, the
        sorted pass over every pod would change nothing."""
        if self.missing_since:
            return True
        bound = self.__dict__.get("_bound")
        if bound is None:  # restored from a world saved before these were kept
            return True
        if self._unbound_terminating or 0 < self.threshold < len(self._terminated):
            return True
        return not bound.keys() <= self.nodes.cache.keys()

    def _gc_orphaned(self, pods: list[dict]) -> None:
        now = self.ctx.now
        bound = sorted({(p.get("spec") or {}).get("nodeName") for p in pods if (p.get("spec") or {}).get("nodeName")})  # type: ignore[type-var]
        missing = [n for n in bound if self.nodes.get(n) is None]  # type: ignore[arg-type]
        for n in list(self.missing_since):
            if n not in missing:
                del self.missing_since[n]
        gone = set()
        for n in missing:  # type: ignore[assignment]
            since = self.missing_since.setdefault(n, now)
            if now - since < QUARANTINE:
                continue
            try:
                self.client.get("nodes", n)
                del self.missing_since[n]
                continue
            except ApiError as e:
                if e.code != 404:
                    continue
            gone.add(n)
        for pod in pods:
            if (pod.get("spec") or {}).get("nodeName") in gone:
                self._fail_and_delete(pod)

    def _fail_and_delete(self, pod: dict) -> None:
        """markFailedAndDeletePodWithCondition: Failed + DisruptionTarget, then a force delete."""
        new = copy_json(pod)
        status = new.setdefault("status", {})
        if status.get("phase") not in ("Succeeded", "Failed"):
            status["phase"] = "Failed"
        if get_condition(status.get("conditions"), "DisruptionTarget") is None:
            status.setdefault("conditions", []).append(
                {
                    "type": "DisruptionTarget",
                    "status": "True",
                    "lastProbeTime": None,
                    "lastTransitionTime": rfc3339(self.ctx.now),
                    "reason": "DeletionByPodGC",
                    "message": "PodGC: node no longer exists",
                }
            )
        if new != pod:
            try:
                self.client.update("pods", new, subresource="status")
            except ApiError:
                return
        self._delete(pod, force=True)

    def _delete(self, pod: dict, force: bool) -> None:
        md = pod["metadata"]
        try:
            self.client.delete("pods", md["name"], md["namespace"], grace_period_seconds=0 if force else None)
        except ApiError:
            return
