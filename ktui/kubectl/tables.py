"""The tables ``kubectl get`` prints: v1.37's server-side columns and cells for every kind, and their padding.

Pure functions of an object and the simulated time, shared by kubectl and the terminal UI. Cells follow
``pkg/printers/internalversion/printers.go``; ages follow apimachinery's ``duration.HumanDuration``; the
padding is cli-runtime's tabwriter (minimum width 6, 3 spaces of padding, the last column unpadded).
The row functions live in :mod:`ktui.kubectl.table_rows` (workloads, nodes, services) and
:mod:`ktui.kubectl.table_rows_more` (everything else).
"""

from __future__ import annotations

from typing import Callable

from ktui.kubectl import table_rows as tr, table_rows_more as tm
from ktui.kubectl.printers import tabwrite
from ktui.sim.timefmt import parse_rfc3339

__all__ = ["age", "human_duration", "columns_for", "row_for", "render_table", "namespace_column",
           "label_columns", "has_table"]


def human_duration(seconds: float) -> str:
    """``duration.HumanDuration``: ``45s``, ``5m40s``, ``12m``, ``3h12m``, ``10h``, ``2d5h``, ``30d``, ``2y3d``."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m" if s % 60 == 0 else f"{minutes}m{s % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d" if hours % 24 == 0 else f"{hours // 24}d{hours % 24}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def age(created_rfc3339: str | None, now: float) -> str:
    """``translateTimestampSince``: the HumanDuration since a timestamp, ``<unknown>`` without one."""
    if not created_rfc3339:
        return "<unknown>"
    return human_duration(now - parse_rfc3339(created_rfc3339))


RowFn = Callable[[dict, float, bool], list[str]]

_TABLES: dict[str, tuple[list[str], list[str], RowFn]] = {
    "pods": (["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
             ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"], tr.pod_row),
    "nodes": (["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
              ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"], tr.node_row),
    "services": (["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], ["SELECTOR"], tr.service_row),
    "deployments": (["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], ["CONTAINERS", "IMAGES", "SELECTOR"],
                    tr.deployment_row),
    "replicasets": (["NAME", "DESIRED", "CURRENT", "READY", "AGE"], ["CONTAINERS", "IMAGES", "SELECTOR"],
                    tr.replicaset_row),
    "replicationcontrollers": (["NAME", "DESIRED", "CURRENT", "READY", "AGE"], ["CONTAINERS", "IMAGES", "SELECTOR"],
                               tr.replicaset_row),
    "daemonsets": (["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
                   ["CONTAINERS", "IMAGES", "SELECTOR"], tr.daemonset_row),
    "statefulsets": (["NAME", "READY", "AGE"], ["CONTAINERS", "IMAGES"], tr.statefulset_row),
    "jobs": (["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], ["CONTAINERS", "IMAGES", "SELECTOR"], tr.job_row),
    "cronjobs": (["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"],
                 ["CONTAINERS", "IMAGES", "SELECTOR"], tr.cronjob_row),
    "namespaces": (["NAME", "STATUS", "AGE"], [], tm.namespace_row),
    "endpoints": (["NAME", "ENDPOINTS", "AGE"], [], tm.endpoints_row),
    "endpointslices": (["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], [], tm.endpointslice_row),
    "events": (["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
               ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT",
                "NAME"], tm.event_row),
    "configmaps": (["NAME", "DATA", "AGE"], [], tm.configmap_row),
    "secrets": (["NAME", "TYPE", "DATA", "AGE"], [], tm.secret_row),
    "serviceaccounts": (["NAME", "SECRETS", "AGE"], [], tm.serviceaccount_row),
    "resourcequotas": (["NAME", "AGE", "REQUEST", "LIMIT"], [], tm.resourcequota_row),
    "limitranges": (["NAME", "CREATED AT"], [], tm.created_at_row),
    "roles": (["NAME", "CREATED AT"], [], tm.created_at_row),
    "clusterroles": (["NAME", "CREATED AT"], [], tm.created_at_row),
    "rolebindings": (["NAME", "ROLE", "AGE"], ["USERS", "GROUPS", "SERVICEACCOUNTS"], tm.rolebinding_row),
    "clusterrolebindings": (["NAME", "ROLE", "AGE"], ["USERS", "GROUPS", "SERVICEACCOUNTS"], tm.rolebinding_row),
    "priorityclasses": (["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"], [], tm.priorityclass_row),
    "poddisruptionbudgets": (["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"], [],
                             tm.pdb_row),
    "ingresses": (["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], [], tm.ingress_row),
    "ingressclasses": (["NAME", "CONTROLLER", "PARAMETERS", "AGE"], [], tm.ingressclass_row),
    "leases": (["NAME", "HOLDER", "AGE"], [], tm.lease_row),
    "persistentvolumeclaims": (["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                                "VOLUMEATTRIBUTESCLASS", "AGE"], ["VOLUMEMODE"], tm.pvc_row),
    "persistentvolumes": (["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS",
                           "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"], ["VOLUMEMODE"], tm.pv_row),
    "storageclasses": (["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"],
                       [], tm.storageclass_row),
    "horizontalpodautoscalers": (["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"], [],
                                 tm.hpa_row),
    "networkpolicies": (["NAME", "POD-SELECTOR", "AGE"], [], tm.networkpolicy_row),
    "controllerrevisions": (["NAME", "CONTROLLER", "REVISION", "AGE"], [], tm.controllerrevision_row),
    "podtemplates": (["NAME", "CONTAINERS", "IMAGES", "POD LABELS"], [], tm.podtemplate_row),
    "runtimeclasses": (["NAME", "HANDLER", "AGE"], [], tm.runtimeclass_row),
    "componentstatuses": (["NAME", "STATUS", "MESSAGE", "ERROR"], [], tm.componentstatus_row),
}
"""plural -> (columns, the columns ``-o wide`` adds (events: all of them), the row function)."""

_GENERIC: tuple[list[str], list[str], RowFn] = (["NAME", "AGE"], [], tm.generic_row)


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


def label_columns(headers: list[str], rows: list[list[str]], objs: list[dict], keys: list[str],
                  show_labels: bool) -> tuple[list[str], list[list[str]]]:
    """``-L key`` columns (header: the key's last path segment upper-cased) then ``--show-labels``' LABELS."""
    headers = headers + [k.split("/")[-1].upper() for k in keys] + (["LABELS"] if show_labels else [])
    out = []
    for obj, row in zip(objs, rows):
        labels = (obj.get("metadata") or {}).get("labels") or {}
        extra = [labels.get(k, "") for k in keys]
        if show_labels:
            extra.append(tr.format_labels(labels))
        out.append(row + extra)
    return headers, out
