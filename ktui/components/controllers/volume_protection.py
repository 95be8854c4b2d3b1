"""The storage object in-use protection controllers: a claim (volume) is deleted only once nothing uses it.

Follow pkg/controller/volume/pvcprotection and pvprotection (v1.37). The StorageObjectInUseProtection admission
plugin gives every new claim the ``kubernetes.io/pvc-protection`` finalizer and every new volume
``kubernetes.io/pv-protection``; ``kubectl delete`` then only sets ``deletionTimestamp`` (the object shows as
Terminating) and these controllers remove the finalizer once the object is unused:

* a claim is in use while a pod scheduled to a node names it in a ``persistentVolumeClaim`` volume (whatever
  the pod's phase: a Completed pod still holds its claim until it is deleted); the informer's pods are asked
  first, then a live list, as ``isBeingUsed`` does;
* a volume is in use while its phase is Bound.

Either controller also adds its finalizer to an object created without it (before the admission plugin ran).
"""

from __future__ import annotations

from typing import Callable

from ktui.api.errors import ApiError
from ktui.api.objects import copy_json
from ktui.api.volume_match import claim_names, pod_claim_keys
from ktui.components.base import Controller

__all__ = ["PVCProtectionController", "PVProtectionController", "PVC_FINALIZER", "PV_FINALIZER", "pod_uses_claim"]

PVC_FINALIZER = "kubernetes.io/pvc-protection"
PV_FINALIZER = "kubernetes.io/pv-protection"


def pod_uses_claim(pod: dict, claim: str) -> bool:
    """``podUsesPVC``: the pod is scheduled and one of its volumes names the claim."""
    return bool((pod.get("spec") or {}).get("nodeName")) and claim in claim_names(pod)


def _deletion_candidate(obj: dict, finalizer: str) -> bool:
    md = obj.get("metadata") or {}
    return bool(md.get("deletionTimestamp")) and finalizer in (md.get("finalizers") or [])


def _needs_finalizer(obj: dict, finalizer: str) -> bool:
    md = obj.get("metadata") or {}
    return not md.get("deletionTimestamp") and finalizer not in (md.get("finalizers") or [])


class _Protection(Controller):
    resource = ""
    finalizer = ""

    def _write_finalizers(self, obj: dict, add: bool) -> None:
        new = copy_json(obj)
        finalizers = [f for f in new["metadata"].get("finalizers") or [] if f != self.finalizer]
        if add:
            finalizers.append(self.finalizer)
        if finalizers:
            new["metadata"]["finalizers"] = finalizers
        else:
            new["metadata"].pop("finalizers", None)
        try:
            self.client.update(self.resource, new, new["metadata"].get("namespace"))
        except ApiError as e:
            if e.code != 404:
                raise

    def process(self, obj: dict) -> None:
        """Remove the finalizer of an unused object being deleted; add it to one that lacks it."""
        if _deletion_candidate(obj, self.finalizer):
            if not self.in_use(obj):
                self._write_finalizers(obj, add=False)
            return
        if _needs_finalizer(obj, self.finalizer):
            self._write_finalizers(obj, add=True)

    in_use: Callable[[dict], bool]
    """Whether something still uses the object (each controller below says what)."""


class PVCProtectionController(_Protection):
    """kube-controller-manager's ``persistentvolumeclaim-protection-controller``.

    Args:
        ctx: the component context.
        informers: the shared informer factory.
    """

    name = "persistentvolumeclaim-protection-controller"
    resource = "persistentvolumeclaims"
    finalizer = PVC_FINALIZER

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.claims = self.informer("persistentvolumeclaims")
        self.pods = self.informer("pods")
        self.pods.add_indexer("pvc", pod_claim_keys)
        self.claims.add_handler(self._claim_event, self._claim_updated, None)
        self.pods.add_handler(self._pod_event, self._pod_updated, self._pod_deleted)

    def _claim_event(self, claim: dict) -> None:
        if _deletion_candidate(claim, PVC_FINALIZER) or _needs_finalizer(claim, PVC_FINALIZER):
            self.enqueue(claim)

    def _claim_updated(self, old: dict, new: dict) -> None:
        self._claim_event(new)

    def _pod_updated(self, old: dict, new: dict) -> None:
        self._pod_event(new)

    def _pod_deleted(self, pod: dict) -> None:
        self._pod_event(pod, deleted=True)

    def _pod_event(self, pod: dict, deleted: bool = False) -> None:
        """``podAddedDeletedUpdated``: only a deleted, terminal or unscheduled pod can free a claim."""
        phase = (pod.get("status") or {}).get("phase")
        if not deleted and phase not in ("Succeeded", "Failed") and (pod.get("spec") or {}).get("nodeName"):
            return
        ns = pod["metadata"].get("namespace", "")
        for name in claim_names(pod):
            self.queue.add(f"{ns}/{name}")

    def reconcile(self, key: str) -> None:
        claim = self.claims.get(key)
        if claim is not None:
            self.process(claim)

    def in_use(self, obj: dict) -> bool:
        """``isBeingUsed``: the informer's pods first, then a live list of the namespace's pods."""
        md = obj["metadata"]
        key = f"{md.get('namespace', '')}/{md['name']}"
        if any(pod_uses_claim(p, md["name"]) for p in self.pods.by_index("pvc", key)):
            return True
        pods = self.client.list("pods", md.get("namespace"))["items"]
        return any(pod_uses_claim(p, md["name"]) for p in pods)


class PVProtectionController(_Protection):
    """kube-controller-manager's ``persistentvolume-protection-controller``.

    Args:
        ctx: the component context.
        informers: the shared informer factory.
    """

    name = "persistentvolume-protection-controller"
    resource = "persistentvolumes"
    finalizer = PV_FINALIZER

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.volumes = self.informer("persistentvolumes")
        self.volumes.add_handler(self._volume_event, self._volume_updated, None)

    def _volume_updated(self, old: dict, new: dict) -> None:
        self._volume_event(new)

    def _volume_event(self, volume: dict) -> None:
        if _deletion_candidate(volume, PV_FINALIZER) or _needs_finalizer(volume, PV_FINALIZER):
            self.enqueue(volume)

    def reconcile(self, key: str) -> None:
        volume = self.volumes.get(key)
        if volume is not None:
            self.process(volume)

    def in_use(self, obj: dict) -> bool:
        """``isBeingUsed``: a Bound volume is in use."""
        return (obj.get("status") or {}).get("phase") == "Bound"
