"""Validation for the core/v1 kinds but pods and services (which have modules of their own): Namespace,
ConfigMap, Secret, ServiceAccount, ResourceQuota, LimitRange, Node, Endpoints and PersistentVolumeClaim."""

from __future__ import annotations

from typing import Any

from ktui.api.errors import FieldError
from ktui.api.validation.meta import (
    immutable,
    validate_label_name,
    validate_object_meta,
    validate_object_meta_update,
)
from ktui.api.validation.names import (
    is_config_map_key,
    is_dns1123_label,
    is_valid_ip,
    is_valid_port_num,
    name_is_dns_label,
    name_is_dns_subdomain,
)
from ktui.api.validation.resources import (
    parse_or_error,
    validate_quota_resource_name,
    validate_resource_quantity_value,
)

__all__ = [
    "validate_config_map",
    "validate_config_map_update",
    "validate_endpoints",
    "validate_limit_range",
    "validate_namespace",
    "validate_node",
    "validate_persistent_volume_claim",
    "validate_resource_quota",
    "validate_secret",
    "validate_secret_update",
    "validate_service_account",
]

Obj = dict[str, Any]
MAX_SECRET_SIZE = 1024 * 1024
IMMUTABLE_SET = "field is immutable when `immutable` is set"
_STANDARD_FINALIZERS = {"kubernetes", "orphan", "foregroundDeletion"}


def _d(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def validate_namespace(ns: Obj) -> list[FieldError]:
    """``ValidateNamespace``: an RFC 1123 label name and qualified ``spec.finalizers``."""
    errs = validate_object_meta(ns.get("metadata"), False, name_is_dns_label)
    for name in _l(_d(ns.get("spec")).get("finalizers")):
        name = str(name)
        errs += validate_label_name(name, "spec.finalizers")
        if "/" not in name and name not in _STANDARD_FINALIZERS:
            errs.append(
                FieldError.invalid(
                    "spec.finalizers", name, "name is neither a standard finalizer name nor is it fully qualified"
                )
            )
    return errs


def _data_keys(data: Any, path: str) -> tuple[list[FieldError], int]:
    errs: list[FieldError] = []
    size = 0
    for key, value in _d(data).items():
        errs += [FieldError.invalid(f"{path}[{key}]", key, m) for m in is_config_map_key(str(key))]
        size += len(str(value).encode())
    return errs, size


def validate_config_map(cm: Obj) -> list[FieldError]:
    """``ValidateConfigMap``: keys, no key in both ``data`` and ``binaryData``, total size at most 1 MiB."""
    errs = validate_object_meta(cm.get("metadata"), True, name_is_dns_subdomain)
    data_errs, size = _data_keys(cm.get("data"), "data")
    errs += data_errs
    binary = _d(cm.get("binaryData"))
    for key in _d(cm.get("data")):
        if key in binary:
            errs.append(FieldError.invalid(f"data[{key}]", key, "duplicate of key present in binaryData"))
    bin_errs, bin_size = _data_keys(binary, "binaryData")
    errs += bin_errs
    if size + bin_size > MAX_SECRET_SIZE:
        errs.append(FieldError.too_long("", MAX_SECRET_SIZE))
    return errs


def _immutable_data(new: Obj, old: Obj, keys: tuple[str, ...]) -> list[FieldError]:
    if old.get("immutable") is not True:
        return []
    errs = []
    if new.get("immutable") is not True:
        errs.append(FieldError.forbidden("immutable", IMMUTABLE_SET))
    for key in keys:
        if _d(new.get(key)) != _d(old.get(key)):
            errs.append(FieldError.forbidden(key, IMMUTABLE_SET))
    return errs


def validate_config_map_update(new: Obj, old: Obj) -> list[FieldError]:
    """``ValidateConfigMapUpdate``: an immutable ConfigMap keeps its data."""
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"))
    errs += _immutable_data(new, old, ("data", "binaryData"))
    return errs + validate_config_map(new)


_SECRET_REQUIRED = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


def validate_secret(secret: Obj) -> list[FieldError]:
    """``ValidateSecret``: data keys, 1 MiB, and the keys each built-in type requires.

    ``stringData`` keys are checked with ``data``, since the API merges them into ``data`` before storing.
    """
    meta = _d(secret.get("metadata"))
    errs = validate_object_meta(meta, True, name_is_dns_subdomain)
    data = {**_d(secret.get("data")), **_d(secret.get("stringData"))}
    data_errs, size = _data_keys(data, "data")
    errs += data_errs
    if size > MAX_SECRET_SIZE:
        errs.append(FieldError.too_long("data", MAX_SECRET_SIZE))
    kind = secret.get("type") or ""
    if kind == "kubernetes.io/service-account-token":
        if not _d(meta.get("annotations")).get("kubernetes.io/service-account.name"):
            errs.append(FieldError.required("metadata.annotations[kubernetes.io/service-account.name]"))
    elif kind == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            errs += [FieldError.required("data[username]"), FieldError.required("data[password]")]
    elif kind == "kubernetes.io/ssh-auth":
        if not data.get("ssh-privatekey"):
            errs.append(FieldError.required("data[ssh-privatekey]"))
    elif kind in _SECRET_REQUIRED:
        for key in _SECRET_REQUIRED[kind]:
            if key not in data:
                errs.append(FieldError.required(f"data[{key}]"))
                if kind != "kubernetes.io/tls":
                    break
    return errs


def validate_secret_update(new: Obj, old: Obj) -> list[FieldError]:
    """``ValidateSecretUpdate``: ``type`` is immutable, and so is the data of an immutable Secret."""
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"))
    errs += immutable(new.get("type") or "", old.get("type") or "", "type")
    errs += _immutable_data(new, old, ("data",))
    return errs + validate_secret(new)


def validate_service_account(sa: Obj) -> list[FieldError]:
    """``ValidateServiceAccount``: metadata, with a DNS subdomain name."""
    return validate_object_meta(sa.get("metadata"), True, name_is_dns_subdomain)


def _quota_list(values: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for name, raw in _d(values).items():
        rpath = f"{path}[{name}]"
        errs += validate_quota_resource_name(str(name), rpath)
        qty, perrs = parse_or_error(raw, rpath)
        errs += perrs
        if qty is not None:
            errs += validate_resource_quantity_value(str(name), qty, rpath)
    return errs


_QUOTA_SCOPES = [
    "BestEffort",
    "CrossNamespacePodAffinity",
    "NotBestEffort",
    "NotTerminating",
    "PriorityClass",
    "Terminating",
]


def validate_resource_quota(quota: Obj) -> list[FieldError]:
    """``ValidateResourceQuota``: ``spec.hard`` names usable in a quota, non-negative (integer) quantities, scopes."""
    errs = validate_object_meta(quota.get("metadata"), True, name_is_dns_subdomain)
    spec = _d(quota.get("spec"))
    errs += _quota_list(spec.get("hard"), "spec.hard")
    for scope in _l(spec.get("scopes")):
        if scope not in _QUOTA_SCOPES:
            errs.append(FieldError.not_supported("spec.scopes", scope, _QUOTA_SCOPES))
    status = _d(quota.get("status"))
    errs += _quota_list(status.get("hard"), "status.hard")
    return errs + _quota_list(status.get("used"), "status.used")


def validate_limit_range(lr: Obj) -> list[FieldError]:
    """``ValidateLimitRange`` (types and quantities; the min <= default <= max ordering is not checked yet)."""
    errs = validate_object_meta(lr.get("metadata"), True, name_is_dns_subdomain)
    for i, item in enumerate(_l(_d(lr.get("spec")).get("limits"))):
        item, ipath = _d(item), f"spec.limits[{i}]"
        kind = item.get("type") or ""
        if kind not in ("Container", "Pod", "PersistentVolumeClaim"):
            errs.append(FieldError.not_supported(f"{ipath}.type", kind, ["Container", "PersistentVolumeClaim", "Pod"]))
        for key in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            for name, raw in _d(item.get(key)).items():
                _, perrs = parse_or_error(raw, f"{ipath}.{key}[{name}]")
                errs += perrs
    return errs


def validate_node(node: Obj) -> list[FieldError]:
    """``ValidateNode`` (metadata and taint effects)."""
    errs = validate_object_meta(node.get("metadata"), False, name_is_dns_subdomain)
    for i, taint in enumerate(_l(_d(node.get("spec")).get("taints"))):
        taint = _d(taint)
        errs += validate_label_name(str(taint.get("key") or ""), f"spec.taints[{i}].key")
        effect = taint.get("effect") or ""
        if not effect:
            errs.append(FieldError.required(f"spec.taints[{i}].effect"))
        elif effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            errs.append(
                FieldError.not_supported(
                    f"spec.taints[{i}].effect", effect, ["NoSchedule", "PreferNoSchedule", "NoExecute"]
                )
            )
    return errs


def validate_endpoints(ep: Obj) -> list[FieldError]:
    """``ValidateEndpoints``: subset addresses are IPs, ports are named, numbered and TCP/UDP/SCTP."""
    errs = validate_object_meta(ep.get("metadata"), True, name_is_dns_subdomain)
    for i, subset in enumerate(_l(ep.get("subsets"))):
        subset, spath = _d(subset), f"subsets[{i}]"
        for key in ("addresses", "notReadyAddresses"):
            for j, addr in enumerate(_l(subset.get(key))):
                ip = str(_d(addr).get("ip") or "")
                errs += [FieldError.invalid(f"{spath}.{key}[{j}].ip", ip, m) for m in is_valid_ip(ip)]
        ports = _l(subset.get("ports"))
        for j, port in enumerate(ports):
            port, ppath = _d(port), f"{spath}.ports[{j}]"
            name = str(port.get("name") or "")
            if len(ports) > 1 and not name:
                errs.append(FieldError.required(f"{ppath}.name"))
            elif name:
                errs += [FieldError.invalid(f"{ppath}.name", name, m) for m in is_dns1123_label(name)]
            number = int(port.get("port") or 0)
            errs += [FieldError.invalid(f"{ppath}.port", number, m) for m in is_valid_port_num(number)]
            proto = port.get("protocol") or ""
            if not proto:
                errs.append(FieldError.required(f"{ppath}.protocol"))
            elif proto not in ("SCTP", "TCP", "UDP"):
                errs.append(FieldError.not_supported(f"{ppath}.protocol", proto, ["SCTP", "TCP", "UDP"]))
    return errs


def validate_persistent_volume_claim(pvc: Obj) -> list[FieldError]:
    """``ValidatePersistentVolumeClaim`` (access modes and the storage request)."""
    errs = validate_object_meta(pvc.get("metadata"), True, name_is_dns_subdomain)
    spec = _d(pvc.get("spec"))
    modes = _l(spec.get("accessModes"))
    supported = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
    if not modes:
        errs.append(FieldError.required("spec.accessModes", "at least 1 access mode is required"))
    for mode in modes:
        if mode not in supported:
            errs.append(FieldError.not_supported("spec.accessModes", mode, supported))
    requests = _d(_d(spec.get("resources")).get("requests"))
    if "storage" not in requests:
        errs.append(FieldError.required("spec.resources[storage]"))
    else:
        qty, perrs = parse_or_error(requests["storage"], "spec.resources[storage]")
        errs += perrs
        if qty is not None and qty.value <= 0:
            errs.append(FieldError.invalid("spec.resources[storage]", str(qty), "must be greater than zero"))
    return errs
