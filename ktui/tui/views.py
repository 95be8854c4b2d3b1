"""The text of the detail views: describe, YAML, logs, events, why, routing and trace.

Pure functions of the cluster's public API (no Textual): each returns the text a view shows, using kubectl's
own printers where they exist so the UI reads exactly as ``kubectl`` would.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from ktui.api.errors import ApiError
from ktui.tui import kube
from ktui.tui.feed import event_time

if TYPE_CHECKING:
    from ktui.cluster import Cluster

__all__ = ["describe_text", "yaml_text", "logs_text", "events_text", "why_text", "kubectl_text"]


def _md(obj: dict) -> dict:
    return obj.get("metadata") or {}


def kubectl_text(cluster: "Cluster", argv: str) -> tuple[str, int]:
    """Run one kubectl command line; returns stdout then stderr, and the exit code."""
    from ktui.kubectl import KubectlEnv, run_kubectl

    res = run_kubectl(KubectlEnv.for_cluster(cluster), argv)
    return res.stdout + res.stderr, res.exit_code


def describe_text(cluster: "Cluster", plural: str, obj: dict) -> str:
    """``kubectl describe`` of one object."""
    try:
        from ktui.kubectl.describe import describe  # type: ignore[import-not-found]
    except ImportError:
        describe = None  # type: ignore[assignment]
    if describe is not None:
        try:
            return describe(cluster.api, plural, obj, cluster.now)
        except Exception as exc:  # noqa: BLE001 - show the failure, keep the UI alive
            return f"describe failed: {exc}\n\n" + yaml_text(obj)
    md = _md(obj)
    ns = f" -n {shlex.quote(md['namespace'])}" if md.get("namespace") else ""
    text, code = kubectl_text(cluster, f"describe {plural} {shlex.quote(md.get('name', ''))}{ns}")
    if code == 0:
        return text
    return yaml_text(obj)


def yaml_text(obj: dict) -> str:
    """``kubectl get -o yaml`` of one object."""
    from ktui.kubectl.printers import to_yaml

    return to_yaml(obj)


def logs_text(cluster: "Cluster", pod: dict, container: str | None = None, *, previous: bool = False) -> str:
    """``kubectl logs`` of a pod (its first container unless one is named; ``--previous`` with ``previous``)."""
    md = _md(pod)
    containers = [c["name"] for c in (pod.get("spec") or {}).get("containers") or []]
    container = container or (containers[0] if containers else None)
    try:
        if previous:
            return cluster.api.log(md.get("name", ""), md.get("namespace"), container=container, previous=True)
        return cluster.api.log(md.get("name", ""), md.get("namespace"), container=container)
    except ApiError as exc:
        return (
            f"Error from server (BadRequest): {exc.status.get('message', exc)}\n"
            if hasattr(exc, "status")
            else f"Error from server: {exc}\n"
        )


def events_text(cluster: "Cluster", events: list[dict], obj: dict) -> str:
    """``kubectl events --for``: the Events about one object, oldest first, as ``kubectl get events`` prints."""
    md = _md(obj)
    uid, name, kind = md.get("uid"), md.get("name"), obj.get("kind")
    mine = [
        e
        for e in events
        if (e.get("involvedObject") or {}).get("uid") == uid
        or ((e.get("involvedObject") or {}).get("name") == name and (e.get("involvedObject") or {}).get("kind") == kind)
    ]
    mine.sort(key=event_time)
    if not mine:
        ns = md.get("namespace")
        return f"No events found in {ns} namespace.\n" if ns else "No resources found\n"
    headers = kube.columns_for("events")
    rows = [kube.row_for("events", e, cluster.now) for e in mine]
    return _render(headers, rows)


def _render(headers: list[str], rows: list[list[str]]) -> str:
    try:
        from ktui.kubectl.tables import render_table

        return render_table(headers, rows)
    except ImportError:  # pragma: no cover
        widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
        return "".join("   ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() + "\n" for r in [headers, *rows])


# ---------------------------------------------------------------------------- why


def why_text(cluster: "Cluster", plural: str, obj: dict) -> str:
    """Why a pod is where it is (or still pending): the scheduler's verdict for each node; for a node, why
    it is (not) Ready and schedulable."""
    if plural == "nodes":
        return _why_node(cluster, obj)
    if plural != "pods":
        return f"'why' explains pods and nodes; this is a {obj.get('kind', plural)}.\n"
    md, spec = _md(obj), obj.get("spec") or {}
    ns, name = md.get("namespace", "default"), md.get("name", "")
    info: dict[str, Any] = cluster.inspect.explain_pod(ns, name).to_json()
    lines = [f"Pod {ns}/{name}"]
    node = spec.get("nodeName")
    if info.get("outcome") in ("not-attempted", "no-scheduler"):
        if node:
            lines.append(f"  on {node}: spec.nodeName was set when it was created (a static or pre-bound pod);")
            lines.append("  the scheduler never considered it.")
        elif info.get("outcome") == "no-scheduler":
            lines.append("  No kube-scheduler runs in this cluster: nothing will bind this pod.")
        else:
            where = info.get("queue")
            lines.append("  The scheduler has not tried it yet" + (f" (in its {where} queue)." if where else "."))
        return "\n".join(lines) + "\n"
    outcome = info.get("outcome")
    lines.append(
        f"  Last scheduling attempt #{info.get('attempt')} at {info.get('timestamp')}: {outcome}"
        + (f" -> {info['node']}" if info.get("node") else "")
    )
    if info.get("message"):
        lines.append(f"  {info['message']}")
    if outcome != "scheduled" and info.get("queue"):
        lines.append(f"  Waiting in the scheduler's {info['queue']} queue for a cluster change to retry.")
    lines.append(
        f"  Nodes: {info.get('numAllNodes', 0)} in the cluster, {info.get('evaluatedNodes', 0)} evaluated, "
        f"{info.get('feasibleNodes', 0)} feasible"
    )
    if info.get("note"):
        lines.append(f"  ({info['note']})")
    lines.append("")
    plugins: list[str] = []
    for row in info.get("nodes") or []:
        for p in row.get("scores") or {}:
            if p not in plugins:
                plugins.append(p)
    headers = ["NODE", "FILTER", *[_short(p) for p in plugins], "TOTAL", "REASON"]
    rows = []
    for row in info.get("nodes") or []:
        scores = row.get("scores") or {}
        chosen = " <- chosen" if row["name"] == info.get("node") else ""
        rows.append(
            [
                row["name"],
                row["filter"],
                *[str(scores.get(p, "")) if scores else "" for p in plugins],
                str(row.get("total", "")),
                (f"{row.get('plugin')}: {row.get('reason')}" if row["filter"] == "failed" else "") + chosen,
            ]
        )
    lines.append(_render(headers, rows).rstrip("\n"))
    if plugins:
        lines.append("")
        lines.append(
            "Each column is a plugin's normalized score (0-100); TOTAL is their sum weighted by each "
            "plugin's weight in the scheduler profile."
        )
        lines.append("Plugins: " + ", ".join(f"{_short(p)}={p}" for p in plugins if _short(p) != p))
    return "\n".join(lines) + "\n"


_SHORT = {
    "TaintToleration": "TAINT",
    "NodeResourcesFit": "FIT",
    "NodeResourcesBalancedAllocation": "BALANCED",
    "ImageLocality": "IMAGE",
    "NodeAffinity": "AFFINITY",
    "PodTopologySpread": "SPREAD",
    "InterPodAffinity": "INTERPOD",
}


def _short(plugin: str) -> str:
    return _SHORT.get(plugin, plugin)


def _why_node(cluster: "Cluster", node: dict) -> str:
    md, spec, st = _md(node), node.get("spec") or {}, node.get("status") or {}
    lines = [f"Node {md.get('name')}"]
    for c in st.get("conditions") or []:
        lines.append(
            f"  {c.get('type')}={c.get('status')}  {c.get('reason', '')}: {c.get('message', '')}"
            f"  (since {c.get('lastTransitionTime', '')}, heartbeat {c.get('lastHeartbeatTime', '')})"
        )
    if spec.get("unschedulable"):
        lines.append("  Cordoned: spec.unschedulable=true, the scheduler places no new pods here.")
    taints = spec.get("taints") or []
    if taints:
        lines.append(
            "  Taints (pods without a matching toleration are kept off"
            + (" or evicted):" if any(t.get("effect") == "NoExecute" for t in taints) else "):")
        )
        for t in taints:
            kv = t["key"] + (f"={t['value']}" if t.get("value") else "")
            lines.append(f"    {kv}:{t.get('effect')}" + (f"  (added {t['timeAdded']})" if t.get("timeAdded") else ""))
    ready = next((c for c in st.get("conditions") or [] if c.get("type") == "Ready"), None)
    if ready is not None and ready.get("status") == "Unknown":
        lines.append("")
        lines.append("  The node controller has not heard from this node's kubelet within")
        lines.append("  --node-monitor-grace-period, so it marked the node Unknown and tainted it unreachable;")
        lines.append("  its pods are evicted when their tolerationSeconds (300s by default) run out.")
    return "\n".join(lines) + "\n"
