"""Resource names and quantities: container requests/limits and quota ``hard`` lists.

Follows ``validateResourceRequirements``, ``ValidateResourceQuantityValue`` and ``ValidateResourceQuotaResourceName``
in pkg/apis/core/validation/validation.go and the name sets of pkg/apis/core/helper. A quantity that does
not parse is reported as ``Invalid value`` with apimachinery's parse message; a real API server rejects it
earlier, while decoding, with a 400 carrying the same message.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import FieldError
from ktui.api.quantity import Quantity, QuantityError
from ktui.api.validation.meta import validate_label_name

__all__ = [
    "parse_or_error",
    "validate_quota_resource_name",
    "validate_resource_quantity_value",
    "validate_resource_requirements",
]

_STANDARD_CONTAINER = {"cpu", "memory", "ephemeral-storage"}
_STANDARD = {
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
    "configmaps",
}
_STANDARD_QUOTA = {
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.storage",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
}
_INTEGER = {
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
}


def _is_native(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def _is_extended(name: str) -> bool:
    if _is_native(name) or name.startswith("requests."):
        return False
    return not validate_label_name("requests." + name, "")


def _overcommit_allowed(name: str) -> bool:
    return _is_native(name) and not _is_hugepages(name)


def parse_or_error(value: Any, path: str) -> tuple[Quantity | None, list[FieldError]]:
    """Parse a quantity, or return the ``Invalid value`` error for it."""
    try:
        return Quantity.parse(value), []
    except QuantityError as exc:
        return None, [FieldError.invalid(path, value, str(exc))]


def validate_resource_quantity_value(name: str, qty: Quantity, path: str) -> list[FieldError]:
    """Non-negative, and a whole number for count resources such as ``pods``."""
    errs = []
    if qty.value < 0:
        errs.append(FieldError.invalid(path, str(qty), "must be greater than or equal to 0"))
    if (name in _INTEGER or name.startswith("count/") or _is_extended(name)) and qty.milli_value() % 1000:
        errs.append(FieldError.invalid(path, str(qty), "must be an integer"))
    return errs


def _validate_resource_name(name: str, path: str) -> list[FieldError]:
    errs = validate_label_name(name, path)
    if errs:
        return errs
    if "/" not in name and name not in _STANDARD and not _is_hugepages(name):
        errs.append(FieldError.invalid(path, name, "must be a standard resource type or fully qualified"))
    return errs


def _validate_container_resource_name(name: str, path: str) -> list[FieldError]:
    errs = _validate_resource_name(name, path)
    if "/" not in name:
        if name not in _STANDARD_CONTAINER and not _is_hugepages(name):
            errs.append(FieldError.invalid(path, name, "must be a standard resource for containers"))
    elif not _is_native(name) and not _is_extended(name):
        errs.append(FieldError.invalid(path, name, "doesn't follow extended resource name standard"))
    return errs


def validate_quota_resource_name(name: str, path: str) -> list[FieldError]:
    """``ValidateResourceQuotaResourceName``: a standard or fully qualified name usable in a quota."""
    errs = _validate_resource_name(name, path)
    if (
        "/" not in name
        and name not in _STANDARD_QUOTA
        and not (_is_hugepages(name) or name.startswith("requests.hugepages-"))
    ):
        errs.append(FieldError.invalid(path, name, "must be a standard resource for quota"))
    return errs


_CHECKED: dict[tuple, tuple[FieldError, ...]] = {}
"""The answers of :func:`validate_resource_requirements` by its inputs (a pure function; pods of one template ask
the same question again and again), bounded."""


def _key(part: Any) -> tuple | None:
    """What stands for a ``limits``/``requests`` dict in the memo: its names and values with their types (``1``
    and ``"1"`` and ``True`` apart), or None when it holds anything but strings and integers (not remembered)."""
    if not isinstance(part, dict):
        return ()
    out: list = []
    for k, v in part.items():
        t = type(v)
        if type(k) is not str or (t is not str and t is not int):
            return None
        out += (k, t, v)
    return tuple(out)


def validate_resource_requirements(resources: Any, path: str) -> list[FieldError]:
    """A container's ``resources``: names, quantities, and requests not above limits (remembered by value).

    Args:
        resources: the ``resources`` dict of a container.
        path: e.g. ``spec.containers[0].resources``.

    Returns:
        Errors such as ``spec.containers[0].resources.requests: Invalid value: "2": must be less than or
        equal to cpu limit of 1``.
    """
    if not isinstance(resources, dict):
        return []
    limits_key, requests_key = _key(resources.get("limits")), _key(resources.get("requests"))
    if limits_key is None or requests_key is None:
        return _validate_resource_requirements(resources, path)
    key = (path, limits_key, requests_key)
    known = _CHECKED.get(key)
    if known is None:
        if len(_CHECKED) >= 4096:
            _CHECKED.clear()
        known = _CHECKED[key] = tuple(_validate_resource_requirements(resources, path))
    return list(known)


def _validate_resource_requirements(resources: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    limits_raw = resources.get("limits") if isinstance(resources.get("limits"), dict) else {}
    requests_raw = resources.get("requests") if isinstance(resources.get("requests"), dict) else {}
    limits: dict[str, Quantity] = {}
    for name, raw in limits_raw.items():  # type: ignore[union-attr]
        rpath = f"{path}.limits[{name}]"
        errs += _validate_container_resource_name(name, rpath)
        qty, perrs = parse_or_error(raw, rpath)
        errs += perrs
        if qty is not None:
            limits[name] = qty
            errs += validate_resource_quantity_value(name, qty, rpath)
    for name, raw in requests_raw.items():  # type: ignore[union-attr]
        rpath = f"{path}.requests[{name}]"
        errs += _validate_container_resource_name(name, rpath)
        qty, perrs = parse_or_error(raw, rpath)
        errs += perrs
        if qty is None:
            continue
        errs += validate_resource_quantity_value(name, qty, rpath)
        if name in limits:
            limit = limits[name]
            if qty.value != limit.value and not _overcommit_allowed(name):
                errs.append(
                    FieldError.invalid(f"{path}.requests", str(qty), f"must be equal to {name} limit of {limit}")
                )
            elif qty.value > limit.value:
                errs.append(
                    FieldError.invalid(
                        f"{path}.requests", str(qty), f"must be less than or equal to {name} limit of {limit}"
                    )
                )
        elif not _overcommit_allowed(name) and name not in limits_raw:  # type: ignore[operator]
            errs.append(FieldError.required(f"{path}.limits", "Limit must be set for non overcommitable resources"))
    return errs
