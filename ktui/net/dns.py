"""Cluster DNS: a pod's resolv.conf, the resolver's search-path walk, and CoreDNS's ``kubernetes`` plugin answers.

:class:`CoreDNS` answers from what it reads through the API (Services, EndpointSlices, Namespaces, its own
pods), as CoreDNS's informers would: ``<svc>.<ns>.svc.<domain>`` (the ClusterIP; the ready endpoints' IPs for a
headless Service; a CNAME for an ExternalName Service), ``<hostname>.<svc>.<ns>.svc.<domain>`` for named
endpoints of a headless Service, and ``a-b-c-d.<ns>.pod.<domain>`` (``pods insecure``). Names outside the cluster
domain are forwarded upstream, which the simulation does not have: NXDOMAIN. It answers only while at least
one CoreDNS pod is Ready.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from ktui.api.errors import ApiError

__all__ = ["ResolvConf", "Answer", "CoreDNS", "resolv_conf", "search_candidates", "dns_ip", "NODE_NAMESERVER"]

NODE_NAMESERVER = "172.18.0.1"
"""What the nodes' own resolv.conf names (the docker network's gateway, as on kind)."""


def dns_ip(service_cidr: str) -> str:
    """The kubelet's ``clusterDNS``: the tenth address of the service CIDR (``10.96.0.10``)."""
    return str(ipaddress.ip_network(service_cidr, strict=False).network_address + 10)


@dataclass
class ResolvConf:
    """A container's /etc/resolv.conf."""

    nameservers: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)

    @property
    def ndots(self) -> int:
        for o in self.options:
            if o.startswith("ndots:"):
                return int(o.split(":", 1)[1] or 1)
        return 1

    def text(self) -> str:
        lines = []
        if self.search:
            lines.append("search " + " ".join(self.search))
        lines += [f"nameserver {ns}" for ns in self.nameservers]
        if self.options:
            lines.append("options " + " ".join(self.options))
        return "".join(x + "\n" for x in lines)


def resolv_conf(pod: dict, spec: dict[str, Any]) -> ResolvConf:
    """What the kubelet writes for ``pod``'s ``dnsPolicy`` and ``dnsConfig``."""
    pspec = pod.get("spec") or {}
    ns = (pod.get("metadata") or {}).get("namespace", "default")
    domain = spec.get("clusterDomain", "cluster.local")
    policy = pspec.get("dnsPolicy") or "ClusterFirst"
    if policy == "ClusterFirst" and pspec.get("hostNetwork"):
        policy = "Default"
    if policy in ("ClusterFirst", "ClusterFirstWithHostNet"):
        rc = ResolvConf(
            [dns_ip(spec.get("serviceCIDR", "10.96.0.0/12"))],
            [f"{ns}.svc.{domain}", f"svc.{domain}", domain],
            ["ndots:5"],
        )
    elif policy == "Default":
        rc = ResolvConf([NODE_NAMESERVER], [], [])
    else:  # None
        rc = ResolvConf()
    cfg = pspec.get("dnsConfig") or {}
    for n in cfg.get("nameservers") or []:
        if n not in rc.nameservers:
            rc.nameservers.append(n)
    for s in cfg.get("searches") or []:
        if s not in rc.search:
            rc.search.append(s)
    for o in cfg.get("options") or []:
        name = o.get("name", "")
        text = f"{name}:{o['value']}" if o.get("value") is not None else name
        rc.options = [x for x in rc.options if x.split(":", 1)[0] != name] + [text]
    rc.nameservers = rc.nameservers[:3]
    return rc


def search_candidates(name: str, rc: ResolvConf) -> list[str]:
    """The FQDNs a resolver tries, in order (a trailing dot means absolute; ``ndots`` decides what goes first)."""
    if name.endswith("."):
        return [name.rstrip(".")]
    searched = [f"{name}.{s}" for s in rc.search]
    if name.count(".") >= rc.ndots:
        return [name] + searched
    return searched + [name]


@dataclass
class Answer:
    """One DNS response: ``rcode`` NOERROR or NXDOMAIN, and A (``ip``) or CNAME (``target``) records."""

    name: str
    rcode: str = "NOERROR"
    addresses: list[str] = field(default_factory=list)
    cname: str = ""

    @property
    def found(self) -> bool:
        return self.rcode == "NOERROR" and bool(self.addresses or self.cname)


class CoreDNS:
    """The answers CoreDNS gives, read through the API.

    Args:
        client: a client that may read services, endpointslices, namespaces and pods.
        domain: the cluster domain.
    """

    def __init__(self, client: Any, domain: str = "cluster.local") -> None:
        self.client = client
        self.domain = domain

    def ready_pods(self) -> list[dict]:
        """CoreDNS pods whose Ready condition is True."""
        pods = self.client.list("pods", "kube-system", label_selector="k8s-app=kube-dns")["items"]
        return [
            p
            for p in pods
            if any(
                c.get("type") == "Ready" and c.get("status") == "True"
                for c in (p.get("status") or {}).get("conditions") or []
            )
        ]

    def serving(self) -> bool:
        return bool(self.ready_pods())

    def _get(self, resource: str, name: str, namespace: str | None = None) -> dict | None:
        try:
            return self.client.get(resource, name, namespace)
        except ApiError:
            return None

    def _ready_endpoints(self, ns: str, svc: str) -> list[dict]:
        slices = self.client.list("endpointslices", ns, label_selector=f"kubernetes.io/service-name={svc}")["items"]
        out = []
        for sl in sorted(slices, key=lambda s: s["metadata"]["name"]):
            for ep in sl.get("endpoints") or []:
                if (ep.get("conditions") or {}).get("ready") is not False:
                    out.append(ep)
        return out

    def answer(self, qname: str) -> Answer:
        """The A/CNAME answer for ``qname`` (an FQDN, without the trailing dot)."""
        name = qname.rstrip(".").lower()
        suffix = "." + self.domain
        if not name.endswith(suffix):
            return Answer(name, "NXDOMAIN")
        labels = name[: -len(suffix)].split(".")
        if len(labels) == 3 and labels[2] == "pod":
            ip = labels[0].replace("-", ".")
            try:
                ipaddress.IPv4Address(ip)
            except ValueError:
                return Answer(name, "NXDOMAIN")
            return Answer(name, addresses=[ip]) if self._get("namespaces", labels[1]) else Answer(name, "NXDOMAIN")
        if len(labels) not in (3, 4) or labels[-1] != "svc":
            return Answer(name, "NXDOMAIN")
        host = labels[0] if len(labels) == 4 else ""
        svc_name, ns = labels[-3], labels[-2]
        svc = self._get("services", svc_name, ns)
        if svc is None:
            return Answer(name, "NXDOMAIN")
        spec = svc.get("spec") or {}
        if spec.get("type") == "ExternalName":
            return Answer(name, cname=spec.get("externalName", "")) if not host else Answer(name, "NXDOMAIN")
        cluster_ip = spec.get("clusterIP") or ""
        if cluster_ip and cluster_ip != "None":
            return Answer(name, addresses=[cluster_ip]) if not host else Answer(name, "NXDOMAIN")
        eps = self._ready_endpoints(ns, svc_name)
        if host:
            ips = [ep["addresses"][0] for ep in eps if ep.get("hostname") == host and ep.get("addresses")]
        else:
            ips = [ep["addresses"][0] for ep in eps if ep.get("addresses")]
        ips = list(dict.fromkeys(ips))
        if not ips:
            return Answer(name, "NXDOMAIN" if host else "NOERROR")
        return Answer(name, addresses=ips)
