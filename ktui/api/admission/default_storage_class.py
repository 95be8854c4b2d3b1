"""DefaultStorageClass admission: a new claim that names no class gets the cluster's default StorageClass.

Follows plugin/pkg/admission/storage/storageclass/setdefault (v1.37): on CREATE of a PersistentVolumeClaim with
neither ``spec.storageClassName`` (an empty string counts as a choice: no class) nor the beta
``volume.beta.kubernetes.io/storage-class`` annotation, ``spec.storageClassName`` is set to the StorageClass
annotated ``storageclass.kubernetes.io/is-default-class: "true"`` (the newest when several are), if any.
"""

from __future__ import annotations

from ktui.api.admission.base import AdmissionRequest
from ktui.api.volume_match import ANN_BETA_CLASS, default_class

__all__ = ["DefaultStorageClass"]


class DefaultStorageClass:
    name = "DefaultStorageClass"

    def admit(self, req: AdmissionRequest) -> None:
        if req.resource.kind != "PersistentVolumeClaim" or req.operation != "CREATE" or req.subresource:
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
