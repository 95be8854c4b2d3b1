"""The binding cycle: assume the pod on its node, VolumeBinding's PreBind, the Binding, and the failure paths.

As ``schedulingCycle``'s end and ``bindingCycle`` in ``pkg/scheduler/schedule_one.go``: the pod is assumed in
the cache before the API is asked (so the next cycle sees the room taken), forgotten again when PreBind or
the Binding fails, and every outcome leaves an event (``Scheduled`` or ``FailedScheduling``) and, on failure,
the ``PodScheduled=False`` condition (``handleSchedulingFailure``). A mixin of :class:`~.scheduler.Scheduler`,
over its event handlers' cache upkeep.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.api.events import EventRecorder
from ktui.api.objects import copy_json
from ktui.components.scheduler import volumebinding
from ktui.components.scheduler.eventhandlers import EventHandlers
from ktui.components.scheduler.explain import Attempt, with_unschedulable_condition
from ktui.components.scheduler.queue import QueuedPod

__all__ = ["BindingCycle"]


class BindingCycle(EventHandlers):
    """The scheduler's binding cycle and scheduling-failure handling."""

    ctx: Any
    client: Any
    recorder: EventRecorder
    _volume_informers: tuple

    def _bind(self, qp: QueuedPod, pod: dict, host: str, attempt: Attempt) -> None:
        """Assume the pod on ``host``; VolumeBinding's PreBind when it has claims to bind; then the Binding."""
        assumed = {**pod, "spec": {**pod["spec"], "nodeName": host}}  # the cache's copy; never written
        self.nominator.set(qp.key, None, "")  # assume: DeleteNominatedPodIfExists
        self._assign(assumed, like=qp.info)
        volumes = qp.info.cycle.volumes if qp.info is not None and qp.info.cycle is not None else None
        if volumes is not None and volumes.delayed:
            self._prebind_volumes(qp, pod, host, attempt, volumes)
            return
        self._bind_pod(qp, pod, host, attempt)

    # ---------------------------------------------------------------- VolumeBinding's PreBind

    def _prebind_volumes(self, qp: QueuedPod, pod: dict, host: str, attempt: Attempt, volumes: Any) -> None:
        """Write the volume bindings (or the selected node for provisioning), then wait for the claims to be
        bound, checking every second as ``BindPodVolumes`` polls, before binding the pod."""
        node = self.nodes[host].node or {}
        for resource, obj in volumebinding.bindings_for(volumes, node):
            try:
                self.client.update(resource, obj, namespace=obj["metadata"].get("namespace"))
            except ApiError as e:
                self._prebind_failed(qp, pod, host, attempt, f"binding volumes: {e}")
                return
        deadline = self.ctx.kernel.now + volumebinding.BIND_TIMEOUT
        self.ctx.kernel.schedule(1.0, self._check_volumes, qp, pod, host, attempt, volumes, deadline)

    def _check_volumes(
        self, qp: QueuedPod, pod: dict, host: str, attempt: Attempt, volumes: Any, deadline: float
    ) -> None:
        if self._pod_node.get(qp.key) != host:
            return  # the pod went away meanwhile
        if volumebinding.all_bound(volumes, self._volume_informers[0]):
            self._bind_pod(qp, pod, host, attempt)
        elif self.ctx.kernel.now + 1.0 > deadline:
            self._prebind_failed(qp, pod, host, attempt, "binding volumes: context deadline exceeded")
        else:
            self.ctx.kernel.schedule(1.0, self._check_volumes, qp, pod, host, attempt, volumes, deadline)

    def _prebind_failed(self, qp: QueuedPod, pod: dict, host: str, attempt: Attempt, error: str) -> None:
        if self._pod_node.get(qp.key) == host:
            self._unassign(qp.key)
        msg = f'running PreBind plugin "VolumeBinding": {error}'
        attempt.outcome, attempt.message = "error", msg
        self.recorder.event(pod, "Warning", "FailedScheduling", msg)
        self._set_condition(pod, "SchedulerError", msg)
        self.queue.error(qp)

    # ---------------------------------------------------------------- the Binding, and failures

    def _bind_pod(self, qp: QueuedPod, pod: dict, host: str, attempt: Attempt) -> None:
        """The DefaultBinder: a Binding to the node; the pod leaves the queue."""
        md = pod["metadata"]
        ns, name = md.get("namespace", "default"), md["name"]
        binding = {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": name, "namespace": ns},
            "target": {"apiVersion": "v1", "kind": "Node", "name": host},
        }
        try:
            self.client.create("pods", binding, namespace=ns, subresource="binding", name=name)
        except ApiError as e:
            if self._pod_node.get(qp.key) == host:
                self._unassign(qp.key)
            if e.code == 404:
                self.queue.delete(qp.key)
                attempt.outcome, attempt.message = "gone", str(e)
                return
            msg = f'running Bind plugin "DefaultBinder": {e}'
            attempt.outcome, attempt.message = "error", msg
            self.recorder.event(pod, "Warning", "FailedScheduling", msg)
            self._set_condition(pod, "SchedulerError", msg)
            self.queue.error(qp)
            return
        attempt.outcome = "scheduled"
        attempt.message = f"Successfully assigned {ns}/{name} to {host}"
        self.queue.done(qp.key)
        self.recorder.event(pod, "Normal", "Scheduled", attempt.message)

    def _fail(
        self, qp: QueuedPod, pod: dict, msg: str, rejectors: tuple[str, ...], nominate: str | None = None
    ) -> None:
        """handleSchedulingFailure: the nominator updated, the ``FailedScheduling`` event, one status write
        with the condition and the nominated node, and back among the unschedulable pods."""
        if nominate is not None:
            self.nominator.set(qp.key, self._queued_info(qp), nominate)
        self.recorder.event(pod, "Warning", "FailedScheduling", msg)
        self._set_condition(pod, "Unschedulable", msg, nominate)
        self.queue.unschedulable(qp, rejectors)

    def _set_condition(self, pod: dict, reason: str, msg: str, nominate: str | None = None) -> None:
        """Set ``PodScheduled=False`` with ``reason`` and ``msg`` and, when ``nominate`` is not None,
        ``status.nominatedNodeName`` ("" clears it), unless both already say so (``updatePod``; one retry on
        a conflict, with the pod read afresh)."""
        for attempt in range(2):
            obj = with_unschedulable_condition(pod, reason, msg, self.ctx.kernel.now)
            have = (pod.get("status") or {}).get("nominatedNodeName") or ""
            if nominate is not None and have != nominate:
                if obj is None:
                    obj = copy_json(pod)
                status = obj.setdefault("status", {})
                if nominate:
                    status["nominatedNodeName"] = nominate
                else:
                    status.pop("nominatedNodeName", None)
            if obj is None:
                return
            try:
                self.client.update("pods", obj, namespace=obj["metadata"].get("namespace"), subresource="status")
                return
            except ApiError as e:
                if e.code != 409 or attempt:
                    return
                try:
                    pod = self.client.get("pods", obj["metadata"]["name"], obj["metadata"].get("namespace"))
                except ApiError:
                    return
