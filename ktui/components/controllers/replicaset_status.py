"""A ReplicaSet's (or ReplicationController's) status from its pods, as replica_set_utils.go's ``calculateStatus``."""

from __future__ import annotations

from typing import Any

from ktui.api.labels import selector_from_set
from ktui.components.controllers.pods import is_pod_available, is_pod_ready
from ktui.sim.timefmt import rfc3339

__all__ = ["calculate_status", "ordered_status"]


def calculate_status(
    rs: dict,
    pods: list[dict],
    terminating: list[dict] | None,
    manage_error: str | None,
    now: float,
    failure_reason: str = "",
) -> dict:
    """The status a ReplicaSet (or ReplicationController) should report (``calculateStatus``).

    Args:
        rs: the object.
        pods: its claimed active pods.
        terminating: its terminating pods, or None where the kind has no ``terminatingReplicas``.
        manage_error: the message of a failed create/delete this sync, if any.
        now: the simulated time (for ``minReadySeconds``).
        failure_reason: ``FailedCreate`` or ``FailedDelete`` when ``manage_error`` is set.
    """
    spec = rs.get("spec") or {}
    old = rs.get("status") or {}
    template_labels = selector_from_set(((spec.get("template") or {}).get("metadata") or {}).get("labels"))
    min_ready = int(spec.get("minReadySeconds") or 0)
    fully = ready = available = 0
    for p in pods:
        if template_labels.matches((p.get("metadata") or {}).get("labels") or {}):
            fully += 1
        if is_pod_ready(p):
            ready += 1
            if is_pod_available(p, min_ready, now):
                available += 1
    status: dict[str, Any] = {"replicas": len(pods)}
    if fully:
        status["fullyLabeledReplicas"] = fully
    if ready:
        status["readyReplicas"] = ready
    if available:
        status["availableReplicas"] = available
    if terminating is not None:
        status["terminatingReplicas"] = len(terminating)
    if old.get("observedGeneration") is not None:
        status["observedGeneration"] = old["observedGeneration"]
    conditions = [c for c in old.get("conditions") or []]
    has_failure = any(c.get("type") == "ReplicaFailure" for c in conditions)
    if manage_error is not None and not has_failure:
        conditions.append(
            {
                "type": "ReplicaFailure",
                "status": "True",
                "lastTransitionTime": rfc3339(now),
                "reason": failure_reason,
                "message": manage_error,
            }
        )
    elif manage_error is None and has_failure:
        conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
    if conditions:
        status["conditions"] = conditions
    return ordered_status(status)


_STATUS_ORDER = (
    "replicas",
    "fullyLabeledReplicas",
    "readyReplicas",
    "availableReplicas",
    "terminatingReplicas",
    "observedGeneration",
    "conditions",
)


def ordered_status(status: dict) -> dict:
    """Status keys in the Go struct's field order, as the API server encodes them."""
    return {k: status[k] for k in _STATUS_ORDER if k in status}
