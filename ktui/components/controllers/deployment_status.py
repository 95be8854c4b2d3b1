"""Deployment status and conditions, pure: ``calculateStatus`` (sync.go) and deployment_util.go's condition helpers.

The ``Available`` and ``Progressing`` conditions, the status counters the ReplicaSets add up to and the field
order the API server encodes them in; nothing here talks to the API.
"""

from __future__ import annotations

from typing import Any

from ktui.api.objects import copy_json, get_condition
from ktui.components.controllers.deployment_math import max_unavailable, replicas_of, status_sum, total_replicas
from ktui.sim.timefmt import rfc3339

__all__ = [
    "calculate_status",
    "deployment_complete",
    "deployment_progressing",
    "encode_status",
    "has_progress_deadline",
    "new_condition",
    "remove_condition",
    "set_condition",
]

MAX_INT32 = 2**31 - 1


def deployment_complete(deploy: dict, status: dict) -> bool:
    """``DeploymentComplete``: every replica updated and available, and the generation observed."""
    r = replicas_of(deploy)
    return (
        status.get("updatedReplicas", 0) == r
        and status.get("replicas", 0) == r
        and status.get("availableReplicas", 0) == r
        and status.get("observedGeneration", 0) >= (deploy.get("metadata") or {}).get("generation", 0)
    )


def deployment_progressing(deploy: dict, status: dict) -> bool:
    """``DeploymentProgressing``: more updated, fewer old, more ready or more available replicas."""
    old = deploy.get("status") or {}
    old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
    new_old = status.get("replicas", 0) - status.get("updatedReplicas", 0)
    return (
        status.get("updatedReplicas", 0) > old.get("updatedReplicas", 0)
        or new_old < old_old
        or status.get("readyReplicas", 0) > old.get("readyReplicas", 0)
        or status.get("availableReplicas", 0) > old.get("availableReplicas", 0)
    )


def has_progress_deadline(deploy: dict) -> bool:
    d = (deploy.get("spec") or {}).get("progressDeadlineSeconds")
    return d is not None and d != MAX_INT32


def set_condition(status: dict, cond: dict) -> None:
    """``SetDeploymentCondition``: replace by type unless status and reason are unchanged."""
    cur = get_condition(status.get("conditions"), cond["type"])
    if cur is not None and cur.get("status") == cond["status"] and cur.get("reason") == cond["reason"]:
        return
    if cur is not None and cur.get("status") == cond["status"]:
        cond = {**cond, "lastTransitionTime": cur.get("lastTransitionTime")}
    status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != cond["type"]] + [cond]


def remove_condition(status: dict, ctype: str) -> None:
    conds = [c for c in status.get("conditions") or [] if c.get("type") != ctype]
    if conds:
        status["conditions"] = conds
    else:
        status.pop("conditions", None)


def new_condition(ctype: str, status: str, reason: str, message: str, now: str) -> dict:
    """A DeploymentCondition in the API's field order."""
    return {
        "type": ctype,
        "status": status,
        "lastUpdateTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


_STATUS_ORDER = (
    "observedGeneration",
    "replicas",
    "updatedReplicas",
    "readyReplicas",
    "availableReplicas",
    "unavailableReplicas",
    "terminatingReplicas",
    "conditions",
    "collisionCount",
)


def calculate_status(all_sets: list[dict], new_rs: dict | None, deploy: dict, now: float) -> dict:
    """The Deployment status its ReplicaSets add up to (``calculateStatus``), conditions carried over."""
    sets = [rs for rs in all_sets if rs is not None]
    available = status_sum(sets, "availableReplicas")
    unavailable = max(0, total_replicas(sets) - available)
    old = deploy.get("status") or {}
    status: dict[str, Any] = {
        "observedGeneration": (deploy.get("metadata") or {}).get("generation"),
        "replicas": status_sum(sets, "replicas"),
        "updatedReplicas": status_sum([new_rs], "replicas"),
        "readyReplicas": status_sum(sets, "readyReplicas"),
        "availableReplicas": available,
        "unavailableReplicas": unavailable,
    }
    if sets and all("terminatingReplicas" in (rs.get("status") or {}) for rs in sets):
        status["terminatingReplicas"] = status_sum(sets, "terminatingReplicas")
    if old.get("conditions"):
        status["conditions"] = copy_json(old["conditions"])
    if old.get("collisionCount") is not None:
        status["collisionCount"] = old["collisionCount"]
    ts = rfc3339(now)
    if available >= replicas_of(deploy) - max_unavailable(deploy):
        set_condition(
            status,
            new_condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", ts),
        )
    else:
        set_condition(
            status,
            new_condition(
                "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", ts
            ),
        )
    return status


def encode_status(status: dict) -> dict:
    """Drop zero counters (``omitempty``) and order the keys as the API server encodes them."""
    out = {}
    for k in _STATUS_ORDER:
        if k not in status or status[k] is None:
            continue
        if k not in ("terminatingReplicas", "collisionCount", "conditions") and status[k] == 0:
            continue
        out[k] = status[k]
    return out
