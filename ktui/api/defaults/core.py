"""Defaults for core/v1 kinds: Pod, Service, Namespace, Secret, ReplicationController, Endpoints and friends.

Each function defaults its object in place; :func:`ktui.api.defaults.apply_defaults` copies first. Where a
value is really set by the registry (storage strategy or allocator) or by an admission plugin rather than by
the defaulting functions of pkg/apis/core/v1/defaults.go, the comment says so: kube-apiserver stores it all the
same, so it is applied here to give the object a client reads back.
"""

from __future__ import annotations

from typing import Any

from ktui.api.defaults.podspec import default_pod_spec, default_pod_template, default_resource_list, put

__all__ = [
    "default_endpoints",
    "default_limit_range",
    "default_namespace",
    "default_node",
    "default_persistent_volume",
    "default_persistent_volume_claim",
    "default_pod",
    "default_replication_controller",
    "default_resource_quota",
    "default_secret",
    "default_service",
]

Obj = dict[str, Any]


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    return spec


def _meta(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = obj["metadata"] = {}
    return meta


def _requests_from_limits(containers: Any) -> None:
    """``SetDefaults_Pod``: a resource with a limit and no request gets the limit as its request."""
    for container in containers if isinstance(containers, list) else []:
        if not isinstance(container, dict):
            continue
        resources = container.get("resources")
        if not isinstance(resources, dict) or not isinstance(resources.get("limits"), dict):
            continue
        requests = resources.get("requests")
        if not isinstance(requests, dict):
            requests = resources["requests"] = {}
        for name, value in resources["limits"].items():
            requests.setdefault(name, value)


def _host_network_ports(containers: Any) -> None:
    for container in containers if isinstance(containers, list) else []:
        ports = container.get("ports") if isinstance(container, dict) else None
        for port in ports if isinstance(ports, list) else []:
            if isinstance(port, dict) and not port.get("hostPort"):
                port["hostPort"] = port.get("containerPort", 0)


def default_pod(pod: Obj) -> None:
    """Default a Pod in place: PodSpec defaults plus the Pod-only ones.

    ``priority: 0`` and ``preemptionPolicy: PreemptLowerPriority`` come from the Priority admission plugin
    (no PriorityClass named, no global default), not from defaulting; ``serviceAccountName`` and the
    DefaultTolerationSeconds tolerations are admission too and are left to the admission chain.
    """
    spec = _spec(pod)
    default_pod_spec(spec)
    _requests_from_limits(spec.get("containers"))
    _requests_from_limits(spec.get("initContainers"))
    if spec.get("hostNetwork"):
        _host_network_ports(spec.get("containers"))
        _host_network_ports(spec.get("initContainers"))
    # PodSpec field order: priority, enableServiceLinks, preemptionPolicy.
    put(spec, "priority", 0)  # admission: Priority
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True  # SetDefaults_Pod (not pod templates)
    put(spec, "preemptionPolicy", "PreemptLowerPriority")  # admission: Priority


def _externally_accessible(spec: Obj) -> bool:
    """``service.ExternallyAccessible``: LoadBalancer, NodePort, or ClusterIP with externalIPs."""
    kind = spec.get("type")
    return kind in ("LoadBalancer", "NodePort") or (kind == "ClusterIP" and bool(spec.get("externalIPs")))


def default_service(svc: Obj) -> None:
    """Default a Service in place (``SetDefaults_Service``).

    ``ipFamilyPolicy: SingleStack`` and ``ipFamilies: [IPv4]`` are set by the service registry when it
    allocates the cluster IP (single-stack IPv4 cluster); they are applied here for every type except
    ExternalName. ``clusterIP``/``clusterIPs`` and node ports are left to the allocator.
    """
    spec = _spec(svc)
    put(spec, "type", "ClusterIP")
    put(spec, "sessionAffinity", "None")
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        config = spec.get("sessionAffinityConfig")
        client_ip = config.get("clientIP") if isinstance(config, dict) else None
        if not isinstance(client_ip, dict) or client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 10800}}
    for port in spec.get("ports") or []:
        if not isinstance(port, dict):
            continue
        put(port, "protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port", 0)
    # ServiceSpec field order from here: externalTrafficPolicy, ipFamilies, ipFamilyPolicy,
    # allocateLoadBalancerNodePorts, internalTrafficPolicy.
    if _externally_accessible(spec):
        put(spec, "externalTrafficPolicy", "Cluster")
    if spec["type"] != "ExternalName":
        if not spec.get("ipFamilies"):
            spec["ipFamilies"] = ["IPv4"]  # registry: IP allocation
        put(spec, "ipFamilyPolicy", "SingleStack")  # registry: IP allocation
    if spec["type"] == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    if spec["type"] in ("ClusterIP", "NodePort", "LoadBalancer"):
        put(spec, "internalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        status = svc.get("status")
        ingress = ((status or {}).get("loadBalancer") or {}).get("ingress") if isinstance(status, dict) else None
        for item in ingress or []:
            if isinstance(item, dict) and item.get("ip") and item.get("ipMode") is None:
                item["ipMode"] = "VIP"


def default_namespace(ns: Obj) -> None:
    """Default a Namespace in place.

    Defaulting (``SetDefaults_Namespace``, ``SetDefaults_NamespaceStatus``): the label
    ``kubernetes.io/metadata.name`` and ``status.phase: Active``. Registry (namespace strategy
    ``PrepareForCreate``): ``spec.finalizers: [kubernetes]``.
    """
    meta = _meta(ns)
    name = meta.get("name")
    if name:
        labels = meta.get("labels")
        if not isinstance(labels, dict):
            labels = meta["labels"] = {}
        labels["kubernetes.io/metadata.name"] = name
    spec = _spec(ns)
    if not spec.get("finalizers"):
        spec["finalizers"] = ["kubernetes"]  # registry: namespace strategy
    status = ns.get("status")
    if not isinstance(status, dict):
        status = ns["status"] = {}
    put(status, "phase", "Active")


def default_secret(secret: Obj) -> None:
    """Default a Secret in place: ``type: Opaque``."""
    put(secret, "type", "Opaque")


def default_replication_controller(rc: Obj) -> None:
    """Default a ReplicationController: selector and labels from the template's labels, replicas 1."""
    spec = _spec(rc)
    template = spec.get("template")
    labels = (template.get("metadata") or {}).get("labels") if isinstance(template, dict) else None
    if labels is not None:
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        meta = _meta(rc)
        if not meta.get("labels"):
            meta["labels"] = dict(labels)
    put(spec, "replicas", 1)  # declarative +default=1
    if template is not None:
        default_pod_template(template)


def default_endpoints(endpoints: Obj) -> None:
    """Default Endpoints in place: every subset port gets ``protocol: TCP``."""
    for subset in endpoints.get("subsets") or []:
        for port in (subset.get("ports") or []) if isinstance(subset, dict) else []:
            if isinstance(port, dict):
                put(port, "protocol", "TCP")


def default_limit_range(lr: Obj) -> None:
    """Default a LimitRange: for ``Container`` items, default limit from max, request from limit then min."""
    for item in _spec(lr).get("limits") or []:
        if not isinstance(item, dict):
            continue
        for key in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            default_resource_list(item.get(key))
        if item.get("type") != "Container":
            continue
        default = item.get("default")
        if not isinstance(default, dict):
            default = item["default"] = {}
        request = item.get("defaultRequest")
        if not isinstance(request, dict):
            request = item["defaultRequest"] = {}
        for name, value in (item.get("max") or {}).items():
            default.setdefault(name, value)
        for name, value in default.items():
            request.setdefault(name, value)
        for name, value in (item.get("min") or {}).items():
            request.setdefault(name, value)


def default_resource_quota(quota: Obj) -> None:
    """Default a ResourceQuota: ``spec.hard`` quantities rounded to milli and made canonical."""
    default_resource_list(_spec(quota).get("hard"))


def default_node(node: Obj) -> None:
    """Default a Node: ``status.allocatable`` copies ``status.capacity`` when unset."""
    status = node.get("status")
    if not isinstance(status, dict):
        return
    default_resource_list(status.get("capacity"))
    default_resource_list(status.get("allocatable"))
    if status.get("allocatable") is None and isinstance(status.get("capacity"), dict):
        status["allocatable"] = dict(status["capacity"])


def default_persistent_volume(pv: Obj) -> None:
    """Default a PersistentVolume: reclaim policy Retain, volumeMode Filesystem, phase Pending."""
    spec = _spec(pv)
    default_resource_list(spec.get("capacity"))
    put(spec, "persistentVolumeReclaimPolicy", "Retain")
    put(spec, "volumeMode", "Filesystem")
    status = pv.get("status")
    if not isinstance(status, dict):
        status = pv["status"] = {}
    put(status, "phase", "Pending")


def default_persistent_volume_claim(pvc: Obj) -> None:
    """Default a PersistentVolumeClaim: volumeMode Filesystem, phase Pending."""
    spec = _spec(pvc)
    resources = spec.get("resources")
    if isinstance(resources, dict):
        default_resource_list(resources.get("requests"))
        default_resource_list(resources.get("limits"))
    put(spec, "volumeMode", "Filesystem")
    status = pvc.get("status")
    if not isinstance(status, dict):
        status = pvc["status"] = {}
    put(status, "phase", "Pending")
