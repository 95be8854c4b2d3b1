"""Per-kind rules the registry applies before storing: initial status, what an update may touch, generation."""

from __future__ import annotations

from typing import Any

from ktui.api.objects import copy_json

__all__ = [
    "prepare_for_create",
    "prepare_for_update",
    "prepare_for_status_update",
    "pod_qos_class",
    "drop_type_dependent_fields",
]


def pod_qos_class(pod: dict) -> str:
    """Guaranteed, Burstable or BestEffort, as pkg/apis/core/helper/qos computes it."""
    containers = list(pod.get("spec", {}).get("containers") or []) + list(
        pod.get("spec", {}).get("initContainers") or []
    )
    requests: dict[str, bool] = {}
    any_set = False
    guaranteed = True
    for c in containers:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        for name in ("cpu", "memory"):
            if name in req or name in lim:
                any_set = True
            if lim.get(name) is None:
                guaranteed = False
            elif req.get(name, lim.get(name)) != lim.get(name):
                guaranteed = False
        requests.update({k: True for k in req})
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _initial_status(kind: str, obj: dict) -> Any:
    if kind == "Pod":
        return {"phase": "Pending", "qosClass": pod_qos_class(obj)}
    if kind == "Namespace":
        return {"phase": "Active"}
    if kind == "Service":
        return {"loadBalancer": {}}
    if kind == "HorizontalPodAutoscaler":  # v2's desiredReplicas and currentMetrics have no omitempty
        return {"desiredReplicas": 0, "currentMetrics": None}
    if kind == "Node":
        return obj.get("status", {})
    if kind in ("PersistentVolumeClaim", "PersistentVolume"):
        return {"phase": "Pending" if kind == "PersistentVolumeClaim" else "Pending"}
    return {}


def prepare_for_create(kind: str, obj: dict, has_status: bool) -> dict:
    """Reset what a client may not set on create: status (except on Nodes), generation."""
    obj = dict(obj)
    if has_status:
        obj["status"] = _initial_status(kind, obj)
    if kind == "Namespace":
        spec = dict(obj.get("spec") or {})
        spec.setdefault("finalizers", ["kubernetes"])
        obj["spec"] = spec
    return obj


def _spec_changed(new: dict, old: dict) -> bool:
    skip = ("metadata", "status", "apiVersion", "kind")
    return {k: v for k, v in new.items() if k not in skip} != {k: v for k, v in old.items() if k not in skip}


def drop_type_dependent_fields(new: dict, old: dict) -> dict:
    """``dropTypeDependentFields``: when a Service changes type, fields only the old type allowed are cleared
    — if the user left them as they were (a field the user changed is kept, and validation judges it)."""
    ospec, nspec = old.get("spec") or {}, dict(new.get("spec") or {})
    otype, ntype = ospec.get("type", "ClusterIP"), nspec.get("type", "ClusterIP")
    if otype == ntype:
        return new
    external = ("NodePort", "LoadBalancer")
    if otype != "ExternalName" and ntype == "ExternalName":
        for f in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            if nspec.get(f) == ospec.get(f):
                nspec.pop(f, None)
    if otype in external and ntype not in external:
        oports = [p.get("nodePort") for p in ospec.get("ports") or []]
        nports = [p.get("nodePort") for p in nspec.get("ports") or []]
        if oports == nports:
            nspec["ports"] = [{k: v for k, v in p.items() if k != "nodePort"} for p in nspec.get("ports") or []]
        if nspec.get("externalTrafficPolicy") == ospec.get("externalTrafficPolicy"):
            nspec.pop("externalTrafficPolicy", None)
    if otype == "LoadBalancer" and ntype != "LoadBalancer":
        for f in ("allocateLoadBalancerNodePorts", "loadBalancerClass", "healthCheckNodePort"):
            if nspec.get(f) == ospec.get(f):
                nspec.pop(f, None)
    return {**new, "spec": nspec}


def prepare_for_update(kind: str, new: dict, old: dict, has_status: bool) -> dict:
    """A main-resource update keeps the stored status and bumps generation when the spec changed."""
    new = dict(new)
    if kind == "Service":
        new = drop_type_dependent_fields(new, old)
    if kind == "CertificateSigningRequest":
        from ktui.api.csr import prepare_csr_update

        new = prepare_csr_update(new, old)
    if has_status and kind != "Node":
        new["status"] = copy_json(old.get("status", {}))
    elif kind == "Node" and "status" not in new:
        new["status"] = copy_json(old.get("status", {}))
    gen = old.get("metadata", {}).get("generation")
    if gen is not None:
        new["metadata"]["generation"] = gen + 1 if _spec_changed(new, old) else gen
    return new


def prepare_for_status_update(new: dict, old: dict, fresh: bool = False) -> dict:
    """A */status update changes the status only; everything else stays as stored (and is shared with the
    stored object, which is never changed in place; only the metadata is copied, for its resourceVersion).
    ``fresh``: ``new``'s status is a tree nobody else holds (a decoded body), taken without a copy."""
    out = dict(old)
    out["metadata"] = dict(old["metadata"])
    status = new.get("status", {})
    out["status"] = status if fresh and "status" in new else copy_json(status)
    out["metadata"]["resourceVersion"] = new.get("metadata", {}).get("resourceVersion", "")
    return out
