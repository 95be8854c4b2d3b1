"""The ResourceQuota admission plugin: reject what would exceed a namespace's quotas, charge what is admitted.

Follows k8s.io/apiserver/pkg/admission/plugin/resourcequota (controller.go, ``CheckRequest``) with the
evaluators of pkg/quota/v1/evaluator/core. A quota is judged by its ``status.hard`` and ``status.used``:
one the ResourceQuota controller has not synced yet (no ``status.hard``) matches nothing, as in v1.37.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ktui.api.errors import forbidden
from ktui.api.objects import copy_json
from ktui.api.quota_usage import (
    Quantity,
    add_quantity,
    container_usage_names,
    parse_resource_list,
    tracks,
    usage_of,
)

if TYPE_CHECKING:
    from ktui.api.admission.base import AdmissionRequest
    from ktui.api.registry import Resource

__all__ = ["ResourceQuotaAdmission", "pod_matches_scope", "quota_scope_selectors"]

_IGNORED = {"events", "events.events.k8s.io"}
"""Group-resources quota admission never evaluates (the apiserver's default ignored list)."""

_VALIDATION_SET = {"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}
"""Compute names a pod must set explicitly when a quota tracks them (a documented historical mistake)."""


def quota_scope_selectors(quota: dict) -> list[dict]:
    """``spec.scopes`` as ``Exists`` requirements, then ``spec.scopeSelector.matchExpressions``."""
    spec = quota.get("spec") or {}
    out = [{"scopeName": s, "operator": "Exists"} for s in spec.get("scopes") or []]
    out.extend((spec.get("scopeSelector") or {}).get("matchExpressions") or [])
    return out


def _best_effort(pod: dict) -> bool:
    spec = pod.get("spec") or {}
    pod_level = spec.get("resources") or {}
    sources = [c.get("resources") or {} for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])]
    for res in [pod_level, *sources]:
        for kind in ("requests", "limits"):
            amounts = parse_resource_list({n: v for n, v in (res.get(kind) or {}).items() if n in ("cpu", "memory")})
            if any(q.value > 0 for q in amounts.values()):
                return False
    return True


def _cross_namespace_affinity(pod: dict) -> bool:
    affinity = (pod.get("spec") or {}).get("affinity") or {}
    for kind in ("podAffinity", "podAntiAffinity"):
        block = affinity.get(kind) or {}
        terms = list(block.get("requiredDuringSchedulingIgnoredDuringExecution") or [])
        terms += [
            w.get("podAffinityTerm") or {} for w in block.get("preferredDuringSchedulingIgnoredDuringExecution") or []
        ]
        if any(t.get("namespaces") or t.get("namespaceSelector") is not None for t in terms):
            return True
    return False


def pod_matches_scope(selector: dict, pod: dict) -> bool:
    """podMatchesScopeFunc: whether a pod falls in one scope requirement."""
    scope = selector.get("scopeName")
    spec = pod.get("spec") or {}
    if scope in ("Terminating", "NotTerminating"):
        deadline = spec.get("activeDeadlineSeconds")
        terminating = deadline is not None and deadline >= 0
        return terminating if scope == "Terminating" else not terminating
    if scope in ("BestEffort", "NotBestEffort"):
        return _best_effort(pod) == (scope == "BestEffort")
    if scope == "PriorityClass":
        pc = spec.get("priorityClassName") or ""
        op, values = selector.get("operator"), selector.get("values") or []
        if op == "Exists":
            return bool(pc)
        if op == "DoesNotExist":
            return not pc
        if op == "In":
            return bool(pc) and pc in values
        if op == "NotIn":
            return not pc or pc not in values
        return False
    if scope == "CrossNamespacePodAffinity":
        return _cross_namespace_affinity(pod)
    return False


def _handles(plural: str, group: str, operation: str, subresource: str) -> bool:
    """Evaluator.Handles: which operations can change what an object charges."""
    if group:
        return operation == "CREATE" and not subresource
    if plural == "pods":
        return (operation == "CREATE" and not subresource) or (operation == "UPDATE" and subresource == "resize")
    if plural in ("services", "persistentvolumeclaims"):
        return operation in ("CREATE", "UPDATE")
    return operation == "CREATE" and not subresource


def _matches(resource: str, quota: dict, obj: dict) -> bool:
    """generic.Matches: the quota tracks one of the resource's names and every scope admits the object."""
    hard = (quota.get("status") or {}).get("hard") or {}
    if not any(tracks(resource, name) for name in hard):
        return False
    selectors = quota_scope_selectors(quota)
    if resource != "pods":
        return not selectors
    return all(pod_matches_scope(s, obj) for s in selectors)


def _must_specify(obj: dict, required: set[str]) -> str:
    """podEvaluator.Constraints: ``limits.cpu for: a,b; limits.memory for: a`` or ``""``."""
    required = required & _VALIDATION_SET
    if not required:
        return ""
    missing: dict[str, set[str]] = {}
    spec = obj.get("spec") or {}
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        for name in required - container_usage_names(c):
            missing.setdefault(name, set()).add(c.get("name", ""))
    return "; ".join(f"{r} for: {','.join(sorted(missing[r]))}" for r in sorted(missing))


def _pretty(usage: dict[str, Quantity]) -> str:
    return ",".join(f"{k}={usage[k]}" for k in sorted(usage))


def _subtract_non_negative(a: dict[str, Quantity], b: dict[str, Quantity]) -> dict[str, Quantity]:
    out = {}
    for k, v in a.items():
        d = Quantity(v.value - b[k].value, v.format) if k in b else v
        out[k] = d if d.value >= 0 else Quantity(d.value * 0, d.format)
    return out


class ResourceQuotaAdmission:
    """Validating plugin ``ResourceQuota``: every matching quota must have room; usage is charged at once."""

    name = "ResourceQuota"

    def handles(self, operation: str, resource: "Resource", subresource: str) -> bool:
        """What a quota evaluator handles (creates, and the updates that can change what an object charges) of
        namespaced resources, but for Events and Namespaces."""
        if not resource.namespaced or resource.group_resource in _IGNORED:
            return False
        if resource.plural == "namespaces" and not resource.group:
            return False
        return _handles(resource.plural, resource.group, operation, subresource)

    def admit(self, req: "AdmissionRequest") -> None:
        """ResourceQuota only validates."""

    def validate(self, req: "AdmissionRequest") -> None:
        """Check the request against the namespace's quotas and write the new ``status.used`` of each one."""
        if not req.namespace or req.obj is None or not self.handles(req.operation, req.resource, req.subresource):
            return
        quotas = sorted(req.reader.list_objects("resourcequotas", req.namespace) or [], key=_quota_name)
        if not quotas:
            return
        updated = self._check(req, quotas)
        if req.dry_run:
            return
        for q in updated:
            req.reader.write_status("resourcequotas", q)

    def _deny(self, req: "AdmissionRequest", why: str):
        md = (req.obj or {}).get("metadata") or {}
        name = req.name or md.get("name") or md.get("generateName") or "Unknown"
        return forbidden(req.resource.plural, name, req.resource.group, why)

    def _check(self, req: "AdmissionRequest", quotas: list[dict]) -> list[dict]:
        """CheckRequest: the quotas whose usage changes, each with its new ``status.used``; raises if one is exceeded."""
        resource = req.resource.group_resource
        obj = req.obj
        interesting: list[dict] = []
        for q in quotas:
            if not _matches(resource, q, obj):  # type: ignore[arg-type]
                continue
            status = q.get("status") or {}
            restricted = {n for n in (status.get("hard") or {}) if tracks(resource, n)}
            if resource == "pods":
                missing = _must_specify(obj, restricted)  # type: ignore[arg-type]
                if missing:
                    raise self._deny(req, f"failed quota: {_quota_name(q)}: must specify {missing}")
            used = status.get("used") or {}
            if any(n not in used for n in restricted):
                names = ",".join(sorted(restricted))
                raise self._deny(req, f"status unknown for quota: {_quota_name(q)}, resources: {names}")
            interesting.append(q)
        if not interesting:
            return []
        usage = usage_of(resource, obj, req.now)  # type: ignore[arg-type]
        negative = sorted(k for k, v in usage.items() if v.value < 0)
        if negative:
            raise self._deny(req, f"quota usage is negative for resource(s): {','.join(negative)}")
        deltas = {id(q): usage for q in interesting}
        if req.operation == "UPDATE":
            old = req.old
            if old is None:
                raise self._deny(req, "unable to get previous usage since prior version of object was not found")
            if (old.get("metadata") or {}).get("resourceVersion"):
                delta = _subtract_non_negative(usage, usage_of(resource, old, req.now))
                for q in interesting:
                    if _matches(resource, q, old):
                        deltas[id(q)] = delta
        out = []
        for q in interesting:
            delta = {k: v for k, v in deltas[id(q)].items() if v.value != 0}
            if not delta:
                continue
            status = q.get("status") or {}
            hard = parse_resource_list(status.get("hard"))
            used = parse_resource_list(status.get("used"))
            requested = {k: v for k, v in delta.items() if k in hard}
            if not requested:
                continue
            new_used = dict(used)
            for k, v in requested.items():
                new_used[k] = add_quantity(new_used[k], v) if k in new_used else v
            if req.subresource != "status":
                exceeded = sorted(k for k in requested if new_used[k] > hard[k])
                if exceeded:
                    raise self._deny(
                        req,
                        f"exceeded quota: {_quota_name(q)}, "
                        f"requested: {_pretty({k: requested[k] for k in exceeded})}, "
                        f"used: {_pretty({k: used[k] for k in exceeded if k in used})}, "
                        f"limited: {_pretty({k: hard[k] for k in exceeded})}",
                    )
            copy = copy_json(q)
            strings = dict((copy.get("status") or {}).get("used") or {})
            strings.update({k: str(new_used[k]) for k in requested})
            copy.setdefault("status", {})["used"] = {k: strings[k] for k in sorted(strings)}
            out.append(copy)
        return out


def _quota_name(q: dict) -> str:
    return (q.get("metadata") or {}).get("name", "")
