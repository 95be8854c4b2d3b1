"""A node's service routes and ``iptables-save`` text, and one request's trace, as immutable data.

The routes are what the node's kube-proxy last programmed (stale rules included) when the cluster has the
network model; otherwise they are derived from the Services and EndpointSlices with the same pure functions.
A trace is a what-if: it leaves the world exactly as it was (see :meth:`ktui.inspection.Inspection.trace`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ktui.api.objects import internal_ip
from ktui.net.routes import Endpoint, NodeTable, ServicePortRoute, node_view, routes_for_service, service_key

__all__ = ["NodeRouting", "TraceHop", "RequestTrace", "routing_tables", "trace_of"]


def _endpoint_json(route: ServicePortRoute, ep: Endpoint, reachable: set[str]) -> dict[str, Any]:
    return {
        "ip": ep.ip,
        "port": ep.port,
        "nodeName": ep.node,
        "pod": ep.pod,
        "ready": ep.ready,
        "serving": ep.serving,
        "terminating": ep.terminating,
        "chain": route.sep_chain(ep),
        "reachable": ep.addr in reachable,
    }


@dataclass(frozen=True)
class NodeRouting:
    """One node's service routing table."""

    node: str
    node_ip: str
    cluster_cidr: str
    routes: tuple[ServicePortRoute, ...]
    """Every service port the node has rules for, by key (``ns/svc:port/proto``)."""
    programmed: bool
    """True: what the node's kube-proxy last wrote; False: derived from the API (no network model)."""
    syncs: int = 0
    """How many times kube-proxy has written the table."""
    synced_at: float | None = None

    def table(self, service: str | None = None) -> NodeTable:
        """A new :class:`ktui.net.routes.NodeTable` of these routes (only ``service``'s, ``ns/name``, if given),
        for :func:`ktui.net.iptables.render`."""
        table = NodeTable(self.node, self.node_ip, self.cluster_cidr)
        by_service: dict[str, list[ServicePortRoute]] = {}
        for r in self.routes:
            key = f"{r.namespace}/{r.service}"
            if service is None or key == service:
                by_service.setdefault(key, []).append(r)
        for key, routes in by_service.items():
            table.replace_service(key, routes)
        return table

    def to_json(self) -> dict[str, Any]:
        routes = []
        for r in self.routes:
            reachable = {e.addr for e in node_view(r, self.node).reachable}
            routes.append(
                {
                    "name": r.name,
                    "namespace": r.namespace,
                    "service": r.service,
                    "portName": r.port_name,
                    "protocol": r.protocol,
                    "clusterIP": r.cluster_ip,
                    "port": r.port,
                    "nodePort": r.node_port,
                    "externalIPs": list(r.external_ips),
                    "loadBalancerIPs": list(r.lb_ips),
                    "sessionAffinitySeconds": r.affinity_seconds,
                    "internalTrafficPolicyLocal": r.internal_local,
                    "externalTrafficPolicyLocal": r.external_local,
                    "chain": r.svc_chain,
                    "endpoints": [_endpoint_json(r, e, reachable) for e in r.endpoints],
                }
            )
        return {
            "node": self.node,
            "nodeIP": self.node_ip,
            "clusterCIDR": self.cluster_cidr,
            "programmed": self.programmed,
            "syncs": self.syncs,
            "syncedAt": self.synced_at,
            "routes": routes,
        }


def routing_tables(network: Any, api: Any, cidr: str, only: str | None = None) -> list[NodeRouting]:
    """Every node's routing (only node ``only`` if given), in the API's order of nodes.

    Args:
        network: the world's :class:`ktui.net.graph.Network`, or None (then derived from the API).
        api: an API client that leaves the world as it was (the cluster's observer client).
        cidr: the cluster's pod network.
    """
    tables = getattr(network, "tables", None) if network is not None else None
    nodes = [n for n in api.list("nodes")["items"] if only is None or n["metadata"]["name"] == only]
    if not nodes:
        return []
    derived: list[ServicePortRoute] | None = None
    out = []
    for node in nodes:
        name = node["metadata"]["name"]
        model = tables.get(name) if isinstance(tables, dict) else None
        if model is not None:
            routes = tuple(r for _, r in sorted(model.routes.items()))
            out.append(
                NodeRouting(
                    name,
                    model.node_ip or internal_ip(node),
                    model.cluster_cidr,
                    routes,
                    True,
                    model.syncs,
                    model.synced_at,
                )
            )
            continue
        if derived is None:
            derived = _derive(api)
        out.append(NodeRouting(name, internal_ip(node), cidr, tuple(derived), False))
    return out


def _derive(api: Any) -> list[ServicePortRoute]:
    """What kube-proxy would program from the Services and EndpointSlices (every node the same)."""
    slices: dict[str, list[dict]] = {}
    for sl in api.list("endpointslices")["items"]:
        md = sl.get("metadata") or {}
        owner = (md.get("labels") or {}).get("kubernetes.io/service-name")
        if owner:
            slices.setdefault(f"{md.get('namespace')}/{owner}", []).append(sl)
    routes: list[ServicePortRoute] = []
    for svc in api.list("services")["items"]:
        routes += routes_for_service(svc, slices.get(service_key(svc), []))
    return sorted(routes, key=lambda r: r.key)


@dataclass(frozen=True)
class TraceHop:
    """One step of a packet: where (a node, or "" for the pod), what acted on it, and how."""

    node: str
    step: str
    detail: str


@dataclass(frozen=True)
class RequestTrace:
    """One request from a pod to ``host:port``, hop by hop (see :mod:`ktui.net.trace`)."""

    source: str
    source_node: str
    source_ip: str
    host: str
    port: int
    protocol: str
    dest_ip: str = ""
    fqdn: str = ""
    hops: tuple[TraceHop, ...] = ()
    endpoint: str = ""
    """The ``IP:port`` kube-proxy's rules chose (the DNAT destination), or ""."""
    dest_pod: str = ""
    dest_node: str = ""
    failure: str = ""
    """Empty when the request was answered; else ``resolve``, ``dns-timeout``, ``refused``, ``timeout``,
    ``unreachable``, ``bad-url`` or ``no-source``."""
    reason: str = ""
    client_ip: str = ""
    """The source address the backend sees (the node's after masquerade)."""

    @property
    def ok(self) -> bool:
        return not self.failure

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sourceNode": self.source_node,
            "sourceIP": self.source_ip,
            "host": self.host,
            "port": self.port,
            "protocol": self.protocol,
            "destIP": self.dest_ip,
            "fqdn": self.fqdn,
            "hops": [{"node": h.node, "step": h.step, "detail": h.detail} for h in self.hops],
            "endpoint": self.endpoint,
            "destPod": self.dest_pod,
            "destNode": self.dest_node,
            "ok": self.ok,
            "failure": self.failure,
            "reason": self.reason,
            "clientIP": self.client_ip,
        }


def trace_of(t: Any) -> RequestTrace:
    """A :class:`RequestTrace` copied from a :class:`ktui.net.trace.Trace`."""
    return RequestTrace(
        t.source,
        t.source_node,
        t.source_ip,
        t.host,
        t.port,
        t.protocol,
        t.dest_ip,
        t.fqdn,
        tuple(TraceHop(h.node, h.step, h.detail) for h in t.hops),
        t.endpoint,
        t.dest_pod,
        t.dest_node,
        t.failure,
        t.reason,
        t.client_ip,
    )
