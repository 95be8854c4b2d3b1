"""Discovery documents from ktui's registry (and ``metrics.k8s.io``): ``/api``, ``/apis``, ``/api/v1``,
``/apis/G/V`` and the aggregated ``apidiscovery.k8s.io/v2`` lists kubectl 1.37 asks for first."""

from __future__ import annotations

from typing import Any

from ktui.api.metrics import with_metrics
from ktui.api.registry import REGISTRY, Registry, Resource

__all__ = ["AGGREGATED_TYPE", "api_versions", "api_group_list", "resource_list", "aggregated", "group_versions"]

AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
"""The media type of an aggregated discovery answer."""

SERVED = with_metrics(REGISTRY)
"""What discovery lists: the registry and ``metrics.k8s.io`` (the simulated metrics-server's APIService)."""

_GET_UPDATE = ("get", "patch", "update")

_SUBRESOURCES: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "scale": ("autoscaling", "v1", "Scale", _GET_UPDATE),
    "eviction": ("policy", "v1", "Eviction", ("create",)),
    "binding": ("", "v1", "Binding", ("create",)),
    "token": ("authentication.k8s.io", "v1", "TokenRequest", ("create",)),
    "exec": ("", "v1", "PodExecOptions", ("create", "get")),
    "attach": ("", "v1", "PodAttachOptions", ("create", "get")),
    "portforward": ("", "v1", "PodPortForwardOptions", ("create", "get")),
    "log": ("", "v1", "Pod", ("get",)),
    "finalize": ("", "v1", "Namespace", ("update",)),
}
"""subresource -> (group, version, kind, verbs) where it is not the parent's kind with get/patch/update."""

_PROXY = {"pods": "PodProxyOptions", "nodes": "NodeProxyOptions", "services": "ServiceProxyOptions"}
_PROXY_VERBS = ("create", "delete", "get", "patch", "update")


def _sub(r: Resource, sub: str) -> tuple[str, str, str, tuple[str, ...]]:
    if sub == "proxy":
        return "", "v1", _PROXY[r.plural], _PROXY_VERBS
    return _SUBRESOURCES.get(sub, (r.group, r.version, r.kind, _GET_UPDATE))


def group_versions(registry: Registry = SERVED) -> dict[str, list[str]]:
    """group -> its versions in registry order (the core group is ``""``)."""
    out: dict[str, list[str]] = {}
    for r in registry:
        versions = out.setdefault(r.group, [])
        if r.version not in versions:
            versions.append(r.version)
    return out


def api_versions(server_address: str) -> dict:
    """``GET /api`` (legacy): the core group's versions."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def api_group_list(registry: Registry = SERVED) -> dict:
    """``GET /apis`` (legacy): every named group."""
    groups = []
    for g, vs in group_versions(registry).items():
        if not g:
            continue
        versions = [{"groupVersion": f"{g}/{v}", "version": v} for v in vs]
        groups.append({"name": g, "versions": versions, "preferredVersion": versions[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def resource_list(group_version: str, registry: Registry = SERVED) -> dict | None:
    """``GET /api/v1`` or ``/apis/G/V``: an APIResourceList, or None for a version that is not served."""
    resources: list[dict[str, Any]] = []
    for r in registry:
        if r.api_version != group_version:
            continue
        entry: dict[str, Any] = {
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": list(r.verbs),
        }
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if r.categories:
            entry["categories"] = list(r.categories)
        resources.append(entry)
        for sub in r.subresources:
            group, version, kind, verbs = _sub(r, sub)
            s: dict[str, Any] = {
                "name": f"{r.plural}/{sub}",
                "singularName": "",
                "namespaced": r.namespaced,
                "kind": kind,
                "verbs": list(verbs),
            }
            if (group, version) != (r.group, r.version):
                s["group"], s["version"] = group, version
            resources.append(s)
    if not resources:
        return None
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}


def _discovery_resource(r: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resource": r.plural,
        "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
        "scope": "Namespaced" if r.namespaced else "Cluster",
        "singularResource": r.singular,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        out["shortNames"] = list(r.short_names)
    if r.categories:
        out["categories"] = list(r.categories)
    subs = []
    for sub in r.subresources:
        group, version, kind, verbs = _sub(r, sub)
        subs.append(
            {
                "subresource": sub,
                "responseKind": {"group": group, "version": version, "kind": kind},
                "verbs": list(verbs),
            }
        )
    if subs:
        out["subresources"] = subs
    return out


def aggregated(core: bool, registry: Registry = SERVED) -> dict:
    """``/api`` (``core``) or ``/apis`` as an ``APIGroupDiscoveryList``."""
    items = []
    for g, vs in group_versions(registry).items():
        if bool(g) == core:
            continue
        versions = [
            {
                "version": v,
                "freshness": "Current",
                "resources": [_discovery_resource(r) for r in registry if r.group == g and r.version == v],
            }
            for v in vs
        ]
        metadata: dict[str, Any] = {"creationTimestamp": None}
        if g:
            metadata["name"] = g
        items.append({"metadata": metadata, "versions": versions})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items}
