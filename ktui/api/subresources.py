"""Subresources served beside their parent: pods/binding, pods/eviction, pods/log, */scale, serviceaccounts/token.

Each handler is registered in :data:`HANDLERS` under ``(resource, subresource)`` and reached only through
:class:`ktui.api.server.APIServer`, which dispatches to it; a handler sees the server only through the
small :class:`ParentStorage` interface (checks, stored objects, writes), never its private names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol

from ktui.api import errors
from ktui.api.objects import copy_json
from ktui.api.selectors import label_selector_from_dict
from ktui.api.strategy import prepare_for_update
from ktui.sim.timefmt import rfc3339

if TYPE_CHECKING:
    from ktui.api.auth.user import UserInfo
    from ktui.api.registry import Resource
    from ktui.store.protocol import KeyValue

__all__ = ["HANDLERS", "ParentStorage", "Subresource", "handler_for"]


class ParentStorage(Protocol):
    """What a subresource handler may use of the API server."""

    def authorize(
        self, user: "UserInfo", verb: str, r: "Resource", namespace: str, name: str = "", subresource: str = ""
    ) -> None: ...

    def admit(
        self,
        op: str,
        r: "Resource",
        sub: str,
        ns: str,
        name: str,
        obj: dict | None,
        old: dict | None,
        user: "UserInfo",
        dry_run: bool,
    ) -> dict | None: ...

    def validate_admission(
        self,
        op: str,
        r: "Resource",
        sub: str,
        ns: str,
        name: str,
        obj: dict | None,
        old: dict | None,
        user: "UserInfo",
        dry_run: bool,
    ) -> None: ...

    def validate(self, r: "Resource", obj: dict, old: dict | None) -> None: ...

    def bound_spec(self, old: dict | None, new: dict | None) -> None: ...

    def stored(self, r: "Resource", namespace: str, name: str) -> "KeyValue | None": ...

    def store_update(
        self, r: "Resource", ns: str, name: str, new: dict, expected_rev: int, large: bool = True, copy: bool = True
    ) -> dict: ...

    def list_objects(self, resource: str, namespace: str | None = None) -> list[dict]: ...

    def delete(
        self,
        user: "UserInfo",
        r: "Resource",
        namespace: str | None,
        name: str,
        *,
        grace_period_seconds: int | None = None,
        dry_run: bool = False,
        authorized: bool = False,
    ) -> dict: ...

    def kubelet_for(self, node: str) -> Any: ...

    @property
    def token_signer(self) -> Any: ...

    def new_uid(self) -> str: ...

    @property
    def now(self) -> float: ...


@dataclass(frozen=True)
class Subresource:
    """The verbs one subresource serves; a missing verb is not served.

    ``get(host, user, r, ns, name, **opts)``, ``create(host, user, r, ns, name, body, dry_run)`` and
    ``update(host, user, r, ns, name, body, dry_run, verb)``.
    """

    get: Callable[..., Any] | None = None
    create: Callable[..., dict] | None = None
    update: Callable[..., dict] | None = None


_SUCCESS_201 = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def _bind(host: ParentStorage, user: "UserInfo", r: "Resource", ns: str, name: str, body: dict, dry_run: bool) -> dict:
    """Assign a pod to a node, as the scheduler does: spec.nodeName and PodScheduled=True."""
    host.authorize(user, "create", r, ns, name, "binding")
    body = host.admit("CREATE", r, "binding", ns, name, body, None, user, dry_run) or body
    target = (body.get("target") or {}).get("name", "")
    if not target:
        raise errors.invalid("Binding", name, [errors.FieldError.required("target.name")])
    host.validate_admission("CREATE", r, "binding", ns, name, body, None, user, dry_run)
    kv = host.stored(r, ns, name)
    if kv is None:
        raise errors.not_found("pods", name)
    stored = kv.value
    pod = {**stored, "metadata": dict(stored["metadata"]), "spec": dict(stored.get("spec") or {})}
    pod["status"] = dict(stored.get("status") or {})  # copy on write: the rest is shared with the stored pod
    if "status" not in stored:
        pod.pop("status")
    if pod["metadata"].get("deletionTimestamp"):
        raise errors.conflict("pods", name, why=f"pod {name} is being deleted, cannot be assigned to a host")
    current = (pod.get("spec") or {}).get("nodeName")
    if current:
        raise errors.conflict("pods", name, why=f'pod {name} is already assigned to node "{current}"')
    pod["spec"]["nodeName"] = target
    status = pod.setdefault("status", {})
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
    conditions.append(
        {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": rfc3339(host.now)}
    )
    status["conditions"] = conditions
    status.pop("nominatedNodeName", None)  # ClearingNominatedNodeNameAfterBinding (on by default since v1.35)
    if not dry_run:
        bound = host.store_update(r, ns, name, pod, kv.mod_revision, copy=False)
        host.bound_spec(stored.get("spec"), bound.get("spec"))  # (the stored spec, maybe shared with others)
    return dict(_SUCCESS_201, metadata={})


def _evict(host: ParentStorage, user: "UserInfo", r: "Resource", ns: str, name: str, body: dict, dry_run: bool) -> dict:
    """Delete a pod unless a PodDisruptionBudget forbids it (429, as the eviction API answers)."""
    host.authorize(user, "create", r, ns, name, "eviction")
    body = host.admit("CREATE", r, "eviction", ns, name, body, None, user, dry_run) or body
    host.validate_admission("CREATE", r, "eviction", ns, name, body, None, user, dry_run)
    kv = host.stored(r, ns, name)
    if kv is None:
        raise errors.not_found("pods", name)
    pod = kv.value
    labels = pod["metadata"].get("labels") or {}
    phase = (pod.get("status") or {}).get("phase")
    if phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp"):
        for pdb in host.list_objects("poddisruptionbudgets", ns):
            if not label_selector_from_dict((pdb.get("spec") or {}).get("selector")).matches(labels):
                continue
            if int((pdb.get("status") or {}).get("disruptionsAllowed", 0)) < 1:
                raise errors.too_many_requests("Cannot evict pod as it would violate the pod's disruption budget.")
    opts = body.get("deleteOptions") or {}
    host.delete(
        user, r, ns, name, grace_period_seconds=opts.get("gracePeriodSeconds"), dry_run=dry_run, authorized=True
    )
    return dict(_SUCCESS_201, metadata={})


def _selector_string(sel: dict | None) -> str:
    return str(label_selector_from_dict(sel)) if sel is not None else ""


def _get_scale(host: ParentStorage, user: "UserInfo", r: "Resource", ns: str, name: str) -> dict:
    """``*/scale`` GET: the parent's replicas and selector as an ``autoscaling/v1`` Scale."""
    if "scale" not in r.subresources:
        raise errors.not_found(f"{r.plural}/scale", name, r.group)
    host.authorize(user, "get", r, ns, name, "scale")
    kv = host.stored(r, ns, name)
    if kv is None:
        raise errors.not_found(r.plural, name, r.group)
    obj = kv.value
    md = obj["metadata"]
    sel = obj.get("spec", {}).get("selector")
    selector = (
        _selector_string(sel)
        if r.kind != "ReplicationController"
        else ",".join(f"{k}={v}" for k, v in sorted((sel or {}).items()))
    )
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: md[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in md},
        "spec": {"replicas": obj.get("spec", {}).get("replicas", 0)},
        "status": {"replicas": (obj.get("status") or {}).get("replicas", 0), "selector": selector},
    }


def _update_scale(
    host: ParentStorage,
    user: "UserInfo",
    r: "Resource",
    ns: str,
    name: str,
    scale: dict,
    dry_run: bool,
    verb: str = "update",
) -> dict:
    """``*/scale`` PUT (or PATCH, ``verb``): set the parent's ``spec.replicas``."""
    if "scale" not in r.subresources:
        raise errors.not_found(f"{r.plural}/scale", name, r.group)
    host.authorize(user, verb, r, ns, name, "scale")
    kv = host.stored(r, ns, name)
    if kv is None:
        raise errors.not_found(r.plural, name, r.group)
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise errors.invalid(
            "Scale",
            name,
            [errors.FieldError.invalid("spec.replicas", replicas, "must be greater than or equal to 0")],
            "autoscaling",
        )
    rv = (scale.get("metadata") or {}).get("resourceVersion")
    if rv and rv != kv.value["metadata"].get("resourceVersion"):
        raise errors.conflict(r.plural, name, r.group)
    obj = copy_json(kv.value)
    obj["spec"]["replicas"] = replicas
    obj["metadata"].pop("resourceVersion", None)
    new = prepare_for_update(r.kind, obj, kv.value, r.has_status)
    host.validate(r, new, kv.value)
    if dry_run:
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas},
            "status": {},
        }
    host.store_update(r, ns, name, new, kv.mod_revision)
    return _get_scale(host, user, r, ns, name)


def _create_token(
    host: ParentStorage, user: "UserInfo", r: "Resource", ns: str, name: str, body: dict, dry_run: bool
) -> dict:
    """serviceaccounts/token (TokenRequest): see :func:`ktui.api.auth.sa_tokens.create_token`."""
    from ktui.api.auth.sa_tokens import create_token

    return create_token(host, user, r, ns, name, body, dry_run)


def _get_log(host: ParentStorage, user: "UserInfo", r: "Resource", ns: str, name: str, **opts: Any) -> str:
    """pods/log: the API server asks the kubelet of the pod's node for the container's log."""
    host.authorize(user, "get", r, ns, name, "log")
    kv = host.stored(r, ns, name)
    if kv is None:
        raise errors.not_found("pods", name)
    pod = kv.value
    containers = [c["name"] for c in pod.get("spec", {}).get("containers", [])]
    container = opts.get("container") or ""
    if not container:
        if len(containers) != 1:
            raise errors.bad_request(
                f"a container name must be specified for pod {name}, choose one of: [{' '.join(containers)}]"
            )
        container = containers[0]
    elif container not in containers + [c["name"] for c in pod.get("spec", {}).get("initContainers", [])]:
        raise errors.bad_request(f"container {container} is not valid for pod {name}")
    node = pod.get("spec", {}).get("nodeName")
    kubelet = host.kubelet_for(node) if node else None
    if kubelet is None:
        raise errors.bad_request(f'container "{container}" in pod "{name}" is waiting to start: ContainerCreating')
    return kubelet.container_log(ns, name, container, **{k: v for k, v in opts.items() if k != "container"})


def _csr(sub: str) -> Subresource:
    """certificatesigningrequests/approval and /status: see :mod:`ktui.api.csr`."""

    def get(host: ParentStorage, user: "UserInfo", r: "Resource", ns: str, name: str, **_: Any) -> dict:
        from ktui.api.csr import get_csr

        return get_csr(host, user, r, ns, name, sub)

    def update(
        host: ParentStorage,
        user: "UserInfo",
        r: "Resource",
        ns: str,
        name: str,
        body: dict,
        dry_run: bool,
        verb: str = "update",
    ) -> dict:
        from ktui.api.csr import update_csr

        return update_csr(sub, host, user, r, name, body, dry_run, verb)

    return Subresource(get=get, update=update)


HANDLERS: dict[tuple[str, str], Subresource] = {
    ("pods", "binding"): Subresource(create=_bind),
    ("pods", "eviction"): Subresource(create=_evict),
    ("pods", "log"): Subresource(get=_get_log),
    ("*", "scale"): Subresource(get=_get_scale, update=_update_scale),
    ("serviceaccounts", "token"): Subresource(create=_create_token),
    ("certificatesigningrequests", "approval"): _csr("approval"),
    ("certificatesigningrequests", "status"): _csr("status"),
}
"""Subresource handlers by ``(resource plural, subresource)``; ``"*"`` serves every resource."""


def handler_for(r: "Resource", subresource: str) -> Subresource | None:
    """The handler registered for ``r``'s ``subresource``, or None (served by the generic paths)."""
    return HANDLERS.get((r.plural, subresource)) or HANDLERS.get(("*", subresource))
