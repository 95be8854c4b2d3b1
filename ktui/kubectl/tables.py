"""The tables ``kubectl get`` prints: v1.37's server-side columns and cells for every kind, and their padding.

Pure functions of an object and the simulated time, shared by kubectl and the terminal UI. Cells follow
``pkg/printers/internalversion/printers.go``; ages follow apimachinery's ``duration.HumanDuration``; the
padding is cli-runtime's tabwriter (minimum width 6, 3 spaces of padding, the last column unpadded).
The shared cells live in :mod:`ktui.kubectl.cells`, the row functions in one module per API group:
``rows_core`` (core/v1), ``rows_workloads`` (apps, batch, autoscaling), ``rows_networking``, ``rows_storage``
and ``rows_policy`` (RBAC, scheduling, policy, node).
"""

from __future__ import annotations

from typing import Callable

from ktui.kubectl import (
    rows_core as core,
    rows_networking as net,
    rows_policy as policy,
    rows_storage as storage,
    rows_workloads as apps,
)
from ktui.kubectl.cells import age, format_labels, human_duration
from ktui.kubectl.printers import tabwrite

__all__ = [
    "age",
    "human_duration",
    "columns_for",
    "row_for",
    "render_table",
    "namespace_column",
    "label_columns",
    "has_table",
]


RowFn = Callable[[dict, float, bool], list[str]]

_TABLES: dict[str, tuple[list[str], list[str], RowFn]] = {
    "pods": (
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        core.pod_row,
    ),
    "nodes": (
        ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
        ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"],
        core.node_row,
    ),
    "services": (["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], ["SELECTOR"], core.service_row),
    "deployments": (
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        apps.deployment_row,
    ),
    "replicasets": (
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        apps.replicaset_row,
    ),
    "replicationcontrollers": (
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        apps.replicaset_row,
    ),
    "daemonsets": (
        ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        apps.daemonset_row,
    ),
    "statefulsets": (["NAME", "READY", "AGE"], ["CONTAINERS", "IMAGES"], apps.statefulset_row),
    "jobs": (["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], ["CONTAINERS", "IMAGES", "SELECTOR"], apps.job_row),
    "cronjobs": (
        ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        apps.cronjob_row,
    ),
    "namespaces": (["NAME", "STATUS", "AGE"], [], core.namespace_row),
    "endpoints": (["NAME", "ENDPOINTS", "AGE"], [], core.endpoints_row),
    "endpointslices": (["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], [], net.endpointslice_row),
    "events": (
        ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
        ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME"],
        core.event_row,
    ),
    "configmaps": (["NAME", "DATA", "AGE"], [], core.configmap_row),
    "secrets": (["NAME", "TYPE", "DATA", "AGE"], [], core.secret_row),
    "serviceaccounts": (["NAME", "SECRETS", "AGE"], [], core.serviceaccount_row),
    "resourcequotas": (["NAME", "AGE", "REQUEST", "LIMIT"], [], core.resourcequota_row),
    "limitranges": (["NAME", "CREATED AT"], [], core.created_at_row),
    "roles": (["NAME", "CREATED AT"], [], core.created_at_row),
    "clusterroles": (["NAME", "CREATED AT"], [], core.created_at_row),
    "rolebindings": (["NAME", "ROLE", "AGE"], ["USERS", "GROUPS", "SERVICEACCOUNTS"], policy.rolebinding_row),
    "clusterrolebindings": (["NAME", "ROLE", "AGE"], ["USERS", "GROUPS", "SERVICEACCOUNTS"], policy.rolebinding_row),
    "priorityclasses": (["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"], [], policy.priorityclass_row),
    "poddisruptionbudgets": (
        ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"],
        [],
        policy.pdb_row,
    ),
    "ingresses": (["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], [], net.ingress_row),
    "ingressclasses": (["NAME", "CONTROLLER", "PARAMETERS", "AGE"], [], net.ingressclass_row),
    "leases": (["NAME", "HOLDER", "AGE"], [], core.lease_row),
    "persistentvolumeclaims": (
        ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"],
        ["VOLUMEMODE"],
        storage.pvc_row,
    ),
    "persistentvolumes": (
        [
            "NAME",
            "CAPACITY",
            "ACCESS MODES",
            "RECLAIM POLICY",
            "STATUS",
            "CLAIM",
            "STORAGECLASS",
            "VOLUMEATTRIBUTESCLASS",
            "REASON",
            "AGE",
        ],
        ["VOLUMEMODE"],
        storage.pv_row,
    ),
    "storageclasses": (
        ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"],
        [],
        storage.storageclass_row,
    ),
    "horizontalpodautoscalers": (
        ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"],
        [],
        apps.hpa_row,
    ),
    "networkpolicies": (["NAME", "POD-SELECTOR", "AGE"], [], net.networkpolicy_row),
    "controllerrevisions": (["NAME", "CONTROLLER", "REVISION", "AGE"], [], apps.controllerrevision_row),
    "podtemplates": (["NAME", "CONTAINERS", "IMAGES", "POD LABELS"], [], core.podtemplate_row),
    "runtimeclasses": (["NAME", "HANDLER", "AGE"], [], policy.runtimeclass_row),
    "certificatesigningrequests": (
        ["NAME", "AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION"],
        [],
        policy.csr_row,
    ),
    "componentstatuses": (["NAME", "STATUS", "MESSAGE", "ERROR"], [], core.componentstatus_row),
}
"""plural -> (columns, the columns ``-o wide`` adds (events: all of them), the row function)."""

_GENERIC: tuple[list[str], list[str], RowFn] = (["NAME", "AGE"], [], core.generic_row)


def has_table(resource_plural: str) -> bool:
    """Whether the kind has its own columns (others get NAME AGE)."""
    return resource_plural in _TABLES


def columns_for(resource_plural: str, wide: bool = False) -> list[str]:
    """The header of ``kubectl get RESOURCE`` (``-o wide`` when ``wide``)."""
    cols, extra, _ = _TABLES.get(resource_plural, _GENERIC)
    if resource_plural == "events":
        return list(extra if wide else cols)
    return cols + extra if wide else list(cols)


def row_for(resource_plural: str, obj: dict, now: float, wide: bool = False) -> list[str]:
    """The cells of one object's row, as ``kubectl get`` prints them at simulated time ``now``."""
    _, _, fn = _TABLES.get(resource_plural, _GENERIC)
    return fn(obj, now, wide)


def render_table(headers: list[str], rows: list[list[str]]) -> str:
    """kubectl's tabwriter: columns padded to their widest cell plus 3 spaces, the last one unpadded."""
    return tabwrite(([headers] if headers else []) + rows)


def namespace_column(headers: list[str], rows: list[list[str]], objs: list[dict]) -> tuple[list[str], list[list[str]]]:
    """``-A``: the NAMESPACE column first, each row's cell from its object."""
    ns = [(o.get("metadata") or {}).get("namespace", "") for o in objs]
    return ["NAMESPACE", *headers], [[n, *row] for n, row in zip(ns, rows)]


def label_columns(
    headers: list[str], rows: list[list[str]], objs: list[dict], keys: list[str], show_labels: bool
) -> tuple[list[str], list[list[str]]]:
    """``-L key`` columns (header: the key's last path segment upper-cased) then ``--show-labels``' LABELS."""
    headers = headers + [k.split("/")[-1].upper() for k in keys] + (["LABELS"] if show_labels else [])
    out = []
    for obj, row in zip(objs, rows):
        labels = (obj.get("metadata") or {}).get("labels") or {}
        extra = [labels.get(k, "") for k in keys]
        if show_labels:
            extra.append(format_labels(labels))
        out.append(row + extra)
    return headers, out
