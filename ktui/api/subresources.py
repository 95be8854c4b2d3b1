"""Subresources served beside their parent: pods/binding, pods/eviction, pods/log, */scale."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api import errors
from ktui.api.objects import copy_json
from ktui.sim.timefmt import rfc3339

if TYPE_CHECKING:
    from ktui.api.auth.user import UserInfo
    from ktui.api.registry import Resource
    from ktui.api.server import APIServer

__all__ = ["create", "get_scale", "update_scale", "get_log"]


def create(server: "APIServer", user: "UserInfo", r: "Resource", namespace: str | None, name: str, sub: str,
           body: dict, dry_run: bool) -> dict:
    ns = server._namespace_for(r, namespace)
    if r.plural == "pods" and sub == "binding":
        return _bind(server, user, r, ns, name or body.get("metadata", {}).get("name", ""), body, dry_run)
    if r.plural == "pods" and sub == "eviction":
        return _evict(server, user, r, ns, name or body.get("metadata", {}).get("name", ""), body, dry_run)
    raise errors.not_found(f"{r.plural}/{sub}", name, r.group)


def _bind(server: "APIServer", user: "UserInfo", r: "Resource", ns: str, name: str, body: dict,
          dry_run: bool) -> dict:
    """Assign a pod to a node, as the scheduler does: spec.nodeName and PodScheduled=True."""
    server._authorize(user, "create", r, ns, name, "binding")
    target = (body.get("target") or {}).get("name", "")
    if not target:
        raise errors.invalid("Binding", name, [errors.FieldError.required("target.name")])
    kv = server.store.get(r.key(ns, name))
    if kv is None:
        raise errors.not_found("pods", name)
    pod = copy_json(kv.value)
    if pod["metadata"].get("deletionTimestamp"):
        raise errors.conflict("pods", name, why=f"pod {name} is being deleted, cannot be assigned to a host")
    current = (pod.get("spec") or {}).get("nodeName")
    if current:
        raise errors.conflict("pods", name, why=f'pod {name} is already assigned to node "{current}"')
    pod["spec"]["nodeName"] = target
    status = pod.setdefault("status", {})
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
    conditions.append({"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                       "lastTransitionTime": rfc3339(server.kernel.now)})
    status["conditions"] = conditions
    status.pop("nominatedNodeName", None)  # ClearingNominatedNodeNameAfterBinding (on by default since v1.35)
    if dry_run:
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
    server._store_update(r, ns, name, pod, kv.mod_revision)
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def _evict(server: "APIServer", user: "UserInfo", r: "Resource", ns: str, name: str, body: dict,
           dry_run: bool) -> dict:
    """Delete a pod unless a PodDisruptionBudget forbids it (429, as the eviction API answers)."""
    from ktui.api.selectors import label_selector_from_dict

    server._authorize(user, "create", r, ns, name, "eviction")
    kv = server.store.get(r.key(ns, name))
    if kv is None:
        raise errors.not_found("pods", name)
    pod = kv.value
    labels = pod["metadata"].get("labels") or {}
    phase = (pod.get("status") or {}).get("phase")
    if phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp"):
        for pdb in server.list_objects("poddisruptionbudgets", ns):
            if not label_selector_from_dict((pdb.get("spec") or {}).get("selector")).matches(labels):
                continue
            if int((pdb.get("status") or {}).get("disruptionsAllowed", 0)) < 1:
                raise errors.too_many_requests("Cannot evict pod as it would violate the pod's disruption budget.")
    opts = body.get("deleteOptions") or {}
    server.delete(user, r, ns, name, grace_period_seconds=opts.get("gracePeriodSeconds"), dry_run=dry_run,
                  _skip_authz=True)
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def _selector_string(sel: dict | None) -> str:
    from ktui.api.selectors import label_selector_from_dict

    return str(label_selector_from_dict(sel)) if sel is not None else ""


def get_scale(server: "APIServer", user: "UserInfo", r: "Resource", ns: str, name: str) -> dict:
    if "scale" not in r.subresources:
        raise errors.not_found(f"{r.plural}/scale", name, r.group)
    server._authorize(user, "get", r, ns, name, "scale")
    kv = server.store.get(r.key(ns, name))
    if kv is None:
        raise errors.not_found(r.plural, name, r.group)
    obj = kv.value
    md = obj["metadata"]
    sel = obj.get("spec", {}).get("selector")
    selector = _selector_string(sel) if r.kind != "ReplicationController" else ",".join(
        f"{k}={v}" for k, v in sorted((sel or {}).items()))
    return {
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {k: md[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in md},
        "spec": {"replicas": obj.get("spec", {}).get("replicas", 0)},
        "status": {"replicas": (obj.get("status") or {}).get("replicas", 0), "selector": selector},
    }


def update_scale(server: "APIServer", user: "UserInfo", r: "Resource", ns: str, name: str, scale: dict,
                 dry_run: bool, verb: str = "update") -> dict:
    if "scale" not in r.subresources:
        raise errors.not_found(f"{r.plural}/scale", name, r.group)
    server._authorize(user, verb, r, ns, name, "scale")
    kv = server.store.get(r.key(ns, name))
    if kv is None:
        raise errors.not_found(r.plural, name, r.group)
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise errors.invalid("Scale", name, [errors.FieldError.invalid("spec.replicas", replicas,
                                                                        "must be greater than or equal to 0")], "autoscaling")
    rv = (scale.get("metadata") or {}).get("resourceVersion")
    if rv and rv != kv.value["metadata"].get("resourceVersion"):
        raise errors.conflict(r.plural, name, r.group)
    obj = copy_json(kv.value)
    obj["spec"]["replicas"] = replicas
    obj["metadata"].pop("resourceVersion", None)
    _internal_update(server, r, ns, name, obj, kv, dry_run)
    if dry_run:
        return {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": {"name": name, "namespace": ns},
                "spec": {"replicas": replicas}, "status": {}}
    return get_scale(server, user, r, ns, name)


def _internal_update(server: "APIServer", r: "Resource", ns: str, name: str, obj: dict, kv: Any, dry_run: bool) -> dict:
    from ktui.api.strategy import prepare_for_update

    new = prepare_for_update(r.kind, obj, kv.value, r.has_status)
    server._validate(r, new, kv.value)
    if dry_run:
        return new
    return server._store_update(r, ns, name, new, kv.mod_revision)


def get_log(server: "APIServer", user: "UserInfo", r: "Resource", ns: str, name: str, **opts: Any) -> str:
    """pods/log: the API server asks the kubelet of the pod's node for the container's log."""
    server._authorize(user, "get", r, ns, name, "log")
    kv = server.store.get(r.key(ns, name))
    if kv is None:
        raise errors.not_found("pods", name)
    pod = kv.value
    containers = [c["name"] for c in pod.get("spec", {}).get("containers", [])]
    container = opts.get("container") or ""
    if not container:
        if len(containers) != 1:
            raise errors.bad_request(
                f"a container name must be specified for pod {name}, choose one of: [{' '.join(containers)}]")
        container = containers[0]
    elif container not in containers + [c["name"] for c in pod.get("spec", {}).get("initContainers", [])]:
        raise errors.bad_request(f"container {container} is not valid for pod {name}")
    node = pod.get("spec", {}).get("nodeName")
    kubelet = server.hooks.kubelets.get(node) if node else None
    if kubelet is None:
        raise errors.bad_request(f'container "{container}" in pod "{name}" is waiting to start: ContainerCreating')
    return kubelet.container_log(ns, name, container, **{k: v for k, v in opts.items() if k != "container"})
