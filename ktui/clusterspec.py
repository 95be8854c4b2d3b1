"""The cluster spec: what a cluster is made of, from a YAML file or a dict, with kubeadm-like defaults."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DEFAULT_SPEC", "component_flags", "load_spec", "normalize_spec", "SpecError"]


class SpecError(ValueError):
    """A cluster spec that cannot be used; the message names the field."""


DEFAULT_SPEC: dict[str, Any] = {
    "name": "kubernetes",
    "seed": 0,
    "nodes": [
        {"name": "controlplane", "role": "control-plane", "cpu": "2", "memory": "4Gi"},
        {"name": "node01", "role": "worker", "cpu": "2", "memory": "4Gi"},
        {"name": "node02", "role": "worker", "cpu": "2", "memory": "4Gi"},
    ],
    "podCIDR": "10.244.0.0/16",
    "serviceCIDR": "10.96.0.0/12",
    "clusterDomain": "cluster.local",
    "users": [],
    "components": {},
    "addons": {"metrics-server": False},
}

_NODE_DEFAULTS = {
    "role": "worker",
    "cpu": "2",
    "memory": "4Gi",
    "pods": 110,
    "labels": {},
    "taints": None,
    "kubelet": True,
}

APISERVER_FLAGS: dict[str, Any] = {
    "service-node-port-range": "30000-32767",
    "default-not-ready-toleration-seconds": 300,
    "default-unreachable-toleration-seconds": 300,
}
"""The kube-apiserver flags ktui reads (the world wires them from the spec), with their defaults."""

ADDONS = ("metrics-server",)
"""Add-ons a spec may switch on (``addons: {metrics-server: true}``); kubeadm's own (kube-proxy, CoreDNS) are
always there."""


def component_flags() -> dict[str, dict[str, Any]]:
    """Every flag each component reads, with its default: each component declares its own (``FLAGS``), so
    a flag a component reads is one the spec accepts, and a default is written once."""
    from ktui.components.controller_manager import flag_defaults
    from ktui.components.kubelet.kubelet import Kubelet
    from ktui.components.scheduler.config import FLAGS as SCHEDULER_FLAGS
    from ktui.net.kube_proxy import KubeProxy

    return {
        "kube-controller-manager": dict(flag_defaults()),
        "kubelet": dict(Kubelet.FLAGS),
        "kube-proxy": dict(KubeProxy.FLAGS),
        "kube-apiserver": dict(APISERVER_FLAGS),
        "kube-scheduler": dict(SCHEDULER_FLAGS),
    }


def normalize_spec(spec: dict[str, Any] | None) -> dict[str, Any]:
    """Fill in every default; raise :class:`SpecError` for what cannot be right."""
    out = copy.deepcopy(DEFAULT_SPEC)
    spec = copy.deepcopy(spec or {})
    if not isinstance(spec, dict):
        raise SpecError("cluster spec: expected a mapping")
    unknown = sorted(set(spec) - set(DEFAULT_SPEC))
    if unknown:
        raise SpecError(f"cluster spec: unknown field {unknown[0]!r}")
    out.update({k: v for k, v in spec.items() if k not in ("components", "addons")})
    out["addons"] = _addons(spec.get("addons"))
    if not isinstance(out["seed"], int):
        raise SpecError("cluster spec: seed must be an integer")
    nodes = []
    seen = set()
    for i, n in enumerate(out["nodes"] or []):
        if not isinstance(n, dict) or not n.get("name"):
            raise SpecError(f"cluster spec: nodes[{i}].name is required")
        if n["name"] in seen:
            raise SpecError(f"cluster spec: nodes[{i}].name: duplicate node {n['name']!r}")
        seen.add(n["name"])
        node = {**_NODE_DEFAULTS, **n}
        if node["role"] not in ("control-plane", "worker"):
            raise SpecError(f"cluster spec: nodes[{i}].role must be control-plane or worker")
        nodes.append(node)
    out["nodes"] = nodes
    from ktui.components.scheduler.config import FLAG_ALIASES

    components = component_flags()
    for comp, flags in (spec.get("components") or {}).items():
        if comp not in components:
            raise SpecError(f"cluster spec: unknown component {comp!r}")
        for k, v in (flags or {}).items():
            key = k.lstrip("-")
            if comp == "kube-scheduler":
                key = FLAG_ALIASES.get(key, key)
            if key not in components[comp]:
                raise SpecError(f"cluster spec: {comp}: unknown flag --{key}")
            components[comp][key] = v
    out["components"] = components
    for i, u in enumerate(out["users"] or []):
        if not isinstance(u, dict) or not u.get("name"):
            raise SpecError(f"cluster spec: users[{i}].name is required")
    return out


def _addons(given: Any) -> dict[str, bool]:
    out = dict(DEFAULT_SPEC["addons"])
    if given is None:
        return out
    if not isinstance(given, dict):
        raise SpecError("cluster spec: addons must be a mapping (metrics-server: true)")
    for name, on in given.items():
        if name not in ADDONS:
            raise SpecError(f"cluster spec: unknown addon {name!r}")
        if not isinstance(on, bool):
            raise SpecError(f"cluster spec: addons.{name} must be true or false")
        out[name] = on
    return out


def load_spec(path: str | Path) -> dict[str, Any]:
    """Read a spec file (YAML); a top-level ``cluster:`` key is accepted as a wrapper."""
    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as e:
        raise SpecError(f"{path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise SpecError(f"{path}: {e}") from None
    if isinstance(data, dict) and set(data) == {"cluster"}:
        data = data["cluster"]
    return normalize_spec(data)
