"""``/apis/metrics.k8s.io/v1beta1/...`` over HTTP: NodeMetrics and PodMetrics gets and lists, as metrics-server
serves them (``kubectl top``), from :func:`ktui.api.metrics.read_metrics` through the caller's client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api import errors
from ktui.server.responses import not_found

if TYPE_CHECKING:
    from ktui.cluster import ClusterClient

__all__ = ["serve_metrics"]

_PREFIX = "/apis/metrics.k8s.io/v1beta1/"


def serve_metrics(client: "ClusterClient", method: str, path: str, query: dict[str, str]) -> Any:
    """The answer to a request under ``/apis/metrics.k8s.io/v1beta1/``.

    Raises:
        ApiError: 404 for a path that names no metrics, 405 for a verb other than get and list, and the
            read's own errors (403, 404).
    """
    rest = [p for p in path[len(_PREFIX) :].split("/") if p]
    namespace: str | None = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 2 or rest[0] not in ("nodes", "pods") or (namespace and rest[0] == "nodes"):
        raise not_found()
    plural, name = rest[0], rest[1] if len(rest) > 1 else ""
    if method not in ("GET", "HEAD"):
        action = (
            "create"
            if method == "POST"
            else "update"
            if method == "PUT"
            else "patch"
            if method == "PATCH"
            else "delete"
        )
        raise errors.method_not_supported(plural, action, "metrics.k8s.io")
    if query.get("watch") in ("true", "1"):
        raise errors.method_not_supported(plural, "watch", "metrics.k8s.io")
    return client.metrics(
        plural,
        namespace,
        name,
        label_selector=query.get("labelSelector", ""),
        field_selector=query.get("fieldSelector", ""),
    )
