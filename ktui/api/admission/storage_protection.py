"""StorageObjectInUseProtection admission: new claims and volumes get their in-use protection finalizer.

Follows plugin/pkg/admission/storage/storageobjectinuseprotection (v1.37): on CREATE of a PersistentVolumeClaim
the finalizer ``kubernetes.io/pvc-protection`` is appended, of a PersistentVolume ``kubernetes.io/pv-protection``
(unless already there). The protection controllers remove them once nothing uses the object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ktui.api.admission.base import AdmissionRequest

if TYPE_CHECKING:
    from ktui.api.registry import Resource

__all__ = ["StorageObjectInUseProtection"]

_FINALIZERS = {
    "PersistentVolumeClaim": "kubernetes.io/pvc-protection",
    "PersistentVolume": "kubernetes.io/pv-protection",
}


class StorageObjectInUseProtection:
    name = "StorageObjectInUseProtection"

    def handles(self, operation: str, resource: "Resource", subresource: str) -> bool:
        """PersistentVolumeClaim and PersistentVolume creates."""
        return resource.kind in _FINALIZERS and operation == "CREATE" and not subresource

    def admit(self, req: AdmissionRequest) -> None:
        if not self.handles(req.operation, req.resource, req.subresource) or not isinstance(req.obj, dict):
            return
        finalizer = _FINALIZERS[req.resource.kind]
        md = req.obj.setdefault("metadata", {})
        finalizers = md.get("finalizers")
        if not isinstance(finalizers, list):
            finalizers = []
        if finalizer not in finalizers:
            md["finalizers"] = [*finalizers, finalizer]

    def validate(self, req: AdmissionRequest) -> None:
        return None
