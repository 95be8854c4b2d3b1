"""``kubectl describe`` for deployments, replica sets (and replication controllers) and daemon sets."""

from __future__ import annotations

from ktui.api.labels import format_label_selector, label_selector_from_dict
from ktui.kubectl.cells import format_labels
from ktui.kubectl.describe.base import (
    Writer,
    annotations_multiline,
    labels_multiline,
    name_and_namespace,
    rfc1123z,
)
from ktui.kubectl.describe.pods import controller_of, pod_template

__all__ = [
    "describe_deployment",
    "describe_replicaset",
    "describe_daemonset",
    "rs_summary",
    "owned_by",
    "selector_matches",
]


def rs_summary(rss: list[dict]) -> str:
    """``printReplicaSetsByLabels``: ``web-5d4f8 (3/3 replicas created)``, ``<none>``."""
    text = ", ".join(
        f"{r['metadata']['name']} ({(r.get('status') or {}).get('replicas', 0)}/"
        f"{(r.get('spec') or {}).get('replicas', 0)} replicas created)"
        for r in rss
    )
    return text or "<none>"


def _conditions(w: Writer, conds: list[dict] | None) -> None:
    if conds:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in conds:
            w.write(1, f"{c.get('type')} \t{c.get('status')}\t{c.get('reason', '')}\n")


def describe_deployment(w: Writer, d: dict, old: list[dict], new: dict | None) -> None:
    md, spec, st = d.get("metadata") or {}, d.get("spec") or {}, d.get("status") or {}
    name_and_namespace(w, d)
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    w.write(
        0,
        f"Replicas:\t{spec.get('replicas', 1)} desired | {st.get('updatedReplicas', 0)} updated | "
        f"{st.get('replicas', 0)} total | {st.get('availableReplicas', 0)} available | "
        f"{st.get('unavailableReplicas', 0)} unavailable\n",
    )
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    ru = strategy.get("rollingUpdate")
    if ru is not None:
        w.write(
            0,
            f"RollingUpdateStrategy:\t{ru.get('maxUnavailable', '25%')} max unavailable, "
            f"{ru.get('maxSurge', '25%')} max surge\n",
        )
    pod_template(w, spec.get("template"))
    _conditions(w, st.get("conditions"))
    w.write(0, f"OldReplicaSets:\t{rs_summary(old)}\n")
    w.write(0, f"NewReplicaSet:\t{rs_summary([new] if new else [])}\n")


def describe_replicaset(w: Writer, rs: dict, pods: list[dict]) -> None:
    md, spec, st = rs.get("metadata") or {}, rs.get("spec") or {}, rs.get("status") or {}
    name_and_namespace(w, rs)
    rc = rs.get("kind") == "ReplicationController"
    sel = format_labels(spec.get("selector")) if rc else format_label_selector(spec.get("selector"))
    w.write(0, f"Selector:\t{sel}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    if controller_of(rs):
        w.write(0, f"Controlled By:\t{controller_of(rs)}\n")
    w.write(0, f"Replicas:\t{st.get('replicas', 0)} current / {spec.get('replicas', 1)} desired\n")
    phases = [(p.get("status") or {}).get("phase") for p in pods]
    w.write(
        0,
        f"Pods Status:\t{phases.count('Running')} Running / {phases.count('Pending')} Waiting / "
        f"{phases.count('Succeeded')} Succeeded / {phases.count('Failed')} Failed\n",
    )
    pod_template(w, spec.get("template"))
    _conditions(w, st.get("conditions"))


def describe_daemonset(w: Writer, ds: dict, pods: list[dict]) -> None:
    """``describeDaemonSet``: selectors, the scheduling counts, pod phases and the pod template."""
    md, spec, st = ds.get("metadata") or {}, ds.get("spec") or {}, ds.get("status") or {}
    name_and_namespace(w, ds)
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    node_selector = (((spec.get("template") or {}).get("spec") or {}).get("nodeSelector")) or {}
    w.write(0, f"Node-Selector:\t{format_labels(node_selector)}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Desired Number of Nodes Scheduled: {st.get('desiredNumberScheduled', 0)}\n")
    w.write(0, f"Current Number of Nodes Scheduled: {st.get('currentNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Up-to-date Pods: {st.get('updatedNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Available Pods: {st.get('numberAvailable', 0)}\n")
    w.write(0, f"Number of Nodes Misscheduled: {st.get('numberMisscheduled', 0)}\n")
    phases = [(p.get("status") or {}).get("phase") for p in pods]
    w.write(
        0,
        f"Pods Status:\t{phases.count('Running')} Running / {phases.count('Pending')} Waiting / "
        f"{phases.count('Succeeded')} Succeeded / {phases.count('Failed')} Failed\n",
    )
    pod_template(w, spec.get("template"))


def owned_by(obj: dict, owner_uid: str) -> bool:
    return any(
        r.get("controller") and r.get("uid") == owner_uid
        for r in (obj.get("metadata") or {}).get("ownerReferences") or []
    )


def selector_matches(selector: dict | None, labels: dict | None) -> bool:
    try:
        return label_selector_from_dict(selector).matches(labels or {})
    except ValueError:
        return False
