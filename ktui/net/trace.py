"""Follow one request through the model: source pod, DNS, the node's chains, the endpoint chosen, the backend.

``trace(world_or_network, from_pod=(ns, name), target)`` is the public entry point. Endpoint choice draws from
a stream derived from the cluster seed and a trace counter, so traces never perturb the simulation's RNG.
Failure kinds: ``resolve`` (no such name), ``dns-timeout`` (no DNS server answered), ``refused`` (REJECT rule,
or nothing listening), ``timeout`` (DROP rule, no rule for a Service IP, a dead node), ``unreachable`` (no pod
at that pod-network address), ``bad-url`` (a target that is no URL).
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ktui.net.dns import Answer, CoreDNS, resolv_conf, search_candidates
from ktui.net.graph import Listener, Network
from ktui.net.routes import Endpoint, ServicePortRoute, node_view

__all__ = ["Hop", "Trace", "DnsLookup", "trace", "dns_lookup", "parse_target", "BadTarget"]


@dataclass
class Hop:
    """One step of a packet: where it is (a node, or "" for the pod), what acted on it, and how."""

    node: str
    step: str
    detail: str


@dataclass
class Trace:
    """One request, from a pod to ``host:port``."""

    source: str
    source_node: str
    source_ip: str
    host: str
    port: int
    protocol: str = "tcp"
    dest_ip: str = ""
    fqdn: str = ""
    hops: list[Hop] = field(default_factory=list)
    endpoint: str = ""
    """The ``IP:port`` kube-proxy's rules chose (DNAT destination), or ""."""
    dest_pod: str = ""
    dest_node: str = ""
    failure: str = ""
    reason: str = ""
    client_ip: str = ""
    """The source address the backend sees (the node's after masquerade)."""
    listener: Listener | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.failure

    def hop(self, node: str, step: str, detail: str) -> None:
        self.hops.append(Hop(node, step, detail))

    def fail(self, kind: str, reason: str, node: str = "") -> "Trace":
        self.failure, self.reason = kind, reason
        self.hop(node, "fail", reason)
        return self


@dataclass
class DnsLookup:
    """The resolver's walk: the server asked, each name tried and its answer, or why no server answered."""

    server: str
    tried: list[Answer] = field(default_factory=list)
    error: str = ""

    @property
    def answer(self) -> Answer | None:
        return next((a for a in self.tried if a.found), None)


class BadTarget(ValueError):
    """A target that is no URL: an unclosed IPv6 bracket, a port that is not a number from 0 to 65535."""


def parse_target(target: str, default_port: int = 80) -> tuple[str, int, str]:
    """``(host, port, path)`` from a URL (``http://web:8080/x``) or ``host[:port]``.

    Raises:
        BadTarget: when ``target`` cannot be read as a URL.
    """
    if "://" not in target:
        target = "http://" + target
    try:
        u = urlsplit(target)
        port = u.port or (443 if u.scheme == "https" else default_port)
    except ValueError as e:
        raise BadTarget(f"{target}: {e}") from None
    host = u.hostname or ""
    if not host or any(ch.isspace() for ch in host):
        raise BadTarget(f"{target}: no valid host")
    return host, port, (u.path or "/") + (f"?{u.query}" if u.query else "")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
        return True
    except ValueError:
        return False


def _pick(
    route: ServicePortRoute,
    chain: str,
    eps: tuple[Endpoint, ...],
    rnd: random.Random,
    t: Trace,
    net: Network,
    node: str,
) -> Endpoint:
    if route.affinity_seconds:
        key = (node, chain, t.source_ip)
        seen = net.recent.get(key)
        if seen and net.kernel.now - seen[1] <= route.affinity_seconds:
            ep = next((e for e in eps if e.addr == seen[0]), None)
            if ep is not None:
                t.hop(node, chain, f"-m recent --rcheck matched {route.sep_chain(ep)} (session affinity)")
                net.recent[key] = (ep.addr, net.kernel.now)
                return ep
    n = len(eps)
    chosen = eps[-1]
    for i, ep in enumerate(eps[:-1]):
        p = 1.0 / (n - i)
        if rnd.random() < p:
            chosen = ep
            t.hop(node, chain, f"-m statistic --probability {p:0.10f} matched -> {route.sep_chain(ep)}")
            break
    else:
        t.hop(node, chain, f"last rule (no condition) -> {route.sep_chain(chosen)}")
    if route.affinity_seconds:
        net.recent[(node, chain, t.source_ip)] = (chosen.addr, net.kernel.now)
    return chosen


def _through_service(
    net: Network,
    t: Trace,
    node: str,
    route: ServicePortRoute,
    dst_ip: str,
    rnd: random.Random,
    from_pod: bool,
    node_port: bool = False,
) -> Trace:
    v = node_view(route, node)
    spn = route.name
    if dst_ip == route.cluster_ip and not node_port:
        if not v.has_internal:
            kind = "refused" if not v.has_endpoints else "timeout"
            what = "has no endpoints: REJECT" if not v.has_endpoints else "has no local endpoints: DROP"
            return t.fail(kind, f'filter KUBE-SERVICES "{spn} {what}"', node)
        t.hop(node, "KUBE-SERVICES", f'"{spn} cluster IP" -> {v.internal_chain}')
        chain, eps = v.internal_chain, (v.local if route.internal_local else v.cluster)
    else:
        what = "NodePort" if node_port else ("loadbalancer IP" if dst_ip in route.lb_ips else "external IP")
        if not v.has_endpoints:
            return t.fail("refused", f'filter KUBE-EXTERNAL-SERVICES "{spn} has no endpoints": REJECT', node)
        t.hop(node, "KUBE-NODEPORTS" if node_port else "KUBE-SERVICES", f'"{spn}" {what} -> {route.ext_chain}')
        if not route.external_local:
            t.hop(node, route.ext_chain, "KUBE-MARK-MASQ (masquerade traffic for external destinations)")
            t.client_ip = net.node_ip(node) or t.client_ip
            chain, eps = route.svc_chain, v.cluster
        elif from_pod or node == t.source_node:
            t.hop(node, route.ext_chain, f"pod or LOCAL traffic short-circuits to {route.svc_chain}")
            chain, eps = route.svc_chain, v.cluster
        elif not v.local:
            return t.fail("timeout", f'"{spn} has no local endpoints": DROP', node)
        else:
            chain, eps = route.svl_chain, v.local
    if not eps:
        return t.fail("timeout", f"{chain} has no endpoints for this node", node)
    ep = _pick(route, chain, eps, rnd, t, net, node)
    sep = route.sep_chain(ep)
    if ep.ip == t.source_ip:
        t.hop(node, sep, "KUBE-MARK-MASQ (hairpin: the client is the endpoint)")
    t.hop(node, sep, f"DNAT --to-destination {ep.addr}")
    t.endpoint = ep.addr
    return _deliver(net, t, node, ep.ip, ep.port)


def _deliver(net: Network, t: Trace, node: str, ip: str, port: int) -> Trace:
    owner = net.owner_of(ip)
    if owner is None:
        if net.in_pod_network(ip):
            dnode = net.node_of_pod_ip(ip) or node
            return t.fail("unreachable", f"no pod has {ip} (the bridge on {dnode} gets no ARP reply)", dnode)
        return t.fail("timeout", f"nothing on the cluster network has {ip}", node)
    if owner[0] == "pod":
        dnode = net.graph.nodes[("pod", owner[1])].get("node", "")
    else:
        dnode = owner[1]
    if dnode != node:
        data = net.graph.nodes.get(("node", dnode), {})
        t.hop(node, "route", f"{ip} via {data.get('ip', '?')} ({data.get('pod_cidr') or dnode}) to {dnode}")
    if not net.node_up(dnode):
        return t.fail("timeout", f"{dnode} does not answer (powered off or cut off)", dnode)
    listener = net.listener(ip, port, dnode)
    t.dest_node = dnode
    t.dest_pod = listener.pod_key if listener.pod else (owner[1] if owner[0] == "pod" else "")
    if listener.container is None:
        where = f"pod {t.dest_pod}" if t.dest_pod else f"node {dnode}"
        return t.fail("refused", f"nothing listens on {ip}:{port} in {where}: RST", dnode)
    t.listener = listener
    t.hop(dnode, "deliver", f"{ip}:{port} -> container {listener.container.name} of {t.dest_pod or dnode}")
    return t


def forward(
    net: Network, t: Trace, node: str, dst_ip: str, port: int, rnd: random.Random, from_pod: bool = True
) -> Trace:
    """Route a connection from ``node`` (its kube-proxy's rules first) to whatever answers at ``dst_ip:port``."""
    t.dest_ip = dst_ip
    table = net.tables.get(node)
    route = table.lookup_vip(dst_ip, port, t.protocol) if table else None
    if route is not None:
        return _through_service(net, t, node, route, dst_ip, rnd, from_pod)
    owner = net.owner_of(dst_ip)
    if owner is not None and owner[0] == "node":
        dnode = owner[1]
        if dnode != node:
            t.hop(node, "route", f"{dst_ip} is node {dnode}")
            if not net.node_up(dnode):
                return t.fail("timeout", f"{dnode} does not answer (powered off or cut off)", dnode)
        dtable = net.tables.get(dnode)
        np = dtable.lookup_node_port(port, t.protocol) if dtable else None
        if np is not None:
            t.hop(dnode, "KUBE-SERVICES", "addrtype --dst-type LOCAL -> KUBE-NODEPORTS")
            return _through_service(net, t, dnode, np, dst_ip, rnd, from_pod, node_port=True)
        return _deliver(net, t, dnode, dst_ip, port)
    if net.in_service_network(dst_ip):
        return t.fail(
            "timeout",
            f"no rule for {dst_ip}:{port}/{t.protocol} in {node}'s KUBE-SERVICES: "
            "the packet leaves by the default route and is never answered",
            node,
        )
    return _deliver(net, t, node, dst_ip, port)


def _source(net: Network, ns: str, name: str) -> tuple[dict | None, str, str]:
    pod = net.pod(ns, name)
    if pod is None:
        return None, "", ""
    node = (pod.get("spec") or {}).get("nodeName") or ""
    ip = (pod.get("status") or {}).get("podIP") or ""
    if (pod.get("spec") or {}).get("hostNetwork"):
        ip = net.node_ip(node) or ip
    return pod, node, ip


def dns_lookup(net: Network, pod: dict, name: str, rnd: random.Random | None = None) -> DnsLookup:
    """Resolve ``name`` as the pod's resolver would: search path, then the nameserver through the node's rules."""
    rnd = rnd or net.rng()
    rc = resolv_conf(pod, net.spec)
    server = rc.nameservers[0] if rc.nameservers else "127.0.0.1"
    look = DnsLookup(server)
    node = (pod.get("spec") or {}).get("nodeName") or ""
    src_ip = (pod.get("status") or {}).get("podIP") or ""
    probe = Trace(f"{pod['metadata'].get('namespace')}/{pod['metadata']['name']}", node, src_ip, server, 53, "udp")
    probe.client_ip = src_ip
    forward(net, probe, node, server, 53, rnd)
    coredns = CoreDNS(net.client, net.domain)
    upstream = not net.in_service_network(server)
    if not upstream:
        owner = net.owner_of(probe.endpoint.split(":")[0]) if probe.ok else None
        ready = owner is not None and owner[0] == "pod" and net.graph.nodes[("pod", owner[1])].get("ready", False)
        if not ready or not coredns.serving():
            look.error = "timeout"
            return look
    for fqdn in search_candidates(name, rc):
        ans = Answer(fqdn, "NXDOMAIN") if upstream else coredns.answer(fqdn)
        look.tried.append(ans)
        if ans.found:
            break
    return look


def trace(world_or_network: Any, from_pod: tuple[str, str], target: str, protocol: str = "tcp") -> Trace:
    """Follow one connection from pod ``from_pod`` (namespace, name) to ``target`` (a URL or ``host[:port]``)."""
    net: Network = getattr(world_or_network, "network", world_or_network)
    ns, name = from_pod
    pod, node, src_ip = _source(net, ns, name)
    try:
        host, port, _ = parse_target(target)
    except BadTarget as e:
        return Trace(f"{ns}/{name}", node, src_ip, target, 0, protocol.lower()).fail("bad-url", str(e))
    t = Trace(f"{ns}/{name}", node, src_ip, host, port, protocol.lower())
    t.client_ip = src_ip
    if pod is None:
        return t.fail("no-source", f'pods "{name}" not found')
    t.hop("", "pod", f"{ns}/{name} ({src_ip}) on {node}")
    rnd = net.rng()
    if _is_ip(host):
        return forward(net, t, node, host, port, rnd, not (pod.get("spec") or {}).get("hostNetwork"))
    look = dns_lookup(net, pod, host, rnd)
    if look.error:
        return t.fail("dns-timeout", f"no answer from DNS server {look.server}", node)
    ans = look.answer
    if ans is None:
        return t.fail("resolve", f"{host}: NXDOMAIN for " + ", ".join(a.name for a in look.tried), node)
    if ans.cname and not ans.addresses:
        return t.fail("resolve", f"{host} is a CNAME for {ans.cname}, which resolves nowhere in the cluster", node)
    t.fqdn = ans.name
    t.hop(node, "dns", f"{host} -> {ans.name} A {ans.addresses[0]} (from {look.server})")
    return forward(net, t, node, ans.addresses[0], port, rnd, not (pod.get("spec") or {}).get("hostNetwork"))
