"""DefaultTolerationSeconds: every pod tolerates not-ready and unreachable nodes for 300s, then is evicted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ktui.api.admission.base import AdmissionRequest

if TYPE_CHECKING:
    from ktui.api.registry import Resource

__all__ = ["DefaultTolerationSeconds", "NOT_READY", "UNREACHABLE"]

NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"


class DefaultTolerationSeconds:
    """Adds ``{key, operator: Exists, effect: NoExecute, tolerationSeconds: 300}`` for each taint a pod does
    not already tolerate (``--default-not-ready-toleration-seconds``, ``--default-unreachable-toleration-seconds``)."""

    name = "DefaultTolerationSeconds"

    def __init__(self, not_ready_seconds: int = 300, unreachable_seconds: int = 300) -> None:
        self.seconds = {NOT_READY: not_ready_seconds, UNREACHABLE: unreachable_seconds}

    def handles(self, operation: str, resource: "Resource", subresource: str) -> bool:
        """Pod creates."""
        return resource.kind == "Pod" and operation == "CREATE" and not subresource

    def admit(self, req: AdmissionRequest) -> None:
        if not self.handles(req.operation, req.resource, req.subresource) or req.obj is None:
            return
        spec = req.obj.setdefault("spec", {})
        tolerations = list(spec.get("tolerations") or [])
        for key in (NOT_READY, UNREACHABLE):
            if any(_tolerates(t, key) for t in tolerations):
                continue
            tolerations.append(
                {"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": self.seconds[key]}
            )
        spec["tolerations"] = tolerations

    def validate(self, req: AdmissionRequest) -> None:
        return None


def _tolerates(t: dict, key: str) -> bool:
    effect_ok = t.get("effect") in (None, "", "NoExecute")
    if t.get("operator") == "Exists" and not t.get("key"):
        return effect_ok
    return t.get("key") == key and effect_ok
