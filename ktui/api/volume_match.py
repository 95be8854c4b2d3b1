"""Which PersistentVolume fits a claim (pure): the PV binder's and the scheduler's shared matching rules.

Follows component-helpers/storage/volume (``FindMatchingVolume``, ``CheckAccessModes``,
``CheckVolumeModeMismatches``, ``IsVolumeBoundToClaim``, ``GetPersistentVolumeClaimClass``) and the PV
controller's access-mode index (pkg/controller/volume/persistentvolume/index.go, ``findByClaim``): volumes are
tried by groups of identical access modes, the groups holding every mode the claim asks for, fewest modes first;
in a group the smallest volume that is big enough wins, unless a volume is pre-bound to the claim.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ktui.api.labels import label_selector_from_dict
from ktui.api.quantity import QuantityError, parse_quantity
from ktui.sim.timefmt import parse_rfc3339

__all__ = [
    "ANN_BETA_CLASS",
    "ANN_BIND_COMPLETED",
    "ANN_BOUND_BY_CONTROLLER",
    "ANN_SELECTED_NODE",
    "ANN_DYNAMICALLY_PROVISIONED",
    "NO_PROVISIONER",
    "access_modes_fit",
    "best_match",
    "check_volume_satisfies_claim",
    "claim_class",
    "claim_key",
    "claim_names",
    "default_class",
    "pod_claim_keys",
    "find_matching_volume",
    "is_bound_to_claim",
    "node_affinity_matches",
    "storage_size",
    "volume_class",
    "volume_mode_mismatch",
]

ANN_BETA_CLASS = "volume.beta.kubernetes.io/storage-class"
ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node"
ANN_DYNAMICALLY_PROVISIONED = "pv.kubernetes.io/provisioned-by"
NO_PROVISIONER = "kubernetes.io/no-provisioner"
"""The provisioner of classes whose volumes are made by hand (local volumes): nothing provisions them."""


def _md(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _spec(obj: dict) -> dict:
    return obj.get("spec") or {}


_DEFAULT_ANNS = ("storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class")


def default_class(classes: list[dict]) -> dict | None:
    """``GetDefaultClass``: of the classes annotated default, the newest (ties: the first by name)."""
    marked = [
        c
        for c in classes
        if any(((c.get("metadata") or {}).get("annotations") or {}).get(a) == "true" for a in _DEFAULT_ANNS)
    ]
    if not marked:
        return None

    def created(c: dict) -> float:
        try:
            return parse_rfc3339((c.get("metadata") or {}).get("creationTimestamp") or "")
        except ValueError:
            return 0.0

    marked.sort(key=lambda c: (-created(c), c["metadata"]["name"]))
    return marked[0]


def claim_key(claim: dict) -> str:
    """``namespace/name`` of a claim."""
    return f"{_md(claim).get('namespace', '')}/{_md(claim).get('name', '')}"


def claim_names(pod: dict) -> list[str]:
    """The claims a pod's ``persistentVolumeClaim`` volumes name, in the pod's order."""
    out = []
    for v in _spec(pod).get("volumes") or []:
        src = v.get("persistentVolumeClaim") if isinstance(v, dict) else None
        if isinstance(src, dict) and src.get("claimName"):
            out.append(src["claimName"])
    return out


def pod_claim_keys(pod: dict) -> list[str]:
    """``namespace/name`` of each claim a pod names (the pods informers' ``pvc`` index)."""
    ns = _md(pod).get("namespace", "")
    return [f"{ns}/{n}" for n in claim_names(pod)]


def claim_class(claim: dict) -> str:
    """``GetPersistentVolumeClaimClass``: the beta annotation, else ``spec.storageClassName``, else ""."""
    ann = _md(claim).get("annotations") or {}
    if ANN_BETA_CLASS in ann:
        return ann[ANN_BETA_CLASS]
    return _spec(claim).get("storageClassName") or ""


def volume_class(volume: dict) -> str:
    """``GetPersistentVolumeClass``: the beta annotation, else ``spec.storageClassName``, else ""."""
    return claim_class(volume)


def storage_size(resources: Any) -> Fraction:
    """The ``storage`` quantity of a resource list (0 when missing or unreadable)."""
    if not isinstance(resources, dict) or resources.get("storage") is None:
        return Fraction(0)
    try:
        return parse_quantity(resources["storage"])
    except (QuantityError, ValueError, TypeError):
        return Fraction(0)


def _requested(claim: dict) -> Fraction:
    return storage_size((_spec(claim).get("resources") or {}).get("requests"))


def _capacity(volume: dict) -> Fraction:
    return storage_size(_spec(volume).get("capacity"))


def access_modes_fit(claim: dict, volume: dict) -> bool:
    """``CheckAccessModes``: the volume offers every access mode the claim asks for."""
    have = set(_spec(volume).get("accessModes") or [])
    return all(m in have for m in _spec(claim).get("accessModes") or [])


def volume_mode_mismatch(claim: dict, volume: dict) -> bool:
    """``CheckVolumeModeMismatches``: Filesystem unless set, and the two differ."""
    return (_spec(claim).get("volumeMode") or "Filesystem") != (_spec(volume).get("volumeMode") or "Filesystem")


def is_bound_to_claim(volume: dict, claim: dict) -> bool:
    """``IsVolumeBoundToClaim``: the claimRef names the claim, with its UID or none yet."""
    ref = _spec(volume).get("claimRef")
    if not isinstance(ref, dict):
        return False
    md = _md(claim)
    if ref.get("name") != md.get("name") or ref.get("namespace") != md.get("namespace"):
        return False
    return not ref.get("uid") or ref.get("uid") == md.get("uid")


def _requirement(req: dict, labels: dict, fields: dict) -> bool:
    key, op, values = req.get("key", ""), req.get("operator", ""), list(req.get("values") or [])
    have = fields if fields else labels
    if op == "In":
        return key in have and have[key] in values
    if op == "NotIn":
        return key not in have or have[key] not in values
    if op == "Exists":
        return key in have
    if op == "DoesNotExist":
        return key not in have
    if op in ("Gt", "Lt") and key in have and len(values) == 1:
        try:
            a, b = int(have[key]), int(values[0])
        except ValueError:
            return False
        return a > b if op == "Gt" else a < b
    return False


def node_affinity_matches(volume: dict, node: dict) -> bool:
    """``CheckNodeAffinity``: no ``spec.nodeAffinity.required``, or one of its terms matches the node."""
    required = (_spec(volume).get("nodeAffinity") or {}).get("required")
    if not isinstance(required, dict):
        return True
    labels = _md(node).get("labels") or {}
    fields = {"metadata.name": _md(node).get("name", "")}
    for term in required.get("nodeSelectorTerms") or []:
        exprs, flds = term.get("matchExpressions") or [], term.get("matchFields") or []
        if not exprs and not flds:
            continue
        if all(_requirement(r, labels, {}) for r in exprs) and all(_requirement(r, {}, fields) for r in flds):
            return True
    return False


def find_matching_volume(
    claim: dict, volumes: list[dict], node: dict | None, excluded: set[str], delay_binding: bool
) -> dict | None:
    """``FindMatchingVolume`` over one group of volumes: a volume pre-bound to the claim, else the smallest
    Available one of the claim's class, selector and attributes class that is big enough.

    ``node`` is given on the scheduler's path (PV node affinity checked, access modes checked); without it
    a claim of a WaitForFirstConsumer class only takes a pre-bound volume.
    """
    requested = _requested(claim)
    wanted_class = claim_class(claim)
    selector_spec = _spec(claim).get("selector")
    try:
        selector = label_selector_from_dict(selector_spec) if selector_spec is not None else None
    except ValueError:
        return None
    wanted_vac = _spec(claim).get("volumeAttributesClassName") or ""
    smallest: dict | None = None
    smallest_size = Fraction(0)
    for volume in volumes:
        md = _md(volume)
        if md.get("name") in excluded:
            continue
        if _spec(volume).get("claimRef") is not None and not is_bound_to_claim(volume, claim):
            continue
        size = _capacity(volume)
        if size < requested or volume_mode_mismatch(claim, volume) or md.get("deletionTimestamp"):
            continue
        affinity_ok = node is None or node_affinity_matches(volume, node)
        if is_bound_to_claim(volume, claim):
            return volume if affinity_ok else None
        if node is None and delay_binding:
            continue
        if (volume.get("status") or {}).get("phase") != "Available":
            continue
        if selector is not None and not selector.matches(md.get("labels") or {}):
            continue
        if volume_class(volume) != wanted_class or not affinity_ok:
            continue
        if (_spec(volume).get("volumeAttributesClassName") or "") != wanted_vac:
            continue
        if node is not None and not access_modes_fit(claim, volume):
            continue
        if smallest is None or size < smallest_size:
            smallest, smallest_size = volume, size
    return smallest


def best_match(
    claim: dict, volumes: list[dict], delay_binding: bool, node: dict | None = None, excluded: set[str] | None = None
) -> dict | None:
    """``findBestMatchForClaim``: the groups of volumes with the same access modes that hold every mode the
    claim asks for, fewest modes first (ties by name), each searched with :func:`find_matching_volume`."""
    wanted = set(_spec(claim).get("accessModes") or [])
    groups: dict[tuple[str, ...], list[dict]] = {}
    for v in sorted(volumes, key=lambda v: _md(v).get("name", "")):
        modes = tuple(sorted(set(_spec(v).get("accessModes") or [])))
        groups.setdefault(modes, []).append(v)
    for modes in sorted((m for m in groups if wanted <= set(m)), key=lambda m: (len(m), m)):
        found = find_matching_volume(claim, groups[modes], node, excluded or set(), delay_binding)
        if found is not None:
            return found
    return None


def check_volume_satisfies_claim(volume: dict, claim: dict) -> str:
    """``checkVolumeSatisfyClaim`` for a claim naming its volume: "" when it fits, else why not."""
    if _md(volume).get("deletionTimestamp"):
        return f'the volume is marked for deletion "{_md(volume).get("name", "")}"'
    if _capacity(volume) < _requested(claim):
        return "requested PV is too small"
    if volume_class(volume) != claim_class(claim):
        return "storageClassName does not match"
    if volume_mode_mismatch(claim, volume):
        return "incompatible volumeMode"
    if not access_modes_fit(claim, volume):
        return "incompatible accessMode"
    return ""
