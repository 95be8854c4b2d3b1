"""Priority admission: a pod's priority comes from its PriorityClass (or the global default, or 0)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ktui.api import errors
from ktui.api.admission.base import AdmissionRequest

if TYPE_CHECKING:
    from ktui.api.registry import Resource

__all__ = ["PriorityAdmission"]

_SYSTEM = {"system-cluster-critical": 2000000000, "system-node-critical": 2000001000}


class PriorityAdmission:
    name = "Priority"

    def handles(self, operation: str, resource: "Resource", subresource: str) -> bool:
        """Pod creates."""
        return resource.kind == "Pod" and operation == "CREATE" and not subresource

    def admit(self, req: AdmissionRequest) -> None:
        if not self.handles(req.operation, req.resource, req.subresource) or req.obj is None:
            return
        spec = req.obj.setdefault("spec", {})
        pc_name = spec.get("priorityClassName")
        if pc_name:
            if pc_name in _SYSTEM:
                pc = req.reader.get_object("priorityclasses", None, pc_name) or {"value": _SYSTEM[pc_name]}
            else:
                pc = req.reader.get_object("priorityclasses", None, pc_name)  # type: ignore[assignment]
            if pc is None:
                raise errors.forbidden("pods", req.name, "", f"no PriorityClass with name {pc_name} was found")
            spec["priority"] = pc.get("value", 0)
            if pc.get("preemptionPolicy"):
                spec["preemptionPolicy"] = pc["preemptionPolicy"]
            return
        default = next((pc for pc in req.reader.list_objects("priorityclasses") if pc.get("globalDefault")), None)
        if default is not None:
            spec["priorityClassName"] = default["metadata"]["name"]
            spec["priority"] = default.get("value", 0)
        else:
            spec.setdefault("priority", 0)

    def validate(self, req: AdmissionRequest) -> None:
        return None
