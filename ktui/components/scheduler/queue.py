"""The scheduling queue: activeQ, backoffQ and unschedulable pods, moved by cluster events and timers.

Follows pkg/scheduler/internal/queue/scheduling_queue.go in v1.37: activeQ is ordered by PrioritySort
(priority, then the time the pod entered the queue); a pod rejected by plugins waits among the unschedulable
pods until an event one of those plugins cares about (its queueing hint says ``Queue``) or for
``podMaxInUnschedulablePodsDuration``; it then goes to activeQ, or to backoffQ while its backoff
(``podInitialBackoffSeconds`` doubling per failure up to ``podMaxBackoffSeconds``) lasts. With
``SchedulerPopFromBackoffQ`` (on by default) an idle scheduler takes pods from backoffQ too.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any, Callable

from ktui.components.scheduler import filters
from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo

__all__ = ["QueuedPod", "SchedulingQueue", "node_event_hint", "pod_delete_hint"]

ACTIVE, BACKOFF, UNSCHEDULABLE, GATED = "active", "backoff", "unschedulable", "gated"


@dataclass
class QueuedPod:
    """A pending pod and its queueing history (``QueuedPodInfo``)."""

    key: str
    pod: dict
    priority: int
    timestamp: float
    """When the pod last entered the queue (added, or rejected)."""
    seq: int
    attempts: int = 0
    unschedulable_count: int = 0
    error_count: int = 0
    rejectors: tuple[str, ...] = ()
    """Plugins that rejected the pod in its last attempt."""
    where: str = ACTIVE
    token: int = 0
    backoff_expiry: float = 0.0
    history: list[str] = field(default_factory=list)
    info: Any = None
    """The scheduler's PodInfo for ``pod`` (recomputed when ``pod`` changes)."""


def _gated(pod: dict) -> bool:
    return bool((pod.get("spec") or {}).get("schedulingGates"))


class SchedulingQueue:
    """Pending pods by ``namespace/name``.

    Args:
        kernel: the simulation kernel (timers for backoff expiry and the unschedulable timeout).
        wake: called when a pod becomes poppable, so the scheduler can run a cycle.
        initial_backoff: seconds of the first backoff.
        max_backoff: the backoff cap.
        max_unschedulable: seconds after which an unschedulable pod is retried regardless of events.
        pop_from_backoff: the SchedulerPopFromBackoffQ feature: pop from backoffQ when activeQ is empty.
    """

    def __init__(
        self,
        kernel: Any,
        wake: Callable[[], None],
        *,
        initial_backoff: float = 1.0,
        max_backoff: float = 10.0,
        max_unschedulable: float = 300.0,
        pop_from_backoff: bool = True,
    ) -> None:
        self.kernel = kernel
        self.wake = wake
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.max_unschedulable = max_unschedulable
        self.pop_from_backoff = pop_from_backoff
        self.pods: dict[str, QueuedPod] = {}
        self._active: list[tuple] = []
        self._backoff: list[tuple] = []
        self._unschedulable: dict[str, None] = {}
        """Keys of the pods waiting among the unschedulable pods."""
        self._seq = 0
        self._token = 0

    # ---------------------------------------------------------------- placement

    def _place(self, qp: QueuedPod, where: str) -> None:
        self._token += 1
        qp.token = self._token
        qp.where = where
        if where == UNSCHEDULABLE:
            self._unschedulable[qp.key] = None
        else:
            self._unschedulable.pop(qp.key, None)
        qp.history.append(f"{self.kernel.now:g}s {where}")
        del qp.history[:-20]
        if where == ACTIVE:
            heapq.heappush(self._active, (-qp.priority, qp.timestamp, qp.seq, qp.key, qp.token))
            self.wake()
        elif where == BACKOFF:
            heapq.heappush(self._backoff, (qp.backoff_expiry, -qp.priority, qp.seq, qp.key, qp.token))
            self.kernel.schedule_at(qp.backoff_expiry, self._backoff_done, qp.key, qp.token)
            if self.pop_from_backoff:
                self.wake()
        elif where == UNSCHEDULABLE:
            self.kernel.schedule(self.max_unschedulable, self._unschedulable_timeout, qp.key, qp.token)

    def backoff_duration(self, qp: QueuedPod) -> float:
        """``initial * 2^(n-1)`` capped at ``max``, n being the unschedulable (or consecutive error) count."""
        n = qp.error_count or qp.unschedulable_count
        if n <= 0:
            return 0.0
        d = self.initial_backoff
        for _ in range(1, n):
            d *= 2
            if d > self.max_backoff:
                return self.max_backoff
        return min(d, self.max_backoff)

    def _requeue(self, qp: QueuedPod) -> None:
        """Move out of the unschedulable pods: to backoffQ while backing off, else to activeQ."""
        qp.backoff_expiry = qp.timestamp + self.backoff_duration(qp)
        self._place(qp, BACKOFF if qp.backoff_expiry > self.kernel.now else ACTIVE)

    def _backoff_done(self, key: str, token: int) -> None:
        qp = self.pods.get(key)
        if qp is not None and qp.token == token and qp.where == BACKOFF:
            self._place(qp, ACTIVE)

    def _unschedulable_timeout(self, key: str, token: int) -> None:
        qp = self.pods.get(key)
        if qp is not None and qp.token == token and qp.where == UNSCHEDULABLE:
            self._requeue(qp)

    # ---------------------------------------------------------------- informer events

    def add(self, pod: dict) -> None:
        """A new pending pod (or one seen again): into activeQ, or held while it has scheduling gates."""
        md = pod["metadata"]
        key = f"{md.get('namespace', '')}/{md['name']}"
        if key in self.pods:
            self.update(pod)
            return
        self._seq += 1
        qp = QueuedPod(key, pod, int((pod.get("spec") or {}).get("priority") or 0), self.kernel.now, self._seq)
        self.pods[key] = qp
        self._place(qp, GATED if _gated(pod) else ACTIVE)

    def update(self, pod: dict) -> None:
        """A pending pod changed: a gated pod whose gates are gone, or an unschedulable pod whose spec or
        labels changed, is tried again."""
        md = pod["metadata"]
        key = f"{md.get('namespace', '')}/{md['name']}"
        qp = self.pods.get(key)
        if qp is None:
            self.add(pod)
            return
        old, qp.pod = qp.pod, pod
        qp.priority = int((pod.get("spec") or {}).get("priority") or 0)
        if qp.where == GATED:
            if not _gated(pod):
                self._place(qp, ACTIVE)
        elif qp.where == UNSCHEDULABLE:
            if old.get("spec") != pod.get("spec") or (old.get("metadata") or {}).get("labels") != md.get("labels"):
                self._requeue(qp)

    def delete(self, key: str) -> None:
        self.pods.pop(key, None)
        self._unschedulable.pop(key, None)

    def move(self, may_help: Callable[[QueuedPod], bool]) -> int:
        """Re-queue the unschedulable pods for which ``may_help`` says an event may make them fit."""
        moved = 0
        for key in sorted(self._unschedulable):
            qp = self.pods[key]
            if may_help(qp):
                self._requeue(qp)
                moved += 1
        return moved

    # ---------------------------------------------------------------- the scheduling cycle

    def _pop_heap(self, heap: list[tuple]) -> QueuedPod | None:
        while heap:
            entry = heapq.heappop(heap)
            key, token = entry[-2], entry[-1]
            qp = self.pods.get(key)
            if qp is not None and qp.token == token:
                return qp
        return None

    def pop(self) -> QueuedPod | None:
        """The next pod to schedule: the head of activeQ, else (SchedulerPopFromBackoffQ) of backoffQ."""
        qp = self._pop_heap(self._active)
        if qp is None and self.pop_from_backoff:
            qp = self._pop_heap(self._backoff)
        if qp is None:
            return None
        self._token += 1
        qp.token = self._token
        qp.where = "in-flight"
        qp.attempts += 1
        return qp

    def has_ready(self) -> bool:
        """Whether :meth:`pop` would return a pod now."""
        for heap in (self._active, self._backoff) if self.pop_from_backoff else (self._active,):
            while heap:
                key, token = heap[0][-2], heap[0][-1]
                qp = self.pods.get(key)
                if qp is not None and qp.token == token:
                    return True
                heapq.heappop(heap)
        return False

    def unschedulable(self, qp: QueuedPod, rejectors: tuple[str, ...]) -> None:
        """The pod did not fit: wait among the unschedulable pods for a relevant event."""
        if self.pods.get(qp.key) is not qp:
            return
        qp.timestamp = self.kernel.now
        qp.unschedulable_count += 1
        qp.error_count = 0
        qp.rejectors = rejectors
        self._place(qp, UNSCHEDULABLE)

    def error(self, qp: QueuedPod) -> None:
        """The attempt failed with an error (e.g. binding): retry after the error backoff."""
        if self.pods.get(qp.key) is not qp:
            return
        qp.timestamp = self.kernel.now
        qp.error_count += 1
        qp.backoff_expiry = qp.timestamp + self.backoff_duration(qp)
        self._place(qp, BACKOFF)

    def done(self, key: str) -> None:
        """The pod was bound; it leaves the queue."""
        self.delete(key)


# ---------------------------------------------------------------- queueing hints


def _node_info(node: dict) -> NodeInfo:
    ni = NodeInfo(node["metadata"]["name"])
    ni.set_node(node)
    return ni


def node_event_hint(plugin: str, pod: PodInfo, old: dict | None, new: dict) -> bool:
    """Whether a Node add (``old`` None) or update may make ``pod``, rejected by ``plugin``, schedulable.

    As each plugin's QueueingHintFn: the node must now pass the plugin's check, and for an update it must
    not have passed before (for NodeResourcesFit: allocatable grew and the pod fits an empty node).
    """
    new_ni = _node_info(new)
    old_ni = _node_info(old) if old is not None else None
    if plugin == "NodeResourcesFit":
        empty_fit = filters.node_resources_fit(pod, new_ni) is None
        if old_ni is None:
            return empty_fit
        grew = (
            new_ni.allocatable.allowed_pods > old_ni.allocatable.allowed_pods
            or (pod.requests.milli_cpu and new_ni.allocatable.milli_cpu > old_ni.allocatable.milli_cpu)
            or (pod.requests.memory and new_ni.allocatable.memory > old_ni.allocatable.memory)
            or (
                pod.requests.ephemeral_storage
                and new_ni.allocatable.ephemeral_storage > old_ni.allocatable.ephemeral_storage
            )
            or any(
                v and new_ni.allocatable.scalar.get(k, 0) > old_ni.allocatable.scalar.get(k, 0)
                for k, v in pod.requests.scalar.items()
            )
        )
        return bool(grew) and empty_fit
    if plugin == "NodePorts":
        return old_ni is None
    fn = dict(filters.FILTERS).get(plugin)
    if fn is None:
        return True
    if fn(pod, new_ni) is not None:
        return False
    return old_ni is None or fn(pod, old_ni) is not None


def pod_delete_hint(plugin: str, pod: PodInfo, deleted: PodInfo) -> bool:
    """Whether deleting an assigned pod may make ``pod``, rejected by ``plugin``, schedulable."""
    if plugin == "NodeResourcesFit":
        return True
    if plugin == "NodePorts":
        ni = NodeInfo("")
        ni.add_pod(deleted)
        return filters.node_ports(pod, ni) is not None
    return False
