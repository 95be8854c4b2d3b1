"""The node IPAM controller (range allocator): gives each node a pod CIDR out of the cluster's.

Follows pkg/controller/nodeipam/ipam/range_allocator.go and cidrset/cidr_set.go (v1.37, with
``--allocate-node-cidrs``): the cluster CIDR (the spec's ``podCIDR``) is cut into ``/24`` blocks
(``--node-cidr-mask-size``); CIDRs already on nodes are marked used at start, then each node without
one gets the next free block, searching from just after the last one handed out (the CidrSet's
``nextCandidate``), and a deleted node's block is released.
"""

from __future__ import annotations

import ipaddress

from ktui.api.errors import ApiError
from ktui.components.base import Controller

__all__ = ["NodeIpamController", "CidrSet"]


class CidrSet:
    """Blocks of ``mask`` bits out of ``cluster_cidr``, allocated with a rotating cursor.

    Args:
        cluster_cidr: e.g. ``10.244.0.0/16``.
        mask: the node block size, e.g. 24.
    """

    def __init__(self, cluster_cidr: str, mask: int = 24) -> None:
        self.network = ipaddress.ip_network(cluster_cidr, strict=False)
        self.mask = mask
        self.max = 2 ** max(0, mask - self.network.prefixlen)
        self.used: set[int] = set()
        self.next_candidate = 0
        """Where the next search starts (one past the last allocation)."""

    def _block(self, index: int) -> str:
        size = 2 ** (self.network.max_prefixlen - self.mask)
        base = int(self.network.network_address) + index * size
        return f"{ipaddress.ip_address(base)}/{self.mask}"

    def _index(self, cidr: str) -> int | None:
        try:
            net = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            return None
        if net.version != self.network.version or not net.subnet_of(self.network) or net.prefixlen != self.mask:  # type: ignore[arg-type]
            return None
        size = 2 ** (self.network.max_prefixlen - self.mask)
        return (int(net.network_address) - int(self.network.network_address)) // size

    def allocate_next(self) -> str | None:
        """The next free block (``AllocateNext``), or None when the range is full."""
        if len(self.used) >= self.max:
            return None
        candidate = self.next_candidate
        for _ in range(self.max):
            if candidate not in self.used:
                break
            candidate = (candidate + 1) % self.max
        self.next_candidate = (candidate + 1) % self.max
        self.used.add(candidate)
        return self._block(candidate)

    def occupy(self, cidr: str) -> bool:
        """Mark ``cidr`` used; False when it is not a block of this range."""
        idx = self._index(cidr)
        if idx is None:
            return False
        self.used.add(idx)
        return True

    def release(self, cidr: str) -> None:
        idx = self._index(cidr)
        if idx is not None:
            self.used.discard(idx)


class NodeIpamController(Controller):
    """kube-controller-manager's ``node-ipam-controller`` with the RangeAllocator.

    Args:
        ctx: the component context; ``ctx.spec["podCIDR"]`` is the cluster CIDR and the flag
            ``node-cidr-mask-size`` (default 24) the block size.
        informers: the shared informer factory.
    """

    name = "node-ipam-controller"
    FLAGS = {"node-cidr-mask-size": 24}
    """kube-controller-manager flags this controller reads, with their defaults."""

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers, component="cidrAllocator")
        mask = int((ctx.flags or {}).get("node-cidr-mask-size", self.FLAGS["node-cidr-mask-size"]))
        self.cidrs = CidrSet((ctx.spec or {}).get("podCIDR") or "10.244.0.0/16", mask)
        """The allocator's state: which blocks are taken."""
        self.assigned: dict[str, str] = {}
        """The block this controller recorded for each node (to release it on deletion)."""
        self.spec_order = {n.get("name"): i for i, n in enumerate((ctx.spec or {}).get("nodes") or [])}
        """Each spec node's position: breaks ties between nodes created in the same second."""
        self.pending: dict[str, None] = {}
        """Nodes waiting for a CIDR; allocated together, in creation order."""
        self.nodes = self.informer("nodes")
        self.nodes.add_handler(self._on_add, self._on_update, self._on_delete)
        self._occupied = False

    def _creation_order(self, node: dict) -> tuple:
        md = node.get("metadata") or {}
        name = md.get("name", "")
        return (md.get("creationTimestamp") or "", self.spec_order.get(name, len(self.spec_order)), name)

    def _occupy_existing(self) -> None:
        """At start-up, mark the CIDRs of existing nodes as used (NewCIDRRangeAllocator)."""
        self._occupied = True
        for node in sorted(self.nodes.list(), key=self._creation_order):
            for cidr in (node.get("spec") or {}).get("podCIDRs") or []:
                if self.cidrs.occupy(cidr):
                    self.assigned[node["metadata"]["name"]] = cidr

    def _on_add(self, node: dict) -> None:
        self.pending[node["metadata"]["name"]] = None
        self.enqueue(node)

    def _on_update(self, old: dict, new: dict) -> None:
        if not (new.get("spec") or {}).get("podCIDRs"):
            self.pending[new["metadata"]["name"]] = None
            self.enqueue(new)

    def _on_delete(self, node: dict) -> None:
        name = node["metadata"]["name"]
        cidr = self.assigned.pop(name, None)
        for c in (node.get("spec") or {}).get("podCIDRs") or ([cidr] if cidr else []):
            self.cidrs.release(c)

    def reconcile(self, key: str) -> None:
        """Allocate for ``key`` and every other waiting node, oldest first."""
        if not self._occupied:
            self._occupy_existing()
        self.pending[key] = None
        waiting = [self.nodes.get(k) for k in self.pending]
        self.pending = {}
        for node in sorted((n for n in waiting if n is not None), key=self._creation_order):
            try:
                self._allocate(node["metadata"]["name"])
            except ApiError:
                self.queue.add_rate_limited(node["metadata"]["name"])

    def _allocate(self, key: str) -> None:
        node = self.nodes.get(key)
        if node is None:
            return
        spec = node.get("spec") or {}
        if spec.get("podCIDRs"):
            if key not in self.assigned and self.cidrs.occupy(spec["podCIDRs"][0]):
                self.assigned[key] = spec["podCIDRs"][0]
            return
        cidr = self.assigned.get(key) or self.cidrs.allocate_next()
        if cidr is None:
            self.recorder.event(_ref(node), "Normal", "CIDRNotAvailable", f"Node {key} status is now: CIDRNotAvailable")
            return
        self.assigned[key] = cidr
        try:
            self.client.patch("nodes", key, {"spec": {"podCIDR": cidr, "podCIDRs": [cidr]}}, patch_type="merge")
        except ApiError as e:
            if e.code == 404:
                self.cidrs.release(cidr)
                self.assigned.pop(key, None)
                return
            self.recorder.event(
                _ref(node), "Warning", "CIDRAssignmentFailed", f"Node {key} status is now: CIDRAssignmentFailed"
            )
            raise


def _ref(node: dict) -> dict:
    md = node.get("metadata") or {}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": md.get("name", ""), "uid": md.get("uid", "")}}
