"""``kubectl describe persistentvolumeclaim`` and ``persistentvolume``: class, status, claim, capacity, source."""

from __future__ import annotations

from ktui.api.quantity import canonical_quantity
from ktui.kubectl.cells import age
from ktui.kubectl.describe.base import Writer, annotations_multiline, labels_multiline, rfc1123z
from ktui.kubectl.describe.statefulsets import claim_class, go_slice
from ktui.kubectl.rows_storage import access_modes

__all__ = ["describe_pvc", "describe_pv", "pods_using_claim"]


def pods_using_claim(pvc: dict, pods: list[dict]) -> list[dict]:
    """``getPodsForPVC``: a pod once per volume naming the claim, then owner pods not yet listed."""
    name = (pvc.get("metadata") or {}).get("name")
    using = [
        p
        for p in pods
        for v in ((p.get("spec") or {}).get("volumes") or [])
        if (v.get("persistentVolumeClaim") or {}).get("claimName") == name
    ]
    for ref in (pvc.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("kind") != "Pod":
            continue
        owner = next((p for p in pods if (p.get("metadata") or {}).get("uid") == ref.get("uid")), None)
        if owner is not None and all(p is not owner for p in using):
            using.append(owner)
    return using


def _status(md: dict, phase: str, now: float) -> str:
    if md.get("deletionTimestamp"):
        return f"Terminating (lasts {age(md['deletionTimestamp'], now)})"
    return phase


def describe_pvc(w: Writer, pvc: dict, pods: list[dict], now: float) -> None:
    """``describePersistentVolumeClaim``; ``pods`` are those of ``pods_using_claim``."""
    md, spec, st = pvc.get("metadata") or {}, pvc.get("spec") or {}, pvc.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.write(0, f"StorageClass:\t{claim_class(pvc)}\n")
    w.write(0, f"Status:\t{_status(md, st.get('phase', ''), now)}\n")
    w.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Finalizers:\t{go_slice(md.get('finalizers'))}\n")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(st.get("accessModes"))
        storage = (st.get("capacity") or {}).get("storage")
        capacity = canonical_quantity(storage) if storage is not None else "0"
    w.write(0, f"Capacity:\t{capacity}\n")
    w.write(0, f"Access Modes:\t{modes}\n")
    if spec.get("volumeMode") is not None:
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    source = spec.get("dataSource")
    if source is not None:
        w.write(0, "DataSource:\n")
        if source.get("apiGroup") is not None:
            w.write(1, f"APIGroup:\t{source['apiGroup']}\n")
        w.write(1, f"Kind:\t{source.get('kind', '')}\n")
        w.write(1, f"Name:\t{source.get('name', '')}\n")
    names = sorted((p.get("metadata") or {}).get("name", "") for p in pods)
    w.write(0, "Used By:\t" + ("\n\t".join(names) if names else "<none>") + "\n")
    conditions = st.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(
                1,
                f"{c.get('type', '')} \t{c.get('status', '')} \t{rfc1123z(c.get('lastProbeTime'))} \t"
                f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n",
            )


def _node_affinity(w: Writer, affinity: dict | None) -> None:
    w.write(0, "Node Affinity:\t")
    required = (affinity or {}).get("required")
    if required is None:
        w.write(0, "<none>\n")
        return
    w.write(0, "\n")
    w.write(1, "Required Terms:\t")
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        w.write(0, "<none>\n")
        return
    w.write(0, "\n")
    for i, term in enumerate(terms):
        w.write(2, f"Term {i}:\t")
        reqs = term.get("matchExpressions") or []
        if not reqs:
            w.write(0, "<none>\n")
        for j, req in enumerate(reqs):
            if j:
                w.write(2, "\t")
            text = f"{req.get('key', '')} {str(req.get('operator', '')).lower()}"
            if req.get("values"):
                text += f" [{', '.join(req['values'])}]"
            w.write(0, text + "\n")


def _source(w: Writer, spec: dict) -> None:
    if spec.get("hostPath") is not None:
        hp = spec["hostPath"]
        kind = hp["type"] if hp.get("type") is not None else "<none>"
        w.write(
            2,
            f"Type:\tHostPath (bare host directory volume)\n    Path:\t{hp.get('path', '')}\n"
            f"    HostPathType:\t{kind}\n",
        )
    elif spec.get("nfs") is not None:
        nfs = spec["nfs"]
        w.write(
            2,
            f"Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{nfs.get('server', '')}\n"
            f"    Path:\t{nfs.get('path', '')}\n    ReadOnly:\t{str(bool(nfs.get('readOnly'))).lower()}\n",
        )
    elif spec.get("local") is not None:
        w.write(
            2,
            "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n"
            f"    Path:\t{spec['local'].get('path', '')}\n",
        )
    elif spec.get("csi") is not None:
        csi = spec["csi"]
        w.write(
            2,
            f"Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{csi.get('driver', '')}\n"
            f"    FSType:\t{csi.get('fsType', '')}\n    VolumeHandle:\t{csi.get('volumeHandle', '')}\n"
            f"    ReadOnly:\t{str(bool(csi.get('readOnly'))).lower()}\n",
        )
        attributes = csi.get("volumeAttributes") or {}
        w.write(2, "VolumeAttributes:\t")
        if not attributes:
            w.write(0, "<none>\n")
        for i, key in enumerate(sorted(attributes)):
            if i:  # kubectl's own indentation: both prefixes indented again
                w.write(2, "")
                w.write(2, "\t")
            line = f"{key}={attributes[key]}"
            w.write(2, ((line[:140] + "...") if len(line) > 140 else line) + "\n")
    else:
        w.write(1, "<unknown>\n")


def describe_pv(w: Writer, pv: dict, now: float) -> None:
    """``describePersistentVolume``: the sources ktui's volumes use (hostPath, nfs, local, csi)."""
    md, spec, st = pv.get("metadata") or {}, pv.get("spec") or {}, pv.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Finalizers:\t{go_slice(md.get('finalizers'))}\n")
    beta = (md.get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class")
    w.write(0, f"StorageClass:\t{beta if beta is not None else spec.get('storageClassName', '')}\n")
    w.write(0, f"Status:\t{_status(md, st.get('phase', ''), now)}\n")
    ref = spec.get("claimRef")
    w.write(0, f"Claim:\t{ref.get('namespace', '') + '/' + ref.get('name', '') if ref is not None else ''}\n")
    w.write(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
    w.write(0, f"Access Modes:\t{access_modes(spec.get('accessModes'))}\n")
    if spec.get("volumeMode") is not None:
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    storage = (spec.get("capacity") or {}).get("storage")
    w.write(0, f"Capacity:\t{canonical_quantity(storage) if storage is not None else '0'}\n")
    _node_affinity(w, spec.get("nodeAffinity"))
    w.write(0, f"Message:\t{st.get('message', '')}\n")
    w.write(0, "Source:\n")
    _source(w, spec)
