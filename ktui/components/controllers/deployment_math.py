"""Pure Deployment arithmetic, as ``pkg/controller/deployment/util``: hashes, revisions, surge and unavailability.

Nothing here talks to the API; the Deployment controller decides with these functions and tests call them
directly. The status and its conditions are :mod:`deployment_status`'s.
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterable

from ktui.api.objects import copy_json
from ktui.sim.rng import NAME_ALPHABET
from ktui.sim.timefmt import parse_rfc3339

__all__ = [
    "DESIRED_REPLICAS_ANNOTATION",
    "HASH_LABEL",
    "MAX_REPLICAS_ANNOTATION",
    "REVISION_ANNOTATION",
    "REVISION_HISTORY_ANNOTATION",
    "compute_hash",
    "equal_ignore_hash",
    "fnv32a",
    "max_revision",
    "max_surge",
    "max_unavailable",
    "new_rs_new_replicas",
    "proportion",
    "resolve_fenceposts",
    "revision_of",
    "safe_encode_string",
    "scaled_value",
    "set_new_rs_annotations",
]

HASH_LABEL = "pod-template-hash"
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000

_SKIPPED_ANNOTATIONS = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION_ANNOTATION,
        REVISION_HISTORY_ANNOTATION,
        DESIRED_REPLICAS_ANNOTATION,
        MAX_REPLICAS_ANNOTATION,
        "deprecated.deployment.rollback.to",
    }
)


# ------------------------------------------------------------------ hashing


def fnv32a(data: bytes) -> int:
    """The 32-bit FNV-1a hash (Go's ``hash/fnv.New32a``)."""
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def safe_encode_string(s: str) -> str:
    """``rand.SafeEncodeString``: each byte mapped onto the vowel-free alphabet ``bcdfghjklmnpqrstvwxz2456789``."""
    return "".join(NAME_ALPHABET[b % len(NAME_ALPHABET)] for b in s.encode())


def compute_hash(template: dict, collision_count: int | None = None) -> str:
    """The ``pod-template-hash`` of a pod template (``controller.ComputeHash``).

    Kubernetes hashes the Go object with ``hashutil.DeepHashObject`` (a ``%#v``-style dump), which cannot be
    reproduced byte for byte outside Go. ktui instead feeds FNV-32a the canonical JSON of the template
    (sorted keys, no spaces), then the decimal collision count when there is one, and encodes the decimal
    sum with ``rand.SafeEncodeString`` as the real controller does. Same template, same hash; the hash
    looks like a real one (``7d4b9c8f5``) but will not equal the one a real cluster prints.
    """
    data = json.dumps(template, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if collision_count is not None:
        data += str(int(collision_count)).encode()
    return safe_encode_string(str(fnv32a(data)))


def _without_hash(template: dict | None) -> dict:
    t = copy_json(template or {})
    labels = (t.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
        if not labels:
            t["metadata"].pop("labels")
    if isinstance(t.get("metadata"), dict) and not t["metadata"]:
        t.pop("metadata")
    return t


def equal_ignore_hash(a: dict | None, b: dict | None) -> bool:
    """Whether two pod templates are equal once the ``pod-template-hash`` label is ignored."""
    return _without_hash(a) == _without_hash(b)


# ------------------------------------------------------------------ int-or-percent


def scaled_value(value: Any, total: int, round_up: bool) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``: ``3`` → 3; ``"25%"`` of 10 → 3 (up) or 2 (down).

    Raises:
        ValueError: for a string that is not a percentage.
    """
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValueError(f"invalid value for IntOrString: {value!r}")
    if isinstance(value, int):
        return value
    s = str(value)
    if not s.endswith("%"):
        raise ValueError("invalid value for IntOrString: invalid type: string is not a percentage")
    pct = int(s[:-1])
    exact = pct * total / 100
    return math.ceil(exact) if round_up else math.floor(exact)


def resolve_fenceposts(surge: Any, unavailable: Any, desired: int) -> tuple[int, int]:
    """Absolute maxSurge (rounded up) and maxUnavailable (rounded down); both zero becomes unavailable 1."""
    s = scaled_value(surge if surge is not None else 0, desired, True)
    u = scaled_value(unavailable if unavailable is not None else 0, desired, False)
    if s == 0 and u == 0:
        u = 1
    return s, u


def _rolling(deploy: dict) -> dict | None:
    strategy = (deploy.get("spec") or {}).get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return None
    return strategy.get("rollingUpdate") or {}


def replicas_of(obj: dict) -> int:
    """``spec.replicas`` (1 when unset)."""
    r = (obj.get("spec") or {}).get("replicas")
    return 1 if r is None else int(r)


def max_surge(deploy: dict) -> int:
    """``MaxSurge``: 0 for Recreate."""
    ru = _rolling(deploy)
    if ru is None:
        return 0
    return resolve_fenceposts(ru.get("maxSurge"), ru.get("maxUnavailable"), replicas_of(deploy))[0]


def max_unavailable(deploy: dict) -> int:
    """``MaxUnavailable``: 0 for Recreate or zero replicas, never more than the replicas."""
    ru = _rolling(deploy)
    replicas = replicas_of(deploy)
    if ru is None or replicas == 0:
        return 0
    return min(replicas, resolve_fenceposts(ru.get("maxSurge"), ru.get("maxUnavailable"), replicas)[1])


# ------------------------------------------------------------------ replica set arithmetic


def total_replicas(sets: Iterable[dict | None]) -> int:
    """``GetReplicaCountForReplicaSets``: the sum of ``spec.replicas``."""
    return sum(replicas_of(rs) for rs in sets if rs is not None)


def status_sum(sets: Iterable[dict | None], field: str) -> int:
    """The sum of one status counter (``replicas``, ``readyReplicas``, ``availableReplicas``...)."""
    return sum(int((rs.get("status") or {}).get(field, 0) or 0) for rs in sets if rs is not None)


def new_rs_new_replicas(deploy: dict, all_sets: list[dict], new_rs: dict) -> int:
    """``NewRSNewReplicas``: how big the new ReplicaSet may be now."""
    replicas = replicas_of(deploy)
    ru = _rolling(deploy)
    if ru is None:
        return replicas
    surge = scaled_value(ru.get("maxSurge") if ru.get("maxSurge") is not None else 0, replicas, True)
    current = total_replicas(all_sets)
    max_total = replicas + surge
    if current >= max_total:
        return replicas_of(new_rs)
    scale_up = min(max_total - current, replicas - replicas_of(new_rs))
    return replicas_of(new_rs) + scale_up


def _annotation_int(rs: dict, name: str) -> int | None:
    raw = ((rs.get("metadata") or {}).get("annotations") or {}).get(name)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _round_half_away(x: float) -> int:
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def proportion(rs: dict, deploy: dict, to_add: int, added: int) -> int:
    """``GetProportion``: this ReplicaSet's share of a proportional scale of ``to_add`` replicas."""
    size = replicas_of(rs)
    if size == 0 or to_add == 0 or to_add == added:
        return 0
    replicas = replicas_of(deploy)
    if replicas == 0:
        fraction = -size
    else:
        max_now = replicas + max_surge(deploy)
        before = _annotation_int(rs, MAX_REPLICAS_ANNOTATION)
        if not before:
            before = int((deploy.get("status") or {}).get("replicas", 0) or 0)
        fraction = 0 if not before else _round_half_away(size * max_now / before) - size
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


# ------------------------------------------------------------------ revisions and annotations


def revision_of(obj: dict) -> int:
    """The ``deployment.kubernetes.io/revision`` annotation as an int (0 when absent or bad)."""
    v = _annotation_int(obj, REVISION_ANNOTATION)
    return v or 0


def max_revision(sets: Iterable[dict]) -> int:
    return max([revision_of(rs) for rs in sets] or [0])


def by_creation(rs: dict) -> tuple[float, str]:
    """Sort key of ``ReplicaSetsByCreationTimestamp``."""
    md = rs.get("metadata") or {}
    ts = md.get("creationTimestamp")
    return (parse_rfc3339(ts) if ts else 0.0, md.get("name", ""))


def by_revision(rs: dict) -> tuple[int, float, str]:
    """Sort key of ``ReplicaSetsByRevision``."""
    return (revision_of(rs), *by_creation(rs))


def set_replicas_annotations(rs: dict, desired: int, max_replicas: int) -> bool:
    """Set desired-replicas and max-replicas in place; True when they changed."""
    ann = rs.setdefault("metadata", {}).setdefault("annotations", {})
    changed = False
    for k, v in ((DESIRED_REPLICAS_ANNOTATION, str(desired)), (MAX_REPLICAS_ANNOTATION, str(max_replicas))):
        if ann.get(k) != v:
            ann[k] = v
            changed = True
    return changed


def replicas_annotations_need_update(rs: dict, desired: int, max_replicas: int) -> bool:
    ann = (rs.get("metadata") or {}).get("annotations") or {}
    return ann.get(DESIRED_REPLICAS_ANNOTATION) != str(desired) or ann.get(MAX_REPLICAS_ANNOTATION) != str(max_replicas)


def set_new_rs_annotations(deploy: dict, rs: dict, new_revision: int, exists: bool) -> bool:
    """``SetNewReplicaSetAnnotations``, in place on ``rs``; True when anything changed.

    Copies the Deployment's own annotations (not kubectl's last-applied nor the controller's), raises the
    revision to ``new_revision`` when it is lower (keeping the old number in ``revision-history``: this is
    what makes a rolled-back ReplicaSet new again) and, for a ReplicaSet about to be created, sets the
    desired/max replicas annotations.
    """
    md = rs.setdefault("metadata", {})
    ann = md.setdefault("annotations", {})
    changed = False
    for k, v in sorted(((deploy.get("metadata") or {}).get("annotations") or {}).items()):
        if k in _SKIPPED_ANNOTATIONS:
            continue
        if ann.get(k) != v:
            ann[k] = v
            changed = True
    old = ann.get(REVISION_ANNOTATION)
    try:
        old_int = int(old) if old is not None and old != "" else 0
    except ValueError:
        return False
    if old_int < new_revision:
        ann[REVISION_ANNOTATION] = str(new_revision)
        changed = True
        if old:
            history = ann.get(REVISION_HISTORY_ANNOTATION, "")
            parts = history.split(",") if history else []
            total = len(history) + len(old) + 1
            start = 0
            while total > MAX_REV_HISTORY_LENGTH_IN_CHARS and start < len(parts):
                total -= len(parts[start]) + 1
                start += 1
            if total <= MAX_REV_HISTORY_LENGTH_IN_CHARS:
                ann[REVISION_HISTORY_ANNOTATION] = ",".join(parts[start:] + [old])
    if not exists:
        replicas = replicas_of(deploy)
        if set_replicas_annotations(rs, replicas, replicas + max_surge(deploy)):
            changed = True
    return changed


def new_rs_template(deploy: dict, pod_hash: str) -> dict:
    """The Deployment's template with the ``pod-template-hash`` label added."""
    t = copy_json((deploy.get("spec") or {}).get("template") or {})
    md = t.setdefault("metadata", {})
    md["labels"] = {**(md.get("labels") or {}), HASH_LABEL: pod_hash}
    return t


def selector_with_hash(selector: dict | None, pod_hash: str) -> dict:
    """``CloneSelectorAndAddLabel``: the selector with ``pod-template-hash`` in matchLabels."""
    out = copy_json(selector or {})
    out["matchLabels"] = {**(out.get("matchLabels") or {}), HASH_LABEL: pod_hash}
    return out
