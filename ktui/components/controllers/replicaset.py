"""The ReplicaSet and ReplicationController controllers: keep ``spec.replicas`` pods, adopt, release, report.

As ``pkg/controller/replicaset``: pods are claimed through their controller ownerReference (orphans that match
are adopted, owned pods that stop matching are released), missing pods are created in slow-start batches
(1, 2, 4, ... at most 500 a sync) and surplus pods are deleted in ``ActivePodsWithRanks`` order. The
ReplicationController controller is the same loop over ``v1`` ReplicationControllers, whose selector is a
plain equality map.
"""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.api.labels import LabelSelector, label_selector_from_dict, selector_from_set
from ktui.api.objects import copy_json, key_of
from ktui.components.base import Controller
from ktui.components.controllers.pods import (
    BURST_REPLICAS,
    Expectations,
    claim_decision,
    controller_ref,
    controller_ref_of,
    is_pod_active,
    is_pod_ready,
    is_pod_terminating,
    pod_from_template,
    pod_name_prefix,
    pods_to_delete,
    slow_start_batches,
    with_owner,
    without_owner,
)
from ktui.components.controllers.replicaset_status import calculate_status, ordered_status

__all__ = ["ReplicaSetController", "ReplicationControllerController", "by_controller_uid"]


def by_controller_uid(obj: dict) -> list[str]:
    """Index function: the UID of an object's controller ownerReference."""
    ref = controller_ref_of(obj)
    return [ref["uid"]] if ref and ref.get("uid") else []


def by_namespace(obj: dict) -> list[str]:
    """Index function: the object's namespace."""
    return [(obj.get("metadata") or {}).get("namespace", "")]


class ReplicaSetController(Controller):
    """The ``replicaset`` controller of kube-controller-manager."""

    name = "replicaset-controller"
    resource = "replicasets"
    api_version = "apps/v1"
    kind = "ReplicaSet"
    tracks_terminating = True
    """Whether the status has ``terminatingReplicas`` (feature DeploymentReplicaSetTerminatingReplicas, beta)."""

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.expectations = Expectations()
        """Creations and deletions this controller waits to see before acting again on a key."""
        self.sets = self.informer(self.resource)
        self.sets.add_indexer("namespace", by_namespace)
        self.sets.add_indexer("controller-uid", by_controller_uid)
        self.sets.add_handler(self.enqueue, self._on_set_update, self._on_set_delete)
        self.pods = self.informer("pods")
        self.pods.add_indexer("namespace", by_namespace)
        self.pods.add_indexer("controller-uid", by_controller_uid)
        self.pods.add_handler(self._on_pod_add, self._on_pod_update, self._on_pod_delete)

    # ------------------------------------------------------------------ selectors

    def selector_of(self, obj: dict) -> LabelSelector:
        """The pod selector of one of this controller's objects."""
        return label_selector_from_dict((obj.get("spec") or {}).get("selector"))

    def _resolve(self, namespace: str, ref: dict) -> dict | None:
        if ref.get("kind") != self.kind:
            return None
        obj = self.sets.get(f"{namespace}/{ref.get('name', '')}")
        if obj is None or obj["metadata"].get("uid") != ref.get("uid"):
            return None
        return obj

    def _sets_for_pod(self, pod: dict) -> list[dict]:
        labels = (pod.get("metadata") or {}).get("labels") or {}
        if not labels:
            return []
        out = []
        for obj in self.sets.by_index("namespace", pod["metadata"].get("namespace", "")):
            try:
                sel = self.selector_of(obj)
            except ValueError:
                continue
            if not sel.empty and sel.matches(labels):
                out.append(obj)
        return sorted(out, key=key_of)

    # ------------------------------------------------------------------ handlers

    def _on_set_update(self, old: dict, new: dict) -> None:
        self.enqueue(new)

    def _on_set_delete(self, obj: dict) -> None:
        self.expectations.forget(key_of(obj))
        self.enqueue(obj)

    def _on_pod_add(self, pod: dict) -> None:
        if pod["metadata"].get("deletionTimestamp"):
            self._on_pod_delete(pod)
            return
        ref = controller_ref_of(pod)
        if ref is not None:
            owner = self._resolve(pod["metadata"].get("namespace", ""), ref)
            if owner is not None:
                self.expectations.creation_observed(key_of(owner))
                self.enqueue(owner)
            return
        for owner in self._sets_for_pod(pod):
            self.enqueue(owner)

    def _on_pod_update(self, old: dict, new: dict) -> None:
        if old["metadata"].get("resourceVersion") == new["metadata"].get("resourceVersion"):
            return
        ns = new["metadata"].get("namespace", "")
        labels_changed = old["metadata"].get("labels") != new["metadata"].get("labels")
        if new["metadata"].get("deletionTimestamp") and not old["metadata"].get("deletionTimestamp"):
            self._on_pod_delete(new)
            if labels_changed:
                self._on_pod_delete(old)
            return
        cur_ref, old_ref = controller_ref_of(new), controller_ref_of(old)
        if old_ref is not None and old_ref != cur_ref:
            owner = self._resolve(ns, old_ref)
            if owner is not None:
                self.enqueue(owner)
        if cur_ref is not None:
            owner = self._resolve(ns, cur_ref)
            if owner is None:
                return
            self.enqueue(owner)
            min_ready = int((owner.get("spec") or {}).get("minReadySeconds") or 0)
            if not is_pod_ready(old) and is_pod_ready(new) and min_ready > 0:
                self.queue.add_after(key_of(owner), min_ready + 1)
            return
        if labels_changed or old_ref != cur_ref:
            for owner in self._sets_for_pod(new):
                self.enqueue(owner)

    def _on_pod_delete(self, pod: dict) -> None:
        ref = controller_ref_of(pod)
        if ref is None:
            return
        owner = self._resolve(pod["metadata"].get("namespace", ""), ref)
        if owner is None:
            return
        self.expectations.deletion_observed(key_of(owner), key_of(pod))
        self.enqueue(owner)

    # ------------------------------------------------------------------ reconcile

    def reconcile(self, key: str) -> None:
        obj = self.sets.get(key)
        now = self.ctx.now
        if obj is None:
            self.expectations.forget(key)
            return
        needs_sync = self.expectations.satisfied(key, now)
        try:
            selector = self.selector_of(obj)
        except ValueError:
            return
        ns = obj["metadata"].get("namespace", "")
        all_pods = sorted(self.pods.by_index("namespace", ns), key=key_of)
        active = [p for p in all_pods if is_pod_active(p)]
        pods = self._claim(obj, selector, active)
        terminating = None
        if self.tracks_terminating:
            uid = obj["metadata"].get("uid")
            terminating = [
                p
                for p in all_pods
                if is_pod_terminating(p)
                and (controller_ref_of(p) or {}).get("uid") == uid
                and selector.matches(p["metadata"].get("labels") or {})
            ]
        error: ApiError | None = None
        reason = ""
        if needs_sync and not obj["metadata"].get("deletionTimestamp"):
            error, reason = self._manage(obj, pods)
        status = calculate_status(obj, pods, terminating, error.message if error else None, now, reason)
        updated = self._write_status(obj, status)
        spec = updated.get("spec") or {}
        st = updated.get("status") or {}
        replicas = int(spec.get("replicas", 1))
        if (
            error is None
            and int(spec.get("minReadySeconds") or 0) > 0
            and st.get("readyReplicas", 0) == replicas
            and st.get("availableReplicas", 0) != replicas
        ):
            self.queue.add_after(key, int(spec["minReadySeconds"]))
        if error is not None:
            raise error

    def _claim(self, owner: dict, selector: LabelSelector, pods: list[dict]) -> list[dict]:
        """Adopt matching orphans and release owned pods that no longer match (``ClaimPods``)."""
        claimed = []
        ref = controller_ref(owner, self.api_version, self.kind)
        for pod in pods:
            decision = claim_decision(pod, owner, selector.matches(pod["metadata"].get("labels") or {}))
            if decision == "own":
                claimed.append(pod)
            elif decision == "adopt":
                try:
                    claimed.append(self.client.update("pods", with_owner(pod, ref)))
                except ApiError as e:
                    if e.code != 404:
                        raise
            elif decision == "release":
                try:
                    self.client.update("pods", without_owner(pod, owner["metadata"]["uid"]))
                except ApiError as e:
                    if e.code not in (404, 422):
                        raise
        return claimed

    def _manage(self, obj: dict, pods: list[dict]) -> tuple[ApiError | None, str]:
        """Create or delete pods towards ``spec.replicas`` (``manageReplicas``)."""
        key = key_of(obj)
        now = self.ctx.now
        md, spec = obj["metadata"], obj.get("spec") or {}
        diff = len(pods) - int(spec.get("replicas", 1))
        if diff < 0:
            want = min(-diff, BURST_REPLICAS)
            self.expectations.expect_creations(key, want, now)
            ref = controller_ref(obj, self.api_version, self.kind)
            done = 0
            for batch in slow_start_batches(want):
                errors = []
                for _ in range(batch):
                    pod = pod_from_template(
                        spec.get("template") or {},
                        md.get("namespace", ""),
                        ref,
                        generate_name=pod_name_prefix(md["name"]),
                    )
                    try:
                        created = self.client.create("pods", pod)
                    except ApiError as e:
                        if "NamespaceTerminating" in str((e.status.get("details") or {}).get("causes")):
                            continue
                        self.recorder.event(obj, "Warning", "FailedCreate", f"Error creating: {e.message}")
                        errors.append(e)
                        continue
                    self.recorder.event(
                        obj, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}"
                    )
                done += batch - len(errors)
                if errors:
                    for _ in range(want - done):
                        self.expectations.creation_observed(key)
                    return errors[0], "FailedCreate"
            return None, ""
        if diff > 0:
            diff = min(diff, BURST_REPLICAS)
            victims = pods_to_delete(pods, self._related_pods(obj), diff, now)
            self.expectations.expect_deletions(key, [key_of(p) for p in victims], now)
            first: ApiError | None = None
            for pod in victims:
                try:
                    self.client.delete("pods", pod["metadata"]["name"], md.get("namespace"))
                except ApiError as e:
                    self.expectations.deletion_observed(key, key_of(pod))
                    if e.code != 404:
                        self.recorder.event(obj, "Warning", "FailedDelete", f"Error deleting: {e.message}")
                        first = first or e
                    continue
                self.recorder.event(obj, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")
            return first, "FailedDelete" if first else ""
        return None, ""

    def _related_pods(self, obj: dict) -> list[dict]:
        """Pods of every set with the same controller as ``obj`` (``getIndirectlyRelatedPods``)."""
        ref = controller_ref_of(obj)
        sets = self.sets.by_index("controller-uid", ref["uid"]) if ref else [obj]
        seen: dict[str, dict] = {}
        for rs in sorted(sets, key=key_of):
            try:
                sel = self.selector_of(rs)
            except ValueError:
                continue
            for p in self.pods.by_index("namespace", rs["metadata"].get("namespace", "")):
                if sel.matches(p["metadata"].get("labels") or {}):
                    seen.setdefault(p["metadata"].get("uid", ""), p)
        return list(seen.values())

    def _write_status(self, obj: dict, status: dict) -> dict:
        """``updateReplicaSetStatus``: write when anything changed, retrying once after a conflict."""
        old = obj.get("status") or {}
        gen = obj["metadata"].get("generation")
        same = {k: v for k, v in status.items() if k != "observedGeneration"} == {
            k: v for k, v in old.items() if k != "observedGeneration"
        }
        if same and gen == old.get("observedGeneration"):
            return obj
        status = ordered_status({**status, "observedGeneration": gen})
        new = copy_json(obj)
        new["status"] = status
        try:
            return self.client.update(self.resource, new, subresource="status")
        except ApiError as e:
            if e.code != 409:
                raise
        fresh = self.client.get(self.resource, obj["metadata"]["name"], obj["metadata"].get("namespace"))
        fresh["status"] = status
        return self.client.update(self.resource, fresh, subresource="status")


class ReplicationControllerController(ReplicaSetController):
    """The ``replicationcontroller`` controller: the ReplicaSet loop for ``v1`` ReplicationControllers."""

    name = "replication-controller"
    resource = "replicationcontrollers"
    api_version = "v1"
    kind = "ReplicationController"
    tracks_terminating = False

    def selector_of(self, obj: dict) -> LabelSelector:
        """An RC's selector is an equality map (``labels.Set(rc.Spec.Selector).AsSelectorPreValidated()``)."""
        return selector_from_set((obj.get("spec") or {}).get("selector"))
