"""Small helpers on Kubernetes objects as plain JSON dicts."""

from __future__ import annotations

import sys
from typing import Any

__all__ = [
    "copy_json",
    "meta",
    "name_of",
    "namespace_of",
    "key_of",
    "labels_of",
    "get_path",
    "owner_of",
    "get_condition",
    "condition_is_true",
    "is_pod_ready",
    "internal_ip",
]


_SCALARS = frozenset((str, int, float, bool, type(None)))


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON-like tree (dicts, lists, scalars), faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: v if v.__class__ in _SCALARS else copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if v.__class__ in _SCALARS else copy_json(v) for v in value]
    return value


def meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def name_of(obj: dict) -> str:
    return meta(obj).get("name", "")


def namespace_of(obj: dict) -> str:
    return meta(obj).get("namespace", "")


def key_of(obj: dict) -> str:
    """``namespace/name`` (or ``name`` for cluster-scoped objects), the key a controller queues.

    The string is interned: the informers' caches and indexes, the scheduler's and the network's maps of one
    object hold one copy of its key instead of one each (memory only)."""
    md = obj.get("metadata") or {}
    ns = md.get("namespace", "")
    return sys.intern(f"{ns}/{md.get('name', '')}") if ns else md.get("name", "")


def labels_of(obj: dict) -> dict[str, str]:
    return meta(obj).get("labels") or {}


def get_path(obj: Any, path: str, default: Any = None) -> Any:
    """``get_path(pod, "spec.nodeName")``: follow dotted keys, returning ``default`` where one is missing."""
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


def owner_of(obj: dict, kind: str | None = None) -> dict | None:
    """The controller ownerReference (``controller: true``), optionally only of ``kind``."""
    for ref in meta(obj).get("ownerReferences") or []:
        if ref.get("controller") and (kind is None or ref.get("kind") == kind):
            return ref
    return None


def get_condition(conditions: list[dict] | None, ctype: str) -> dict | None:
    """The first condition of type ``ctype`` in a ``status.conditions`` list, or None (``GetPodCondition``)."""
    for c in conditions or []:
        if c.get("type") == ctype:
            return c
    return None


def condition_is_true(conditions: list[dict] | None, ctype: str) -> bool:
    """Whether the condition of type ``ctype`` is there with status ``True``."""
    c = get_condition(conditions, ctype)
    return c is not None and c.get("status") == "True"


def is_pod_ready(pod: dict) -> bool:
    """The pod's (or a node's) Ready condition is True (``podutil.IsPodReady``)."""
    return condition_is_true((pod.get("status") or {}).get("conditions"), "Ready")


def internal_ip(node: dict) -> str:
    """A node's ``InternalIP`` address from ``status.addresses``, or ``""``."""
    for a in (node.get("status") or {}).get("addresses") or []:
        if a.get("type") == "InternalIP":
            return a.get("address", "")
    return ""
