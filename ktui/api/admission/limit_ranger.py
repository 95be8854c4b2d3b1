"""The LimitRanger admission plugin: default container resources from LimitRanges, then enforce their bounds.

Follows plugin/pkg/admission/limitranger/admission.go: ``admit`` merges ``type: Container`` defaults into
each container and init container of a new pod and records what it set in the
``kubernetes.io/limit-ranger`` annotation; ``validate`` checks min, max and maxLimitRequestRatio of
``Container`` and ``Pod`` items, and min/max storage of ``PersistentVolumeClaim`` items.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from ktui.api.errors import forbidden
from ktui.api.quota_usage import Quantity, parse_resource_list, pod_limits, pod_requests

if TYPE_CHECKING:
    from ktui.api.admission.base import AdmissionRequest
    from ktui.api.registry import Resource

__all__ = ["LimitRangerAdmission", "ANNOTATION", "default_limit_range_item"]

ANNOTATION = "kubernetes.io/limit-ranger"


def default_limit_range_item(item: dict) -> dict:
    """SetDefaults_LimitRangeItem: a Container item's default falls back to max, defaultRequest to default then min."""
    if item.get("type") != "Container":
        return item
    item = dict(item)
    default = dict(item.get("default") or {})
    for k, v in (item.get("max") or {}).items():
        default.setdefault(k, v)
    default_request = dict(item.get("defaultRequest") or {})
    for k, v in default.items():
        default_request.setdefault(k, v)
    for k, v in (item.get("min") or {}).items():
        default_request.setdefault(k, v)
    item["default"], item["defaultRequest"] = default, default_request
    return item


def _items(limit_range: dict) -> list[dict]:
    return [default_limit_range_item(i) for i in (limit_range.get("spec") or {}).get("limits") or []]


def _merge_container(c: dict, limits: dict, requests: dict, kind: str, notes: list[str]) -> None:
    """mergeContainerResources: fill what the container lacks and note it."""
    res = dict(c.get("resources") or {})
    lim = dict(res.get("limits") or {})
    req = dict(res.get("requests") or {})
    for k, v in lim.items():  # SetDefaults_Pod: a request missing where a limit is set is that limit
        req.setdefault(k, v)
    set_req = [k for k in requests if k not in req]
    set_lim = [k for k in limits if k not in lim]
    for k in set_lim:
        lim[k] = limits[k]
    for k in set_req:
        req[k] = requests[k]
    if lim:
        res["limits"] = lim
    if req:
        res["requests"] = req
    if res:
        c["resources"] = res
    name = c.get("name", "")
    if set_req:
        notes.append(f"{', '.join(sorted(set_req))} request for {kind} {name}")
    if set_lim:
        notes.append(f"{', '.join(sorted(set_lim))} limit for {kind} {name}")


def _min(kind: str, name: str, enforced: Quantity, req: dict, lim: dict) -> str:
    if name not in req:
        return f"minimum {name} usage per {kind} is {enforced}.  No request is specified"
    if enforced > req[name]:
        return f"minimum {name} usage per {kind} is {enforced}, but request is {req[name]}"
    if name in lim and enforced > lim[name]:
        return f"minimum {name} usage per {kind} is {enforced}, but limit is {lim[name]}"
    return ""


def _max(kind: str, name: str, enforced: Quantity, req: dict, lim: dict) -> str:
    if name not in lim:
        return f"maximum {name} usage per {kind} is {enforced}.  No limit is specified"
    if lim[name] > enforced:
        return f"maximum {name} usage per {kind} is {enforced}, but limit is {lim[name]}"
    if name in req and req[name] > enforced:
        return f"maximum {name} usage per {kind} is {enforced}, but request is {req[name]}"
    return ""


def _max_request(kind: str, name: str, enforced: Quantity, req: dict) -> str:
    if name not in req:
        return f"maximum {name} usage per {kind} is {enforced}.  No request is specified"
    if req[name] > enforced:
        return f"maximum {name} usage per {kind} is {enforced}, but request is {req[name]}"
    return ""


def _ratio(kind: str, name: str, enforced: Quantity, req: dict, lim: dict) -> str:
    if name not in req or req[name].value == 0:
        return (
            f"{name} max limit to request ratio per {kind} is {enforced}, but no request is specified or request is 0"
        )
    if name not in lim or lim[name].value == 0:
        return f"{name} max limit to request ratio per {kind} is {enforced}, but no limit is specified or limit is 0"
    ratio = abs(lim[name].value) / abs(req[name].value)
    if ratio > enforced.value:
        shown = (Decimal(ratio.numerator) / Decimal(ratio.denominator)).quantize(Decimal("0.000001"), ROUND_HALF_EVEN)
        return f"{name} max limit to request ratio per {kind} is {enforced}, but provided ratio is {shown}"
    return ""


def _check(kind: str, item: dict, req: dict[str, Quantity], lim: dict[str, Quantity]) -> list[str]:
    errs = []
    for name, v in sorted(parse_resource_list(item.get("min")).items()):
        errs.append(_min(kind, name, v, req, lim))
    for name, v in sorted(parse_resource_list(item.get("max")).items()):
        errs.append(_max(kind, name, v, req, lim))
    for name, v in sorted(parse_resource_list(item.get("maxLimitRequestRatio")).items()):
        errs.append(_ratio(kind, name, v, req, lim))
    return [e for e in errs if e]


def _container_lists(c: dict) -> tuple[dict[str, Quantity], dict[str, Quantity]]:
    res = c.get("resources") or {}
    lim = parse_resource_list(res.get("limits"))
    req = parse_resource_list(res.get("requests"))
    for k, v in lim.items():
        req.setdefault(k, v)
    return req, lim


def _pod_errors(item: dict, pod: dict) -> list[str]:
    kind = item.get("type")
    spec = pod.get("spec") or {}
    errs: list[str] = []
    if kind == "Container":
        for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
            errs += _check("Container", item, *_container_lists(c))
    elif kind == "Pod":
        no_overhead = dict(pod, spec={k: v for k, v in spec.items() if k != "overhead"})
        errs += _check("Pod", item, pod_requests(no_overhead), pod_limits(no_overhead))
    return errs


def _pvc_errors(item: dict, pvc: dict, old: dict | None) -> list[str]:
    if item.get("type") != "PersistentVolumeClaim":
        return []
    req = parse_resource_list(((pvc.get("spec") or {}).get("resources") or {}).get("requests"))
    old_req = parse_resource_list((((old or {}).get("spec") or {}).get("resources") or {}).get("requests"))
    errs = []
    for name, v in sorted(parse_resource_list(item.get("min")).items()):
        if not (name in req and name in old_req and req[name].value == old_req[name].value):
            errs.append(_min("PersistentVolumeClaim", name, v, req, {}))
    for name, v in sorted(parse_resource_list(item.get("max")).items()):
        if not (name in req and name in old_req and req[name].value == old_req[name].value):
            errs.append(_max_request("PersistentVolumeClaim", name, v, req))
    return [e for e in errs if e]


def _aggregate(errs: list[str]) -> str:
    """utilerrors.NewAggregate(...).Error(): one message, or ``[a, b]``."""
    return errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"


class LimitRangerAdmission:
    """Mutating and validating plugin ``LimitRanger`` for pods (create) and PersistentVolumeClaims."""

    name = "LimitRanger"

    def handles(self, operation: str, resource: "Resource", subresource: str) -> bool:
        """Pod creates, PersistentVolumeClaim creates and updates (not their subresources)."""
        if resource.group or subresource:
            return False
        if resource.plural == "pods":
            return operation == "CREATE"
        if resource.plural == "persistentvolumeclaims":
            return operation in ("CREATE", "UPDATE")
        return False

    def _supports(self, req: "AdmissionRequest") -> bool:
        return req.obj is not None and self.handles(req.operation, req.resource, req.subresource)

    def _limit_ranges(self, req: "AdmissionRequest") -> list[dict] | None:
        if not self._supports(req):
            return None
        if req.old is not None and ((req.old.get("metadata") or {}).get("deletionTimestamp")):
            return None
        items = req.reader.list_objects("limitranges", req.namespace) or []
        return sorted(items, key=lambda lr: (lr.get("metadata") or {}).get("name", ""))

    def _deny(self, req: "AdmissionRequest", why: str):
        md = (req.obj or {}).get("metadata") or {}
        name = req.name or md.get("name") or md.get("generateName") or "Unknown"
        return forbidden(req.resource.plural, name, req.resource.group, why)

    def admit(self, req: "AdmissionRequest") -> None:
        """Merge each LimitRange's Container defaults into the pod and annotate what was set."""
        ranges = self._limit_ranges(req)
        if not ranges or req.resource.plural != "pods":
            return
        pod = req.obj
        for lr in ranges:
            limits: dict[str, str] = {}
            requests: dict[str, str] = {}
            for item in _items(lr):
                if item.get("type") == "Container":
                    requests.update(item.get("defaultRequest") or {})
                    limits.update(item.get("default") or {})
            spec = pod.setdefault("spec", {})  # type: ignore[union-attr]
            notes: list[str] = []
            for key, kind in (("containers", "container"), ("initContainers", "init container")):
                containers = [dict(c) for c in spec.get(key) or []]
                for c in containers:
                    _merge_container(c, limits, requests, kind, notes)
                if spec.get(key):
                    spec[key] = containers
            if notes:
                md = pod.setdefault("metadata", {})  # type: ignore[union-attr]
                md["annotations"] = {
                    **(md.get("annotations") or {}),
                    ANNOTATION: "LimitRanger plugin set: " + "; ".join(notes),
                }

    def validate(self, req: "AdmissionRequest") -> None:
        """Reject a pod or claim outside a LimitRange's bounds, with the first LimitRange's errors."""
        ranges = self._limit_ranges(req)
        if not ranges:
            return
        for lr in ranges:
            errs: list[str] = []
            for item in _items(lr):
                if req.resource.plural == "pods":
                    errs += _pod_errors(item, req.obj)  # type: ignore[arg-type]
                else:
                    errs += _pvc_errors(item, req.obj, req.old)  # type: ignore[arg-type]
            if errs:
                raise self._deny(req, _aggregate(errs))
