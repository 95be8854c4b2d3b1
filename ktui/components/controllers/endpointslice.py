"""The EndpointSlice controller: discovery.k8s.io/v1 EndpointSlices for each Service with a selector.

Follows pkg/controller/endpointslice/ and staging/src/k8s.io/endpointslice/reconciler.go (v1.37):
endpoints are grouped by their resolved port set; existing slices keep the endpoints they already hold
(updated in place when a pod changes), new endpoints fill slices with room before new slices
(``<service>-<suffix>`` through generateName) are created, at most 100 endpoints each
(``--max-endpoints-per-slice``); a Service with no endpoints keeps one empty placeholder slice.
Terminating pods stay listed with ``ready: false, terminating: true``.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.api.labels import selector_from_set
from ktui.api.objects import copy_json, is_pod_ready
from ktui.components.controllers.endpoints import TRIGGER_TIME_ANNOTATION, find_port, should_pod_be_in_endpoints
from ktui.components.controllers.service_pods import ServicePodsController
from ktui.sim.timefmt import rfc3339

__all__ = [
    "EndpointSliceController",
    "pod_to_endpoint",
    "desired_endpoints",
    "SERVICE_NAME_LABEL",
    "MANAGED_BY",
    "CONTROLLER_NAME",
]

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
ZONE_LABEL = "topology.kubernetes.io/zone"


def pod_to_endpoint(service: dict, pod: dict, zone: str = "") -> dict:
    """``podToEndpoint``: one EndpointSlice endpoint for a pod."""
    spec = service.get("spec") or {}
    publish = bool(spec.get("publishNotReadyAddresses"))
    ready = is_pod_ready(pod)
    terminating = bool((pod.get("metadata") or {}).get("deletionTimestamp"))
    md = pod["metadata"]
    pspec = pod.get("spec") or {}
    ep: dict[str, Any] = {
        "addresses": [(pod.get("status") or {}).get("podIP", "")],
        "conditions": {"ready": publish or (ready and not terminating), "serving": ready, "terminating": terminating},
    }
    if (
        pspec.get("hostname")
        and pspec.get("subdomain") == (service.get("metadata") or {}).get("name")
        and spec.get("clusterIP") == "None"
    ):
        ep["hostname"] = pspec["hostname"]
    ep["targetRef"] = {
        "kind": "Pod",
        "namespace": md.get("namespace", ""),
        "name": md["name"],
        "uid": md.get("uid", ""),
    }
    if pspec.get("nodeName"):
        ep["nodeName"] = pspec["nodeName"]
    if zone:
        ep["zone"] = zone
    return ep


def _ports_for(service: dict, pod: dict) -> list[dict]:
    ports = []
    for sp in (service.get("spec") or {}).get("ports") or []:
        number = find_port(pod, sp)
        if number is None:
            continue
        p: dict[str, Any] = {"name": sp.get("name", ""), "port": number, "protocol": sp.get("protocol") or "TCP"}
        if sp.get("appProtocol"):
            p["appProtocol"] = sp["appProtocol"]
        ports.append(p)
    return ports


def _port_key(ports: list[dict] | None) -> tuple:
    return tuple(sorted((p.get("name") or "", p.get("port") or 0, p.get("protocol") or "TCP") for p in ports or []))


def _ep_key(ep: dict) -> str:
    ref = ep.get("targetRef") or {}
    return ref.get("uid") or ",".join(ep.get("addresses") or [])


def desired_endpoints(
    service: dict, pods: list[dict], zones: dict[str, str] | None = None
) -> dict[tuple, tuple[list[dict], dict[str, dict]]]:
    """Endpoints grouped by port set: ``{port key: (ports, {endpoint key: endpoint})}``."""
    zones = zones or {}
    spec = service.get("spec") or {}
    out: dict[tuple, tuple[list[dict], dict[str, dict]]] = {}
    for pod in pods:
        if not should_pod_be_in_endpoints(pod, True):
            continue
        ip = (pod.get("status") or {}).get("podIP", "")
        if ":" in ip:
            continue  # IPv4 slices only
        ports = _ports_for(service, pod)
        if not ports and (spec.get("ports") or spec.get("clusterIP") != "None"):
            continue
        ep = pod_to_endpoint(service, pod, zones.get((pod.get("spec") or {}).get("nodeName") or "", ""))
        group = out.setdefault(_port_key(ports), (ports, {}))
        group[1][_ep_key(ep)] = ep
    return out


class EndpointSliceController(ServicePodsController):
    """kube-controller-manager's ``endpointslice-controller``.

    Args:
        ctx: the component context; flag ``max-endpoints-per-slice`` (default 100).
        informers: the shared informer factory.
    """

    name = "endpoint-slice-controller"
    FLAGS = {"max-endpoints-per-slice": 100}
    """kube-controller-manager flags this controller reads, with their defaults."""

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.max_per_slice = int(
            (ctx.flags or {}).get("max-endpoints-per-slice", self.FLAGS["max-endpoints-per-slice"])
        )
        self.nodes = self.informer("nodes")
        self.slices = self.informer("endpointslices")
        self.slices.add_indexer("service", _slice_service_index)
        self.slices.add_handler(None, None, self._on_slice_delete)

    def _on_slice_delete(self, sl: dict) -> None:
        svc = ((sl.get("metadata") or {}).get("labels") or {}).get(SERVICE_NAME_LABEL)
        if svc:
            self.queue.add(f"{sl['metadata']['namespace']}/{svc}")

    # ------------------------------------------------------------ reconcile

    def reconcile(self, key: str) -> None:
        ns, name = key.split("/", 1)
        svc = self.services.get(key)
        existing = sorted(self.slices.by_index("service", key), key=lambda s: s["metadata"]["name"])
        if svc is None or not (svc.get("spec") or {}).get("selector"):
            self.trigger.pop(key, None)
            if svc is None:
                for sl in existing:
                    self._delete(sl)
            return
        sel = selector_from_set(svc["spec"]["selector"])
        pods = sorted(
            (p for p in self.pods.list(ns) if sel.matches((p.get("metadata") or {}).get("labels") or {})),
            key=lambda p: p["metadata"]["name"],
        )
        zones = {}
        for pod in pods:
            node = self.nodes.get((pod.get("spec") or {}).get("nodeName") or "")
            if node is not None and ((node.get("metadata") or {}).get("labels") or {}).get(ZONE_LABEL):
                zones[node["metadata"]["name"]] = node["metadata"]["labels"][ZONE_LABEL]
        desired = desired_endpoints(svc, pods, zones)
        trigger = self.trigger.pop(key, None)
        try:
            self._reconcile(svc, existing, desired, trigger)
        except ApiError:
            if trigger is not None:
                self.trigger.setdefault(key, trigger)
            raise

    def _reconcile(self, svc: dict, existing: list[dict], desired: dict, trigger: float | None) -> None:
        by_ports: dict[tuple, list[dict]] = {}
        for sl in existing:
            by_ports.setdefault(_port_key(sl.get("ports")), []).append(sl)
        labels = self._labels(svc)
        to_delete: list[dict] = []
        for pkey in sorted(by_ports):
            if pkey not in desired:
                to_delete.extend(by_ports[pkey])
        creates = 0
        for pkey in sorted(desired):
            ports, eps = desired[pkey]
            remaining = dict(eps)
            slices = by_ports.get(pkey, [])
            plan: list[tuple[dict, list[dict]]] = []
            for sl in slices:
                kept = [remaining.pop(_ep_key(e)) for e in sl.get("endpoints") or [] if _ep_key(e) in remaining]
                plan.append((sl, kept))
            for i, (sl, kept) in enumerate(plan):
                while remaining and len(kept) < self.max_per_slice:
                    kept.append(remaining.pop(next(iter(remaining))))
            for sl, kept in plan:
                if not kept:
                    to_delete.append(sl)
                elif kept != (sl.get("endpoints") or []) or self._labels_differ(sl, labels):
                    self._update(sl, kept, ports, labels, trigger)
            rest = list(remaining.values())
            for i in range(0, len(rest), self.max_per_slice):
                self._create(svc, rest[i : i + self.max_per_slice], ports, labels, trigger)
                creates += 1
        if not desired:
            # A Service with no endpoints keeps one placeholder slice.
            placeholders = [s for s in existing if not s.get("endpoints") and not s.get("ports")]
            if placeholders:
                to_delete = [s for s in to_delete if s is not placeholders[0]]
            else:
                self._create(svc, [], [], labels, trigger)
        else:
            to_delete.extend(
                s for s in existing if not s.get("endpoints") and not s.get("ports") and s not in to_delete
            )
        for sl in to_delete:
            self._delete(sl)

    # ------------------------------------------------------------ writes

    def _labels(self, svc: dict) -> dict[str, str]:
        labels = {
            k: v
            for k, v in ((svc.get("metadata") or {}).get("labels") or {}).items()
            if k not in (SERVICE_NAME_LABEL, MANAGED_BY, "service.kubernetes.io/headless")
        }
        if (svc.get("spec") or {}).get("clusterIP") == "None":
            labels["service.kubernetes.io/headless"] = ""
        labels[SERVICE_NAME_LABEL] = svc["metadata"]["name"]
        labels[MANAGED_BY] = CONTROLLER_NAME
        return labels

    def _labels_differ(self, sl: dict, labels: dict) -> bool:
        return ((sl.get("metadata") or {}).get("labels") or {}) != labels

    def _annotations(self, base: dict | None, trigger: float | None) -> dict:
        ann = dict(base or {})
        if trigger is not None:
            ann[TRIGGER_TIME_ANNOTATION] = rfc3339(trigger)
        else:
            ann.pop(TRIGGER_TIME_ANNOTATION, None)
        return ann

    def _create(self, svc: dict, eps: list[dict], ports: list[dict], labels: dict, trigger: float | None) -> None:
        md = svc["metadata"]
        meta: dict[str, Any] = {"generateName": f"{md['name']}-", "namespace": md["namespace"], "labels": dict(labels)}
        ann = self._annotations(None, trigger)
        if ann:
            meta["annotations"] = ann
        meta["ownerReferences"] = [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "name": md["name"],
                "uid": md.get("uid", ""),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
        sl: dict[str, Any] = {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": meta,
            "addressType": "IPv4",
            "endpoints": copy_json(eps),
        }
        if ports:
            sl["ports"] = copy_json(ports)
        try:
            self.client.create("endpointslices", sl, md["namespace"])
        except ApiError as e:
            if e.code == 403:
                return  # the namespace is terminating
            raise

    def _update(self, sl: dict, eps: list[dict], ports: list[dict], labels: dict, trigger: float | None) -> None:
        new = copy_json(sl)
        new["metadata"]["labels"] = dict(labels)
        ann = self._annotations(new["metadata"].get("annotations"), trigger)
        if ann:
            new["metadata"]["annotations"] = ann
        else:
            new["metadata"].pop("annotations", None)
        new["endpoints"] = copy_json(eps)
        if ports:
            new["ports"] = copy_json(ports)
        self.client.update("endpointslices", new, sl["metadata"]["namespace"])

    def _delete(self, sl: dict) -> None:
        try:
            self.client.delete("endpointslices", sl["metadata"]["name"], sl["metadata"]["namespace"])
        except ApiError as e:
            if e.code != 404:
                raise


def _slice_service_index(sl: dict) -> list[str]:
    labels = (sl.get("metadata") or {}).get("labels") or {}
    if labels.get(MANAGED_BY) != CONTROLLER_NAME or not labels.get(SERVICE_NAME_LABEL):
        return []
    return [f"{sl['metadata']['namespace']}/{labels[SERVICE_NAME_LABEL]}"]
