"""The routing view's text: a Service's routes per node with its ``iptables-save`` rules, a node's whole rule
set, and the trace of one request.

Reads the routes and the trace through :attr:`ktui.cluster.Cluster.inspect` (what each node's kube-proxy
programmed, or what it would program when the cluster has no network model) and renders them with the pure
functions of :mod:`ktui.net` (:func:`ktui.net.routes.node_view`, :func:`ktui.net.iptables.render`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ktui.cluster import Cluster

__all__ = ["service_routing_text", "node_routing_text", "trace_text"]


def _tables(cluster: "Cluster", only_service: dict | None = None) -> dict[str, Any]:
    """Each node's :class:`ktui.net.routes.NodeTable` (only ``only_service``'s routes if given), from
    :meth:`ktui.inspection.Inspection.routing`: what its kube-proxy last programmed, stale rules included."""
    from ktui.net.routes import service_key

    key = service_key(only_service) if only_service is not None else None
    return {r.node: r.table(key) for r in cluster.inspect.routing()}


def service_routing_text(cluster: "Cluster", svc: dict) -> str:
    """Per node, where each port of ``svc`` leads (endpoints and their probabilities), then the rules."""
    from ktui.net.chains import probability
    from ktui.net.iptables import render
    from ktui.net.routes import node_view

    md = svc.get("metadata") or {}
    tables = _tables(cluster, svc)
    lines = [f"Service {md.get('namespace')}/{md.get('name')}  type {(svc.get('spec') or {}).get('type', 'ClusterIP')}"]
    any_routes = False
    for node, table in tables.items():
        routes = sorted(table.routes.values(), key=lambda r: r.key)
        if not routes:
            continue
        any_routes = True
        lines.append("")
        lines.append(f"== node {node} ({table.node_ip})")
        for r in routes:
            v = node_view(r, node)
            target = f"{r.cluster_ip}:{r.port}/{r.protocol}" + (f"  NodePort {r.node_port}" if r.node_port else "")
            lines.append(f"  {target}  -> {r.svc_chain}")
            eps = v.reachable
            if not eps:
                lines.append("    no ready endpoints: REJECT (icmp port-unreachable)")
            for i, ep in enumerate(eps):
                p = probability(len(eps) - i) if i < len(eps) - 1 else "rest"
                lines.append(f"    {p:>12}  {r.sep_chain(ep)}  DNAT {ep.addr}  ({ep.pod or '-'} on {ep.node or '?'})")
    if not any_routes:
        lines.append("")
        lines.append("No routes: a headless or ExternalName Service is resolved by DNS, not by kube-proxy.")
        return "\n".join(lines) + "\n"
    first = next(iter(tables.values()))
    lines += ["", f"== iptables-save -t nat (rules for this Service, node {first.node})", ""]
    lines.append(render(first).rstrip("\n"))
    return "\n".join(lines) + "\n"


def node_routing_text(cluster: "Cluster", node: dict) -> str:
    """The whole ``iptables-save -t nat`` of one node."""
    from ktui.net.iptables import render

    name = node["metadata"]["name"]
    routing = cluster.inspect.node_routing(name)
    if routing is None:
        return f"node {name}: no rules\n"
    return f"# iptables-save -t nat on {name} ({len(routing.routes)} service ports)\n" + render(
        routing.table(), now=cluster.now
    )


def trace_text(cluster: "Cluster", src: dict, svc: dict) -> str:
    """One request from pod ``src`` to the first port of ``svc``, hop by hop."""
    smd, vmd = src.get("metadata") or {}, svc.get("metadata") or {}
    spec = svc.get("spec") or {}
    port = (spec.get("ports") or [{}])[0]
    try:
        result = cluster.inspect.trace(
            smd.get("namespace", "default"),
            smd.get("name", ""),
            f"{spec.get('clusterIP')}:{port.get('port')}",
            (port.get("protocol") or "TCP").lower(),
        )
    except Exception:  # noqa: BLE001 - fall back to the derived trace below
        result = None
    if result is not None:
        return _format_trace(result, f"{vmd.get('namespace')}/{vmd.get('name')}")
    from ktui.net.routes import node_view

    node = (src.get("spec") or {}).get("nodeName") or "?"
    table = _tables(cluster, svc).get(node)
    dst = f"{spec.get('clusterIP')}:{port.get('port')}/{port.get('protocol', 'TCP')}"
    lines = [
        f"trace {smd.get('namespace')}/{smd.get('name')} ({(src.get('status') or {}).get('podIP', '?')}) -> "
        f"{vmd.get('namespace')}/{vmd.get('name')} {dst}",
        "",
    ]
    lines.append(f" 1. pod netns -> eth0 -> node {node} (veth, host network stack)")
    route = None
    if table is not None:
        route = next((r for r in table.routes.values() if r.port == port.get("port")), None)
    if route is None:
        lines.append(f" 2. nat OUTPUT/PREROUTING -> KUBE-SERVICES: no rule for {dst}")
        lines.append("    the packet leaves for the ClusterIP and nothing answers: connection times out")
        return "\n".join(lines) + "\n"
    v = node_view(route, node)
    lines.append(
        f" 2. nat PREROUTING -> KUBE-SERVICES: -d {route.cluster_ip}/32 --dport {route.port} -> {route.svc_chain}"
    )
    if not v.reachable:
        lines.append(" 3. no endpoints: filter KUBE-SERVICES REJECT --reject-with icmp-port-unreachable")
        lines.append("    curl: (7) Failed to connect: Connection refused")
        return "\n".join(lines) + "\n"
    ep = v.reachable[0]
    lines.append(
        f" 3. {route.svc_chain}: statistic random picks {route.sep_chain(ep)} "
        f"(1 of {len(v.reachable)}; the first is shown)"
    )
    lines.append(f" 4. {route.sep_chain(ep)}: DNAT --to-destination {ep.addr}")
    same = ep.node == node
    lines.append(f" 5. route {ep.ip} " + ("via local veth" if same else f"-> node {ep.node} over the pod network"))
    lines.append(f" 6. delivered to {ep.pod or ep.addr} on {ep.node}")
    return "\n".join(lines) + "\n"


def _format_trace(t: Any, service: str) -> str:
    """A :class:`ktui.net.trace.Trace` hop by hop."""
    lines = [f"trace {t.source} ({t.source_ip}) -> {service} {t.host}:{t.port}/{t.protocol.upper()}", ""]
    for i, h in enumerate(t.hops, 1):
        where = h.node or "pod"
        lines.append(f"{i:2}. [{where}] {h.step}: {h.detail}")
    lines.append("")
    if t.ok:
        lines.append(
            f"answered by {t.dest_pod or t.endpoint} on {t.dest_node} (endpoint {t.endpoint}); "
            f"the backend sees the client as {t.client_ip}"
        )
    else:
        lines.append(f"FAILED ({t.failure}): {t.reason}")
    return "\n".join(lines) + "\n"
