"""The Deployment controller's two rollout strategies: RollingUpdate and Recreate (``rolling.go``, ``recreate.go``).

A mixin of :class:`ktui.components.controllers.deployment.DeploymentController`: it works on the
Deployment being synced (``self.d``) through the controller's ReplicaSet helpers.
"""

from __future__ import annotations

from typing import Any

from ktui.components.controllers import deployment_math as dm, deployment_status as ds

__all__ = ["RolloutMixin"]


class RolloutMixin:
    """``rolloutRolling`` and ``rolloutRecreate``."""

    d: dict
    _all_sets: Any
    _sync_rollout_status: Any
    _cleanup: Any
    scale_and_record: Any

    def rollout_rolling(self, rs_list: list[dict]) -> None:
        """``rolloutRolling``: scale the new set up within maxSurge, then old sets down within maxUnavailable."""
        new_rs, old_sets = self._all_sets(rs_list, create=True)
        all_sets = old_sets + [new_rs]
        if self._reconcile_new(all_sets, new_rs):
            self._sync_rollout_status(all_sets, new_rs)
            return
        active_old = [rs for rs in old_sets if dm.replicas_of(rs) > 0]
        if self._reconcile_old(all_sets, active_old, new_rs):
            self._sync_rollout_status(all_sets, new_rs)
            return
        if ds.deployment_complete(self.d, self.d.get("status") or {}):
            self._cleanup(old_sets)
        self._sync_rollout_status(all_sets, new_rs)

    def _reconcile_new(self, all_sets: list[dict], new_rs: dict) -> bool:
        replicas = dm.replicas_of(self.d)
        have = dm.replicas_of(new_rs)
        if have == replicas:
            return False
        if have > replicas:
            return self.scale_and_record(new_rs, replicas)[0]
        return self.scale_and_record(new_rs, dm.new_rs_new_replicas(self.d, all_sets, new_rs))[0]

    def _reconcile_old(self, all_sets: list[dict], old_sets: list[dict], new_rs: dict) -> bool:
        """``reconcileOldReplicaSets``: unhealthy old replicas first, then as availability allows."""
        if dm.total_replicas(old_sets) == 0:
            return False
        min_available = dm.replicas_of(self.d) - dm.max_unavailable(self.d)
        new_unavailable = dm.replicas_of(new_rs) - int((new_rs.get("status") or {}).get("availableReplicas", 0))
        max_down = dm.total_replicas(all_sets) - min_available - new_unavailable
        if max_down <= 0:
            return False
        old_sets = sorted(old_sets, key=dm.by_creation)
        cleaned = 0
        for i, rs in enumerate(old_sets):
            if cleaned >= max_down:
                break
            available = int((rs.get("status") or {}).get("availableReplicas", 0))
            if dm.replicas_of(rs) in (0, available):
                continue
            n = min(max_down - cleaned, dm.replicas_of(rs) - available)
            old_sets[i] = self.scale_and_record(rs, dm.replicas_of(rs) - n)[1]
            cleaned += n
        all_sets = old_sets + [new_rs]
        available = dm.status_sum(all_sets, "availableReplicas")
        scaled = 0
        if available > min_available:
            budget = available - min_available
            for rs in sorted(old_sets, key=dm.by_creation):
                if scaled >= budget:
                    break
                if dm.replicas_of(rs) == 0:
                    continue
                n = min(dm.replicas_of(rs), budget - scaled)
                self.scale_and_record(rs, dm.replicas_of(rs) - n)
                scaled += n
        return cleaned + scaled > 0

    def rollout_recreate(self, rs_list: list[dict], pod_map: dict[str, list[dict]]) -> None:
        """``rolloutRecreate``: old sets to zero, wait for their pods to go, then the new set to full size."""
        new_rs, old_sets = self._all_sets(rs_list, create=False)
        all_sets = old_sets + [new_rs]
        scaled = False
        for rs in old_sets:
            if dm.replicas_of(rs) > 0:
                scaled = self.scale_and_record(rs, 0)[0] or scaled
        if scaled or self._old_pods_running(new_rs, old_sets, pod_map):
            self._sync_rollout_status(all_sets, new_rs)
            return
        if new_rs is None:
            new_rs, old_sets = self._all_sets(rs_list, create=True)
            all_sets = old_sets + [new_rs]
        self.scale_and_record(new_rs, dm.replicas_of(self.d))
        if ds.deployment_complete(self.d, self.d.get("status") or {}):
            self._cleanup(old_sets)
        self._sync_rollout_status(all_sets, new_rs)

    @staticmethod
    def _old_pods_running(new_rs: dict | None, old_sets: list[dict], pod_map: dict[str, list[dict]]) -> bool:
        if dm.status_sum(old_sets, "replicas") > 0:
            return True
        new_uid = new_rs["metadata"]["uid"] if new_rs is not None else None
        for uid, pods in pod_map.items():
            if uid == new_uid:
                continue
            if any((p.get("status") or {}).get("phase") not in ("Failed", "Succeeded") for p in pods):
                return True
        return False
