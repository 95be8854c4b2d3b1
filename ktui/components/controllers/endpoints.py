"""The Endpoints controller: one core/v1 Endpoints object per Service with a selector.

Follows pkg/controller/endpoint/endpoints_controller.go (v1.37): the pods a Service selects become
``subsets`` — ready pods in ``addresses``, the rest in ``notReadyAddresses``; terminating and terminal pods
and pods without an IP are left out — with one port per Service port, a named ``targetPort`` resolved in
each pod's container ports. Subsets are repacked so addresses sharing the same ports share a subset.
The object carries the Service's labels plus ``endpoints.kubernetes.io/managed-by: endpoint-controller``
and the ``endpoints.kubernetes.io/last-change-trigger-time`` annotation. Services without a selector
(``kubernetes`` included) are not this controller's.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.api.labels import selector_from_set
from ktui.api.objects import copy_json, is_pod_ready
from ktui.components.controllers.service_pods import ServicePodsController
from ktui.sim.timefmt import rfc3339

__all__ = [
    "EndpointsController",
    "find_port",
    "should_pod_be_in_endpoints",
    "build_subsets",
    "MANAGED_BY_LABEL",
    "TRIGGER_TIME_ANNOTATION",
]

MANAGED_BY_LABEL = "endpoints.kubernetes.io/managed-by"
CONTROLLER_NAME = "endpoint-controller"
TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time"
OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity"
MAX_CAPACITY = 1000


def should_pod_be_in_endpoints(pod: dict, include_terminating: bool) -> bool:
    """``ShouldPodBeInEndpoints``: not terminal, has an IP, and not terminating unless asked for."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Failed", "Succeeded"):
        return False
    if not status.get("podIP"):
        return False
    if not include_terminating and (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    return True


def find_port(pod: dict, service_port: dict) -> int | None:
    """``podutil.FindPort``: a number as is; a name looked up in the containers' ports (and protocol)."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol") or "TCP"
    spec = pod.get("spec") or {}
    for c in list(spec.get("containers") or []) + list(spec.get("initContainers") or []):
        for p in c.get("ports") or []:
            if p.get("name") == target and (p.get("protocol") or "TCP") == protocol:
                return int(p["containerPort"])
    return None


def _address(pod: dict) -> dict:
    md = pod["metadata"]
    addr: dict[str, Any] = {"ip": (pod.get("status") or {}).get("podIP", "")}
    spec = pod.get("spec") or {}
    if spec.get("hostname") and spec.get("subdomain"):
        addr["hostname"] = spec["hostname"]
    if spec.get("nodeName"):
        addr["nodeName"] = spec["nodeName"]
    addr["targetRef"] = {
        "kind": "Pod",
        "namespace": md.get("namespace", ""),
        "name": md["name"],
        "uid": md.get("uid", ""),
    }
    return addr


def _port(service_port: dict, number: int) -> dict:
    out: dict[str, Any] = {}
    if service_port.get("name"):
        out["name"] = service_port["name"]
    out["port"] = number
    out["protocol"] = service_port.get("protocol") or "TCP"
    if service_port.get("appProtocol"):
        out["appProtocol"] = service_port["appProtocol"]
    return out


def build_subsets(service: dict, pods: list[dict]) -> list[dict]:
    """The repacked ``subsets`` for ``service`` over its selected ``pods`` (syncService + RepackSubsets)."""
    spec = service.get("spec") or {}
    tolerate = bool(spec.get("publishNotReadyAddresses"))
    ports = spec.get("ports") or []
    # address key -> (address, ready, {port-key: port})
    entries: dict[tuple, tuple[dict, bool, dict[tuple, dict]]] = {}
    for pod in pods:
        if not should_pod_be_in_endpoints(pod, tolerate):
            continue
        addr = _address(pod)
        ready = tolerate or is_pod_ready(pod)
        akey = (addr["ip"], addr["targetRef"]["uid"], ready)
        if not ports:
            if spec.get("clusterIP") == "None":
                entries.setdefault(akey, (addr, ready, {}))
            continue
        for sp in ports:
            number = find_port(pod, sp)
            if number is None:
                continue
            ep = _port(sp, number)
            entry = entries.setdefault(akey, (addr, ready, {}))
            entry[2][(ep.get("name", ""), ep["port"], ep["protocol"])] = ep
    # Group addresses by identical port sets.
    groups: dict[tuple, dict[str, Any]] = {}
    for addr, ready, pmap in entries.values():
        pkey = tuple(sorted(pmap))
        g = groups.setdefault(pkey, {"ready": [], "notready": [], "ports": [pmap[k] for k in sorted(pmap)]})
        (g["ready"] if ready else g["notready"]).append(addr)
    subsets = []
    for pkey in sorted(groups):
        g = groups[pkey]
        subset: dict[str, Any] = {}
        if g["ready"]:
            subset["addresses"] = sorted(g["ready"], key=_addr_sort)
        if g["notready"]:
            subset["notReadyAddresses"] = sorted(g["notready"], key=_addr_sort)
        if g["ports"]:
            subset["ports"] = g["ports"]
        subsets.append(subset)
    return subsets


def _addr_sort(addr: dict) -> tuple[str, str]:
    return (addr.get("ip", ""), addr.get("targetRef", {}).get("uid", ""))


def _truncate(subsets: list[dict]) -> tuple[list[dict], bool]:
    """Keep at most MAX_CAPACITY addresses, ready ones first (truncateEndpoints, simplified)."""
    total = sum(len(s.get("addresses", [])) + len(s.get("notReadyAddresses", [])) for s in subsets)
    if total <= MAX_CAPACITY:
        return subsets, False
    budget = MAX_CAPACITY
    out = [dict(s) for s in subsets]
    for field in ("addresses", "notReadyAddresses"):
        for s in out:
            keep = s.get(field, [])[:budget]
            budget -= len(keep)
            if keep:
                s[field] = keep
            else:
                s.pop(field, None)
    return [s for s in out if s.get("addresses") or s.get("notReadyAddresses")], True


class EndpointsController(ServicePodsController):
    """kube-controller-manager's ``endpoints-controller``.

    Args:
        ctx: the component context.
        informers: the shared informer factory.
    """

    name = "endpoint-controller"

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.endpoints = self.informer("endpoints")
        self.endpoints.add_handler(None, None, self._on_endpoints_delete)

    def _on_endpoints_delete(self, ep: dict) -> None:
        self.enqueue(ep)

    # ------------------------------------------------------------ reconcile (syncService)

    def reconcile(self, key: str) -> None:
        ns, name = key.split("/", 1)
        svc = self.services.get(key)
        if svc is None:
            self.trigger.pop(key, None)
            try:
                self.client.delete("endpoints", name, ns)
            except ApiError as e:
                if e.code != 404:
                    raise
            return
        selector = (svc.get("spec") or {}).get("selector")
        if not selector or (svc.get("spec") or {}).get("type") == "ExternalName":
            self.trigger.pop(key, None)
            return
        sel = selector_from_set(selector)
        pods = [p for p in self.pods.list(ns) if sel.matches((p.get("metadata") or {}).get("labels") or {})]
        pods.sort(key=lambda p: p["metadata"]["name"])
        subsets, truncated = _truncate(build_subsets(svc, pods))
        current = self.endpoints.get(key)
        labels = dict((svc.get("metadata") or {}).get("labels") or {})
        labels[MANAGED_BY_LABEL] = CONTROLLER_NAME
        trigger = self.trigger.pop(key, None)
        if current is not None:
            cur_labels = (current.get("metadata") or {}).get("labels") or {}
            cur_ann = (current.get("metadata") or {}).get("annotations") or {}
            if (
                (current.get("subsets") or []) == subsets
                and cur_labels == labels
                and (OVER_CAPACITY_ANNOTATION in cur_ann) == truncated
            ):
                return
            new = copy_json(current)
        else:
            new = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": name, "namespace": ns}}
        md = new["metadata"]
        annotations = dict(md.get("annotations") or {})
        if trigger is not None:
            annotations[TRIGGER_TIME_ANNOTATION] = rfc3339(trigger)
        else:
            annotations.pop(TRIGGER_TIME_ANNOTATION, None)
        if truncated:
            annotations[OVER_CAPACITY_ANNOTATION] = "truncated"
        else:
            annotations.pop(OVER_CAPACITY_ANNOTATION, None)
        if annotations:
            md["annotations"] = annotations
        else:
            md.pop("annotations", None)
        md["labels"] = labels
        if subsets:
            new["subsets"] = subsets
        else:
            new.pop("subsets", None)
        try:
            if current is None:
                self.client.create("endpoints", new, ns)
            else:
                self.client.update("endpoints", new, ns)
        except ApiError as e:
            if trigger is not None:
                self.trigger.setdefault(key, trigger)
            if e.code == 403 and current is None:
                return  # namespace terminating
            raise
