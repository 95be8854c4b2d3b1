"""The Deployment controller: ReplicaSets per pod template, rolling and recreate rollouts, history, status.

As ``pkg/controller/deployment``: a Deployment owns one ReplicaSet per distinct pod template, named
``<deployment>-<pod-template-hash>``. A template change creates (or, after ``kubectl rollout undo``, finds
again) the new ReplicaSet and moves replicas to it within maxSurge/maxUnavailable (RollingUpdate) or after
every old pod is gone (Recreate). A changed ``spec.replicas`` alone is a scaling event, spread over the
active ReplicaSets proportionally. Old ReplicaSets beyond ``revisionHistoryLimit`` are deleted once a
rollout completes. This module holds the controller's event handlers, ``syncDeployment`` and its writes of
the Deployment; the rest is in its mixins (:mod:`deployment_sync`, :mod:`deployment_rollout`,
:mod:`deployment_progress`) and the decisions are the pure functions of :mod:`deployment_math` and
:mod:`deployment_status`.
"""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.api.labels import label_selector_from_dict
from ktui.api.objects import copy_json, key_of
from ktui.components.base import Controller
from ktui.components.controllers import deployment_math as dm, deployment_status as ds
from ktui.components.controllers.deployment_progress import DeploymentProgress
from ktui.components.controllers.deployment_rollout import RolloutMixin
from ktui.components.controllers.deployment_sync import DeploymentSync
from ktui.components.controllers.pods import (
    claim_decision,
    controller_ref,
    controller_ref_of,
    with_owner,
    without_owner,
)
from ktui.components.controllers.replicaset import by_controller_uid, by_namespace

__all__ = ["DeploymentController"]


class DeploymentController(RolloutMixin, DeploymentSync, DeploymentProgress, Controller):
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
        d["status"] = ds.encode_status(d.get("status") or {})
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
