"""Pure helpers the workload controllers share: pods from templates, controller refs, readiness, ranking.

These mirror ``pkg/controller/controller_utils.go`` and ``pkg/api/v1/pod/util.go``: ``GetPodFromTemplate``,
``NewControllerRef``, ``FilterActivePods``, ``IsPodReady``/``IsPodAvailable``, the ``ActivePodsWithRanks``
ordering used to choose which pods a scale-down deletes, and the controller expectations that stop a
controller from acting twice on a cache that has not yet seen its own writes.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Iterable

from ktui.api.objects import copy_json, get_condition, is_pod_ready
from ktui.sim.timefmt import parse_rfc3339

__all__ = [
    "Expectations",
    "claim_decision",
    "controller_ref",
    "controller_ref_of",
    "is_pod_active",
    "is_pod_available",
    "is_pod_ready",
    "is_pod_terminating",
    "pod_from_template",
    "pod_ready_time",
    "pods_to_delete",
    "rank_for_deletion",
    "slow_start_batches",
]

BURST_REPLICAS = 500
"""``--concurrent-*`` aside, the replica set controller creates or deletes at most this many pods a sync."""

SLOW_START_INITIAL_BATCH_SIZE = 1
"""``controller.SlowStartInitialBatchSize``: creations go in batches 1, 2, 4, ..."""

EXPECTATIONS_TIMEOUT = 300.0
"""``controller.ExpectationsTimeout``: unfulfilled expectations are ignored after 5 minutes."""

_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


# ------------------------------------------------------------------ owners


def controller_ref(owner: dict, api_version: str | None = None, kind: str | None = None) -> dict:
    """The ownerReference a controller puts on what it creates (``metav1.NewControllerRef``)."""
    md = owner.get("metadata") or {}
    return {
        "apiVersion": api_version or owner.get("apiVersion", ""),
        "kind": kind or owner.get("kind", ""),
        "name": md.get("name", ""),
        "uid": md.get("uid", ""),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controller_ref_of(obj: dict) -> dict | None:
    """The ownerReference with ``controller: true``, if any (``metav1.GetControllerOf``)."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def claim_decision(obj: dict, owner: dict, matches: bool) -> str | None:
    """What ``BaseControllerRefManager.ClaimObject`` does with one object.

    Args:
        obj: a pod (or ReplicaSet) from the cache.
        owner: the controller claiming it.
        matches: whether the owner's selector matches the object's labels.

    Returns:
        ``"own"`` (already ours and matching), ``"adopt"`` (an orphan to take), ``"release"`` (ours but no
        longer matching), or None (not ours to touch).
    """
    omd = owner.get("metadata") or {}
    ref = controller_ref_of(obj)
    owner_deleting = bool(omd.get("deletionTimestamp"))
    if ref is not None:
        if ref.get("uid") != omd.get("uid"):
            return None
        if matches:
            return "own"
        return None if owner_deleting else "release"
    if owner_deleting or not matches:
        return None
    md = obj.get("metadata") or {}
    if md.get("deletionTimestamp"):
        return None
    if omd.get("namespace") and omd.get("namespace") != md.get("namespace"):
        return None
    return "adopt"


def with_owner(obj: dict, ref: dict) -> dict:
    """A copy of ``obj`` with ``ref`` added to its ownerReferences (the adoption patch's effect)."""
    out = copy_json(obj)
    md = out.setdefault("metadata", {})
    refs = [r for r in md.get("ownerReferences") or [] if r.get("uid") != ref["uid"]]
    md["ownerReferences"] = refs + [dict(ref)]
    return out


def without_owner(obj: dict, uid: str) -> dict:
    """A copy of ``obj`` without the ownerReference of ``uid`` (the release patch's effect)."""
    out = copy_json(obj)
    md = out.setdefault("metadata", {})
    refs = [r for r in md.get("ownerReferences") or [] if r.get("uid") != uid]
    if refs:
        md["ownerReferences"] = refs
    else:
        md.pop("ownerReferences", None)
    return out


# ------------------------------------------------------------------ pods from templates


def pod_from_template(
    template: dict, namespace: str, ref: dict | None, generate_name: str = "", name: str = ""
) -> dict:
    """A new Pod from a PodTemplateSpec (``controller.GetPodFromTemplate``).

    Labels, annotations and finalizers are copied from the template; ``generateName`` lets the API server
    pick the 5-character suffix.
    """
    tmd = template.get("metadata") or {}
    md: dict[str, Any] = {}
    if name:
        md["name"] = name
    elif generate_name:
        md["generateName"] = generate_name
    md["namespace"] = namespace
    if tmd.get("labels"):
        md["labels"] = dict(tmd["labels"])
    if tmd.get("annotations"):
        md["annotations"] = dict(tmd["annotations"])
    if tmd.get("finalizers"):
        md["finalizers"] = list(tmd["finalizers"])
    if ref is not None:
        md["ownerReferences"] = [dict(ref)]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": copy_json(template.get("spec") or {})}


def pod_name_prefix(controller_name: str) -> str:
    """``getPodsPrefix``: ``<name>-``, as long as that still leaves room for the generated suffix."""
    prefix = f"{controller_name}-"
    return prefix if len(prefix) <= 58 else controller_name[:57] + "-"


# ------------------------------------------------------------------ pod state


def is_pod_terminal(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def is_pod_active(pod: dict) -> bool:
    """Not Succeeded, not Failed, not being deleted (``controller.IsPodActive``)."""
    return not is_pod_terminal(pod) and not (pod.get("metadata") or {}).get("deletionTimestamp")


def is_pod_terminating(pod: dict) -> bool:
    """Being deleted but not yet terminal (``controller.IsPodTerminating``)."""
    return not is_pod_terminal(pod) and bool((pod.get("metadata") or {}).get("deletionTimestamp"))


def _ready_condition(pod: dict) -> dict | None:
    return get_condition((pod.get("status") or {}).get("conditions"), "Ready")


def pod_ready_time(pod: dict) -> float | None:
    """Simulated seconds when the pod last became Ready, or None."""
    c = _ready_condition(pod)
    if c is None or c.get("status") != "True" or not c.get("lastTransitionTime"):
        return None
    return parse_rfc3339(c["lastTransitionTime"])


def is_pod_available(pod: dict, min_ready_seconds: int, now: float) -> bool:
    """Ready for at least ``min_ready_seconds`` (``podutil.IsPodAvailable``)."""
    if not is_pod_ready(pod):
        return False
    if min_ready_seconds <= 0:
        return True
    since = pod_ready_time(pod)
    return since is not None and since + min_ready_seconds <= now


def _max_restarts(pod: dict) -> tuple[int, int]:
    status = pod.get("status") or {}
    regular = max([int(c.get("restartCount", 0)) for c in status.get("containerStatuses") or []] or [0])
    always = {
        c.get("name") for c in (pod.get("spec") or {}).get("initContainers") or [] if c.get("restartPolicy") == "Always"
    }
    sidecar = max(
        [int(c.get("restartCount", 0)) for c in status.get("initContainerStatuses") or [] if c.get("name") in always]
        or [0]
    )
    return regular, sidecar


def _creation(pod: dict) -> float | None:
    ts = (pod.get("metadata") or {}).get("creationTimestamp")
    return parse_rfc3339(ts) if ts else None


def _log_rank(t: float, now: float) -> int:
    """``int64(math.Log2(float64(d)))`` for the age in nanoseconds, -1 when not positive."""
    d = int(round((now - t) * 1e9))
    return int(math.log2(d)) if d > 0 else -1


def _deletion_cost(pod: dict) -> int:
    raw = ((pod.get("metadata") or {}).get("annotations") or {}).get("controller.kubernetes.io/pod-deletion-cost")
    try:
        return int(raw) if raw is not None else 0
    except ValueError:
        return 0


def _before(a: dict, ra: int, b: dict, rb: int, now: float) -> bool | None:
    """``ActivePodsWithRanks.Less``: True when ``a`` should be deleted before ``b``; None when equal."""
    na, nb = (a.get("spec") or {}).get("nodeName") or "", (b.get("spec") or {}).get("nodeName") or ""
    if na != nb and (not na or not nb):
        return not na
    pa = _PHASE_ORDINAL.get((a.get("status") or {}).get("phase", ""), 0)
    pb = _PHASE_ORDINAL.get((b.get("status") or {}).get("phase", ""), 0)
    if pa != pb:
        return pa < pb
    ready_a, ready_b = is_pod_ready(a), is_pod_ready(b)
    if ready_a != ready_b:
        return not ready_a
    ca, cb = _deletion_cost(a), _deletion_cost(b)
    if ca != cb:
        return ca < cb
    if ra != rb:
        return ra > rb
    if ready_a and ready_b:
        ta, tb = pod_ready_time(a), pod_ready_time(b)
        if ta != tb:
            if ta is None or tb is None:
                return ta is None  # afterOrZero: a zero time sorts first
            diff = _log_rank(ta, now) - _log_rank(tb, now)
            if diff == 0:
                return (a["metadata"].get("uid") or "") < (b["metadata"].get("uid") or "")
            return diff < 0
    (reg_a, side_a), (reg_b, side_b) = _max_restarts(a), _max_restarts(b)
    if reg_a != reg_b:
        return reg_a > reg_b
    if side_a != side_b:
        return side_a > side_b
    ta, tb = _creation(a), _creation(b)
    if ta != tb:
        if ta is None or tb is None:
            return ta is None
        diff = _log_rank(ta, now) - _log_rank(tb, now)
        if diff == 0:
            return (a["metadata"].get("uid") or "") < (b["metadata"].get("uid") or "")
        return diff < 0
    return None


def rank_for_deletion(pods: list[dict], related: Iterable[dict], now: float) -> list[dict]:
    """Pods ordered as the ReplicaSet controller deletes them, first to go first.

    Unassigned < assigned; Pending < Unknown < Running; not ready < ready; lower
    ``controller.kubernetes.io/pod-deletion-cost`` first; more related active pods on the same node first;
    ready for less time first (logarithmic buckets, as ``LogarithmicScaleDown``); more restarts first;
    newer first (logarithmic buckets, ties broken by UID).

    Args:
        pods: the candidates.
        related: active pods of every ReplicaSet with the same owner (for the "doubled up" rank).
        now: the simulated time.
    """
    on_node: dict[str, int] = {}
    for p in related:
        if is_pod_active(p):
            n = (p.get("spec") or {}).get("nodeName") or ""
            on_node[n] = on_node.get(n, 0) + 1
    ranked = [(p, on_node.get((p.get("spec") or {}).get("nodeName") or "", 0)) for p in pods]

    def cmp(x: tuple[dict, int], y: tuple[dict, int]) -> int:
        if _before(x[0], x[1], y[0], y[1], now):
            return -1
        return 1 if _before(y[0], y[1], x[0], x[1], now) else 0

    return [p for p, _ in sorted(ranked, key=functools.cmp_to_key(cmp))]


def pods_to_delete(pods: list[dict], related: Iterable[dict], diff: int, now: float) -> list[dict]:
    """The ``diff`` pods a scale-down removes (``getPodsToDelete``)."""
    if diff < len(pods):
        pods = rank_for_deletion(pods, related, now)
    return pods[:diff]


def slow_start_batches(count: int, initial: int = SLOW_START_INITIAL_BATCH_SIZE) -> list[int]:
    """Batch sizes of ``slowStartBatch``: 1, 2, 4, ... until ``count`` calls are made."""
    out, remaining, size = [], count, min(count, initial)
    while size > 0:
        out.append(size)
        remaining -= size
        size = min(2 * size, remaining)
    return out


# ------------------------------------------------------------------ expectations


class Expectations:
    """``ControllerExpectations`` with UID-tracked deletions, on the simulated clock.

    A controller records how many creations and which deletions it expects; until the informer has seen
    them (or five minutes pass) the controller does not create or delete again for that key.
    """

    def __init__(self) -> None:
        self._adds: dict[str, int] = {}
        self._dels: dict[str, set[str]] = {}
        self._since: dict[str, float] = {}

    def satisfied(self, key: str, now: float) -> bool:
        if key not in self._since:
            return True
        if self._adds.get(key, 0) <= 0 and not self._dels.get(key):
            return True
        return now - self._since[key] > EXPECTATIONS_TIMEOUT

    def expect_creations(self, key: str, n: int, now: float) -> None:
        self._adds[key] = n
        self._dels[key] = set()
        self._since[key] = now

    def expect_deletions(self, key: str, pod_keys: Iterable[str], now: float) -> None:
        self._adds[key] = 0
        self._dels[key] = set(pod_keys)
        self._since[key] = now

    def creation_observed(self, key: str) -> None:
        if key in self._adds:
            self._adds[key] -= 1

    def deletion_observed(self, key: str, pod_key: str) -> None:
        if key in self._dels:
            self._dels[key].discard(pod_key)

    def forget(self, key: str) -> None:
        self._adds.pop(key, None)
        self._dels.pop(key, None)
        self._since.pop(key, None)
