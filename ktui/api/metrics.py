"""``metrics.k8s.io/v1beta1`` as a simulated metrics-server reports it: usage, NodeMetrics and PodMetrics.

The simulated cluster runs as if metrics-server were installed. Usage is derived, deterministically, from
what pods request: a running container uses 30% of its CPU request and 60% of its memory request, or a
small amount fixed by its name when it requests nothing; a node adds a fixed system overhead. Pods that
are not Running have no metrics, and nodes that are not Ready none either, as with a real metrics-server.
``kubectl top`` in process and the metrics API over HTTP both read these numbers.
"""

from __future__ import annotations

import zlib
from typing import Any

from ktui.api import errors
from ktui.api.auth.user import UserInfo, authenticated
from ktui.api.objects import condition_is_true
from ktui.api.quantity import Quantity
from ktui.api.registry import Registry, Resource
from ktui.sim.timefmt import rfc3339

__all__ = [
    "METRICS_RESOURCES",
    "metrics_available",
    "container_usage",
    "pod_usage",
    "node_usage",
    "percent",
    "node_metrics",
    "pod_metrics",
    "allocatable",
    "read_metrics",
    "with_metrics",
]

GROUP, VERSION = "metrics.k8s.io", "v1beta1"
API_VERSION = f"{GROUP}/{VERSION}"

METRICS_RESOURCES: tuple[Resource, ...] = (
    Resource("nodes", "", "NodeMetrics", GROUP, VERSION, False, verbs=("get", "list"), has_status=False),
    Resource("pods", "", "PodMetrics", GROUP, VERSION, True, verbs=("get", "list"), has_status=False),
)
"""The resources metrics-server's APIService adds to discovery (not stored: computed on each read)."""

SYSTEM_CPU_MILLI = {"control-plane": 150, "worker": 40}
SYSTEM_MEMORY_MI = {"control-plane": 900, "worker": 350}
WINDOW = "15s"
"""The window metrics-server reports (its default resolution)."""


def container_usage(pod_name: str, container: dict) -> tuple[int, int]:
    """(CPU in millicores, memory in MiB) one container uses."""
    req = (container.get("resources") or {}).get("requests") or {}
    seed = zlib.crc32(f"{pod_name}/{container.get('name')}".encode())
    cpu = max(1, int(Quantity.parse(req["cpu"]).milli_value() * 3 // 10)) if "cpu" in req else 1 + seed % 4
    mem = (
        max(1, int(Quantity.parse(req["memory"]).int_value() * 6 // 10) >> 20)
        if "memory" in req
        else 5 + (seed >> 8) % 20
    )
    return cpu, mem


def pod_usage(pod: dict) -> tuple[int, int] | None:
    """A pod's usage, or None when metrics-server has none (the pod is not Running)."""
    if (pod.get("status") or {}).get("phase") != "Running":
        return None
    total = [0, 0]
    for c in (pod.get("spec") or {}).get("containers") or []:
        cpu, mem = container_usage(pod["metadata"]["name"], c)
        total[0] += cpu
        total[1] += mem
    return total[0], total[1]


def node_usage(node: dict, pods: list[dict]) -> tuple[int, int] | None:
    """(CPU millicores, memory MiB) a node uses with ``pods`` on it; None when it is not Ready."""
    if not condition_is_true((node.get("status") or {}).get("conditions"), "Ready"):
        return None
    role = (
        "control-plane"
        if "node-role.kubernetes.io/control-plane" in (node["metadata"].get("labels") or {})
        else "worker"
    )
    cpu, mem = SYSTEM_CPU_MILLI[role], SYSTEM_MEMORY_MI[role]
    for p in pods:
        u = pod_usage(p)
        if u:
            cpu, mem = cpu + u[0], mem + u[1]
    return cpu, mem


def allocatable(node: dict) -> tuple[int, int]:
    """(CPU millicores, memory bytes) a node can give pods."""
    alloc = (node.get("status") or {}).get("allocatable") or {}
    return Quantity.parse(alloc.get("cpu", "0")).milli_value(), Quantity.parse(alloc.get("memory", "0")).int_value()


def percent(used_milli: int, available_milli: int) -> int:
    """kubectl top's ``CPU(%)``/``MEMORY(%)``: the float ratio times 100, truncated (0 of nothing)."""
    return int(float(used_milli) / float(available_milli) * 100) if available_milli else 0


def _usage(cpu_milli: int, mem_mi: int) -> dict[str, str]:
    return {"cpu": f"{cpu_milli * 1_000_000}n", "memory": f"{mem_mi * 1024}Ki"}


def _meta(obj: dict) -> dict:
    md = obj["metadata"]
    out = {"name": md["name"]}
    if md.get("namespace"):
        out["namespace"] = md["namespace"]
    out["creationTimestamp"] = md.get("creationTimestamp")
    if md.get("labels"):
        out["labels"] = dict(md["labels"])
    return out


def node_metrics(node: dict, pods: list[dict], now: float) -> dict | None:
    """The NodeMetrics of ``node`` (``pods``: those on it), or None when it has none."""
    usage = node_usage(node, pods)
    if usage is None:
        return None
    return {
        "kind": "NodeMetrics",
        "apiVersion": API_VERSION,
        "metadata": _meta(node),
        "timestamp": rfc3339(now),
        "window": WINDOW,
        "usage": _usage(*usage),
    }


def pod_metrics(pod: dict, now: float) -> dict | None:
    """The PodMetrics of ``pod``, or None when it has none (not Running)."""
    if pod_usage(pod) is None:
        return None
    containers = [
        {"name": c["name"], "usage": _usage(*container_usage(pod["metadata"]["name"], c))}
        for c in (pod.get("spec") or {}).get("containers") or []
    ]
    return {
        "kind": "PodMetrics",
        "apiVersion": API_VERSION,
        "metadata": _meta(pod),
        "timestamp": rfc3339(now),
        "window": WINDOW,
        "containers": containers,
    }


def metrics_available(client: Any) -> bool:
    """Whether ``metrics.k8s.io`` is served: some metrics-server pod in kube-system is Ready (the spec's
    ``addons: {metrics-server: true}``), as its APIService is available only then."""
    try:
        pods = client.list("pods", "kube-system", label_selector="k8s-app=metrics-server").get("items") or []
    except errors.ApiError:
        return False
    return any(
        condition_is_true((p.get("status") or {}).get("conditions"), "Ready")
        and not (p.get("metadata") or {}).get("deletionTimestamp")
        for p in pods
    )


class _Lister:
    """The server's own read of pods, shaped as :func:`metrics_available` asks (no user's rights involved)."""

    def __init__(self, server: Any, pods: Resource) -> None:
        self.server, self.pods = server, pods

    def list(self, plural: str, namespace: str, label_selector: str = "") -> dict:
        from ktui.api.reads import ListOptions

        return self.server.list(_READER, self.pods, namespace, ListOptions(label_selector))


def with_metrics(registry: Registry) -> Registry:
    """``registry`` and the metrics resources after it (discovery's view; names keep meaning the earlier ones)."""
    return Registry(tuple(registry) + METRICS_RESOURCES)


_READER = authenticated("system:serviceaccount:kube-system:metrics-server", ("system:masters",))
"""Who the simulated metrics-server reads nodes and pods as (its reads need no RBAC of the caller's)."""


def read_metrics(
    server: Any,
    user: UserInfo,
    plural: str,
    namespace: str | None,
    name: str = "",
    label_selector: str = "",
    field_selector: str = "",
) -> dict:
    """``GET /apis/metrics.k8s.io/v1beta1/...``: one NodeMetrics or PodMetrics (``name``) or their list, for
    ``user`` (authorized as ``get``/``list`` on ``nodes``/``pods`` in ``metrics.k8s.io``).

    Raises:
        ApiError: 403 when ``user`` may not read it; 404 for an object without metrics.
    """
    from ktui.api.reads import ListOptions

    r = next((m for m in METRICS_RESOURCES if m.plural == plural), None)
    if r is None:
        raise errors.not_found(plural, name, GROUP)
    pods = server.registry.resolve("pods")
    if not metrics_available(_Lister(server, pods)):  # no APIService: the path is not served
        raise errors.ApiError(
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": "the server could not find the requested resource",
                "reason": "NotFound",
                "details": {},
                "code": 404,
            }
        )
    ns = (namespace or "") if r.namespaced else ""
    server.authorize(user, "get" if name else "list", r, ns, name)
    core = server.registry.resolve(plural)
    now = server.now
    if plural == "nodes":
        try:
            nodes = (
                [server.get(_READER, core, None, name)]
                if name
                else server.list(_READER, core, None, ListOptions(label_selector, field_selector))["items"]
            )
        except errors.ApiError as e:
            if e.code == 404:
                raise errors.not_found("nodemetrics", name, GROUP) from None
            raise
        by_node: dict[str, list[dict]] = {}
        for p in server.list(_READER, server.registry.resolve("pods"), None)["items"]:
            by_node.setdefault((p.get("spec") or {}).get("nodeName") or "", []).append(p)
        items = [m for n in nodes if (m := node_metrics(n, by_node.get(n["metadata"]["name"], []), now))]
        if name and not items:
            raise errors.not_found("nodemetrics", name, GROUP)
    else:
        try:
            pods = (
                [server.get(_READER, core, ns, name)]
                if name
                else server.list(_READER, core, ns or None, ListOptions(label_selector, field_selector))["items"]
            )
        except errors.ApiError as e:
            if e.code == 404:
                raise errors.not_found("podmetrics", f"{ns}/{name}", GROUP) from None
            raise
        items = [m for p in pods if (m := pod_metrics(p, now))]
        if name and not items:
            raise errors.not_found("podmetrics", f"{ns}/{name}", GROUP)
    if name:
        return items[0]
    return {"kind": f"{r.kind}List", "apiVersion": API_VERSION, "metadata": {}, "items": items}
