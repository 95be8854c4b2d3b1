"""The StatefulSet controller: stable ordinal pods (``web-0``, ``web-1``...) created and removed in order.

As ``pkg/controller/statefulset``: with ``OrderedReady`` (the default) pod N+1 is created only once pods
0..N are Running and Ready, and scale-down removes the highest ordinal first, one at a time; ``Parallel``
creates and deletes without waiting. Each pod gets ``hostname`` = its name and ``subdomain`` = serviceName,
the labels ``statefulset.kubernetes.io/pod-name``, ``apps.kubernetes.io/pod-index`` and
``controller-revision-hash``, and a PVC per volumeClaimTemplate (``<claim>-<pod>``). Template changes roll
out from the highest ordinal down to ``partition``, one pod at a time.
"""

from __future__ import annotations

import re
from typing import Any

from ktui.api.errors import ApiError
from ktui.api.labels import label_selector_from_dict
from ktui.api.objects import copy_json, key_of
from ktui.components.base import Controller
from ktui.components.controllers.deployment_math import compute_hash
from ktui.components.controllers.pods import (
    controller_ref,
    controller_ref_of,
    is_pod_available,
    is_pod_ready,
    is_pod_terminal,
    pod_from_template,
)
from ktui.components.controllers.replicaset import by_controller_uid

__all__ = ["StatefulSetController", "ordinal_of", "stateful_pod"]

HASH_LABEL = "controller-revision-hash"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
_ORDINAL = re.compile(r"^(.*)-(\d+)$")


def ordinal_of(sts_name: str, pod_name: str) -> int | None:
    """The ordinal of ``<sts>-<n>``, or None for a pod that is not named like one of this set's."""
    m = _ORDINAL.match(pod_name)
    if not m or m.group(1) != sts_name:
        return None
    return int(m.group(2))


def stateful_pod(sts: dict, ordinal: int, revision_hash: str) -> dict:
    """``newVersionedStatefulSetPod``: the pod for one ordinal, with identity, labels and claims."""
    md, spec = sts["metadata"], sts.get("spec") or {}
    name = f"{md['name']}-{ordinal}"
    pod = pod_from_template(
        spec.get("template") or {},
        md.get("namespace", "default"),
        controller_ref(sts, "apps/v1", "StatefulSet"),
        name=name,
    )
    labels = pod["metadata"].setdefault("labels", {})
    labels[POD_NAME_LABEL] = name
    labels[POD_INDEX_LABEL] = str(ordinal)
    labels[HASH_LABEL] = revision_hash
    pod["spec"]["hostname"] = name
    if spec.get("serviceName"):
        pod["spec"]["subdomain"] = spec["serviceName"]
    volumes = [v for v in pod["spec"].get("volumes") or []]
    for claim in spec.get("volumeClaimTemplates") or []:
        cname = claim["metadata"]["name"]
        volumes = [v for v in volumes if v.get("name") != cname]
        volumes.append({"name": cname, "persistentVolumeClaim": {"claimName": f"{cname}-{name}"}})
    if volumes:
        pod["spec"]["volumes"] = volumes
    return pod


def _healthy(pod: dict) -> bool:
    return (
        (pod.get("status") or {}).get("phase") == "Running"
        and is_pod_ready(pod)
        and not pod["metadata"].get("deletionTimestamp")
    )


class StatefulSetController(Controller):
    """The ``statefulset`` controller of kube-controller-manager."""

    name = "statefulset-controller"

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.sets = self.informer("statefulsets")
        self.sets.add_handler(self.enqueue, self._on_set_update, self.enqueue)
        self.revisions = self.informer("controllerrevisions")
        self.revisions.add_indexer("controller-uid", by_controller_uid)
        self.pods = self.informer("pods")
        self.pods.add_indexer("controller-uid", by_controller_uid)
        self.pods.add_handler(self._on_pod, self._on_pod_update, self._on_pod)

    def _on_set_update(self, old: dict, new: dict) -> None:
        self.enqueue(new)

    def _on_pod(self, pod: dict) -> None:
        ref = controller_ref_of(pod)
        if ref and ref.get("kind") == "StatefulSet":
            sts = self.sets.get(f"{pod['metadata'].get('namespace', '')}/{ref.get('name', '')}")
            if sts is not None and sts["metadata"].get("uid") == ref.get("uid"):
                self.enqueue(sts)

    def _on_pod_update(self, old: dict, new: dict) -> None:
        self._on_pod(new)

    # ------------------------------------------------------------------ reconcile

    def reconcile(self, key: str) -> None:
        sts = self.sets.get(key)
        if sts is None:
            return
        try:
            selector = label_selector_from_dict((sts.get("spec") or {}).get("selector"))
        except ValueError:
            return
        sts = copy_json(sts)
        md = sts["metadata"]
        current_hash, update_hash = self._revisions(sts)
        pods: dict[int, dict] = {}
        for pod in self.pods.by_index("controller-uid", md["uid"]):
            n = ordinal_of(md["name"], pod["metadata"]["name"])
            if n is not None and selector.matches(pod["metadata"].get("labels") or {}):
                pods[n] = pod
        if not md.get("deletionTimestamp"):
            self._update_pods(sts, pods, update_hash)
        self._update_status(sts, pods, current_hash, update_hash)

    def _update_pods(self, sts: dict, pods: dict[int, dict], update_hash: str) -> None:
        """``updateStatefulSet``: one monotonic pass, stopping at the first pod that must be waited for."""
        spec = sts["spec"]
        ordered = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"
        start = int(((spec.get("ordinals") or {}).get("start")) or 0)
        replicas = int(spec.get("replicas", 1))
        wanted = range(start, start + replicas)
        for n in wanted:
            pod = pods.get(n)
            if pod is not None and is_pod_terminal(pod) and not pod["metadata"].get("deletionTimestamp"):
                self._delete(sts, pod)
                if ordered:
                    return
                continue
            if pod is None:
                self._create(sts, n, update_hash)
                if ordered:
                    return
                continue
            if ordered and not _healthy(pod):
                return
        for n in sorted((n for n in pods if n not in wanted), reverse=True):
            pod = pods[n]
            if pod["metadata"].get("deletionTimestamp"):
                if ordered:
                    return
                continue
            if ordered and any(not _healthy(pods[m]) for m in pods if m in wanted):
                return
            self._delete(sts, pod)
            if ordered:
                return
        strategy = spec.get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return
        partition = int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
        if any(not _healthy(pods[n]) for n in wanted if n in pods) or any(n not in pods for n in wanted):
            return
        for n in sorted((n for n in wanted if n >= start + partition), reverse=True):
            if (pods[n]["metadata"].get("labels") or {}).get(HASH_LABEL) != update_hash:
                self._delete(sts, pods[n])
                return

    def _create(self, sts: dict, ordinal: int, update_hash: str) -> None:
        pod = stateful_pod(sts, ordinal, update_hash)
        name, sname = pod["metadata"]["name"], sts["metadata"]["name"]
        ns = sts["metadata"].get("namespace", "default")
        for claim in sts["spec"].get("volumeClaimTemplates") or []:
            pvc = copy_json(claim)
            pvc.update({"apiVersion": "v1", "kind": "PersistentVolumeClaim"})
            cname = f"{claim['metadata']['name']}-{name}"
            pvc["metadata"] = {
                "name": cname,
                "namespace": ns,
                "labels": {
                    **(claim["metadata"].get("labels") or {}),
                    **((sts["spec"].get("selector") or {}).get("matchLabels") or {}),
                },
            }
            pvc.pop("status", None)
            try:
                self.client.create("persistentvolumeclaims", pvc)
            except ApiError as e:
                if e.reason != "AlreadyExists":
                    self.recorder.event(
                        sts,
                        "Warning",
                        "FailedCreate",
                        f"create Claim {cname} for Pod {name} in StatefulSet {sname} failed error: {e.message}",
                    )
                    raise
            else:
                self.recorder.event(
                    sts, "Normal", "SuccessfulCreate", f"create Claim {cname} Pod {name} in StatefulSet {sname} success"
                )
        try:
            self.client.create("pods", pod)
        except ApiError as e:
            if e.reason == "AlreadyExists":
                return
            self.recorder.event(
                sts, "Warning", "FailedCreate", f"create Pod {name} in StatefulSet {sname} failed error: {e.message}"
            )
            raise
        self.recorder.event(sts, "Normal", "SuccessfulCreate", f"create Pod {name} in StatefulSet {sname} successful")

    def _delete(self, sts: dict, pod: dict) -> None:
        name, sname = pod["metadata"]["name"], sts["metadata"]["name"]
        try:
            self.client.delete("pods", name, pod["metadata"].get("namespace"))
        except ApiError as e:
            if e.code == 404:
                return
            self.recorder.event(
                sts, "Warning", "FailedDelete", f"delete Pod {name} in StatefulSet {sname} failed error: {e.message}"
            )
            raise
        self.recorder.event(sts, "Normal", "SuccessfulDelete", f"delete Pod {name} in StatefulSet {sname} successful")

    # ------------------------------------------------------------------ revisions and status

    def _revisions(self, sts: dict) -> tuple[str, str]:
        """(currentRevision hash, updateRevision hash), creating the update ControllerRevision if needed."""
        md = sts["metadata"]
        template = copy_json(sts["spec"].get("template") or {})
        data = {"spec": {"template": {**template, "$patch": "replace"}}}
        owned = sorted(self.revisions.by_index("controller-uid", md["uid"]), key=lambda r: int(r.get("revision", 0)))
        top = max([int(r.get("revision", 0)) for r in owned] or [0])
        match = next((r for r in owned if r.get("data") == data), None)
        if match is not None:
            update = match["metadata"]["name"]
            if int(match.get("revision", 0)) < top:
                bumped = copy_json(match)
                bumped["revision"] = top + 1
                self.client.update("controllerrevisions", bumped)
        else:
            update = f"{md['name']}-{compute_hash(template, (sts.get('status') or {}).get('collisionCount'))}"
            rev = {
                "apiVersion": "apps/v1",
                "kind": "ControllerRevision",
                "metadata": {
                    "name": update,
                    "namespace": md.get("namespace", "default"),
                    "labels": {**((template.get("metadata") or {}).get("labels") or {}), HASH_LABEL: update},
                    "ownerReferences": [controller_ref(sts, "apps/v1", "StatefulSet")],
                },
                "data": data,
                "revision": top + 1,
            }
            try:
                self.client.create("controllerrevisions", rev)
            except ApiError as e:
                if e.reason != "AlreadyExists":
                    raise
        current = (sts.get("status") or {}).get("currentRevision") or update
        return current, update

    def _update_status(self, sts: dict, pods: dict[int, dict], current: str, update: str) -> None:
        min_ready = int(sts["spec"].get("minReadySeconds") or 0)
        live = [p for p in pods.values() if not p["metadata"].get("deletionTimestamp")]
        ready = sum(1 for p in live if is_pod_ready(p))
        available = sum(1 for p in live if is_pod_available(p, min_ready, self.ctx.now))
        cur = sum(1 for p in live if (p["metadata"].get("labels") or {}).get(HASH_LABEL) == current)
        upd = sum(1 for p in live if (p["metadata"].get("labels") or {}).get(HASH_LABEL) == update)
        replicas = int(sts["spec"].get("replicas", 1))
        if upd == replicas and len(live) == replicas and ready == replicas:
            current, cur = update, upd
        old = sts.get("status") or {}
        status: dict[str, Any] = {"observedGeneration": sts["metadata"].get("generation"), "replicas": len(live)}
        for k, v in (("readyReplicas", ready), ("currentReplicas", cur), ("updatedReplicas", upd)):
            if v:
                status[k] = v
        status.update(
            {
                "currentRevision": current,
                "updateRevision": update,
                "collisionCount": int(old.get("collisionCount") or 0),
            }
        )
        if old.get("conditions"):
            status["conditions"] = old["conditions"]
        status["availableReplicas"] = available
        if status != old:
            sts["status"] = status
            self.client.update("statefulsets", sts, subresource="status")
        if min_ready and ready != available:
            self.queue.add_after(key_of(sts), min_ready)
