"""The Deployment controller's progress (progress.go): the Progressing condition and the progress deadline.

``rollout_status`` is the pure decision; :class:`DeploymentProgress` is a mixin of
:class:`ktui.components.controllers.deployment.DeploymentController` that writes it (``syncRolloutStatus``)
and checks the deadline again when it would pass (``requeueStuckDeployment``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api.objects import get_condition, key_of
from ktui.components.controllers import deployment_status as ds
from ktui.sim.timefmt import parse_rfc3339, rfc3339

if TYPE_CHECKING:
    from ktui.components.base import Context
    from ktui.components.workqueue import WorkQueue

__all__ = ["DeploymentProgress", "rollout_status"]


def rollout_status(deploy: dict, status: dict, new_rs_name: str | None, now: float) -> dict:
    """The Progressing condition ``syncRolloutStatus`` sets on a freshly calculated status, in place.

    Complete → ``NewReplicaSetAvailable``; progress seen → ``ReplicaSetUpdated`` (lastUpdateTime moves,
    lastTransitionTime stays); no progress past ``progressDeadlineSeconds`` → ``ProgressDeadlineExceeded``.
    """
    if not ds.has_progress_deadline(deploy):
        ds.remove_condition(status, "Progressing")
        return status
    current = get_condition((deploy.get("status") or {}).get("conditions"), "Progressing")
    if (
        status.get("replicas", 0) == status.get("updatedReplicas", 0)
        and current is not None
        and current.get("reason") == "NewReplicaSetAvailable"
    ):
        return status
    ts = rfc3339(now)
    subject = f'ReplicaSet "{new_rs_name}"' if new_rs_name else f'Deployment "{deploy["metadata"]["name"]}"'
    if ds.deployment_complete(deploy, status):
        ds.set_condition(
            status,
            ds.new_condition(
                "Progressing", "True", "NewReplicaSetAvailable", f"{subject} has successfully progressed.", ts
            ),
        )
    elif ds.deployment_progressing(deploy, status):
        cond = ds.new_condition("Progressing", "True", "ReplicaSetUpdated", f"{subject} is progressing.", ts)
        if current is not None:
            if current.get("status") == "True":
                cond["lastTransitionTime"] = current.get("lastTransitionTime")
            ds.remove_condition(status, "Progressing")
        ds.set_condition(status, cond)
    else:
        cond = get_condition(status.get("conditions"), "Progressing")  # type: ignore[assignment]
        if cond is None or cond.get("reason") == "NewReplicaSetAvailable":
            return status
        timed_out = cond.get("reason") == "ProgressDeadlineExceeded" or (
            parse_rfc3339(cond["lastUpdateTime"]) + int(deploy["spec"]["progressDeadlineSeconds"]) < now
        )
        if timed_out:
            ds.set_condition(
                status,
                ds.new_condition(
                    "Progressing", "False", "ProgressDeadlineExceeded", f"{subject} has timed out progressing.", ts
                ),
            )
    return status


class DeploymentProgress:
    """``syncRolloutStatus`` and ``requeueStuckDeployment`` on the Deployment being synced (``self.d``)."""

    d: dict
    ctx: "Context"
    queue: "WorkQueue"
    _put_status: Any

    def _sync_rollout_status(self, all_sets: list[dict | None], new_rs: dict | None) -> None:
        """``syncRolloutStatus``: status, Progressing/ReplicaFailure conditions, and a deadline requeue."""
        status = ds.calculate_status(all_sets, new_rs, self.d, self.ctx.now)  # type: ignore[arg-type]
        rollout_status(self.d, status, new_rs["metadata"]["name"] if new_rs else None, self.ctx.now)
        failure = next(
            (
                c
                for c in ((new_rs or {}).get("status") or {}).get("conditions") or []
                if c.get("type") == "ReplicaFailure"
            ),
            None,
        )
        if failure is None:
            for rs in all_sets:
                failure = failure or next(
                    (
                        c
                        for c in (rs or {}).get("status", {}).get("conditions") or []
                        if c.get("type") == "ReplicaFailure"
                    ),
                    None,
                )
        if failure is not None:
            ds.set_condition(
                status,
                {
                    "type": "ReplicaFailure",
                    "status": failure.get("status"),
                    "lastUpdateTime": failure.get("lastTransitionTime"),
                    "lastTransitionTime": failure.get("lastTransitionTime"),
                    "reason": failure.get("reason"),
                    "message": failure.get("message"),
                },
            )
        else:
            ds.remove_condition(status, "ReplicaFailure")
        status = ds.encode_status(status)
        if status == (self.d.get("status") or {}):
            self.requeue_stuck(status)
            return
        self.d["status"] = status
        self._put_status()

    def requeue_stuck(self, status: dict) -> None:
        """``requeueStuckDeployment``: check the progress deadline again when it would pass."""
        d = self.d
        cond = get_condition((d.get("status") or {}).get("conditions"), "Progressing")
        if not ds.has_progress_deadline(d) or cond is None:
            return
        if ds.deployment_complete(d, status) or cond.get("reason") == "ProgressDeadlineExceeded":
            return
        after = parse_rfc3339(cond["lastUpdateTime"]) + int(d["spec"]["progressDeadlineSeconds"]) - self.ctx.now
        self.queue.add_after(key_of(d), max(after, 0) + 1)
