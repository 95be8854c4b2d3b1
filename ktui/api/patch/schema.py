"""Strategic-merge-patch metadata: the patchStrategy / patchMergeKey tags of the v1.37 API types, per kind.

The tags are those of k8s.io/api (``patchStrategy:"merge" patchMergeKey:"name"`` and friends). A field
with no entry has no strategy: its maps merge key by key and its lists are replaced whole. Kinds not
listed here get the empty schema, i.e. that fallback everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["FieldMeta", "Schema", "EMPTY", "schema_for", "field_meta", "lookup"]


@dataclass(frozen=True)
class FieldMeta:
    """Patch metadata of one field: its strategy, whether it retains keys, its merge key, its sub-schema."""

    strategy: str = ""
    """``"merge"``, ``"replace"`` or ``""`` (no strategy: maps merge, lists are replaced)."""
    retain_keys: bool = False
    """The ``retainKeys`` strategy: a diff of this map (or of each item of this list) carries ``$retainKeys``."""
    merge_key: str = ""
    """For a merging list of maps, the key that identifies an item (``name``, ``containerPort``...)."""
    schema: Mapping[str, FieldMeta] = field(default_factory=dict)
    """Schema of the value (a struct) or of each list item."""


Schema = Mapping[str, FieldMeta]
EMPTY = FieldMeta()


def lookup(schema: Schema | None, key: str) -> FieldMeta:
    """The metadata of ``key`` in ``schema``; unknown fields have none."""
    if not schema:
        return EMPTY
    return schema.get(key, EMPTY)


def _struct(fields: Schema, retain_keys: bool = False) -> FieldMeta:
    return FieldMeta(retain_keys=retain_keys, schema=fields)


def _merge(merge_key: str = "", fields: Schema | None = None, retain_keys: bool = False) -> FieldMeta:
    return FieldMeta(strategy="merge", merge_key=merge_key, retain_keys=retain_keys, schema=fields or {})


_CONDITIONS = {"conditions": _merge("type")}

OBJECT_META: Schema = {
    "finalizers": _merge(),
    "ownerReferences": _merge("uid"),
}

CONTAINER: Schema = {
    "ports": _merge("containerPort"),
    "env": _merge("name"),
    "volumeMounts": _merge("mountPath"),
    "volumeDevices": _merge("devicePath"),
}

POD_SPEC: Schema = {
    "volumes": _merge("name", retain_keys=True),
    "initContainers": _merge("name", CONTAINER),
    "containers": _merge("name", CONTAINER),
    "ephemeralContainers": _merge("name", CONTAINER),
    "imagePullSecrets": _merge("name"),
    "hostAliases": _merge("ip"),
    "topologySpreadConstraints": _merge("topologyKey"),
    "resourceClaims": _merge("name", retain_keys=True),
    "schedulingGates": _merge("name"),
}

POD_STATUS: Schema = {
    "conditions": _merge("type"),
    "podIPs": _merge("ip"),
    "hostIPs": _merge("ip"),
    "resourceClaimStatuses": _merge("name", retain_keys=True),
}

POD_TEMPLATE_SPEC: Schema = {"metadata": _struct(OBJECT_META), "spec": _struct(POD_SPEC)}


def _object(spec: Schema | None = None, status: Schema | None = None, **extra: FieldMeta) -> Schema:
    out: dict[str, FieldMeta] = {"metadata": _struct(OBJECT_META)}
    if spec is not None:
        out["spec"] = _struct(spec)
    if status is not None:
        out["status"] = _struct(status)
    out.update(extra)
    return out


def _workload(**spec_extra: FieldMeta) -> Schema:
    return _object({"template": _struct(POD_TEMPLATE_SPEC), **spec_extra}, _CONDITIONS)


_JOB_SPEC: Schema = {"template": _struct(POD_TEMPLATE_SPEC)}

_KINDS: dict[str, Schema] = {
    "Pod": _object(POD_SPEC, POD_STATUS),
    "PodTemplate": _object(template=_struct(POD_TEMPLATE_SPEC)),
    "Deployment": _workload(strategy=FieldMeta(retain_keys=True)),
    "ReplicaSet": _workload(),
    "ReplicationController": _workload(),
    "DaemonSet": _workload(),
    "StatefulSet": _workload(),
    "Job": _workload(),
    "CronJob": _object({"jobTemplate": _struct({"metadata": _struct(OBJECT_META), "spec": _struct(_JOB_SPEC)})}),
    "Service": _object({"ports": _merge("port")}, _CONDITIONS),
    "Node": _object({"podCIDRs": _merge()}, {"conditions": _merge("type"), "addresses": _merge("type")}),
    "Namespace": _object({}, _CONDITIONS),
    "PersistentVolumeClaim": _object({}, _CONDITIONS),
    "ServiceAccount": _object(secrets=_merge("name")),
    "PodDisruptionBudget": _object({"selector": FieldMeta(strategy="replace")}, _CONDITIONS),
    "HorizontalPodAutoscaler": _object({}, _CONDITIONS),
}

# Built-in kinds whose only tagged fields are those of ObjectMeta.
for _name in (
    "ConfigMap",
    "Secret",
    "Endpoints",
    "EndpointSlice",
    "Event",
    "Lease",
    "LimitRange",
    "ResourceQuota",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "Ingress",
    "IngressClass",
    "NetworkPolicy",
    "ControllerRevision",
):
    _KINDS[_name] = _object()


def schema_for(kind: str) -> Schema:
    """The patch schema of a top-level object of ``kind``; ``{}`` for unknown kinds (and CRDs)."""
    return _KINDS.get(kind, {})


def field_meta(kind: str, path: str) -> FieldMeta:
    """The metadata of a dotted field path in ``kind``, e.g. ``("Deployment", "spec.template.spec.containers")``.

    Path segments walk through structs and list items alike, so ``spec.containers.env`` is the env list of
    each container.
    """
    schema: Schema | None = schema_for(kind)
    meta = EMPTY
    for part in path.split("."):
        meta = lookup(schema, part)
        schema = meta.schema
    return meta
