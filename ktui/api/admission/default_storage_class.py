"""DefaultStorageClass admission: a new claim that names no class gets the cluster's default StorageClass.

Follows plugin/pkg/admission/storage/storageclass/setdefault (v1.37): on CREATE of a PersistentVolumeClaim with
neither ``spec.storageClassName`` (an empty string counts as a choice: no class) nor the beta
``volume.beta.kubernetes.io/storage-class`` annotation, ``spec.storageClassName`` is set to the StorageClass
annotated ``storageclass.kubernetes.io/is-default-class: "true"`` (the newest when several are), if any.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ktui.api.admission.base import AdmissionRequest
from ktui.api.volume_match import ANN_BETA_CLASS, default_class

if TYPE_CHECKING:
    from ktui.api.registry import Resource

__all__ = ["DefaultStorageClass"]


class DefaultStorageClass:
    name = "DefaultStorageClass"

    def handles(self, operation: str, resource: "Resource", subresource: str) -> bool:
        """PersistentVolumeClaim creates."""
        return resource.kind == "PersistentVolumeClaim" and operation == "CREATE" and not subresource

    def admit(self, req: AdmissionRequest) -> None:
        if not self.handles(req.operation, req.resource, req.subresource):
            return
        obj = req.obj
        if not isinstance(obj, dict):
            return
        spec = obj.setdefault("spec", {})
        if "storageClassName" in spec or ANN_BETA_CLASS in ((obj.get("metadata") or {}).get("annotations") or {}):
            return
        sc = default_class(req.reader.list_objects("storageclasses"))
        if sc is not None:
            spec["storageClassName"] = sc["metadata"]["name"]

    def validate(self, req: AdmissionRequest) -> None:
        return None
