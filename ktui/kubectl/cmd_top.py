"""``kubectl top node|pod``: resource usage as a simulated metrics-server reports it.

As on a real cluster, ``top`` answers only while metrics-server runs: a Ready pod labelled
``k8s-app=metrics-server`` in kube-system (the spec's ``addons: {metrics-server: true}`` installs it);
otherwise it fails with kubectl's ``error: Metrics API not available``. Usage is derived, deterministically, from
what pods request: a running container uses 30% of its CPU request and 60% of its memory request, or a
small amount fixed by its name when it requests nothing; a node adds a fixed system overhead. Pods that
are not Running have no metrics, as with a real metrics-server.
"""

from __future__ import annotations

import zlib

from ktui.api.errors import ApiError
from ktui.api.objects import condition_is_true
from ktui.api.quantity import Quantity
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command

__all__ = ["container_usage", "pod_usage", "node_usage", "metrics_available"]

SYSTEM_CPU_MILLI = {"control-plane": 150, "worker": 40}
SYSTEM_MEMORY_MI = {"control-plane": 900, "worker": 350}


def container_usage(pod_name: str, container: dict) -> tuple[int, int]:
    """(CPU in millicores, memory in MiB) one container uses."""
    req = (container.get("resources") or {}).get("requests") or {}
    seed = zlib.crc32(f"{pod_name}/{container.get('name')}".encode())
    cpu = max(1, int(Quantity.parse(req["cpu"]).milli_value() * 3 // 10)) if "cpu" in req else 1 + seed % 4
    mem = max(1, int(Quantity.parse(req["memory"]).int_value() * 6 // 10) >> 20) if "memory" in req \
        else 5 + (seed >> 8) % 20
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


def node_usage(node: dict, pods: list[dict]) -> tuple[int, int]:
    role = "control-plane" if "node-role.kubernetes.io/control-plane" in (node["metadata"].get("labels") or {}) \
        else "worker"
    cpu, mem = SYSTEM_CPU_MILLI[role], SYSTEM_MEMORY_MI[role]
    for p in pods:
        u = pod_usage(p)
        if u:
            cpu, mem = cpu + u[0], mem + u[1]
    return cpu, mem


def metrics_available(client) -> bool:
    """Whether metrics.k8s.io is served: some metrics-server pod in kube-system is Ready."""
    try:
        pods = client.list("pods", "kube-system", label_selector="k8s-app=metrics-server").get("items") or []
    except ApiError:
        return False
    return any(condition_is_true((p.get("status") or {}).get("conditions"), "Ready") and
               not (p.get("metadata") or {}).get("deletionTimestamp") for p in pods)


def _require_metrics(inv: Invocation) -> None:
    if not metrics_available(inv.env.client):
        raise KubectlError("Metrics API not available")


def _table(rows: list[list[str]]) -> str:
    """top's tabwriter: every cell tab-terminated, so the last column is padded too."""
    widths = [max(6, max(len(r[i]) for r in rows) + 3) for i in range(len(rows[0]))]
    return "".join("".join(c.ljust(widths[i]) for i, c in enumerate(r)) + "\n" for r in rows)


@command("top node")
def top_node(inv: Invocation) -> None:
    """``kubectl top node [NAME | -l label]``."""
    _require_metrics(inv)
    if inv.args:
        nodes = [inv.client.get("nodes", n) for n in inv.args]
    else:
        nodes = inv.client.list("nodes", label_selector=inv.opts.get("selector") or "").get("items") or []
    rows = [] if inv.opts.get("no-headers") else [["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]]
    missing = []
    for n in nodes:
        if not condition_is_true((n.get("status") or {}).get("conditions"), "Ready"):
            missing.append(n["metadata"]["name"])
            continue
        pods = inv.client.list("pods", None, field_selector=f"spec.nodeName={n['metadata']['name']}").get("items")
        cpu, mem = node_usage(n, pods or [])
        alloc = (n.get("status") or {}).get("allocatable") or {}
        cpu_total = Quantity.parse(alloc.get("cpu", "1")).milli_value() or 1
        mem_total = (Quantity.parse(alloc.get("memory", "1Gi")).int_value() >> 20) or 1
        rows.append([n["metadata"]["name"], f"{cpu}m", f"{cpu * 100 // cpu_total}%", f"{mem}Mi",
                     f"{mem * 100 // mem_total}%"])
    for name in missing:
        rows.append([name, "<unknown>", "<unknown>", "<unknown>", "<unknown>"])
    if len(rows) > (0 if inv.opts.get("no-headers") else 1):
        inv.write(_table(rows))
    elif not missing:
        raise KubectlError("metrics not available yet")


@command("top pod")
def top_pod(inv: Invocation) -> None:
    """``kubectl top pod [NAME | -l label]``."""
    _require_metrics(inv)
    all_ns = bool(inv.opts.get("all-namespaces"))
    ns = None if all_ns else inv.namespace
    if inv.args:
        pods = [inv.client.get("pods", n, inv.namespace) for n in inv.args]
    else:
        pods = inv.client.list("pods", ns, label_selector=inv.opts.get("selector") or "",
                               field_selector=inv.opts.get("field-selector") or "").get("items") or []
    head = (["NAMESPACE"] if all_ns else []) + ["NAME"] + (["NAME"] if inv.opts.get("containers") else []) + \
        ["CPU(cores)", "MEMORY(bytes)"]
    if inv.opts.get("containers"):
        head[-4 if not all_ns else -4] = "POD"
    rows = []
    for p in pods:
        usage = pod_usage(p)
        if usage is None:
            if inv.args:
                raise KubectlError(f'Metrics not available for pod {p["metadata"]["namespace"]}/{p["metadata"]["name"]}'
                                   ", age: 0s")
            continue
        prefix = [p["metadata"]["namespace"]] if all_ns else []
        if inv.opts.get("containers"):
            for c in p["spec"].get("containers") or []:
                cpu, mem = container_usage(p["metadata"]["name"], c)
                rows.append(prefix + [p["metadata"]["name"], c["name"], f"{cpu}m", f"{mem}Mi"])
        else:
            rows.append(prefix + [p["metadata"]["name"], f"{usage[0]}m", f"{usage[1]}Mi"])
    if not rows:
        if all_ns:
            raise KubectlError("Metrics not available for pods")
        inv.warn(f"No resources found in {inv.namespace} namespace.")
        return
    inv.write(_table(([] if inv.opts.get("no-headers") else [head]) + rows))
