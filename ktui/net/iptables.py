"""Render one node's service routes as ``iptables-save`` prints them (the rules kube-proxy's iptables mode writes).

Pure functions. Rules are written in ``iptables-save``'s normalised argument order (``-s``/``-d``/``-p`` first,
then the matches in order, then the target), chains are declared built-ins first and then sorted, and the
per-service rules follow ``syncProxyRules`` in kubernetes/pkg/proxy/iptables/proxier.go. Services are ordered
by service port name (kube-proxy walks a Go map; any order is as real). One deliberate difference: the
``--probability`` is printed as kube-proxy computes it (``%0.10f``), not re-rendered from the kernel's u32.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ktui.net.chains import probability
from ktui.net.routes import NodeTable, NodeView, ServicePortRoute, node_view

__all__ = ["Fragment", "route_fragment", "render", "MASQ_MARK", "IPTABLES_VERSION"]

MASQ_MARK = "0x4000"
IPTABLES_VERSION = "v1.8.11 (nf_tables)"
_NODEPORTS_LAST = (
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the '
    'last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS'
)
_REJECT = "REJECT --reject-with icmp-port-unreachable"


@dataclass
class Fragment:
    """The rules one service port contributes to a node's tables."""

    services: list[str] = field(default_factory=list)
    """Rules appended to nat KUBE-SERVICES."""
    node_ports: list[str] = field(default_factory=list)
    chains: dict[str, list[str]] = field(default_factory=dict)
    """Per-service nat chains (SVC, SVL, EXT, SEP) with their rules, in creation order."""
    filter_services: list[str] = field(default_factory=list)
    filter_external: list[str] = field(default_factory=list)


def _q(comment: str) -> str:
    """``xtables_save_string``: bare when only ``[A-Za-z0-9_-]``, else double-quoted with escapes."""
    if comment and all(c.isascii() and (c.isalnum() or c in "_-") for c in comment):
        return comment
    return '"' + comment.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'") + '"'


def _dport(view_route: ServicePortRoute, ip: str, comment: str, target: str) -> str:
    r = view_route
    return f"-d {ip}/32 -p {r.proto} -m comment --comment {_q(comment)} -m {r.proto} --dport {r.port} -j {target}"


def _endpoint_rules(v: NodeView, chain: str, eps: tuple) -> list[str]:
    r = v.route
    out = []
    if r.affinity_seconds:
        for ep in eps:
            sep = r.sep_chain(ep)
            out.append(
                f"-A {chain} -m comment --comment {_q(f'{r.name} -> {ep.addr}')} -m recent --rcheck "
                f"--seconds {r.affinity_seconds} --reap --name {sep} --mask 255.255.255.255 --rsource -j {sep}"
            )
    n = len(eps)
    for i, ep in enumerate(eps):
        stat = f" -m statistic --mode random --probability {probability(n - i)}" if i < n - 1 else ""
        out.append(f"-A {chain} -m comment --comment {_q(f'{r.name} -> {ep.addr}')}{stat} -j {r.sep_chain(ep)}")
    return out


def route_fragment(route: ServicePortRoute, node: str, cluster_cidr: str) -> Fragment:
    """The rules for one service port on ``node`` (``syncProxyRules``' loop body)."""
    v = node_view(route, node)
    r = route
    f = Fragment()
    spn, proto = r.name, r.proto
    if not v.has_endpoints:
        filt_target, filt_comment = _REJECT, f"{spn} has no endpoints"
        ext_target, ext_comment = _REJECT, filt_comment
    else:
        filt_target, filt_comment = "DROP", f"{spn} has no local endpoints"
        ext_target, ext_comment = "DROP", filt_comment
    if v.has_internal:
        f.services.append(f"-A KUBE-SERVICES {_dport(r, r.cluster_ip, f'{spn} cluster IP', v.internal_chain)}")
    else:
        f.filter_services.append(f"-A KUBE-SERVICES {_dport(r, r.cluster_ip, filt_comment, filt_target)}")
    for eip in r.external_ips:
        if v.has_endpoints:
            f.services.append(f"-A KUBE-SERVICES {_dport(r, eip, f'{spn} external IP', r.ext_chain)}")
        if not v.has_external:
            f.filter_external.append(f"-A KUBE-EXTERNAL-SERVICES {_dport(r, eip, ext_comment, ext_target)}")
    for lb in r.lb_ips:
        if v.has_endpoints:
            f.services.append(f"-A KUBE-SERVICES {_dport(r, lb, f'{spn} loadbalancer IP', r.ext_chain)}")
    if not v.has_external:
        for lb in r.lb_ips:
            f.filter_external.append(f"-A KUBE-EXTERNAL-SERVICES {_dport(r, lb, ext_comment, ext_target)}")
    if r.node_port:
        if v.has_endpoints:
            f.node_ports.append(
                f"-A KUBE-NODEPORTS -p {proto} -m comment --comment {_q(spn)} -m {proto} "
                f"--dport {r.node_port} -j {r.ext_chain}"
            )
        if not v.has_external:
            f.filter_external.append(
                f"-A KUBE-EXTERNAL-SERVICES -p {proto} -m comment --comment {_q(ext_comment)} -m addrtype "
                f"--dst-type LOCAL -m {proto} --dport {r.node_port} -j {ext_target}"
            )
    chains = f.chains
    internal_masq: list[str] = []
    if v.has_internal:
        internal_masq.append(
            f"-A {v.internal_chain} ! -s {cluster_cidr} "
            f"{_dport(r, r.cluster_ip, f'{spn} cluster IP', 'KUBE-MARK-MASQ')}"
        )
    if v.uses_ext_chain:
        ext = chains.setdefault(r.ext_chain, [])
        if not r.external_local:
            ext.append(
                f"-A {r.ext_chain} -m comment --comment "
                f"{_q(f'masquerade traffic for {spn} external destinations')} -j KUBE-MARK-MASQ"
            )
        else:
            ext.append(
                f"-A {r.ext_chain} -s {cluster_cidr} -m comment --comment "
                f"{_q(f'pod traffic for {spn} external destinations')} -j {r.svc_chain}"
            )
            ext.append(
                f"-A {r.ext_chain} -m comment --comment "
                f"{_q(f'masquerade LOCAL traffic for {spn} external destinations')} -m addrtype "
                f"--src-type LOCAL -j KUBE-MARK-MASQ"
            )
            ext.append(
                f"-A {r.ext_chain} -m comment --comment "
                f"{_q(f'route LOCAL traffic for {spn} external destinations')} -m addrtype "
                f"--src-type LOCAL -j {r.svc_chain}"
            )
        if v.has_external:
            ext.append(f"-A {r.ext_chain} -j {v.external_policy_chain}")
    if v.cluster and r.uses_cluster_endpoints:
        rules = chains.setdefault(r.svc_chain, [])
        if v.internal_chain == r.svc_chain:
            rules.extend(internal_masq)
        rules.extend(_endpoint_rules(v, r.svc_chain, v.cluster))
    if v.local and r.uses_local_endpoints:
        rules = chains.setdefault(r.svl_chain, [])
        if v.internal_chain == r.svl_chain:
            rules.extend(internal_masq)
        rules.extend(_endpoint_rules(v, r.svl_chain, v.local))
    comment = _q(spn)
    for ep in v.reachable:
        sep = r.sep_chain(ep)
        recent = f" -m recent --set --name {sep} --mask 255.255.255.255 --rsource" if r.affinity_seconds else ""
        chains[sep] = [
            f"-A {sep} -s {ep.ip}/32 -m comment --comment {comment} -j KUBE-MARK-MASQ",
            f"-A {sep} -p {proto} -m comment --comment {comment}{recent} -m {proto} -j DNAT --to-destination {ep.addr}",
        ]
    return f


_NAT_BUILTINS = ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING")
_NAT_BASE = (
    "KUBE-KUBELET-CANARY",
    "KUBE-MARK-MASQ",
    "KUBE-NODEPORTS",
    "KUBE-POSTROUTING",
    "KUBE-PROXY-CANARY",
    "KUBE-SERVICES",
)
_NAT_FIXED = {
    "PREROUTING": ['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'],
    "OUTPUT": ['-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'],
    "POSTROUTING": ['-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING'],
    "KUBE-MARK-MASQ": [f"-A KUBE-MARK-MASQ -j MARK --set-xmark {MASQ_MARK}/{MASQ_MARK}"],
    "KUBE-POSTROUTING": [
        f"-A KUBE-POSTROUTING -m mark ! --mark {MASQ_MARK}/{MASQ_MARK} -j RETURN",
        f"-A KUBE-POSTROUTING -j MARK --set-xmark {MASQ_MARK}/0x0",
        '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE '
        "--random-fully",
    ],
}
_FILTER_BUILTINS = ("INPUT", "FORWARD", "OUTPUT")
_FILTER_BASE = (
    "KUBE-EXTERNAL-SERVICES",
    "KUBE-FIREWALL",
    "KUBE-FORWARD",
    "KUBE-KUBELET-CANARY",
    "KUBE-NODEPORTS",
    "KUBE-PROXY-CANARY",
    "KUBE-PROXY-FIREWALL",
    "KUBE-SERVICES",
)
_NEW = "-m conntrack --ctstate NEW"
_FILTER_FIXED = {
    "INPUT": [
        f'-A INPUT {_NEW} -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
        '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
        f'-A INPUT {_NEW} -m comment --comment "kubernetes externally-visible service portals" '
        "-j KUBE-EXTERNAL-SERVICES",
        "-A INPUT -j KUBE-FIREWALL",
    ],
    "FORWARD": [
        f'-A FORWARD {_NEW} -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
        '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
        f'-A FORWARD {_NEW} -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        f'-A FORWARD {_NEW} -m comment --comment "kubernetes externally-visible service portals" '
        "-j KUBE-EXTERNAL-SERVICES",
    ],
    "OUTPUT": [
        f'-A OUTPUT {_NEW} -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
        f'-A OUTPUT {_NEW} -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        "-A OUTPUT -j KUBE-FIREWALL",
    ],
    "KUBE-FIREWALL": [
        '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming '
        'localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP'
    ],
    "KUBE-FORWARD": [
        "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
        f'-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark '
        f"{MASQ_MARK}/{MASQ_MARK} -j ACCEPT",
        '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack '
        "--ctstate RELATED,ESTABLISHED -j ACCEPT",
    ],
}


def ctime(now: float) -> str:
    """``ctime(3)`` for a simulated time: ``Thu Jan  1 00:00:05 2026``."""
    from ktui.components.kubelet.builtins import date_text

    return date_text(now).replace(" UTC", "")


def _table(
    name: str,
    builtins: tuple[str, ...],
    base: tuple[str, ...],
    fixed: dict[str, list[str]],
    extra: dict[str, list[str]],
) -> list[str]:
    user = sorted(set(base) | set(extra))
    out = [f"*{name}"]
    out += [f":{c} ACCEPT [0:0]" for c in builtins]
    out += [f":{c} - [0:0]" for c in user]
    for c in (*builtins, *user):
        out += fixed.get(c, [])
        out += extra.get(c, [])
    out.append("COMMIT")
    return out


def fragments(table: NodeTable) -> list[Fragment]:
    """Every route's fragment in key order, reusing the ones cached since their route last changed."""
    out: list[Fragment] = []
    cache = table.fragments
    for key in sorted(table.routes):
        frag = cache.get(key)
        if frag is None:
            frag = cache[key] = route_fragment(table.routes[key], table.node, table.cluster_cidr)
        out.append(frag)  # type: ignore[arg-type]
    return out


def render(table: NodeTable, tables: tuple[str, ...] = ("nat",), now: float | None = None) -> str:
    """``iptables-save`` (``-t nat`` by default) for one node's table; ``now`` adds the header comments."""
    frags = fragments(table)
    lines: list[str] = []
    for name in tables:
        extra: dict[str, list[str]] = {}
        if name == "nat":
            services = extra.setdefault("KUBE-SERVICES", [])
            nodeports = extra.setdefault("KUBE-NODEPORTS", [])
            for f in frags:
                services += f.services
                nodeports += f.node_ports
                for chain, rules in f.chains.items():
                    extra.setdefault(chain, []).extend(rules)
            services.append(_NODEPORTS_LAST)
            body = _table("nat", _NAT_BUILTINS, _NAT_BASE, _NAT_FIXED, extra)
        elif name == "filter":
            fs = extra.setdefault("KUBE-SERVICES", [])
            fe = extra.setdefault("KUBE-EXTERNAL-SERVICES", [])
            for f in frags:
                fs += f.filter_services
                fe += f.filter_external
            body = _table("filter", _FILTER_BUILTINS, _FILTER_BASE, _FILTER_FIXED, extra)
        else:
            raise ValueError(f"unknown table {name!r}")
        if now is not None:
            lines.append(f"# Generated by iptables-save {IPTABLES_VERSION} on {ctime(now)}")
        lines += body
        if now is not None:
            lines.append(f"# Completed on {ctime(now)}")
    return "".join(x + "\n" for x in lines)
