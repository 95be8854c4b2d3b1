"""Validation as kube-apiserver v1.37 applies it: field errors with the exact upstream messages.

``validate_create(obj)`` and ``validate_update(new, old)`` dispatch on ``kind`` and expect objects that have
already been defaulted (``ktui.api.defaults.apply_defaults``), as the real server validates after decoding
and defaulting. Turn a non-empty result into the 422 with ``ktui.api.errors.invalid``. Kinds without rules
here get ObjectMeta validation only (namespaced when ``metadata.namespace`` is set), with the path-segment
name rule RBAC uses unless the kind is known to need DNS-subdomain names.
"""

from __future__ import annotations

from typing import Any, Callable

from ktui.api.errors import FieldError
from ktui.api.validation.batch import (
    parse_cron_schedule,
    validate_cron_job,
    validate_cron_job_update,
    validate_job,
    validate_job_update,
)
from ktui.api.validation.certificates import validate_csr_create, validate_csr_update
from ktui.api.validation.core import (
    validate_config_map,
    validate_config_map_update,
    validate_endpoints,
    validate_limit_range,
    validate_namespace,
    validate_node,
    validate_persistent_volume_claim,
    validate_resource_quota,
    validate_secret,
    validate_secret_update,
    validate_service_account,
)
from ktui.api.validation.meta import (
    label_selector_matches,
    validate_label_selector,
    validate_labels,
    validate_object_meta,
    validate_object_meta_update,
)
from ktui.api.validation.names import (
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_value,
    is_qualified_name,
    name_is_dns_subdomain,
    name_is_path_segment,
)
from ktui.api.validation.pod import validate_pod_create, validate_pod_spec
from ktui.api.validation.pod_update import validate_pod_update
from ktui.api.validation.service import validate_service, validate_service_update
from ktui.api.validation.workloads import (
    validate_daemon_set,
    validate_daemon_set_update,
    validate_deployment,
    validate_deployment_update,
    validate_replica_set,
    validate_replica_set_update,
    validate_replication_controller,
    validate_stateful_set,
    validate_stateful_set_update,
)

__all__ = [
    "CREATE_VALIDATORS",
    "UPDATE_VALIDATORS",
    "is_dns1035_label",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "is_label_value",
    "is_qualified_name",
    "label_selector_matches",
    "parse_cron_schedule",
    "validate_create",
    "validate_label_selector",
    "validate_labels",
    "validate_object_meta",
    "validate_pod_spec",
    "validate_update",
]

Obj = dict[str, Any]

CREATE_VALIDATORS: dict[str, Callable[[Obj], list[FieldError]]] = {
    "Pod": validate_pod_create,
    "Service": validate_service,
    "Namespace": validate_namespace,
    "ConfigMap": validate_config_map,
    "Secret": validate_secret,
    "ServiceAccount": validate_service_account,
    "ResourceQuota": validate_resource_quota,
    "LimitRange": validate_limit_range,
    "Node": validate_node,
    "Endpoints": validate_endpoints,
    "PersistentVolumeClaim": validate_persistent_volume_claim,
    "ReplicationController": validate_replication_controller,
    "Deployment": validate_deployment,
    "ReplicaSet": validate_replica_set,
    "DaemonSet": validate_daemon_set,
    "StatefulSet": validate_stateful_set,
    "Job": validate_job,
    "CronJob": validate_cron_job,
    "CertificateSigningRequest": validate_csr_create,
}
"""Create-time validator per kind."""


def _meta_update_then_create(kind: str) -> Callable[[Obj, Obj], list[FieldError]]:
    def check(new: Obj, old: Obj) -> list[FieldError]:
        errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"))
        create = CREATE_VALIDATORS[kind](new)
        return errs + [e for e in create if not e.field.startswith("metadata.")]

    return check


UPDATE_VALIDATORS: dict[str, Callable[[Obj, Obj], list[FieldError]]] = {
    "Pod": validate_pod_update,
    "Service": validate_service_update,
    "ConfigMap": validate_config_map_update,
    "Secret": validate_secret_update,
    "Deployment": validate_deployment_update,
    "ReplicaSet": validate_replica_set_update,
    "DaemonSet": validate_daemon_set_update,
    "StatefulSet": validate_stateful_set_update,
    "Job": validate_job_update,
    "CronJob": validate_cron_job_update,
    "CertificateSigningRequest": validate_csr_update,
}
"""Update-time validator per kind; other known kinds re-check metadata updates and the create rules."""


# Kinds validated for metadata only, whose names must be DNS subdomains upstream; any other kind (RBAC
# roles and bindings among them) gets the permissive path-segment name rule.
_SUBDOMAIN_NAMED = {
    "Lease",
    "PriorityClass",
    "StorageClass",
    "Ingress",
    "IngressClass",
    "NetworkPolicy",
    "EndpointSlice",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "ControllerRevision",
    "PersistentVolume",
    "PodTemplate",
}


def _generic_create(obj: Obj) -> list[FieldError]:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    rule = name_is_dns_subdomain if obj.get("kind") in _SUBDOMAIN_NAMED else name_is_path_segment
    return validate_object_meta(meta, bool(meta.get("namespace")), rule)  # type: ignore[union-attr]


def validate_create(obj: Obj) -> list[FieldError]:
    """Validate an object being created.

    Args:
        obj: a defaulted Kubernetes object.

    Returns:
        The field errors, in upstream order; empty when the object is valid.
    """
    validator = CREATE_VALIDATORS.get(str(obj.get("kind", "")), _generic_create)
    return validator(obj)


def validate_update(new: Obj, old: Obj, spec_valid: bool = False) -> list[FieldError]:
    """Validate an update of ``old`` (as stored) to ``new`` (defaulted). ``spec_valid``: a Pod's spec passed
    the spec checks before (they depend on the spec alone) and is not checked again.

    Returns:
        The field errors, e.g. ``spec.selector: Invalid value: {...}: field is immutable``.
    """
    kind = str(new.get("kind", ""))
    if spec_valid and kind == "Pod":
        return validate_pod_update(new, old, spec_valid=True)
    if kind in UPDATE_VALIDATORS:
        return UPDATE_VALIDATORS[kind](new, old)
    if kind in CREATE_VALIDATORS:
        return _meta_update_then_create(kind)(new, old)
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"))
    return errs + [e for e in _generic_create(new) if not e.field.startswith("metadata.")]
