"""DefaultPreemption's actions through the API once a candidate is chosen (``prepareCandidate`` and
``PreemptPod`` in pkg/scheduler/framework/preemption): the victims' ``DisruptionTarget`` condition, their
graceful deletion, ``Preempted`` events, and clearing lower-priority nominations on the node.

The decisions themselves (candidates, victims, PDBs) are pure functions in :mod:`.preemption`.
"""

from __future__ import annotations

from typing import Any, Callable

from ktui.api.errors import ApiError
from ktui.api.objects import copy_json
from ktui.components.scheduler.explain import with_pod_condition
from ktui.components.scheduler.nominator import Nominator
from ktui.components.scheduler.preemption import (
    DISRUPTION_MESSAGE,
    PREEMPTED_EVENT_MESSAGE,
    REASON_PREEMPTION_BY_SCHEDULER,
    Candidate,
)

__all__ = ["prepare_candidate", "preempt_pod", "with_disruption_target"]


def with_disruption_target(pod: dict, message: str, now: float) -> dict | None:
    """``DisruptionTarget=True`` (``PreemptionByScheduler``, ``message``); None when the pod already has it."""
    return with_pod_condition(pod, "DisruptionTarget", "True", REASON_PREEMPTION_BY_SCHEDULER, message, now)


def prepare_candidate(
    client: Any,
    recorder: Any,
    nominator: Nominator,
    current: Callable[[str, dict], dict | None],
    pod: dict,
    cand: Candidate,
    now: float,
    default_scheduler: str,
) -> str:
    """prepareCandidate: preempt each victim not already terminating, then clear the nomination of the
    lower-priority pods nominated to the node. Returns an error message, or "".

    Args:
        client: the scheduler's API client.
        recorder: its event recorder.
        nominator: the scheduler's nominator.
        current: ``current(key, fallback)``: the scheduler's latest copy of a pod (None when gone).
        pod: the preemptor.
        cand: the chosen candidate.
        now: the simulated time.
        default_scheduler: the scheduler's name, for pods that name none.
    """
    spec = pod.get("spec") or {}
    message = DISRUPTION_MESSAGE.format(scheduler=spec.get("schedulerName") or default_scheduler)
    md = pod.get("metadata") or {}
    uid = md.get("uid", "")
    for victim in cand.victims:
        if (victim.pod.get("metadata") or {}).get("deletionTimestamp"):
            continue  # graceful deletion already started
        try:
            preempted = preempt_pod(client, victim.pod, message, now)
        except ApiError as e:
            return str(e)
        if preempted:
            recorder.event(preempted, "Normal", "Preempted", PREEMPTED_EVENT_MESSAGE.format(uid=uid, node=cand.node))
    priority = int(spec.get("priority") or 0)
    key = f"{md.get('namespace', '')}/{md['name']}"
    for other in nominator.on(cand.node):
        if other.key != key and other.priority < priority:
            _clear_nomination(client, nominator, current, other)
    return ""


def preempt_pod(client: Any, victim: dict, message: str, now: float) -> dict | None:
    """PreemptPod: the ``DisruptionTarget`` condition through the status subresource, then a graceful delete
    with empty DeleteOptions (the pod's own grace period). The victim as last written, or None when it is
    already gone."""
    md = victim["metadata"]
    ns, name = md.get("namespace"), md["name"]
    pod = victim
    for attempt in range(2):
        obj = with_disruption_target(pod, message, now)
        if obj is None:
            break
        try:
            pod = client.update("pods", obj, namespace=ns, subresource="status")
            break
        except ApiError as e:
            if e.code == 404:
                return None
            if e.code != 409 or attempt:
                raise
            try:
                pod = client.get("pods", name, ns)
            except ApiError as e2:
                if e2.code == 404:
                    return None
                raise
    try:
        client.delete("pods", name, ns)
    except ApiError as e:
        if e.code == 404:
            return None
        raise
    return pod


def _clear_nomination(
    client: Any, nominator: Nominator, current: Callable[[str, dict], dict | None], other: Any
) -> None:
    """clearNominatedNodeName for one lower-priority pod nominated to the preempted node."""
    nominator.set(other.key, None, "")
    pod = current(other.key, other.pod)
    if pod is None or not (pod.get("status") or {}).get("nominatedNodeName"):
        return
    obj = copy_json(pod)
    obj["status"].pop("nominatedNodeName", None)
    try:
        client.update("pods", obj, namespace=obj["metadata"].get("namespace"), subresource="status")
    except ApiError:
        return  # not critical, as in the real scheduler
