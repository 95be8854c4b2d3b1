"""The VolumeBinding plugin: a pod's PersistentVolumeClaims decide which nodes it may go to (pure decisions).

Follows pkg/scheduler/framework/plugins/volumebinding (v1.37):

* PreFilter: a claim that does not exist (``persistentvolumeclaim "x" not found``), is being deleted or is Lost
  rejects the pod on every node; so does a claim not yet bound by the PV controller unless its class binds
  WaitForFirstConsumer (``pod has unbound immediate PersistentVolumeClaims``). The FitError then reads
  ``0/N nodes are available: <that>.`` and preemption cannot help;
* Filter: a bound claim's volume must accept the node (its ``nodeAffinity``); an unbound WaitForFirstConsumer
  claim needs an Available volume the node may use, or a class whose provisioner can make one there;
* PreBind (:func:`bindings_for`): the chosen volumes get their ``claimRef`` (the PV controller finishes the
  binding), claims to provision the ``volume.kubernetes.io/selected-node`` annotation; the pod is bound once
  every claim is bound, checked every second for up to ``bindTimeoutSeconds`` (600).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ktui.api import volume_match as vm
from ktui.api.objects import copy_json

__all__ = [
    "BIND_TIMEOUT",
    "ERR_BIND_CONFLICT",
    "ERR_NODE_CONFLICT",
    "ERR_PV_NOT_EXIST",
    "ERR_UNBOUND_IMMEDIATE",
    "VolumeState",
    "all_bound",
    "bindings_for",
    "filter_node",
    "prefilter",
    "prefilter_fit_error",
]

ERR_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"
ERR_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind"
ERR_NODE_CONFLICT = "node(s) had volume node affinity conflict"
ERR_PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
BIND_TIMEOUT = 600.0
"""VolumeBindingArgs ``bindTimeoutSeconds``: how long PreBind waits for the claims to be bound."""


@dataclass
class VolumeState:
    """PreFilter's state for one pod: its bound claims' volumes and its unbound WaitForFirstConsumer claims."""

    bound: list[dict | None] = field(default_factory=list)
    """The volume of each bound claim (None when it does not exist)."""
    delayed: list[dict] = field(default_factory=list)
    """Unbound claims of WaitForFirstConsumer classes, the smallest request first."""
    volumes: dict[str, list[dict]] = field(default_factory=dict)
    """The volumes of each delayed claim's class, by class name."""
    classes: dict[str, dict | None] = field(default_factory=dict)


def _fully_bound(claim: dict) -> bool:
    return bool((claim.get("spec") or {}).get("volumeName")) and vm.ANN_BIND_COMPLETED in (
        (claim.get("metadata") or {}).get("annotations") or {}
    )


def prefilter(pod: dict, claims: Any, volumes: Any, classes: Any) -> tuple[VolumeState | None, str]:
    """PreFilter: ``(None, "")`` when the pod has no claims (Skip), ``(None, why)`` when it is rejected on every
    node, else ``(state, "")``. ``claims``, ``volumes`` and ``classes`` are informers (``get``/``list``)."""
    names = vm.claim_names(pod)
    if not names:
        return None, ""
    ns = (pod.get("metadata") or {}).get("namespace", "")
    found: list[dict] = []
    for name in names:
        claim = claims.get(f"{ns}/{name}")
        if claim is None:
            return None, f'persistentvolumeclaim "{name}" not found'
        if (claim.get("status") or {}).get("phase") == "Lost":
            volume_name = (claim.get("spec") or {}).get("volumeName", "")
            return None, f'persistentvolumeclaim "{name}" bound to non-existent persistentvolume "{volume_name}"'
        if (claim.get("metadata") or {}).get("deletionTimestamp"):
            return None, f'persistentvolumeclaim "{name}" is being deleted'
        found.append(claim)
    state = VolumeState()
    for claim in found:
        if _fully_bound(claim):
            state.bound.append(volumes.get(claim["spec"]["volumeName"]))
            continue
        class_name = vm.claim_class(claim)
        sc = classes.get(class_name) if class_name else None
        if (
            sc is None
            or sc.get("volumeBindingMode") != "WaitForFirstConsumer"
            or (claim.get("spec") or {}).get("volumeName")
        ):
            return None, ERR_UNBOUND_IMMEDIATE
        state.classes[class_name] = sc
        state.delayed.append(claim)
    state.delayed.sort(key=lambda c: vm.storage_size(((c.get("spec") or {}).get("resources") or {}).get("requests")))
    for class_name in state.classes:
        state.volumes[class_name] = sorted(
            (v for v in volumes.list() if vm.volume_class(v) == class_name), key=lambda v: v["metadata"]["name"]
        )
    return state, ""


def prefilter_fit_error(num_nodes: int, why: str, post_filter: str) -> str:
    """``FitError.Error()`` after a PreFilter rejection: its message, not a per-node histogram."""
    msg = f"0/{num_nodes} nodes are available: {why}."
    return f"{msg} {post_filter}" if post_filter else msg


def _topology_allows(sc: dict, node: dict) -> bool:
    terms = sc.get("allowedTopologies") or []
    if not terms:
        return True
    labels = (node.get("metadata") or {}).get("labels") or {}
    for term in terms:
        exprs = term.get("matchLabelExpressions") or []
        if all(labels.get(e.get("key", "")) in (e.get("values") or []) for e in exprs):
            return True
    return False


def _match(state: VolumeState, node: dict) -> tuple[dict[str, dict], list[dict]]:
    """``findMatchingVolumes`` then the claims left to provision: (claim key -> volume, claims to provision)."""
    chosen: dict[str, dict] = {}
    rest: list[dict] = []
    for claim in state.delayed:
        taken = {v["metadata"]["name"] for v in chosen.values()}
        pool = state.volumes.get(vm.claim_class(claim), [])
        volume = vm.find_matching_volume(claim, pool, node, taken, True)
        if volume is None:
            rest.append(claim)
        else:
            chosen[vm.claim_key(claim)] = volume
    return chosen, rest


def _can_provision(state: VolumeState, claims: list[dict], node: dict) -> bool:
    for claim in claims:
        sc = state.classes.get(vm.claim_class(claim)) or {}
        provisioner = sc.get("provisioner", "")
        if not provisioner or provisioner == vm.NO_PROVISIONER or not _topology_allows(sc, node):
            return False
    return True


def filter_node(state: VolumeState, node: dict) -> list[str]:
    """Filter (``FindPodVolumes``): the reasons the node cannot take the pod's volumes ([] when it can)."""
    affinity_ok = all(v is None or vm.node_affinity_matches(v, node) for v in state.bound)
    pvs_found = all(v is not None for v in state.bound)
    unbound_ok = True
    if state.delayed:
        _, rest = _match(state, node)
        unbound_ok = _can_provision(state, rest, node)
    reasons = []
    if not affinity_ok:
        reasons.append(ERR_NODE_CONFLICT)
    if not unbound_ok:
        reasons.append(ERR_BIND_CONFLICT)
    if not pvs_found:
        reasons.append(ERR_PV_NOT_EXIST)
    return reasons


def bindings_for(state: VolumeState, node: dict) -> list[tuple[str, dict]]:
    """PreBind's API writes for the chosen node: ``("persistentvolumes", pv)`` with its claimRef set (as
    ``GetBindVolumeToClaim``), ``("persistentvolumeclaims", pvc)`` with the selected-node annotation."""
    chosen, rest = _match(state, node)
    out: list[tuple[str, dict]] = []
    for claim in state.delayed:
        volume = chosen.get(vm.claim_key(claim))
        if volume is None:
            continue
        md = claim["metadata"]
        new = copy_json(volume)
        if not vm.is_bound_to_claim(volume, claim):
            new["metadata"].setdefault("annotations", {})[vm.ANN_BOUND_BY_CONTROLLER] = "yes"
        new["spec"]["claimRef"] = {
            "kind": "PersistentVolumeClaim",
            "namespace": md.get("namespace", ""),
            "name": md["name"],
            "uid": md.get("uid", ""),
            "apiVersion": "v1",
            "resourceVersion": md.get("resourceVersion", ""),
        }
        out.append(("persistentvolumes", new))
    node_name = (node.get("metadata") or {}).get("name", "")
    for claim in rest:
        new = copy_json(claim)
        new["metadata"].setdefault("annotations", {})[vm.ANN_SELECTED_NODE] = node_name
        out.append(("persistentvolumeclaims", new))
    return out


def all_bound(state: VolumeState, claims: Any) -> bool:
    """``checkBindings``: every delayed claim is now fully bound (from the claims informer)."""
    for claim in state.delayed:
        now = claims.get(vm.claim_key(claim))
        if now is None or not _fully_bound(now):
            return False
    return True
