"""The Deployment controller's sync.go: the new ReplicaSet found or created, scaling, history cleanup, status.

A mixin of :class:`ktui.components.controllers.deployment.DeploymentController`: it works on the Deployment
being synced (``self.d``) and writes through the controller's client; the rollouts of
:mod:`deployment_rollout` call it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api.errors import ApiError
from ktui.api.objects import copy_json, get_condition
from ktui.components.controllers import deployment_math as dm, deployment_status as ds
from ktui.components.controllers.pods import controller_ref, controller_ref_of
from ktui.sim.timefmt import rfc3339

if TYPE_CHECKING:
    from ktui.api.client import Client
    from ktui.api.events import EventRecorder
    from ktui.components.base import Context

__all__ = ["DeploymentSync"]


class DeploymentSync:
    """Paused and scaling syncs, the new ReplicaSet, ``scaleReplicaSet`` and ``cleanupDeployment``."""

    d: dict
    ctx: "Context"
    client: "Client"
    recorder: "EventRecorder"
    _put_status: Any
    _set_revision: Any

    def _check_paused(self) -> None:
        d = self.d
        if not ds.has_progress_deadline(d):
            return
        status = d.setdefault("status", {})
        cond = get_condition(status.get("conditions"), "Progressing")
        if cond is not None and cond.get("reason") == "ProgressDeadlineExceeded":
            return
        paused_cond = cond is not None and cond.get("reason") == "DeploymentPaused"
        ts = rfc3339(self.ctx.now)
        if d["spec"].get("paused") and not paused_cond:
            ds.set_condition(
                status, ds.new_condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", ts)
            )
        elif not d["spec"].get("paused") and paused_cond:
            ds.set_condition(
                status, ds.new_condition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", ts)
            )
        else:
            return
        self._put_status()

    def _is_scaling_event(self, rs_list: list[dict]) -> bool:
        new_rs, old_sets = self._all_sets(rs_list, create=False)
        for rs in [r for r in old_sets + [new_rs] if r is not None and dm.replicas_of(r) > 0]:
            desired = dm._annotation_int(rs, dm.DESIRED_REPLICAS_ANNOTATION)
            if desired is not None and desired != dm.replicas_of(self.d):
                return True
        return False

    def _sync(self, rs_list: list[dict]) -> None:
        """Scale without rolling out (paused Deployments and scaling events)."""
        new_rs, old_sets = self._all_sets(rs_list, create=False)
        self._scale(new_rs, old_sets)
        if self.d["spec"].get("paused"):
            self._cleanup(old_sets)
        self._sync_status(old_sets + [new_rs], new_rs)  # type: ignore[arg-type, list-item]

    def _sync_status(self, all_sets: list[dict | None], new_rs: dict | None) -> None:
        status = ds.encode_status(ds.calculate_status(all_sets, new_rs, self.d, self.ctx.now))  # type: ignore[arg-type]
        if status != (self.d.get("status") or {}):
            self.d["status"] = status
            self._put_status()

    # ------------------------------------------------------------------ the new replica set

    def _all_sets(self, rs_list: list[dict], create: bool) -> tuple[dict | None, list[dict]]:
        """``getAllReplicaSetsAndSyncRevision``: the new ReplicaSet (maybe created) and all the old ones."""
        template = self.d["spec"].get("template") or {}
        ordered = sorted(rs_list, key=dm.by_creation)
        existing = next(
            (rs for rs in ordered if dm.equal_ignore_hash((rs.get("spec") or {}).get("template"), template)), None
        )
        old_sets = [rs for rs in ordered if rs is not existing]
        return self._new_rs(existing, old_sets, create), old_sets

    def _new_rs(self, existing: dict | None, old_sets: list[dict], create: bool) -> dict | None:
        d = self.d
        new_revision = dm.max_revision(old_sets) + 1
        min_ready = int(d["spec"].get("minReadySeconds") or 0)
        if existing is not None:
            rs = copy_json(existing)
            changed = dm.set_new_rs_annotations(d, rs, new_revision, exists=True)
            if changed or int(rs["spec"].get("minReadySeconds") or 0) != min_ready:
                if min_ready:
                    rs["spec"]["minReadySeconds"] = min_ready
                else:
                    rs["spec"].pop("minReadySeconds", None)
                return self.client.update("replicasets", rs)
            self._set_revision(rs["metadata"]["annotations"].get(dm.REVISION_ANNOTATION, ""))
            status = d.setdefault("status", {})
            if ds.has_progress_deadline(d) and get_condition(status.get("conditions"), "Progressing") is None:
                ds.set_condition(
                    status,
                    ds.new_condition(
                        "Progressing",
                        "True",
                        "FoundNewReplicaSet",
                        f'Found new replica set "{rs["metadata"]["name"]}"',
                        rfc3339(self.ctx.now),
                    ),
                )
                self._put_status()
            return rs
        if not create:
            return None
        return self._create_new_rs(old_sets, new_revision, min_ready)

    def _create_new_rs(self, old_sets: list[dict], new_revision: int, min_ready: int) -> dict:
        d = self.d
        status = d.setdefault("status", {})
        pod_hash = dm.compute_hash(d["spec"].get("template") or {}, status.get("collisionCount"))
        template = dm.new_rs_template(d, pod_hash)
        name = f"{d['metadata']['name']}-{pod_hash}"
        spec: dict[str, Any] = {"replicas": 0}
        if min_ready:
            spec["minReadySeconds"] = min_ready
        spec["selector"] = dm.selector_with_hash(d["spec"].get("selector"), pod_hash)
        spec["template"] = template
        rs: dict[str, Any] = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": d["metadata"].get("namespace", "default"),
                "labels": dict(template["metadata"]["labels"]),
                "ownerReferences": [controller_ref(d, "apps/v1", "Deployment")],
            },
            "spec": spec,
        }
        rs["spec"]["replicas"] = dm.new_rs_new_replicas(d, old_sets + [rs], rs)
        dm.set_new_rs_annotations(d, rs, new_revision, exists=False)
        already = False
        try:
            created = self.client.create("replicasets", rs)
        except ApiError as e:
            if e.reason == "AlreadyExists":
                found = self.client.get("replicasets", name, rs["metadata"]["namespace"])
                ref = controller_ref_of(found)
                if (
                    ref
                    and ref.get("uid") == d["metadata"]["uid"]
                    and dm.equal_ignore_hash(found["spec"].get("template"), d["spec"].get("template"))
                ):
                    created, already = found, True
                else:
                    status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
                    self._put_status()
                    raise
            else:
                msg = f'Failed to create new replica set "{name}": {e.message}'
                if ds.has_progress_deadline(d):
                    ds.set_condition(
                        status,
                        ds.new_condition("Progressing", "False", "ReplicaSetCreateError", msg, rfc3339(self.ctx.now)),
                    )
                    try:
                        self._put_status()
                    except ApiError:
                        pass
                self.recorder.event(d, "Warning", "ReplicaSetCreateError", msg)
                raise
        replicas = dm.replicas_of(created)
        if not already and replicas > 0:
            self.recorder.event(
                d,
                "Normal",
                "ScalingReplicaSet",
                f"Scaled up replica set {created['metadata']['name']} from 0 to {replicas}",
            )
        self._set_revision(str(new_revision))
        if not already and ds.has_progress_deadline(d):
            ds.set_condition(
                self.d.setdefault("status", {}),
                ds.new_condition(
                    "Progressing",
                    "True",
                    "NewReplicaSetCreated",
                    f'Created new replica set "{name}"',
                    rfc3339(self.ctx.now),
                ),
            )
            self._put_status()
        return created

    # ------------------------------------------------------------------ scaling

    def scale_rs(self, rs: dict, new_scale: int, operation: str = "") -> tuple[bool, dict]:
        """``scaleReplicaSet``: set replicas and the replicas annotations; record ``ScalingReplicaSet``."""
        d = self.d
        old_scale = dm.replicas_of(rs)
        operation = operation or ("up" if old_scale < new_scale else "down")
        desired = dm.replicas_of(d)
        max_replicas = desired + dm.max_surge(d)
        size_changed = old_scale != new_scale
        if not size_changed and not dm.replicas_annotations_need_update(rs, desired, max_replicas):
            return False, rs
        copy = copy_json(rs)
        copy["spec"]["replicas"] = new_scale
        dm.set_replicas_annotations(copy, desired, max_replicas)
        updated = self.client.update("replicasets", copy)
        if size_changed:
            self.recorder.event(
                d,
                "Normal",
                "ScalingReplicaSet",
                f"Scaled {operation} replica set {updated['metadata']['name']} from {old_scale} to {new_scale}",
            )
        return size_changed, updated

    def scale_and_record(self, rs: dict, new_scale: int) -> tuple[bool, dict]:
        """``scaleReplicaSetAndRecordEvent``: nothing to do when the size is already right."""
        if dm.replicas_of(rs) == new_scale:
            return False, rs
        return self.scale_rs(rs, new_scale)

    def _scale(self, new_rs: dict | None, old_sets: list[dict]) -> None:
        """``scale``: one active set takes every replica; otherwise distribute proportionally."""
        d = self.d
        replicas = dm.replicas_of(d)
        active = [rs for rs in old_sets + [new_rs] if rs is not None and dm.replicas_of(rs) > 0]
        if new_rs is not None or old_sets:
            target = None
            if len(active) == 1:
                target = active[0]
            elif not active:
                target = new_rs if new_rs is not None else max(old_sets, key=dm.by_creation)
            if target is not None:
                self.scale_and_record(target, replicas)
                return
        if (
            new_rs is not None
            and dm.replicas_of(new_rs) == replicas
            and dm._annotation_int(new_rs, dm.DESIRED_REPLICAS_ANNOTATION) == replicas
            and (new_rs.get("status") or {}).get("availableReplicas", 0) == replicas
        ):
            for rs in [r for r in old_sets if dm.replicas_of(r) > 0]:
                self.scale_and_record(rs, 0)
            return
        if ((d["spec"].get("strategy") or {}).get("type") or "RollingUpdate") != "RollingUpdate":
            return
        allowed = replicas + dm.max_surge(d) if replicas > 0 else 0
        to_add = allowed - dm.total_replicas(active)
        operation = ""
        if to_add > 0:  # ReplicaSetsBySizeNewer
            active.sort(key=dm.by_creation, reverse=True)
            active.sort(key=dm.replicas_of, reverse=True)
            operation = "up"
        elif to_add < 0:  # ReplicaSetsBySizeOlder
            active.sort(key=dm.by_creation)
            active.sort(key=dm.replicas_of, reverse=True)
            operation = "down"
        added = 0
        sizes: list[int] = []
        for rs in active:
            p = dm.proportion(rs, d, to_add, added) if to_add else 0
            sizes.append(dm.replicas_of(rs) + p)
            added += p
        for i, rs in enumerate(active):
            if i == 0 and to_add != 0:
                sizes[0] = max(0, sizes[0] + to_add - added)
            self.scale_rs(rs, sizes[i], operation)

    def _cleanup(self, old_sets: list[dict]) -> None:
        """``cleanupDeployment``: delete the oldest unused ReplicaSets beyond ``revisionHistoryLimit``."""
        limit = self.d["spec"].get("revisionHistoryLimit")
        if limit is None:
            return
        alive = [rs for rs in old_sets if not rs["metadata"].get("deletionTimestamp")]
        diff = len(alive) - int(limit)
        if diff <= 0:
            return
        for rs in sorted(alive, key=dm.by_revision)[:diff]:
            st = rs.get("status") or {}
            if (
                st.get("replicas", 0) != 0
                or dm.replicas_of(rs) != 0
                or rs["metadata"].get("generation", 0) > st.get("observedGeneration", 0)
            ):
                continue
            try:
                self.client.delete("replicasets", rs["metadata"]["name"], rs["metadata"].get("namespace"))
            except ApiError as e:
                if e.code != 404:
                    raise
