"""Resource URLs: which resource, namespace, name and subresource a path names, and its request options."""

from __future__ import annotations

from dataclasses import dataclass

from ktui.api.registry import REGISTRY, Registry, Resource

__all__ = ["Target", "parse_path", "ResourceIndex"]

_NAMESPACE_SUBRESOURCES = ("status", "finalize")


@dataclass(frozen=True)
class Target:
    """What a resource URL names."""

    resource: Resource
    namespace: str | None
    """The namespace in the path (None: all namespaces, or a cluster-scoped resource)."""
    name: str = ""
    subresource: str = ""


class ResourceIndex:
    """Registered resources by ``(group, version, plural)``."""

    def __init__(self, registry: Registry = REGISTRY) -> None:
        self._by_path = {(r.group, r.version, r.plural): r for r in registry}

    def get(self, group: str, version: str, plural: str) -> Resource | None:
        return self._by_path.get((group, version, plural))


def parse_path(path: str, index: ResourceIndex) -> Target | None:
    """``/api/v1/namespaces/default/pods/x/log`` -> Target(pods, "default", "x", "log"); None if no resource."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    if not rest:
        return None
    ns: str | None = None
    if rest[0] == "namespaces" and len(rest) >= 3 and not (len(rest) == 3 and rest[2] in _NAMESPACE_SUBRESOURCES):
        ns, rest = rest[1], rest[2:]
    if len(rest) > 3:
        return None
    r = index.get(group, version, rest[0])
    if r is None or (ns is not None and not r.namespaced):
        return None
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    if sub and sub not in r.subresources:
        return None
    return Target(r, ns, name, sub)
