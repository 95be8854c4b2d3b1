"""Row cells of ``kubectl get`` for storage: PersistentVolumes, their claims and storage.k8s.io/v1 classes (pure).

Same contract as :mod:`ktui.kubectl.rows_core`: ``fn(obj, now, wide) -> cells``.
"""

from __future__ import annotations

from ktui.kubectl.cells import created, meta_of, spec_of, status_of

__all__ = ["access_modes"]


def access_modes(modes: list[str] | None) -> str:
    """``GetAccessModesAsString``: RWO, ROX, RWX, RWOP in that order."""
    short = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
    return ",".join(short[m] for m in short if m in (modes or []))


def pvc_row(pvc: dict, now: float, wide: bool) -> list[str]:
    spec, st = spec_of(pvc), status_of(pvc)
    phase = "Terminating" if meta_of(pvc).get("deletionTimestamp") else st.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(st.get("accessModes"))
        capacity = (st.get("capacity") or {}).get("storage", "")
    sc = spec.get("storageClassName")
    if sc is None:
        sc = (meta_of(pvc).get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class", "")
    cells = [
        meta_of(pvc).get("name", ""),
        phase,
        spec.get("volumeName", ""),
        capacity,
        modes,
        sc,
        spec.get("volumeAttributesClassName") or "<unset>",
        created(pvc, now),
    ]
    if wide:
        cells.append(spec.get("volumeMode") or "<unset>")
    return cells


def pv_row(pv: dict, now: float, wide: bool) -> list[str]:
    spec, st = spec_of(pv), status_of(pv)
    ref = spec.get("claimRef") or {}
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""
    phase = "Terminating" if meta_of(pv).get("deletionTimestamp") else st.get("phase", "")
    cells = [
        meta_of(pv).get("name", ""),
        (spec.get("capacity") or {}).get("storage", ""),
        access_modes(spec.get("accessModes")),
        spec.get("persistentVolumeReclaimPolicy", ""),
        phase,
        claim,
        spec.get("storageClassName", ""),
        spec.get("volumeAttributesClassName") or "<unset>",
        st.get("reason", ""),
        created(pv, now),
    ]
    if wide:
        cells.append(spec.get("volumeMode") or "<unset>")
    return cells


def storageclass_row(sc: dict, now: float, wide: bool) -> list[str]:
    ann = meta_of(sc).get("annotations") or {}
    name = meta_of(sc).get("name", "")
    if "true" in (
        ann.get("storageclass.kubernetes.io/is-default-class"),
        ann.get("storageclass.beta.kubernetes.io/is-default-class"),
    ):
        name += " (default)"
    return [
        name,
        sc.get("provisioner", ""),
        sc.get("reclaimPolicy") or "Delete",
        sc.get("volumeBindingMode") or "Immediate",
        "true" if sc.get("allowVolumeExpansion") else "false",
        created(sc, now),
    ]
