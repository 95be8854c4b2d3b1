"""``kubectl describe statefulset``: replicas, update strategy, PVC retention, pod template and claim templates."""

from __future__ import annotations

from ktui.api.labels import format_label_selector
from ktui.kubectl.describe.base import Writer, annotations_multiline, labels_multiline, name_and_namespace, rfc1123z
from ktui.kubectl.describe.pods import pod_template

__all__ = ["describe_statefulset", "claim_class", "go_slice"]


def claim_class(pvc: dict) -> str:
    """``GetPersistentVolumeClaimClass``: the beta annotation, else ``spec.storageClassName``, else empty."""
    beta = ((pvc.get("metadata") or {}).get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class")
    if beta is not None:
        return beta
    return (pvc.get("spec") or {}).get("storageClassName") or ""


def go_slice(modes: list[str] | None) -> str:
    """A Go slice printed with ``%s``: ``[ReadWriteOnce ReadOnlyMany]``."""
    return "[" + " ".join(modes or []) + "]"


def _claim_templates(w: Writer, templates: list[dict] | None) -> None:
    if not templates:
        w.write(0, "Volume Claims:\t<none>\n")
        return
    w.write(0, "Volume Claims:\n")
    for pvc in templates:
        md, spec = pvc.get("metadata") or {}, pvc.get("spec") or {}
        w.write(1, f"Name:\t{md.get('name', '')}\n")
        w.write(1, f"StorageClass:\t{claim_class(pvc)}\n")
        labels_multiline(w, "Labels", md.get("labels"), initial="  ")
        labels_multiline(w, "Annotations", md.get("annotations"), initial="  ")
        storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
        w.write(1, f"Capacity:\t{storage if storage is not None else '<default>'}\n")
        w.write(1, f"Access Modes:\t{go_slice(spec.get('accessModes'))}\n")


def describe_statefulset(w: Writer, sts: dict, pods: list[dict]) -> None:
    """``describeStatefulSet``; ``pods`` are those it controls that its selector matches."""
    md, spec, st = sts.get("metadata") or {}, sts.get("spec") or {}, sts.get("status") or {}
    name_and_namespace(w, sts)
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    if spec.get("serviceName"):
        w.write(0, f"Service Name:\t{spec['serviceName']}\n")
    if spec.get("podManagementPolicy"):
        w.write(0, f"Pod Management Policy:\t{spec['podManagementPolicy']}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | {st.get('replicas', 0)} total\n")
    strategy = spec.get("updateStrategy") or {}
    w.write(0, f"Update Strategy:\t{strategy.get('type', '')}\n")
    ru = strategy.get("rollingUpdate")
    if ru is not None and ru.get("partition") is not None:
        w.write(1, f"Partition:\t{ru['partition']}\n")
        if ru.get("maxUnavailable") is not None:
            w.write(1, f"MaxUnavailable:\t{ru['maxUnavailable']}\n")
    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    if retention is not None:
        w.write(0, "Persistent Volume Claim Retention Policy:\n")
        w.write(1, f"WhenDeleted:\t{retention.get('whenDeleted', '')}\n")
        w.write(1, f"WhenScaled:\t{retention.get('whenScaled', '')}\n")
    phases = [(p.get("status") or {}).get("phase") for p in pods]
    w.write(
        0,
        f"Pods Status:\t{phases.count('Running')} Running / {phases.count('Pending')} Waiting / "
        f"{phases.count('Succeeded')} Succeeded / {phases.count('Failed')} Failed\n",
    )
    pod_template(w, spec.get("template"))
    _claim_templates(w, spec.get("volumeClaimTemplates"))
