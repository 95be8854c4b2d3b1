"""Defaulting as kube-apiserver v1.37 applies it: ``apply_defaults(obj)`` returns the object it would store.

Keys the client sent keep their order; defaults are appended (in Go struct field order) so output is
deterministic. Besides pkg/apis/*/v1/defaults.go this includes the few values the registry or admission
always sets on a plain create (namespace finalizer, service IP families, pod priority), each marked where
it is applied. Unknown kinds are returned as an unchanged copy.
"""

from __future__ import annotations

from typing import Any, Callable

from ktui.api.defaults.apps import default_daemon_set, default_deployment, default_replica_set, default_stateful_set
from ktui.api.defaults.autoscaling import default_hpa, default_priority_class
from ktui.api.defaults.batch import default_cron_job, default_job, job_prepare_for_create
from ktui.api.defaults.core import (
    default_endpoints,
    default_limit_range,
    default_namespace,
    default_node,
    default_persistent_volume,
    default_persistent_volume_claim,
    default_pod,
    default_replication_controller,
    default_resource_quota,
    default_secret,
    default_service,
)
from ktui.api.defaults.podspec import default_pod_spec, default_pod_template, image_tag
from ktui.api.objects import copy_json

__all__ = [
    "DEFAULTERS",
    "apply_defaults",
    "default_pod_spec",
    "default_pod_template",
    "image_tag",
    "job_prepare_for_create",
]


def _default_pod_template_object(obj: dict[str, Any]) -> None:
    if "template" in obj:
        default_pod_template(obj["template"])


DEFAULTERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "Pod": default_pod,
    "PodTemplate": _default_pod_template_object,
    "Service": default_service,
    "Namespace": default_namespace,
    "Secret": default_secret,
    "ReplicationController": default_replication_controller,
    "Endpoints": default_endpoints,
    "LimitRange": default_limit_range,
    "ResourceQuota": default_resource_quota,
    "Node": default_node,
    "PersistentVolume": default_persistent_volume,
    "PersistentVolumeClaim": default_persistent_volume_claim,
    "Deployment": default_deployment,
    "ReplicaSet": default_replica_set,
    "DaemonSet": default_daemon_set,
    "StatefulSet": default_stateful_set,
    "Job": default_job,
    "CronJob": default_cron_job,
    "HorizontalPodAutoscaler": default_hpa,
    "PriorityClass": default_priority_class,
}
"""In-place defaulting function per kind (ConfigMap and ServiceAccount have none that shows in JSON)."""


def apply_defaults(obj: dict[str, Any], *, copy: bool = True) -> dict[str, Any]:
    """Return a defaulted deep copy of a Kubernetes object; the input is not modified.

    Args:
        obj: a Kubernetes JSON object with at least ``kind``.
        copy: False when ``obj`` is already a tree nobody else holds (a freshly decoded body): it is then
            defaulted in place and returned.

    Returns:
        The object with every default v1.37 stores, input key order kept and defaults appended.
    """
    out = copy_json(obj) if copy else obj
    defaulter = DEFAULTERS.get(str(out.get("kind", "")))
    if defaulter is not None:
        defaulter(out)
    return out
