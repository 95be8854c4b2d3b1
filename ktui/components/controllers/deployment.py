"""The Deployment controller: ReplicaSets per pod template, rolling and recreate rollouts, history, status.

As ``pkg/controller/deployment``: a Deployment owns one ReplicaSet per distinct pod template, named
``<deployment>-<pod-template-hash>``. A template change creates (or, after ``kubectl rollout undo``, finds
again) the new ReplicaSet and moves replicas to it within maxSurge/maxUnavailable (RollingUpdate) or after
every old pod is gone (Recreate). A changed ``spec.replicas`` alone is a scaling event, spread over the
active ReplicaSets proportionally. Old ReplicaSets beyond ``revisionHistoryLimit`` are deleted once a
rollout completes. The decisions are the pure functions of :mod:`deployment_math`.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.api.labels import label_selector_from_dict
from ktui.api.objects import copy_json, get_condition, key_of
from ktui.components.base import Controller
from ktui.components.controllers import deployment_math as dm
from ktui.components.controllers.deployment_rollout import RolloutMixin
from ktui.components.controllers.pods import (
    claim_decision,
    controller_ref,
    controller_ref_of,
    with_owner,
    without_owner,
)
from ktui.components.controllers.replicaset import by_controller_uid, by_namespace
from ktui.sim.timefmt import parse_rfc3339, rfc3339

__all__ = ["DeploymentController"]


class DeploymentController(RolloutMixin, Controller):
    """The ``deployment`` controller of kube-controller-manager."""

    name = "deployment-controller"

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.deployments = self.informer("deployments")
        self.deployments.add_indexer("namespace", by_namespace)
        self.deployments.add_handler(self.enqueue, self._on_deploy_update, self.enqueue)
        self.sets = self.informer("replicasets")
        self.sets.add_indexer("namespace", by_namespace)
        self.sets.add_indexer("controller-uid", by_controller_uid)
        self.sets.add_handler(self._on_rs_add, self._on_rs_update, self._on_rs_delete)
        self.pods = self.informer("pods")
        self.pods.add_indexer("namespace", by_namespace)
        self.pods.add_indexer("controller-uid", by_controller_uid)
        self.pods.add_handler(None, None, self._on_pod_delete)

    # ------------------------------------------------------------------ handlers

    def _resolve(self, namespace: str, ref: dict | None) -> dict | None:
        if not ref or ref.get("kind") != "Deployment":
            return None
        d = self.deployments.get(f"{namespace}/{ref.get('name', '')}")
        return d if d is not None and d["metadata"].get("uid") == ref.get("uid") else None

    def _deployments_for(self, rs: dict) -> list[dict]:
        labels = rs["metadata"].get("labels") or {}
        out = []
        for d in self.deployments.by_index("namespace", rs["metadata"].get("namespace", "")):
            try:
                sel = label_selector_from_dict((d.get("spec") or {}).get("selector"))
            except ValueError:
                continue
            if not sel.empty and sel.matches(labels):
                out.append(d)
        return sorted(out, key=key_of)

    def _on_deploy_update(self, old: dict, new: dict) -> None:
        self.enqueue(new)

    def _on_rs_add(self, rs: dict) -> None:
        if rs["metadata"].get("deletionTimestamp"):
            self._on_rs_delete(rs)
            return
        ref = controller_ref_of(rs)
        if ref is not None:
            d = self._resolve(rs["metadata"].get("namespace", ""), ref)
            if d is not None:
                self.enqueue(d)
            return
        for d in self._deployments_for(rs):
            self.enqueue(d)

    def _on_rs_update(self, old: dict, new: dict) -> None:
        if old["metadata"].get("resourceVersion") == new["metadata"].get("resourceVersion"):
            return
        ns = new["metadata"].get("namespace", "")
        cur_ref, old_ref = controller_ref_of(new), controller_ref_of(old)
        if old_ref is not None and old_ref != cur_ref:
            d = self._resolve(ns, old_ref)
            if d is not None:
                self.enqueue(d)
        if cur_ref is not None:
            d = self._resolve(ns, cur_ref)
            if d is not None:
                self.enqueue(d)
            return
        if old["metadata"].get("labels") != new["metadata"].get("labels") or old_ref != cur_ref:
            for d in self._deployments_for(new):
                self.enqueue(d)

    def _on_rs_delete(self, rs: dict) -> None:
        d = self._resolve(rs["metadata"].get("namespace", ""), controller_ref_of(rs))
        if d is not None:
            self.enqueue(d)

    def _on_pod_delete(self, pod: dict) -> None:
        ns = pod["metadata"].get("namespace", "")
        ref = controller_ref_of(pod)
        if not ref or ref.get("kind") != "ReplicaSet":
            return
        rs = self.sets.get(f"{ns}/{ref.get('name', '')}")
        d = self._resolve(ns, controller_ref_of(rs)) if rs is not None else None
        if d is not None and ((d.get("spec") or {}).get("strategy") or {}).get("type") == "Recreate":
            self.enqueue(d)

    # ------------------------------------------------------------------ reconcile

    def reconcile(self, key: str) -> None:
        cached = self.deployments.get(key)
        if cached is None:
            return
        self.d = copy_json(cached)
        d = self.d
        spec = d.get("spec") or {}
        try:
            selector = label_selector_from_dict(spec.get("selector"))
        except ValueError:
            return
        if selector.empty:
            self.recorder.event(
                d, "Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required."
            )
            if (d.get("status") or {}).get("observedGeneration", 0) < d["metadata"].get("generation", 0):
                d.setdefault("status", {})["observedGeneration"] = d["metadata"]["generation"]
                self._put_status()
            return
        rs_list = self._claim_sets(d, selector)
        if d["metadata"].get("deletionTimestamp"):
            new_rs, old_sets = self._all_sets(rs_list, create=False)
            self._sync_status(old_sets + [new_rs], new_rs)  # type: ignore[arg-type, list-item]
            return
        self._check_paused()
        if spec.get("paused"):
            self._sync(rs_list)
            return
        if self._is_scaling_event(rs_list):
            self._sync(rs_list)
            return
        if (spec.get("strategy") or {}).get("type") == "Recreate":
            self.rollout_recreate(rs_list, self._pod_map(selector, rs_list))
        else:
            self.rollout_rolling(rs_list)

    def _claim_sets(self, d: dict, selector) -> list[dict]:
        ref = controller_ref(d, "apps/v1", "Deployment")
        out = []
        for rs in sorted(self.sets.by_index("namespace", d["metadata"].get("namespace", "")), key=key_of):
            decision = claim_decision(rs, d, selector.matches(rs["metadata"].get("labels") or {}))
            if decision == "own":
                out.append(rs)
            elif decision == "adopt":
                out.append(self.client.update("replicasets", with_owner(rs, ref)))
            elif decision == "release":
                try:
                    self.client.update("replicasets", without_owner(rs, d["metadata"]["uid"]))
                except ApiError as e:
                    if e.code != 404:
                        raise
        return out

    def _pod_map(self, selector, rs_list: list[dict]) -> dict[str, list[dict]]:
        """Pods matching the Deployment, grouped by the UID of the ReplicaSet that controls them."""
        uids = {rs["metadata"]["uid"] for rs in rs_list}
        out: dict[str, list[dict]] = {uid: [] for uid in sorted(uids)}
        for pod in self.pods.by_index("namespace", self.d["metadata"].get("namespace", "")):
            ref = controller_ref_of(pod)
            if ref and ref.get("uid") in uids and selector.matches(pod["metadata"].get("labels") or {}):
                out[ref["uid"]].append(pod)
        return out

    # ------------------------------------------------------------------ writes

    def _put_status(self) -> None:
        """Write ``self.d``'s status and keep the returned object (with its new resourceVersion)."""
        d = copy_json(self.d)
        d["status"] = dm.encode_status(d.get("status") or {})
        self.d = self.client.update("deployments", d, subresource="status")

    def _set_revision(self, revision: str) -> None:
        """``SetDeploymentRevision``, written through the main resource (status writes keep metadata here)."""
        ann = self.d["metadata"].get("annotations") or {}
        if ann.get(dm.REVISION_ANNOTATION) == revision:
            return
        d = copy_json(self.d)
        d["metadata"]["annotations"] = {**ann, dm.REVISION_ANNOTATION: revision}
        status = d.get("status")
        self.d = self.client.update("deployments", d)
        self.d["status"] = status

    def _check_paused(self) -> None:
        d = self.d
        if not dm.has_progress_deadline(d):
            return
        status = d.setdefault("status", {})
        cond = get_condition(status.get("conditions"), "Progressing")
        if cond is not None and cond.get("reason") == "ProgressDeadlineExceeded":
            return
        paused_cond = cond is not None and cond.get("reason") == "DeploymentPaused"
        ts = rfc3339(self.ctx.now)
        if d["spec"].get("paused") and not paused_cond:
            dm.set_condition(
                status, dm.new_condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", ts)
            )
        elif not d["spec"].get("paused") and paused_cond:
            dm.set_condition(
                status, dm.new_condition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", ts)
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
        status = dm.encode_status(dm.calculate_status(all_sets, new_rs, self.d, self.ctx.now))  # type: ignore[arg-type]
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
            if dm.has_progress_deadline(d) and get_condition(status.get("conditions"), "Progressing") is None:
                dm.set_condition(
                    status,
                    dm.new_condition(
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
                if dm.has_progress_deadline(d):
                    dm.set_condition(
                        status,
                        dm.new_condition("Progressing", "False", "ReplicaSetCreateError", msg, rfc3339(self.ctx.now)),
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
        if not already and dm.has_progress_deadline(d):
            dm.set_condition(
                self.d.setdefault("status", {}),
                dm.new_condition(
                    "Progressing",
                    "True",
                    "NewReplicaSetCreated",
                    f'Created new replica set "{name}"',
                    rfc3339(self.ctx.now),
                ),
            )
            self._put_status()
        return created

    def _sync_rollout_status(self, all_sets: list[dict | None], new_rs: dict | None) -> None:
        """``syncRolloutStatus``: status, Progressing/ReplicaFailure conditions, and a deadline requeue."""
        status = dm.calculate_status(all_sets, new_rs, self.d, self.ctx.now)  # type: ignore[arg-type]
        dm.rollout_status(self.d, status, new_rs["metadata"]["name"] if new_rs else None, self.ctx.now)
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
            dm.set_condition(
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
            dm.remove_condition(status, "ReplicaFailure")
        status = dm.encode_status(status)
        if status == (self.d.get("status") or {}):
            self.requeue_stuck(status)
            return
        self.d["status"] = status
        self._put_status()

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

    def requeue_stuck(self, status: dict) -> None:
        """``requeueStuckDeployment``: check the progress deadline again when it would pass."""
        d = self.d
        cond = get_condition((d.get("status") or {}).get("conditions"), "Progressing")
        if not dm.has_progress_deadline(d) or cond is None:
            return
        if dm.deployment_complete(d, status) or cond.get("reason") == "ProgressDeadlineExceeded":
            return
        after = parse_rfc3339(cond["lastUpdateTime"]) + int(d["spec"]["progressDeadlineSeconds"]) - self.ctx.now
        self.queue.add_after(key_of(d), max(after, 0) + 1)
