"""The scheduler's informer event handlers: nodes, pods and volumes into the cache, the queue and the nominator.

As ``pkg/scheduler/eventhandlers.go``: an assigned pod goes to the cache (:mod:`.cache`), a pending pod the
scheduler is responsible for to the queue (and the nominator when it has ``status.nominatedNodeName``), and a
change that may make a rejected pod schedulable moves it out of the unschedulable pods, asking the rejecting
plugins' queueing hints (:mod:`.queue`). A mixin of :class:`~.scheduler.Scheduler`, over its cache part.
"""

from __future__ import annotations

from ktui.api.objects import key_of
from ktui.components.scheduler.cache import SchedulerCache
from ktui.components.scheduler.config import SCHEDULER_NAME
from ktui.components.scheduler.nominator import Nominator
from ktui.components.scheduler.podinfo import PodInfo
from ktui.components.scheduler.queue import QueuedPod, SchedulingQueue, node_event_hint, pod_delete_hint

__all__ = ["EventHandlers"]


def _rejected_by_volume_binding(qp: QueuedPod) -> bool:
    return "VolumeBinding" in qp.rejectors


class EventHandlers(SchedulerCache):
    """The informers' add, update and delete handlers of the scheduler, and the cache updates they share
    with the binding cycle (``_assign``, ``_unassign``)."""

    queue: SchedulingQueue
    nominator: Nominator

    _key = staticmethod(key_of)

    @staticmethod
    def _terminal(pod: dict) -> bool:
        return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")

    @staticmethod
    def _responsible(pod: dict) -> bool:
        spec = pod.get("spec") or {}
        return (spec.get("schedulerName") or SCHEDULER_NAME) == SCHEDULER_NAME and not (pod.get("metadata") or {}).get(
            "deletionTimestamp"
        )

    def _queued_info(self, qp: QueuedPod) -> PodInfo:
        if qp.info is None or qp.info.pod is not qp.pod:
            qp.info = PodInfo(qp.pod, like=qp.info, key=qp.key)
        return qp.info

    # ---------------------------------------------------------------- volumes

    def _volume_updated(self, old: dict, new: dict) -> None:
        self._volume_event(new)

    def _volume_event(self, obj: dict) -> None:
        """A claim, volume or class added or changed may help the pods VolumeBinding rejected."""
        self.queue.move(_rejected_by_volume_binding)

    # ---------------------------------------------------------------- node events

    def _node_added(self, node: dict) -> None:
        self._cache_node(node)
        self._move_on_node_event(None, node)

    def _node_updated(self, old: dict, new: dict) -> None:
        self._cache_node(new)
        o_md, n_md = old.get("metadata") or {}, new.get("metadata") or {}
        if (
            old.get("spec") == new.get("spec")
            and o_md.get("labels") == n_md.get("labels")
            and (old.get("status") or {}).get("allocatable") == (new.get("status") or {}).get("allocatable")
        ):
            return
        self._move_on_node_event(old, new)

    def _node_deleted(self, node: dict) -> None:
        self._uncache_node(node)

    def _move_on_node_event(self, old: dict | None, new: dict) -> None:
        def may_help(qp: QueuedPod) -> bool:
            if not qp.rejectors:
                return True
            info = self._queued_info(qp)
            return any(node_event_hint(p, info, old, new) for p in qp.rejectors)

        self.queue.move(may_help)

    # ---------------------------------------------------------------- the cache, with the queue's hints

    def _assign(self, pod: dict, like: PodInfo | None = None) -> None:
        """Add, update or assume ``pod`` on its node in the cache; a pod newly on a node may help others."""
        if self._cache_pod(pod, like):
            self.queue.move(self._may_help_after_add)

    def _may_help_after_add(self, qp: QueuedPod) -> bool:
        """A pod assigned to a node may satisfy a spread constraint's skew or a pending pod's required
        affinity (the plugins' queueing hints for an assigned pod's add)."""
        return "PodTopologySpread" in qp.rejectors or (
            "InterPodAffinity" in qp.rejectors and bool(self._queued_info(qp).req_affinity)
        )

    def _unassign(self, key: str) -> PodInfo | None:
        """Remove (or forget) pod ``key`` from the cache; the room and counts it leaves may help others."""
        removed = self._uncache_pod(key)
        if removed is not None:

            def may_help(qp: QueuedPod) -> bool:
                info = self._queued_info(qp)
                return any(
                    p in ("PodTopologySpread", "InterPodAffinity") or pod_delete_hint(p, info, removed)
                    for p in qp.rejectors
                )

            self.queue.move(may_help)
        return removed

    # ---------------------------------------------------------------- pod events

    def _nominate_from(self, pod: dict) -> None:
        """Keep the nominator in step with a pending pod's ``status.nominatedNodeName``."""
        key = self._key(pod)
        node = (pod.get("status") or {}).get("nominatedNodeName") or ""
        if not node:
            self.nominator.set(key, None, "")
            return
        qp = self.queue.pods.get(key)
        info = self._queued_info(qp) if qp is not None and qp.pod is pod else PodInfo(pod)
        self.nominator.set(key, info, node)

    def _pod_added(self, pod: dict) -> None:
        if (pod.get("spec") or {}).get("nodeName"):
            self.nominator.set(self._key(pod), None, "")
            if not self._terminal(pod):
                self._assign(pod)
        elif self._responsible(pod):
            self.queue.add(pod)
            self._nominate_from(pod)

    def _pod_updated(self, old: dict, new: dict) -> None:
        key = self._key(new)
        if (new.get("spec") or {}).get("nodeName"):
            self.queue.delete(key)
            self.nominator.set(key, None, "")
            if self._terminal(new):
                self._unassign(key)
            else:
                self._assign(new)
        elif self._responsible(new):
            self.queue.update(new)
            self._nominate_from(new)
        else:
            self.queue.delete(key)
            self.nominator.set(key, None, "")

    def _pod_deleted(self, pod: dict) -> None:
        key = self._key(pod)
        self.queue.delete(key)
        self.nominator.set(key, None, "")
        self._unassign(key)
