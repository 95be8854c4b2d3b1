"""NamespaceLifecycle: nothing is created in a namespace that is missing or terminating."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ktui.api import errors
from ktui.api.admission.base import AdmissionRequest

if TYPE_CHECKING:
    from ktui.api.registry import Resource

__all__ = ["NamespaceLifecycle"]

_IMMORTAL = ("default", "kube-system", "kube-public")


class NamespaceLifecycle:
    name = "NamespaceLifecycle"

    def handles(self, operation: str, resource: "Resource", subresource: str) -> bool:
        """The deletion of a namespace, and every create in one."""
        if operation == "DELETE":
            return resource.kind == "Namespace"
        return operation == "CREATE" and resource.namespaced and not subresource

    def admit(self, req: AdmissionRequest) -> None:
        return None

    def validate(self, req: AdmissionRequest) -> None:
        r = req.resource
        if r.kind == "Namespace" and req.operation == "DELETE" and req.name in _IMMORTAL:
            raise errors.forbidden("namespaces", req.name, "", "this namespace may not be deleted")
        if not r.namespaced or req.operation != "CREATE" or req.subresource:
            return
        ns = req.reader.get_object("namespaces", None, req.namespace)
        if ns is None:
            raise errors.not_found("namespaces", req.namespace)
        if (ns.get("status") or {}).get("phase") == "Terminating" and r.kind != "Event":
            raise errors.forbidden(
                r.plural,
                req.name,
                r.group,
                f"unable to create new content in namespace {req.namespace} because it is being terminated",
            )
