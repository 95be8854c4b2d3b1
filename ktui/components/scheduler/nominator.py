"""The nominator: pending pods nominated to a node by preemption, as ``pkg/scheduler/backend/queue`` keeps them.

Filters of other pods on that node count the nominated pods of equal or higher priority as if they ran
there (``RunFilterPluginsWithNominatedPods``), so the room preemption made is not taken by another pod.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ktui.components.scheduler.podinfo import PodInfo

__all__ = ["Nominator"]


class Nominator:
    """Pending pods by the node they are nominated to, and the node of each nominated pod."""

    def __init__(self) -> None:
        self.by_node: dict[str, dict[str, PodInfo]] = {}
        """Node name -> the pending pods nominated to it (by key)."""
        self.node_of: dict[str, str] = {}
        """Pending pod key -> the node it is nominated to."""

    def set(self, key: str, info: PodInfo | None, node: str) -> None:
        """Record that pending pod ``key`` is nominated to ``node`` ("" or no ``info``: not nominated)."""
        prev = self.node_of.pop(key, None)
        if prev is not None:
            on_node = self.by_node.get(prev)
            if on_node is not None:
                on_node.pop(key, None)
                if not on_node:
                    del self.by_node[prev]
        if node and info is not None:
            self.node_of[key] = node
            self.by_node.setdefault(node, {})[key] = info

    def on(self, node: str) -> list[PodInfo]:
        """The pods nominated to ``node``, by key."""
        on_node = self.by_node.get(node)
        return [on_node[k] for k in sorted(on_node)] if on_node else []

    def nodes(self) -> list[str]:
        """The nodes some pod is nominated to, sorted."""
        return sorted(self.by_node)
