"""Service routing tables: what kube-proxy derives from a Service and its EndpointSlices, per service port.

Pure data and pure functions. A :class:`ServicePortRoute` is immutable and node-independent (the same object
is shared by every node's table); which endpoints a node may use under a ``Local`` traffic policy is decided
when the table is read (:func:`node_view`). A :class:`NodeTable` is one node's kernel state: the routes its
kube-proxy last programmed, indexed by virtual IP and NodePort, kept when kube-proxy stops (stale rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ktui.net.chains import ext_chain, sep_chain, service_port_name, svc_chain, svl_chain

__all__ = [
    "Endpoint",
    "ServicePortRoute",
    "NodeView",
    "NodeTable",
    "routes_for_service",
    "node_view",
    "service_key",
    "DEFAULT_AFFINITY_SECONDS",
]

DEFAULT_AFFINITY_SECONDS = 10800
"""``sessionAffinityConfig.clientIP.timeoutSeconds`` when unset (3 hours)."""


@dataclass(frozen=True)
class Endpoint:
    """One backend of one service port, as an EndpointSlice lists it."""

    ip: str
    port: int
    node: str = ""
    ready: bool = True
    serving: bool = True
    terminating: bool = False
    pod: str = ""
    """``namespace/name`` of the target pod, or ``""``."""

    @property
    def addr(self) -> str:
        """``IP:port``, what ``--to-destination`` names and what the endpoint chain hashes."""
        return f"{self.ip}:{self.port}"


@dataclass(frozen=True)
class ServicePortRoute:
    """Everything kube-proxy programs for one port of one Service."""

    namespace: str
    service: str
    port_name: str
    protocol: str
    cluster_ip: str
    port: int
    node_port: int = 0
    external_ips: tuple[str, ...] = ()
    lb_ips: tuple[str, ...] = ()
    affinity_seconds: int = 0
    """Session affinity ``ClientIP`` timeout; 0 when there is no affinity."""
    internal_local: bool = False
    external_local: bool = False
    endpoints: tuple[Endpoint, ...] = ()
    """Sorted by ``IP:port`` string, as kube-proxy's endpoints map is."""

    @property
    def name(self) -> str:
        """The service port name, ``ns/svc:port`` (``ns/svc`` for an unnamed port)."""
        return service_port_name(self.namespace, self.service, self.port_name)

    @property
    def proto(self) -> str:
        return self.protocol.lower()

    @property
    def key(self) -> str:
        return f"{self.name}/{self.proto}"

    @property
    def svc_chain(self) -> str:
        return svc_chain(self.name, self.proto)

    @property
    def svl_chain(self) -> str:
        return svl_chain(self.name, self.proto)

    @property
    def ext_chain(self) -> str:
        return ext_chain(self.name, self.proto)

    def sep_chain(self, ep: Endpoint) -> str:
        return sep_chain(self.name, self.proto, ep.addr)

    @property
    def externally_accessible(self) -> bool:
        return bool(self.node_port or self.external_ips or self.lb_ips)

    @property
    def uses_cluster_endpoints(self) -> bool:
        return not self.internal_local or self.externally_accessible

    @property
    def uses_local_endpoints(self) -> bool:
        return self.internal_local or (self.external_local and self.externally_accessible)


@dataclass(frozen=True)
class NodeView:
    """A route as one node sees it: which endpoints each policy chain holds and which traffic is rejected."""

    route: ServicePortRoute
    cluster: tuple[Endpoint, ...]
    local: tuple[Endpoint, ...]
    reachable: tuple[Endpoint, ...]
    has_endpoints: bool
    has_internal: bool
    has_external: bool

    @property
    def internal_chain(self) -> str:
        return self.route.svl_chain if self.route.internal_local else self.route.svc_chain

    @property
    def external_policy_chain(self) -> str:
        return self.route.svl_chain if self.route.external_local else self.route.svc_chain

    @property
    def uses_ext_chain(self) -> bool:
        return self.has_endpoints and self.route.externally_accessible


def _usable(eps: Iterable[Endpoint]) -> tuple[Endpoint, ...]:
    eps = tuple(eps)
    ready = tuple(e for e in eps if e.ready)
    return ready or tuple(e for e in eps if e.serving and e.terminating)


def node_view(route: ServicePortRoute, node: str) -> NodeView:
    """``CategorizeEndpoints`` for ``node``: ready endpoints (or, when none is ready, serving terminating ones)."""
    cluster = _usable(route.endpoints) if route.uses_cluster_endpoints else ()
    local = _usable(e for e in route.endpoints if e.node == node) if route.uses_local_endpoints else ()
    if not route.uses_local_endpoints:
        reachable = cluster
    elif not route.uses_cluster_endpoints:
        reachable = local
    else:
        keep = {e.addr for e in cluster} | {e.addr for e in local}
        reachable = tuple(e for e in route.endpoints if e.addr in keep)
    has_any = bool(_usable(route.endpoints))
    has_internal = has_any and (bool(local) if route.internal_local else True)
    has_external = has_any and (bool(local) if route.external_local else True)
    return NodeView(route, cluster, local, reachable, has_any, has_internal, has_external)


def service_key(obj: dict) -> str:
    md = obj.get("metadata") or {}
    return f"{md.get('namespace', '')}/{md.get('name', '')}"


def _slice_endpoints(slices: Iterable[dict], port_name: str, protocol: str) -> list[Endpoint]:
    out: dict[str, Endpoint] = {}
    for sl in slices:
        if sl.get("addressType", "IPv4") != "IPv4":
            continue
        port = next(
            (
                p
                for p in sl.get("ports") or []
                if (p.get("name") or "") == port_name and (p.get("protocol") or "TCP") == protocol
            ),
            None,
        )
        if port is None or not port.get("port"):
            continue
        for ep in sl.get("endpoints") or []:
            cond = ep.get("conditions") or {}
            ready = cond.get("ready")
            ref = ep.get("targetRef") or {}
            for ip in (ep.get("addresses") or [])[:1]:
                e = Endpoint(
                    ip,
                    int(port["port"]),
                    ep.get("nodeName") or "",
                    ready is None or bool(ready),
                    bool(cond.get("serving", ready is None or ready)),
                    bool(cond.get("terminating")),
                    f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref.get("name") else "",
                )
                out.setdefault(e.addr, e)
    return [out[k] for k in sorted(out)]


def routes_for_service(service: dict, slices: Iterable[dict]) -> list[ServicePortRoute]:
    """The routes for every port of ``service``; none for headless and ExternalName Services."""
    spec = service.get("spec") or {}
    ip = spec.get("clusterIP") or ""
    if not ip or ip == "None" or spec.get("type") == "ExternalName":
        return []
    md = service.get("metadata") or {}
    slices = list(slices)
    typ = spec.get("type") or "ClusterIP"
    affinity = 0
    if spec.get("sessionAffinity") == "ClientIP":
        cfg = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
        affinity = int(cfg.get("timeoutSeconds") or DEFAULT_AFFINITY_SECONDS)
    lb = (
        tuple(
            i["ip"]
            for i in ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
            if i.get("ip")
        )
        if typ == "LoadBalancer"
        else ()
    )
    routes = []
    for p in spec.get("ports") or []:
        protocol = p.get("protocol") or "TCP"
        name = p.get("name") or ""
        routes.append(
            ServicePortRoute(
                md.get("namespace", ""),
                md.get("name", ""),
                name,
                protocol,
                ip,
                int(p.get("port") or 0),
                int(p.get("nodePort") or 0) if typ in ("NodePort", "LoadBalancer") else 0,
                tuple(spec.get("externalIPs") or ()),
                lb,
                affinity,
                spec.get("internalTrafficPolicy") == "Local",
                typ in ("NodePort", "LoadBalancer") and spec.get("externalTrafficPolicy") == "Local",
                tuple(_slice_endpoints(slices, name, protocol)),
            )
        )
    return routes


@dataclass
class NodeTable:
    """One node's service rules, as its kube-proxy last wrote them into the kernel.

    Args:
        node: the node's name.
        node_ip: its InternalIP.
        cluster_cidr: the pod network (``! -s`` of the masquerade rule).
    """

    node: str
    node_ip: str = ""
    cluster_cidr: str = "10.244.0.0/16"
    routes: dict[str, ServicePortRoute] = field(default_factory=dict)
    """Routes by key (``ns/svc:port/tcp``)."""
    by_service: dict[str, tuple[str, ...]] = field(default_factory=dict)
    vips: dict[tuple[str, int, str], str] = field(default_factory=dict)
    """(IP, port, protocol) of a ClusterIP, external IP or load-balancer IP → route key."""
    node_ports: dict[tuple[int, str], str] = field(default_factory=dict)
    """(NodePort, protocol) → route key."""
    syncs: int = 0
    """How many times kube-proxy has written this table."""
    synced_at: float | None = None
    last_touched: int = 0
    """How many route entries the last sync replaced, added or removed."""
    fragments: dict[str, object] = field(default_factory=dict)
    """Rendered rules per route key, kept until that route changes (see :mod:`ktui.net.iptables`)."""

    def _unindex(self, key: str) -> None:
        r = self.routes.pop(key, None)
        self.fragments.pop(key, None)
        if r is None:
            return
        for ip in (r.cluster_ip, *r.external_ips, *r.lb_ips):
            if self.vips.get((ip, r.port, r.proto)) == key:
                del self.vips[(ip, r.port, r.proto)]
        if r.node_port and self.node_ports.get((r.node_port, r.proto)) == key:
            del self.node_ports[(r.node_port, r.proto)]

    def replace_service(self, svc: str, routes: list[ServicePortRoute]) -> int:
        """Make ``svc``'s (``ns/name``) entries exactly ``routes``; returns how many entries changed."""
        old = self.by_service.get(svc, ())
        new = {r.key: r for r in routes}
        touched = 0
        for key in old:
            if key not in new:
                self._unindex(key)
                touched += 1
        for key, r in new.items():
            if self.routes.get(key) == r:
                continue
            self._unindex(key)
            self.routes[key] = r
            for ip in (r.cluster_ip, *r.external_ips, *r.lb_ips):
                self.vips[(ip, r.port, r.proto)] = key
            if r.node_port:
                self.node_ports[(r.node_port, r.proto)] = key
            touched += 1
        if new:
            self.by_service[svc] = tuple(new)
        else:
            self.by_service.pop(svc, None)
        return touched

    def lookup_vip(self, ip: str, port: int, proto: str = "tcp") -> ServicePortRoute | None:
        key = self.vips.get((ip, port, proto))
        return self.routes.get(key) if key else None

    def lookup_node_port(self, port: int, proto: str = "tcp") -> ServicePortRoute | None:
        key = self.node_ports.get((port, proto))
        return self.routes.get(key) if key else None

    def is_service_ip(self, ip: str) -> bool:
        """Whether ``ip`` is a virtual IP this table knows on any port (for "no rule for that port" cases)."""
        return any(k[0] == ip for k in self.vips)
