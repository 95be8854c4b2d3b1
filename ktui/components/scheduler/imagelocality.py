"""ImageLocality's score: the sizes of the pod's images already on a node, scaled by how widely they are spread."""

from __future__ import annotations

from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo
from ktui.components.scheduler.topology import MAX_NODE_SCORE

__all__ = ["image_locality", "image_locality_all", "normalized_image"]

_MB = 1024 * 1024
_MIN_IMAGE_THRESHOLD = 23 * _MB
_MAX_CONTAINER_IMAGE_THRESHOLD = 1000 * _MB


def normalized_image(name: str) -> str:
    if name.rfind(":") <= name.rfind("/"):
        return name + ":latest"
    return name


def image_locality(pod: PodInfo, node: NodeInfo, image_nodes: dict[str, int], total_nodes: int) -> int:
    """ImageLocality: sizes of the pod's images already on the node, scaled by how widely they are spread."""
    total = 0
    for image in pod.images:
        name = normalized_image(image)
        size = node.image_sizes.get(name)
        if size is not None and total_nodes:
            total += int(size * (image_nodes.get(name, 0) / total_nodes))
    max_threshold = _MAX_CONTAINER_IMAGE_THRESHOLD * max(1, len(pod.images))
    total = min(max(total, _MIN_IMAGE_THRESHOLD), max_threshold)
    return MAX_NODE_SCORE * (total - _MIN_IMAGE_THRESHOLD) // (max_threshold - _MIN_IMAGE_THRESHOLD)


def image_locality_all(pod: PodInfo, nodes: list[NodeInfo], image_nodes: dict[str, int], total_nodes: int) -> list[int]:
    """:func:`image_locality` for every node; nodes holding the same sizes of the pod's images (most of
    them) share one computation."""
    names = [normalized_image(i) for i in pod.images]
    cache: dict[tuple, int] = {}
    out = []
    for n in nodes:
        sizes = n.image_sizes
        key = tuple(sizes.get(name) for name in names)
        score = cache.get(key)
        if score is None:
            score = cache[key] = image_locality(pod, n, image_nodes, total_nodes)
        out.append(score)
    return out
