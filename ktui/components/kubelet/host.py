"""``PodHost``: what a pod worker may use of its kubelet (the kubelet implements it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

if TYPE_CHECKING:
    from ktui.components.kubelet.backoff import Backoff
    from ktui.components.kubelet.images import ImageInfo, ImageRegistry
    from ktui.components.kubelet.node_local import NodeImages
    from ktui.components.kubelet.runtime import Container, ContainerRuntime
    from ktui.sim.kernel import Kernel

__all__ = ["PodHost"]


class PodHost(Protocol):
    """The node-side services a :class:`ktui.components.kubelet.pod_worker.PodWorker` runs on.

    A worker reads the clock, the runtime, the node's images and back-offs, and reports through the calls
    below; it never reaches further into the kubelet. ``worker`` arguments are the calling worker.
    """

    ctx: Any
    """The component context (its seeded ``rng`` names containers)."""
    kernel: "Kernel"
    client: Any
    """The kubelet's API client (ConfigMaps and Secrets for volumes and env)."""
    node: dict[str, Any]
    """The node's spec entry (capacity for the downward API)."""
    node_ip: str
    ids: dict[str, str]
    running: bool
    """Whether the kubelet process runs (a stopped kubelet starts nothing)."""
    registry: "ImageRegistry"
    node_images: "NodeImages"
    runtime: "ContainerRuntime"
    crash_backoff: "Backoff"
    image_backoff: "Backoff"

    @property
    def can_write(self) -> bool:
        """Whether the API server can be reached now."""
        ...

    def allocate_ip(self, uid: str) -> str: ...

    def release_ip(self, uid: str) -> None: ...

    def bridge_ip(self, worker: Any) -> str: ...

    def image_present(self, image: str) -> bool: ...

    def request_pull(self, image: str, done: Callable[[Any, float], None]) -> None: ...

    def new_container(self, worker: Any, spec_c: dict, cid: str, attempt: int, info: "ImageInfo") -> "Container": ...

    def pod_event(self, pod: dict, type_: str, reason: str, message: str, container: str = "") -> None: ...

    def write_pod_status(self, worker: Any, status: dict) -> bool: ...

    def pod_finished(self, worker: Any) -> None: ...
