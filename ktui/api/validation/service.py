"""Service validation (create and update), following ``ValidateService`` and ``ValidateServiceUpdate``.

Node port ranges and IP allocation belong to the allocator, not here. The service registry's
``NormalizeClusterIPs`` (keeping ``clusterIPs`` in step with ``clusterIP``) is applied to a copy before
checking, so changing ``clusterIP`` reports what a real server says:
``spec.clusterIPs[0]: Invalid value: ["10.96.0.99"]: may not change once set``.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import FieldError
from ktui.api.objects import copy_json
from ktui.api.validation.meta import (
    validate_label_name,
    validate_labels,
    validate_object_meta,
    validate_object_meta_update,
)
from ktui.api.validation.names import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_port_name,
    is_valid_ip,
    is_valid_port_num,
    name_is_dns1035_label,
)

__all__ = ["normalize_cluster_ips", "validate_service", "validate_service_update"]

Obj = dict[str, Any]
_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
_PROTOCOLS = ["SCTP", "TCP", "UDP"]


def _d(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _headless(spec: Obj) -> bool:
    return spec.get("clusterIP") == "None"


def normalize_cluster_ips(new: Obj, old: Obj | None) -> None:
    """The registry's ``NormalizeClusterIPs``: derive ``spec.clusterIPs`` from ``spec.clusterIP`` in place."""
    spec = _d(new.get("spec"))
    ip, ips = spec.get("clusterIP") or "", _l(spec.get("clusterIPs"))
    if old is None:
        if ip and not ips:
            spec["clusterIPs"] = [ip]
        return
    ospec = _d(old.get("spec"))
    oip, oips = ospec.get("clusterIP") or "", _l(ospec.get("clusterIPs"))
    if oips and not ips and oip == ip:
        spec["clusterIPs"] = ips = list(oips)
    if oip != ip:
        same = ips == oips
        if oip and not ip and same:
            spec.pop("clusterIPs", None)
        if ip and same:
            spec["clusterIPs"] = [ip]


def _validate_port(port: Obj, require_name: bool, names: set[str], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = str(port.get("name") or "")
    if require_name and not name:
        errs.append(FieldError.required(f"{path}.name"))
    elif name:
        errs += [FieldError.invalid(f"{path}.name", name, m) for m in is_dns1123_label(name)]
        if name in names:
            errs.append(FieldError.duplicate(f"{path}.name", name))
        else:
            names.add(name)
    number = int(port.get("port") or 0)
    errs += [FieldError.invalid(f"{path}.port", number, m) for m in is_valid_port_num(number)]
    proto = port.get("protocol") or ""
    if not proto:
        errs.append(FieldError.required(f"{path}.protocol"))
    elif proto not in _PROTOCOLS:
        errs.append(FieldError.not_supported(f"{path}.protocol", proto, _PROTOCOLS))
    target = port.get("targetPort")
    if isinstance(target, str):
        errs += [FieldError.invalid(f"{path}.targetPort", target, m) for m in is_port_name(target)]
    else:
        target = int(target or 0)
        errs += [FieldError.invalid(f"{path}.targetPort", target, m) for m in is_valid_port_num(target)]
    if port.get("appProtocol") is not None:
        errs += validate_label_name(str(port["appProtocol"]), f"{path}.appProtocol")
    return errs


def _validate_cluster_ips(spec: Obj) -> list[FieldError]:
    if spec.get("type") == "ExternalName":
        return []
    errs: list[FieldError] = []
    ip, ips = spec.get("clusterIP") or "", _l(spec.get("clusterIPs"))
    if ip:
        if not ips:
            errs.append(FieldError.required("spec.clusterIPs"))
        elif ips[0] != ip:
            errs.append(FieldError.invalid("spec.clusterIPs", ips, "first value must match `clusterIP`"))
    elif ips:
        errs.append(FieldError.invalid("spec.clusterIPs", ips, "must be empty when `clusterIP` is not specified"))
    seen: set[str] = set()
    for i, family in enumerate(_l(spec.get("ipFamilies"))):
        if family not in ("IPv4", "IPv6"):
            errs.append(FieldError.not_supported(f"spec.ipFamilies[{i}]", family, ["IPv4", "IPv6"]))
        if family in seen:
            errs.append(FieldError.duplicate(f"spec.ipFamilies[{i}]", family))
        seen.add(family)
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in ("PreferDualStack", "RequireDualStack", "SingleStack"):
        errs.append(
            FieldError.not_supported(
                "spec.ipFamilyPolicy", policy, ["PreferDualStack", "RequireDualStack", "SingleStack"]
            )
        )
    for i, value in enumerate(ips):
        if i == 0 and value == "None":
            if len(ips) > 1:
                errs.append(FieldError.invalid("spec.clusterIPs", ips, "'None' must be the first and only value"))
            continue
        errs += [FieldError.invalid(f"spec.clusterIPs[{i}]", value, m) for m in is_valid_ip(str(value))]
    return errs


def validate_service(svc: Obj) -> list[FieldError]:
    """``ValidateService`` on a defaulted Service (ports, type, selector, affinity, IPs, traffic policies)."""
    svc = copy_json(svc)
    normalize_cluster_ips(svc, None)
    return _validate(svc)


def _validate(svc: Obj) -> list[FieldError]:
    errs = validate_object_meta(svc.get("metadata"), True, name_is_dns1035_label)
    spec = _d(svc.get("spec"))
    kind = spec.get("type") or ""
    ports = _l(spec.get("ports"))
    if not ports and not _headless(spec) and kind != "ExternalName":
        errs.append(FieldError.required("spec.ports"))
    if kind in ("LoadBalancer", "NodePort") and _headless(spec):
        errs.append(FieldError.invalid("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {kind} services"))
    if kind == "ExternalName":
        if _l(spec.get("clusterIPs")):
            errs.append(FieldError.forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        if _l(spec.get("ipFamilies")):
            errs.append(FieldError.forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
        if spec.get("ipFamilyPolicy") is not None:
            errs.append(FieldError.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
        cname = str(spec.get("externalName") or "").removesuffix(".")
        if cname:
            errs += [FieldError.invalid("spec.externalName", cname, m) for m in is_dns1123_subdomain(cname)]
        else:
            errs.append(FieldError.required("spec.externalName"))
    names: set[str] = set()
    for i, port in enumerate(ports):
        errs += _validate_port(_d(port), len(ports) > 1, names, f"spec.ports[{i}]")
    if spec.get("selector") is not None:
        errs += validate_labels(spec.get("selector"), "spec.selector")
    affinity = spec.get("sessionAffinity") or ""
    if not affinity:
        errs.append(FieldError.required("spec.sessionAffinity"))
    elif affinity not in ("ClientIP", "None"):
        errs.append(FieldError.not_supported("spec.sessionAffinity", affinity, ["ClientIP", "None"]))
    if affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        errs.append(FieldError.forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"))
    errs += _validate_cluster_ips(spec)
    for i, ip in enumerate(_l(spec.get("externalIPs"))):
        errs += [FieldError.invalid(f"spec.externalIPs[{i}]", ip, m) for m in is_valid_ip(str(ip))]
    if not kind:
        errs.append(FieldError.required("spec.type"))
    elif kind not in _TYPES:
        errs.append(FieldError.not_supported("spec.type", kind, _TYPES))
    if kind == "ClusterIP":
        for i, port in enumerate(ports):
            if _d(port).get("nodePort"):
                errs.append(
                    FieldError.forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'")
                )
    node_ports: set[tuple[Any, Any]] = set()
    for i, port in enumerate(ports):
        port = _d(port)
        if port.get("nodePort"):
            key = (port.get("protocol"), port["nodePort"])
            if key in node_ports:
                errs.append(FieldError.duplicate(f"spec.ports[{i}].nodePort", port["nodePort"]))
            node_ports.add(key)
    seen: set[tuple[Any, Any]] = set()
    for i, port in enumerate(ports):
        port = _d(port)
        key = (port.get("protocol") or "", port.get("port") or 0)
        if key in seen:
            value = {
                "Name": "",
                "Protocol": key[0],
                "AppProtocol": None,
                "Port": key[1],
                "TargetPort": 0,
                "NodePort": 0,
            }
            errs.append(FieldError.duplicate(f"spec.ports[{i}]", value))
        seen.add(key)
    if spec.get("allocateLoadBalancerNodePorts") is not None and kind != "LoadBalancer":
        errs.append(
            FieldError.forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'")
        )
    if kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        errs.append(FieldError.required("allocateLoadBalancerNodePorts"))
    external = kind in ("LoadBalancer", "NodePort") or (kind == "ClusterIP" and bool(_l(spec.get("externalIPs"))))
    etp = spec.get("externalTrafficPolicy") or ""
    if not external and etp:
        errs.append(
            FieldError.invalid("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services")
        )
    elif external and not etp:
        errs.append(FieldError.required("spec.externalTrafficPolicy"))
    elif external and etp not in ("Cluster", "Local"):
        errs.append(FieldError.not_supported("spec.externalTrafficPolicy", etp, ["Cluster", "Local"]))
    itp = spec.get("internalTrafficPolicy")
    if itp is None and kind in ("ClusterIP", "NodePort", "LoadBalancer"):
        errs.append(FieldError.required("spec.internalTrafficPolicy"))
    if itp is not None and itp not in ("Cluster", "Local"):
        errs.append(FieldError.not_supported("spec.internalTrafficPolicy", itp, ["Cluster", "Local"]))
    return errs


def _upgrade_downgrade_cluster_ips(old: Obj, new: Obj) -> list[FieldError]:
    if "ExternalName" in (new.get("type"), old.get("type")):
        return []
    if _headless(old) and _headless(new):
        return []
    oips, nips = _l(old.get("clusterIPs")), _l(new.get("clusterIPs"))
    value = nips or None
    if len(oips) == len(nips):
        return [
            FieldError.invalid(f"spec.clusterIPs[{i}]", value, "may not change once set")
            for i, ip in enumerate(oips)
            if ip != nips[i]
        ]
    errs: list[FieldError] = []
    if len(oips) > len(nips):
        if not nips:
            errs.append(FieldError.invalid("spec.clusterIPs[0]", value, "primary clusterIP can not be unset"))
        elif nips[0] != oips[0]:
            errs.append(FieldError.invalid("spec.clusterIPs[0]", value, "may not change once set"))
        if len(nips) == 1 and new.get("ipFamilyPolicy") != "SingleStack":
            errs.append(
                FieldError.invalid(
                    "spec.clusterIPs[0]",
                    value,
                    "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP",
                )
            )
    elif oips and nips[0] != oips[0]:
        errs.append(FieldError.invalid("spec.clusterIPs[0]", value, "may not change once set"))
    return errs


def validate_service_update(new: Obj, old: Obj) -> list[FieldError]:
    """``ValidateServiceUpdate``: metadata update rules, cluster IP and IP family immutability, then create rules."""
    new = copy_json(new)
    normalize_cluster_ips(new, old)
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"))
    nspec, ospec = _d(new.get("spec")), _d(old.get("spec"))
    errs += _upgrade_downgrade_cluster_ips(ospec, nspec)
    if "ExternalName" not in (nspec.get("type"), ospec.get("type")):
        ofam, nfam = _l(ospec.get("ipFamilies")), _l(nspec.get("ipFamilies"))
        for i in range(min(len(ofam), len(nfam))):
            if ofam[i] != nfam[i]:
                errs.append(FieldError.invalid(f"spec.ipFamilies[{i}]", nfam, "may not change once set"))
    return errs + _validate(new)
