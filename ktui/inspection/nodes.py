"""What a node's kubelet knows, as immutable data: whether it runs, is powered and reachable, and its containers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["NodeHealth", "ContainerInfo", "node_health", "pod_containers"]


@dataclass(frozen=True)
class NodeHealth:
    """The node's machine and kubelet as the faults left them."""

    node: str
    kubelet_running: bool
    powered: bool
    network_ok: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "kubeletRunning": self.kubelet_running,
            "powered": self.powered,
            "networkOK": self.network_ok,
        }


@dataclass(frozen=True)
class ContainerInfo:
    """One container as the node's container runtime keeps it (what ``crictl ps -a`` lists)."""

    id: str
    name: str
    attempt: int
    image: str
    state: str
    """``created``, ``running`` or ``exited``."""
    created_at: float
    started_at: float
    finished_at: float
    exit_code: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "attempt": self.attempt,
            "image": self.image,
            "state": self.state,
            "createdAt": self.created_at,
            "startedAt": self.started_at,
            "finishedAt": self.finished_at,
            "exitCode": self.exit_code,
            "reason": self.reason,
        }


def node_health(kubelet: Any, node: str) -> NodeHealth | None:
    """The health of ``node`` from its kubelet component (None when it has none, or not these flags)."""
    flags = [getattr(kubelet, a, None) for a in ("running", "powered", "network_ok")]
    if kubelet is None or any(f is None for f in flags):
        return None
    return NodeHealth(node, bool(flags[0]), bool(flags[1]), bool(flags[2]))


def pod_containers(kubelet: Any, pod_uid: str) -> tuple[ContainerInfo, ...]:
    """The runtime's containers of the pod with ``pod_uid`` (exited ones included), by name then attempt."""
    runtime = getattr(kubelet, "runtime", None)
    found = [c for c in getattr(runtime, "containers", {}).values() if c.pod_uid == pod_uid]
    return tuple(
        ContainerInfo(
            c.id, c.name, c.attempt, c.image, c.state, c.created_at, c.started_at, c.finished_at, c.exit_code, c.reason
        )
        for c in sorted(found, key=lambda c: (c.name, c.attempt, c.id))
    )
