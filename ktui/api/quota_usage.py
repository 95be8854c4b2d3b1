"""What one object charges against a ResourceQuota: object counts and, for pods, compute resources.

Pure functions shared by the ResourceQuota admission plugin and (later) the ResourceQuota controller.
They follow pkg/quota/v1/evaluator/core (pods.go, services.go, persistent_volume_claims.go) and the
generic object-count evaluator of k8s.io/apiserver. Amounts are ``ktui.api.quantity.Quantity`` values, so
``str()`` prints what ``status.used`` shows: ``1``, ``500m``, ``1Gi``.
"""

from __future__ import annotations

from fractions import Fraction

from ktui.api.quantity import Quantity
from ktui.api.registry import REGISTRY, UnknownResource
from ktui.sim.timefmt import parse_rfc3339

__all__ = [
    "parse_resource_list",
    "Quantity",
    "quantity",
    "add_quantity",
    "usage_of",
    "format_usage",
    "add_usage",
    "object_count_name",
    "tracks",
    "pod_requests",
    "pod_limits",
    "container_usage_names",
    "quota_active_pod",
]

ZERO = Quantity(Fraction(0))
ONE = Quantity(Fraction(1))


def quantity(text: str | int | Quantity) -> Quantity:
    """A Quantity from a string such as ``500m`` or ``1Gi``; raises ValueError (QuantityError) if malformed."""
    return text if isinstance(text, Quantity) else Quantity.parse(text)


def add_quantity(a: Quantity, b: Quantity) -> Quantity:
    """``resource.Quantity.Add``: the sum keeps the left format, unless the left side is zero."""
    return Quantity(a.value + b.value, b.format if a.value == 0 else a.format)


def format_usage(usage: dict[str, Quantity]) -> dict[str, str]:
    """The strings ``status.used`` shows for a usage map, keys sorted."""
    return {k: str(usage[k]) for k in sorted(usage)}


def add_usage(a: dict[str, Quantity], b: dict[str, Quantity]) -> dict[str, Quantity]:
    """``quota.Add``: the sum of two usage maps (keys of either)."""
    out = dict(a)
    for k, v in b.items():
        out[k] = add_quantity(out[k], v) if k in out else v
    return out


def _max_into(acc: dict[str, Quantity], new: dict[str, Quantity]) -> None:
    for k, v in new.items():
        if k not in acc or v > acc[k]:
            acc[k] = v


def _add_into(acc: dict[str, Quantity], new: dict[str, Quantity]) -> None:
    for k, v in new.items():
        acc[k] = add_quantity(acc[k], v) if k in acc else v


def _parse_list(raw: dict | None) -> dict[str, Quantity]:
    out: dict[str, Quantity] = {}
    for k, v in (raw or {}).items():
        try:
            out[k] = quantity(v)
        except ValueError:
            continue
    return out


def _container_lists(c: dict) -> tuple[dict[str, Quantity], dict[str, Quantity]]:
    """Requests and limits of a container; a request missing where a limit is set defaults to it (SetDefaults_Pod)."""
    res = c.get("resources") or {}
    limits = _parse_list(res.get("limits"))
    requests = _parse_list(res.get("requests"))
    for k, v in limits.items():
        requests.setdefault(k, v)
    return requests, limits


def _pod_sum(pod: dict, which: int) -> dict[str, Quantity]:
    """resourcehelper.PodRequests / PodLimits: containers and sidecars summed, max'd with each init container."""
    spec = pod.get("spec") or {}
    total: dict[str, Quantity] = {}
    for c in spec.get("containers") or []:
        _add_into(total, _container_lists(c)[which])
    sidecars: dict[str, Quantity] = {}
    init_max: dict[str, Quantity] = {}
    for c in spec.get("initContainers") or []:
        own = _container_lists(c)[which]
        if c.get("restartPolicy") == "Always":
            _add_into(total, own)
            _add_into(sidecars, own)
            step = dict(sidecars)
        else:
            step = dict(own)
            _add_into(step, sidecars)
        _max_into(init_max, step)
    _max_into(total, init_max)
    pod_level = _parse_list((spec.get("resources") or {}).get("requests" if which == 0 else "limits"))
    for k in ("cpu", "memory"):
        if k in pod_level:
            total[k] = pod_level[k]
    overhead = _parse_list(spec.get("overhead"))
    for k, v in overhead.items():
        if which == 0 or k in total:
            total[k] = add_quantity(total[k], v) if k in total else v
    return total


def pod_requests(pod: dict) -> dict[str, Quantity]:
    """The pod's effective requests (resourcehelper.PodRequests, with overhead)."""
    return _pod_sum(pod, 0)


def pod_limits(pod: dict) -> dict[str, Quantity]:
    """The pod's effective limits (resourcehelper.PodLimits)."""
    return _pod_sum(pod, 1)


def _is_extended(name: str) -> bool:
    return "/" in name and "kubernetes.io/" not in name and not name.startswith("requests.")


def _compute_usage(requests: dict[str, Quantity], limits: dict[str, Quantity]) -> dict[str, Quantity]:
    """podComputeUsageHelper: the quota names charged for these requests and limits."""
    out: dict[str, Quantity] = {"pods": ONE}
    for res in ("cpu", "memory", "ephemeral-storage"):
        if res in requests:
            out[res] = requests[res]
            out[f"requests.{res}"] = requests[res]
        if res in limits:
            out[f"limits.{res}"] = limits[res]
    for k, v in requests.items():
        if k.startswith("hugepages-"):
            out[k] = v
            out[f"requests.{k}"] = v
        elif _is_extended(k):
            out[f"requests.{k}"] = v
    return out


def container_usage_names(container: dict) -> set[str]:
    """The quota names one container sets (for the "must specify" constraint)."""
    return set(_compute_usage(*_container_lists(container)))


def quota_active_pod(pod: dict, now: float | None = None) -> bool:
    """QuotaV1Pod: false for terminal pods and pods whose deletion grace period has passed."""
    if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return False
    md = pod.get("metadata") or {}
    ts, grace = md.get("deletionTimestamp"), md.get("deletionGracePeriodSeconds")
    if ts and grace is not None and now is not None:
        try:
            if now > parse_rfc3339(ts) + float(grace):
                return False
        except ValueError:
            pass
    return True


def _split(resource: str) -> tuple[str, str]:
    """(plural, group) from ``deployments.apps`` or a bare plural resolved through the registry."""
    if "." in resource:
        plural, group = resource.split(".", 1)
        return plural, group
    try:
        return resource, REGISTRY.resolve(resource).group
    except UnknownResource:
        return resource, ""


def object_count_name(resource: str) -> str:
    """``count/pods``, ``count/deployments.apps``."""
    plural, group = _split(resource)
    return f"count/{plural}.{group}" if group else f"count/{plural}"


_ALIAS = {
    "configmaps",
    "secrets",
    "replicationcontrollers",
    "resourcequotas",
    "services",
    "persistentvolumeclaims",
    "pods",
}
_POD_NAMES = {
    "pods",
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
}
_SVC_NAMES = {"services", "services.nodeports", "services.loadbalancers"}
_SC_SUFFIX = ".storageclass.storage.k8s.io/"


def tracks(resource: str, name: str) -> bool:
    """Whether the evaluator for ``resource`` measures the quota resource ``name`` (MatchingResources)."""
    plural, group = _split(resource)
    if name == object_count_name(resource):
        return True
    if group:
        return False
    if plural == "pods":
        return (
            name in _POD_NAMES
            or name.startswith(("hugepages-", "requests.hugepages-"))
            or (name.startswith("requests.") and _is_extended(name[len("requests.") :]))
        )
    if plural == "services":
        return name in _SVC_NAMES
    if plural == "persistentvolumeclaims":
        return name in ("persistentvolumeclaims", "requests.storage") or (
            _SC_SUFFIX in name and name.endswith(("/persistentvolumeclaims", "/requests.storage"))
        )
    return plural in _ALIAS and name == plural


def _service_usage(svc: dict) -> dict[str, Quantity]:
    spec = svc.get("spec") or {}
    ports = spec.get("ports") or []
    kind = spec.get("type") or "ClusterIP"
    node_ports, lbs = ZERO, ZERO
    if kind == "NodePort":
        node_ports = Quantity(Fraction(len(ports)))
    elif kind == "LoadBalancer":
        if spec.get("allocateLoadBalancerNodePorts") is False:
            node_ports = Quantity(Fraction(sum(1 for p in ports if p.get("nodePort"))))
        else:
            node_ports = Quantity(Fraction(len(ports)))
        lbs = ONE
    return {"count/services": ONE, "services": ONE, "services.loadbalancers": lbs, "services.nodeports": node_ports}


def _pvc_usage(pvc: dict) -> dict[str, Quantity]:
    spec = pvc.get("spec") or {}
    out = {"count/persistentvolumeclaims": ONE, "persistentvolumeclaims": ONE}
    sc = spec.get("storageClassName") or (pvc.get("metadata") or {}).get("annotations", {}).get(
        "volume.beta.kubernetes.io/storage-class", ""
    )
    if sc:
        out[f"{sc}{_SC_SUFFIX}persistentvolumeclaims"] = ONE
    req = _parse_list((spec.get("resources") or {}).get("requests")).get("storage")
    allocated = _parse_list((pvc.get("status") or {}).get("allocatedResources")).get("storage")
    if allocated is not None and (req is None or allocated > req):
        req = allocated
    if req is not None:
        out["requests.storage"] = req
        if sc:
            out[f"{sc}{_SC_SUFFIX}requests.storage"] = req
    return out


def usage_of(resource_plural: str, obj: dict, now: float | None = None) -> dict[str, Quantity]:
    """What ``obj`` (of ``resource_plural``, e.g. ``pods`` or ``deployments.apps``) charges against a quota.

    Args:
        resource_plural: The resource's plural, optionally ``plural.group``.
        obj: The object.
        now: Simulated seconds, to tell whether a deleted pod's grace period has passed (ignored if None).
    """
    plural, group = _split(resource_plural)
    if not group and plural == "pods":
        out = {"count/pods": ONE}
        if not quota_active_pod(obj, now):
            return out
        return add_usage(out, _compute_usage(pod_requests(obj), pod_limits(obj)))
    if not group and plural == "services":
        return _service_usage(obj)
    if not group and plural == "persistentvolumeclaims":
        return _pvc_usage(obj)
    out = {object_count_name(resource_plural): ONE}
    if not group and plural in _ALIAS:
        out[plural] = ONE
    return out


def parse_resource_list(raw: dict | None) -> dict[str, Quantity]:
    """A ResourceList (``{"cpu": "500m", ...}``) as Quantities; malformed values are validation's to report."""
    out = {}
    for k, v in (raw or {}).items():
        try:
            out[k] = quantity(v)
        except ValueError:
            continue
    return out
