"""The pod network as a networkx graph: nodes, the pods on them, Services and their backends, routing tables.

:class:`Network` is the data plane of one world. It learns nodes, pods, Services and EndpointSlices through
the API (as the CNI plugin and the kernel would know them), holds every node's service rules as that node's
kube-proxy last wrote them (:class:`ktui.net.routes.NodeTable`), and answers "does anything listen at this
IP and port" by asking the node's simulated container runtime — the packets' last hop.

Graph vertices are ``("node", name)``, ``("pod", "ns/name")`` and ``("svc", "ns/name")``. Edges: node → pod
(``runs``), node → node (``route``: the peer's pod CIDR via its InternalIP) and svc → pod (``endpoint``, with
``ready``).
"""

from __future__ import annotations

import ipaddress
import random
from typing import Any

import networkx as nx

from ktui.api.informer import InformerFactory
from ktui.api.objects import internal_ip, is_pod_ready, key_of
from ktui.net.attrs import PodAttrs
from ktui.net.routes import NodeTable

__all__ = ["Network", "Listener"]


class Listener:
    """What answered at an IP and port: the pod, its node and the container (None when nothing listens)."""

    def __init__(self, pod: dict | None, node: str, container: Any = None, kubelet: Any = None) -> None:
        self.pod = pod
        self.node = node
        self.container = container
        self.kubelet = kubelet

    @property
    def pod_key(self) -> str:
        return key_of(self.pod) if self.pod else ""


_RUNS = {"kind": "runs"}
"""The attributes of every node → pod edge (shared; never changed)."""

POD_NETWORK = ("overlay", "pod-network")
"""The graph node standing for the pod network that connects every node (flannel's VXLAN overlay)."""


class Network:
    """The pod network and service data plane of one world.

    Args:
        client: an API client allowed to list and watch nodes, pods, services and endpointslices.
        kernel: the simulation clock.
        spec: the normalised cluster spec (pod and service CIDRs, cluster domain).
        components: the world's components by name, where ``kubelet/<node>`` is found.
        seed: the cluster seed; traces draw from ``random.Random(f"{seed}:trace:{n}")``.
    """

    def __init__(
        self, client: Any, kernel: Any, spec: dict[str, Any], components: dict[str, Any], seed: int = 0
    ) -> None:
        self.client = client
        self.kernel = kernel
        self.spec = spec
        self.components = components
        self.seed = seed
        self.cluster_cidr = spec.get("podCIDR", "10.244.0.0/16")
        self.service_cidr = spec.get("serviceCIDR", "10.96.0.0/12")
        self.domain = spec.get("clusterDomain", "cluster.local")
        self.graph = nx.DiGraph()
        """The network: nodes, pods, Services and the edges between them."""
        self.tables: dict[str, NodeTable] = {}
        """Each node's service rules (its kernel's iptables), by node name."""
        self.recent: dict[tuple[str, str, str], tuple[str, float]] = {}
        """``-m recent`` lists: (node, endpoint chain set, client IP) → (endpoint, last seen)."""
        self.traces = 0
        self._ips: dict[str, tuple[str, str]] = {}
        """IP → ("pod", "ns/name") or ("node", name)."""
        self.informers = InformerFactory(client)
        self.nodes = self.informers.informer("nodes")
        self.pods = self.informers.informer("pods")
        self.services = self.informers.informer("services")
        self.slices = self.informers.informer("endpointslices")
        self.nodes.add_handler(self._on_node, self._on_node_update, self._on_node_delete)
        self.pods.add_handler(self._on_pod, self._on_pod_update, self._on_pod_delete)
        self.services.add_handler(self._on_service, self._on_service_update, self._on_service_delete)
        self.slices.add_handler(self._on_slice, self._on_slice_update, self._on_slice_delete)

    def start(self) -> None:
        self.informers.start()

    # ---------------------------------------------------------------- tables

    def table(self, node: str) -> NodeTable:
        """The node's kernel service rules (created empty the first time a node is seen)."""
        t = self.tables.get(node)
        if t is None:
            obj = self.nodes.get(node)
            t = self.tables[node] = NodeTable(node, internal_ip(obj) if obj else "", self.cluster_cidr)
        return t

    def rng(self) -> random.Random:
        """A fresh deterministic stream for one trace, independent of the cluster's RNG."""
        self.traces += 1
        return random.Random(f"{self.seed}:trace:{self.traces}")

    # ---------------------------------------------------------------- graph upkeep

    def _on_node(self, node: dict) -> None:
        name = node["metadata"]["name"]
        ip = internal_ip(node)
        cidr = (node.get("spec") or {}).get("podCIDR", "")
        gnode = ("node", name)
        current = self.graph.nodes[gnode] if self.graph.has_node(gnode) else None
        if current is not None and current.get("ip") == ip and current.get("pod_cidr") == cidr:
            return  # a heartbeat: nothing the network cares about changed
        self.graph.add_node(gnode, kind="node", ip=ip, pod_cidr=cidr)
        t = self.table(name)
        t.node_ip = ip or t.node_ip
        if ip:
            self._ips[ip] = gnode
        # The pod network as one overlay every node joins: node -> overlay carries traffic for other nodes'
        # pod CIDRs, overlay -> node delivers traffic for this node's CIDR (O(nodes) edges, not a full mesh).
        self.graph.add_node(POD_NETWORK, kind="overlay", cidr=self.cluster_cidr)
        self.graph.add_edge(gnode, POD_NETWORK, kind="route", via=ip)
        if cidr:
            self.graph.add_edge(POD_NETWORK, gnode, kind="route", dst=cidr, via=ip)

    def _on_node_update(self, old: dict, new: dict) -> None:
        self._on_node(new)

    def _on_node_delete(self, node: dict) -> None:
        name = node["metadata"]["name"]
        if self.graph.has_node(("node", name)):
            self.graph.remove_node(("node", name))
        ip = internal_ip(node)
        if self._ips.get(ip) == ("node", name):
            del self._ips[ip]

    def _on_pod(self, pod: dict) -> None:
        key = key_of(pod)
        spec, status = pod.get("spec") or {}, pod.get("status") or {}
        gk = ("pod", key)
        old = self.graph.nodes[gk] if self.graph.has_node(gk) else None
        if old is not None and old.get("ip"):
            owner = self._ips.get(old["ip"])
            if owner == gk:
                gk = owner  # the vertex's own tuple, kept once
                del self._ips[old["ip"]]
        if old is not None:
            for pred in list(self.graph.predecessors(gk)):
                if pred[0] == "node":
                    self.graph.remove_edge(pred, gk)
        ip = status.get("podIP") or ""
        host = bool(spec.get("hostNetwork"))
        node = spec.get("nodeName") or ""
        phase, ready = status.get("phase", ""), is_pod_ready(pod)
        if isinstance(old, PodAttrs):
            old.ip, old.node, old.host_network, old.phase, old.ready = ip, node, host, phase, ready
        else:
            if old is None:
                self.graph.add_node(gk)
            # The vertex's attributes in slots, not a dict of its own (memory only: networkx hands it out as one).
            self.graph._node[gk] = PodAttrs(ip, node, host, phase, ready)
        if node:
            self._runs(("node", node), gk)
        if ip and not host and status.get("phase") not in ("Succeeded", "Failed"):
            self._ips[ip] = gk

    def _runs(self, host: tuple[str, str], pod: tuple[str, str]) -> None:
        """The ``runs`` edge node → pod, whose attributes are one dict shared by every such edge (memory only:
        never changed; networkx hands it out for each edge as it would the edge's own)."""
        g = self.graph
        g.add_edge(host, pod)
        g._succ[host][pod] = g._pred[pod][host] = _RUNS

    def _on_pod_update(self, old: dict, new: dict) -> None:
        self._on_pod(new)

    def _on_pod_delete(self, pod: dict) -> None:
        key = key_of(pod)
        if self.graph.has_node(("pod", key)):
            ip = self.graph.nodes[("pod", key)].get("ip")
            if ip and self._ips.get(ip) == ("pod", key):
                del self._ips[ip]
            self.graph.remove_node(("pod", key))

    def _on_service(self, svc: dict) -> None:
        spec = svc.get("spec") or {}
        self.graph.add_node(
            ("svc", key_of(svc)),
            kind="service",
            type=spec.get("type", "ClusterIP"),
            cluster_ip=spec.get("clusterIP", ""),
            ports=[(p.get("port"), p.get("nodePort"), p.get("protocol", "TCP")) for p in spec.get("ports") or []],
        )

    def _on_service_update(self, old: dict, new: dict) -> None:
        self._on_service(new)

    def _on_service_delete(self, svc: dict) -> None:
        if self.graph.has_node(("svc", key_of(svc))):
            self.graph.remove_node(("svc", key_of(svc)))

    def _slice_edges(self, sl: dict, add: bool) -> None:
        md = sl.get("metadata") or {}
        svc = (md.get("labels") or {}).get("kubernetes.io/service-name")
        if not svc:
            return
        sv = ("svc", f"{md.get('namespace', '')}/{svc}")
        for ep in sl.get("endpoints") or []:
            ref = ep.get("targetRef") or {}
            pod = ("pod", f"{ref.get('namespace', '')}/{ref.get('name', '')}")
            if not ref.get("name") or not self.graph.has_node(pod):
                continue
            if add and self.graph.has_node(sv):
                ready = (ep.get("conditions") or {}).get("ready")
                self.graph.add_edge(sv, pod, kind="endpoint", ready=ready is None or bool(ready))
            elif not add and self.graph.has_edge(sv, pod):
                self.graph.remove_edge(sv, pod)

    def _on_slice(self, sl: dict) -> None:
        self._slice_edges(sl, True)

    def _on_slice_update(self, old: dict, new: dict) -> None:
        self._slice_edges(old, False)
        self._slice_edges(new, True)

    def _on_slice_delete(self, sl: dict) -> None:
        self._slice_edges(sl, False)

    # ---------------------------------------------------------------- lookups

    def owner_of(self, ip: str) -> tuple[str, str] | None:
        """("pod", "ns/name") or ("node", name) for an IP on the network, else None."""
        return self._ips.get(ip)

    def pod(self, namespace: str, name: str) -> dict | None:
        return self.pods.get(f"{namespace}/{name}")

    def node_ip(self, node: str) -> str:
        obj = self.nodes.get(node)
        return internal_ip(obj) if obj else ""

    def node_of_pod_ip(self, ip: str) -> str:
        """The node whose pod CIDR holds ``ip`` ("" if none)."""
        addr = ipaddress.ip_address(ip)
        for name, obj in sorted(self.nodes.cache.items()):
            cidr = (obj.get("spec") or {}).get("podCIDR")
            if cidr and addr in ipaddress.ip_network(cidr, strict=False):
                return name
        return ""

    def in_pod_network(self, ip: str) -> bool:
        return _in(ip, self.cluster_cidr)

    def in_service_network(self, ip: str) -> bool:
        return _in(ip, self.service_cidr)

    def kubelet(self, node: str) -> Any:
        return self.components.get(f"kubelet/{node}")

    def node_up(self, node: str) -> bool:
        """Whether the machine is on and connected (packets to it are answered)."""
        kl = self.kubelet(node)
        return kl is not None and getattr(kl, "powered", True) and getattr(kl, "network_ok", True)

    def listener(self, ip: str, port: int, node: str) -> Listener:
        """What listens at ``ip:port`` on ``node`` (the container, or none)."""
        kl = self.kubelet(node)
        owner = self._ips.get(ip)
        pod = self.pods.get(owner[1]) if owner and owner[0] == "pod" else None
        if kl is None:
            return Listener(pod, node)
        now = self.kernel.now
        for c in kl.runtime.containers.values():
            if c.ip == ip and c.state == "running" and c.listening(port, now):
                if pod is None:
                    pod = self._pod_of_container(kl, c)
                return Listener(pod, node, c, kl)
        return Listener(pod, node)

    def _pod_of_container(self, kl: Any, c: Any) -> dict | None:
        w = kl.workers.get(c.pod_uid)
        if w is None:
            return None
        return self.pods.get(f"{w.namespace}/{w.name}") or getattr(w, "pod", None)


def _in(ip: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
