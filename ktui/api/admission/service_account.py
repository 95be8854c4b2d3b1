"""ServiceAccount admission: pods run as ``default`` unless they name another account that exists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ktui.api import errors
from ktui.api.admission.base import AdmissionRequest

if TYPE_CHECKING:
    from ktui.api.registry import Resource

__all__ = ["ServiceAccountAdmission"]


class ServiceAccountAdmission:
    name = "ServiceAccount"

    def handles(self, operation: str, resource: "Resource", subresource: str) -> bool:
        """Pod creates."""
        return resource.kind == "Pod" and operation == "CREATE" and not subresource

    def admit(self, req: AdmissionRequest) -> None:
        if not self.handles(req.operation, req.resource, req.subresource) or req.obj is None:
            return
        spec = req.obj.setdefault("spec", {})
        if not spec.get("serviceAccountName"):
            spec["serviceAccountName"] = spec.get("serviceAccount") or "default"
        spec["serviceAccount"] = spec["serviceAccountName"]

    def validate(self, req: AdmissionRequest) -> None:
        if not self.handles(req.operation, req.resource, req.subresource) or req.obj is None:
            return
        if (req.obj.get("metadata", {}).get("annotations") or {}).get("kubernetes.io/config.mirror"):
            return
        sa = req.obj["spec"]["serviceAccountName"]
        if req.reader.get_object("serviceaccounts", req.namespace, sa) is None:
            # Real message: the pod is rejected until the ServiceAccount controller has made it.
            raise errors.forbidden(
                "pods",
                req.name,
                "",
                f'error looking up service account {req.namespace}/{sa}: serviceaccount "{sa}" not found',
            )
