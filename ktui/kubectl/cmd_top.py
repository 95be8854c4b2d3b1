"""``kubectl top node|pod``: resource usage as the simulated metrics-server reports it (see
:mod:`ktui.api.metrics`, which also serves ``metrics.k8s.io`` over HTTP).

As on a real cluster, ``top`` answers only while metrics-server runs: a Ready pod labelled
``k8s-app=metrics-server`` in kube-system (the spec's ``addons: {metrics-server: true}`` installs it);
otherwise it fails with kubectl's ``error: Metrics API not available``.
"""

from __future__ import annotations

from ktui.api.metrics import allocatable, container_usage, metrics_available, node_usage, percent, pod_usage
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.gosort import go_sort
from ktui.kubectl.main import Invocation, command

__all__ = ["container_usage", "pod_usage", "node_usage"]


def _require_metrics(inv: Invocation) -> None:
    """kubectl's first step: is ``metrics.k8s.io`` in discovery (is metrics-server running)?"""
    if not metrics_available(inv.env.client):
        raise KubectlError("Metrics API not available")


def _table(rows: list[list[str]]) -> str:
    """top's tabwriter: every cell tab-terminated, so the last column is padded too."""
    widths = [max(6, max(len(r[i]) for r in rows) + 3) for i in range(len(rows[0]))]
    return "".join("".join(c.ljust(widths[i]) for i, c in enumerate(r)) + "\n" for r in rows)


def _sort_by(inv: Invocation) -> int:
    """``--sort-by``: -1 for none, else the usage column (0 cpu, 1 memory) sorted by, largest first."""
    by = inv.opts.get("sort-by") or ""
    if by and by not in ("cpu", "memory"):
        raise KubectlError("--sort-by accepts only cpu or memory")
    return ("cpu", "memory").index(by) if by else -1


def _sorted(items: list, key: int, usage) -> list:
    """``NodeMetricsSorter``/``PodMetricsSorter``/``ContainerMetricsSorter``: Go's (unstable) ``sort.Sort``
    by descending usage, so equal usages keep the order kubectl's sort leaves them in."""
    if key < 0:
        return items
    return go_sort(list(items), lambda a, b: usage(a)[key] > usage(b)[key])


@command("top node")
def top_node(inv: Invocation) -> None:
    """``kubectl top node [NAME | -l label]``."""
    by = _sort_by(inv)
    _require_metrics(inv)
    if inv.args:
        for n in inv.args:
            inv.client.metrics("nodes", None, n)  # kubectl asks the metrics API first: its 404 is the error
        nodes = [inv.client.get("nodes", n) for n in inv.args]
    else:
        inv.client.metrics("nodes", None, label_selector=inv.opts.get("selector") or "")  # its 403 first
        nodes = inv.client.list("nodes", label_selector=inv.opts.get("selector") or "").get("items") or []
    rows = [] if inv.opts.get("no-headers") else [["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]]
    missing, measured = [], []
    for n in nodes:
        pods = inv.client.list("pods", None, field_selector=f"spec.nodeName={n['metadata']['name']}").get("items")
        usage = node_usage(n, pods or [])
        if usage is None:
            missing.append(n["metadata"]["name"])
            continue
        measured.append((n, usage))
    for n, usage in _sorted(measured, by, lambda m: m[1]):
        cpu, mem = usage
        cpu_total, mem_total = allocatable(n)
        rows.append(
            [
                n["metadata"]["name"],
                f"{cpu}m",
                f"{percent(cpu, cpu_total)}%",
                f"{mem}Mi",
                f"{percent(mem << 20, mem_total)}%",
            ]
        )
    for name in missing:
        rows.append([name, "<unknown>", "<unknown>", "<unknown>", "<unknown>"])
    if len(rows) > (0 if inv.opts.get("no-headers") else 1):
        inv.write(_table(rows))
    elif not missing:
        raise KubectlError("metrics not available yet")


@command("top pod")
def top_pod(inv: Invocation) -> None:
    """``kubectl top pod [NAME | -l label]``."""
    by = _sort_by(inv)
    _require_metrics(inv)
    all_ns = bool(inv.opts.get("all-namespaces"))
    ns = None if all_ns else inv.namespace
    if inv.args:
        for n in inv.args:
            inv.client.metrics("pods", inv.namespace, n)  # kubectl asks the metrics API first: its 404 is the error
        pods = [inv.client.get("pods", n, inv.namespace) for n in inv.args]
    else:
        inv.client.metrics(
            "pods",
            ns,
            label_selector=inv.opts.get("selector") or "",
            field_selector=inv.opts.get("field-selector") or "",
        )  # its 403 first, as kubectl
        pods = (
            inv.client.list(
                "pods",
                ns,
                label_selector=inv.opts.get("selector") or "",
                field_selector=inv.opts.get("field-selector") or "",
            ).get("items")
            or []
        )
    head = (
        (["NAMESPACE"] if all_ns else [])
        + ["NAME"]
        + (["NAME"] if inv.opts.get("containers") else [])
        + ["CPU(cores)", "MEMORY(bytes)"]
    )
    if inv.opts.get("containers"):
        head[-4 if not all_ns else -4] = "POD"
    rows, measured = [], []
    for p in pods:
        usage = pod_usage(p)
        if usage is None:
            if inv.args:
                raise KubectlError(
                    f"Metrics not available for pod {p['metadata']['namespace']}/{p['metadata']['name']}, age: 0s"
                )
            continue
        measured.append((p, usage))
    for p, usage in _sorted(measured, by, lambda m: m[1]):
        prefix = [p["metadata"]["namespace"]] if all_ns else []
        if inv.opts.get("containers"):
            containers = p["spec"].get("containers") or []
            name = p["metadata"]["name"]
            for c in _sorted(containers, by, lambda c, name=name: container_usage(name, c)):
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
