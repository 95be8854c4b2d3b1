"""What the API server does to objects around storage: filters, key order, what updates may not change."""

from __future__ import annotations

from typing import Any

__all__ = ["Matcher", "STRATEGIC_KINDS", "unchanged", "order_meta", "order_top", "keep_system_meta"]


def unchanged(new: dict, old: dict) -> bool:
    def strip(o: dict) -> dict:
        md = {k: v for k, v in (o.get("metadata") or {}).items() if k != "resourceVersion"}
        return {**o, "metadata": md}

    return strip(new) == strip(old)


class Matcher:
    """A list/watch filter: label and field selectors (a class, not a closure, so watches can be pickled)."""

    __slots__ = ("labels", "fields")

    def __init__(self, labels: Any, fields: Any) -> None:
        self.labels, self.fields = labels, fields

    def __call__(self, obj: dict) -> bool:
        if self.labels is not None and not self.labels.matches(obj.get("metadata", {}).get("labels") or {}):
            return False
        fields = self.fields
        if fields is not None:
            kind = obj.get("kind")
            getters = _getters(kind, fields.terms)
            if getters is None:
                from ktui.api.selectors import selectable_fields

                return bool(fields.matches(selectable_fields(obj)))
            for t, get in zip(fields.terms, getters):
                if not t.matches({t.field: get(obj)}):
                    return False
        return True


_GETTERS: dict[tuple, Any] = {}
"""The single-field getters of a kind for a selector's terms (None: some field needs the whole field set)."""


def _getters(kind: Any, terms: Any) -> Any:
    key = (kind, *(t.field for t in terms))
    found = _GETTERS.get(key, _GETTERS)
    if found is _GETTERS:
        from ktui.api.fields import FIELD_GETTERS

        getters = [FIELD_GETTERS.get((kind, t.field)) for t in terms]
        if len(_GETTERS) >= 1024:  # selectors come from users too: bounded
            _GETTERS.clear()
        found = _GETTERS[key] = None if None in getters else tuple(getters)
    return found


STRATEGIC_KINDS = {
    "Pod",
    "Service",
    "Node",
    "Namespace",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Event",
    "ServiceAccount",
    "ReplicationController",
    "ResourceQuota",
    "LimitRange",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "Deployment",
    "ReplicaSet",
    "DaemonSet",
    "StatefulSet",
    "ControllerRevision",
    "Job",
    "CronJob",
    "Lease",
    "EndpointSlice",
    "Ingress",
    "NetworkPolicy",
    "IngressClass",
    "PodDisruptionBudget",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "PriorityClass",
    "StorageClass",
    "HorizontalPodAutoscaler",
}


def order_meta(md: dict) -> dict:
    """ObjectMeta keys in the order the API server's JSON encoding gives them (alphabetical here)."""
    out = {k: md[k] for k in sorted(md)}
    return out


def order_top(obj: dict) -> dict:
    order = ("apiVersion", "kind", "metadata", "spec", "status")
    out = {k: obj[k] for k in order if k in obj}
    out.update({k: v for k, v in obj.items() if k not in out})
    return out


def keep_system_meta(new: dict, old: dict) -> dict:
    """Fields of ObjectMeta that clients cannot change on update."""
    for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name"):
        if k in old:
            new[k] = old[k]
        else:
            new.pop(k, None)
    if "generation" in old:
        new["generation"] = old["generation"]
    new.pop("generateName", None) if "generateName" not in old else new.__setitem__("generateName", old["generateName"])
    return new
