"""kube-proxy's iptables chain names: sha256 of the service port name and protocol, base32, 16 characters."""

from __future__ import annotations

import base64
import hashlib

__all__ = [
    "port_proto_hash",
    "service_port_name",
    "svc_chain",
    "svl_chain",
    "ext_chain",
    "fw_chain",
    "sep_chain",
    "is_service_chain",
    "probability",
]

_PREFIXES = ("KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-", "KUBE-SEP-")


def service_port_name(namespace: str, name: str, port_name: str = "") -> str:
    """``ServicePortName.String()``: ``ns/name:port``, or ``ns/name`` for an unnamed port."""
    return f"{namespace}/{name}:{port_name}" if port_name else f"{namespace}/{name}"


def port_proto_hash(svc_port_name: str, protocol: str) -> str:
    """The 16-character hash kube-proxy puts after a chain prefix (``protocol`` in lower case, ``tcp``)."""
    digest = hashlib.sha256((svc_port_name + protocol).encode()).digest()
    return base64.b32encode(digest).decode()[:16]


def svc_chain(svc_port_name: str, protocol: str) -> str:
    """``KUBE-SVC-...``: the chain that picks an endpoint with ``Cluster`` traffic policy."""
    return "KUBE-SVC-" + port_proto_hash(svc_port_name, protocol)


def svl_chain(svc_port_name: str, protocol: str) -> str:
    """``KUBE-SVL-...``: the chain over this node's endpoints, for a ``Local`` traffic policy."""
    return "KUBE-SVL-" + port_proto_hash(svc_port_name, protocol)


def ext_chain(svc_port_name: str, protocol: str) -> str:
    """``KUBE-EXT-...``: where NodePort, LoadBalancer and external-IP traffic goes first."""
    return "KUBE-EXT-" + port_proto_hash(svc_port_name, protocol)


def fw_chain(svc_port_name: str, protocol: str) -> str:
    """``KUBE-FW-...``: the loadBalancerSourceRanges firewall."""
    return "KUBE-FW-" + port_proto_hash(svc_port_name, protocol)


def sep_chain(svc_port_name: str, protocol: str, endpoint: str) -> str:
    """``KUBE-SEP-...`` for one endpoint ``IP:port`` of a service port."""
    digest = hashlib.sha256((svc_port_name + protocol + endpoint).encode()).digest()
    return "KUBE-SEP-" + base64.b32encode(digest).decode()[:16]


def is_service_chain(chain: str) -> bool:
    """Whether a chain is one kube-proxy creates per service or endpoint."""
    return chain.startswith(_PREFIXES)


def probability(n: int) -> str:
    """``computeProbability``: 1/n printed ``%0.10f``."""
    return f"{1.0 / n:0.10f}"
