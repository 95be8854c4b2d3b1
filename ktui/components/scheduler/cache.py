"""The scheduler cache: a NodeInfo per node and the assigned or assumed pods on it, as ``backend/cache`` keeps them.

Kept incrementally from the informers (through the scheduler's event handlers, :mod:`.eventhandlers`) and by
the binding cycle's assume, so a scheduling cycle never scans all pods. Besides the NodeInfos, the cache keeps
what the cycle reads without walking the nodes: the names of the nodes that exist in examination order, where
each pod is, how many nodes report each image (ImageLocality's spread), the room floor of the filter window
(:class:`~.window.RoomFloor`) and the :class:`~.topology.TopologyIndex` of PodTopologySpread and
InterPodAffinity. It knows nothing of the queue: the callers move the pods a change may help.

A mixin of :class:`~.scheduler.Scheduler`: its state is the scheduler's own attributes (``nodes``, ``_names``,
``room``, ...), read directly by the scheduling cycle's hot paths, and laid out as before the cache had a
module of its own (a saved world's scheduler loads unchanged).
"""

from __future__ import annotations

import bisect

from ktui.api.objects import key_of
from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo
from ktui.components.scheduler.topology import TopologyIndex
from ktui.components.scheduler.window import RoomFloor

__all__ = ["SchedulerCache"]


class SchedulerCache:
    """NodeInfo by node name, the node order, pod -> node, image spread, the room floor and the topology index."""

    def _init_cache(self) -> None:
        self.nodes: dict[str, NodeInfo] = {}
        """NodeInfo by node name (also for nodes not yet seen whose pods are)."""
        self._names: list[str] = []
        """Names of the nodes that exist, sorted: the order nodes are examined in."""
        self._node_list: list[NodeInfo] | None = None
        """The NodeInfo of each name in ``_names`` (rebuilt only when a node comes or goes)."""
        self._pod_node: dict[str, str] = {}
        """Assigned (or assumed) pod key -> node name."""
        self.image_nodes: dict[str, int] = {}
        """Image name -> how many nodes report it (ImageLocality's spread)."""
        self._image_sizes: dict[str, dict[int, int]] = {}
        """Image name -> size -> how many nodes report it at that size."""
        self.room = RoomFloor()
        """Which nodes every plain pod of a size fits, for the filter window (:mod:`.window`)."""
        self.topology = TopologyIndex(self.nodes, self._names)
        """Per-node counts for PodTopologySpread and InterPodAffinity, kept as pods come and go."""

    # ---------------------------------------------------------------- nodes

    def _node_info(self, name: str) -> NodeInfo:
        ni = self.nodes.get(name)
        if ni is None:
            ni = self.nodes[name] = NodeInfo(name)
        return ni

    def _nodes(self) -> list[NodeInfo]:
        """The NodeInfo of each node that exists, in examination order."""
        if self._node_list is None:
            self._node_list = [self.nodes[n] for n in self._names]
        return self._node_list

    def _count_images(self, ni: NodeInfo, sign: int) -> None:
        for name, size in ni.image_sizes.items():
            n = self.image_nodes.get(name, 0) + sign
            if n > 0:
                self.image_nodes[name] = n
            else:
                self.image_nodes.pop(name, None)
            sizes = self._image_sizes.setdefault(name, {})
            k = sizes.get(size, 0) + sign
            if k > 0:
                sizes[size] = k
            else:
                sizes.pop(size, None)
                if not sizes:
                    del self._image_sizes[name]

    def _uniform_image(self, name: str) -> bool:
        """Whether every node reports image ``name`` at one size (ImageLocality scores it alike everywhere)."""
        return self.image_nodes.get(name) == len(self._names) and len(self._image_sizes.get(name) or ()) == 1

    def _cache_node(self, node: dict) -> None:
        """A node added or updated (``AddNode`` / ``UpdateNode``)."""
        name = node["metadata"]["name"]
        ni = self._node_info(name)
        if ni.node is not None:
            self._count_images(ni, -1)
        else:
            bisect.insort(self._names, name)
            self._node_list = None
        ni.set_node(node)
        self._count_images(ni, 1)
        self.room.changed(ni)

    def _uncache_node(self, node: dict) -> None:
        """A node deleted (``RemoveNode``): its NodeInfo stays while pods are assigned to it."""
        name = node["metadata"]["name"]
        ni = self.nodes.get(name)
        if ni is None:
            return
        if ni.node is not None:
            self._count_images(ni, -1)
            i = bisect.bisect_left(self._names, name)
            if i < len(self._names) and self._names[i] == name:
                self._names.pop(i)
                self._node_list = None
        ni.node = None
        self.room.node_gone(name)
        if not ni.pods:
            del self.nodes[name]

    # ---------------------------------------------------------------- pods

    def _cache_pod(self, pod: dict, like: PodInfo | None = None) -> bool:
        """Add, update or assume ``pod`` on its ``spec.nodeName`` (moving it when it was elsewhere); ``like``:
        an earlier PodInfo of it. Returns whether the pod was on no node before."""
        key = key_of(pod)
        node = pod["spec"]["nodeName"]
        prev = self._pod_node.get(key)
        if prev is not None and prev != node:
            gone = self._node_info(prev).remove_pod(key)
            self.room.freed()
            if gone is not None:
                self.topology.pod_removed(prev, gone)
        self._pod_node[key] = node
        ni = self._node_info(node)
        old = ni.pods.get(key)
        pi = PodInfo(pod, like=old if old is not None else like, key=key)
        if (
            old is not None
            and pi.requests is old.requests  # the same spec (shared from ``old``)
            and pi.terminating == old.terminating
            and pi.labels == old.labels
        ):
            ni.replace_pod(pi)  # a status update: the node's totals and the topology counts stay
        else:
            if old is not None:
                self.topology.pod_removed(node, old)
            ni.add_pod(pi)
            self.room.changed(ni)
            self.topology.pod_added(node, pi)
        return prev is None

    def _uncache_pod(self, key: str) -> PodInfo | None:
        """Remove (or forget) pod ``key`` from its node; the PodInfo removed, None when it was on none."""
        node = self._pod_node.pop(key, None)
        if node is None:
            return None
        ni = self.nodes.get(node)
        removed = ni.remove_pod(key) if ni is not None else None
        self.room.freed()
        if removed is not None:
            self.topology.pod_removed(node, removed)
        if ni is not None and ni.node is None and not ni.pods:
            del self.nodes[node]
        return removed
