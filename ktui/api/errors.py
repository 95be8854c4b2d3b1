"""The one API error type, carrying a Kubernetes ``Status``, and builders for each reason.

Messages follow k8s.io/apimachinery/pkg/api/errors and pkg/util/validation/field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ApiError",
    "FieldError",
    "already_exists",
    "bad_request",
    "conflict",
    "forbidden",
    "gone",
    "invalid",
    "method_not_supported",
    "not_found",
    "unauthorized",
    "internal",
    "too_many_requests",
]


class ApiError(Exception):
    """An error answered by the API server. ``status`` is the Status object a client would receive."""

    def __init__(self, status: dict[str, Any]) -> None:
        super().__init__(status.get("message", ""))
        self.status = status

    @property
    def code(self) -> int:
        return int(self.status.get("code", 500))

    @property
    def reason(self) -> str:
        return self.status.get("reason", "")

    @property
    def message(self) -> str:
        return self.status.get("message", "")


def _status(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> ApiError:
    status: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details:
        status["details"] = details
    status["code"] = code
    return ApiError(status)


def _qualified(resource: str, group: str) -> str:
    return f"{resource}.{group}" if group else resource


def _details(name: str, resource: str, group: str) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if name:
        d["name"] = name
    if group:
        d["group"] = group
    d["kind"] = resource
    return d


def not_found(resource: str, name: str, group: str = "") -> ApiError:
    """``pods "x" not found``."""
    return _status(
        404, "NotFound", f'{_qualified(resource, group)} "{name}" not found', _details(name, resource, group)
    )


def already_exists(resource: str, name: str, group: str = "") -> ApiError:
    """``pods "x" already exists``."""
    return _status(
        409, "AlreadyExists", f'{_qualified(resource, group)} "{name}" already exists', _details(name, resource, group)
    )


def conflict(resource: str, name: str, group: str = "", why: str = "") -> ApiError:
    """``Operation cannot be fulfilled on pods "x": the object has been modified; ...``."""
    why = why or "the object has been modified; please apply your changes to the latest version and try again"
    return _status(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {_qualified(resource, group)} "{name}": {why}',
        _details(name, resource, group),
    )


def forbidden(resource: str, name: str, group: str, why: str) -> ApiError:
    """``pods is forbidden: User "jane" cannot list resource "pods" ...`` (``pods "x" is forbidden: ...`` with a name)."""
    qualified = _qualified(resource, group)
    subject = f'{qualified} "{name}"' if name else qualified
    return _status(403, "Forbidden", f"{subject} is forbidden: {why}", _details(name, resource, group))


def unauthorized(message: str = "Unauthorized") -> ApiError:
    return _status(401, "Unauthorized", message)


def bad_request(message: str) -> ApiError:
    return _status(400, "BadRequest", message)


def gone(message: str) -> ApiError:
    """410 Expired, e.g. a watch from a compacted resourceVersion."""
    return _status(410, "Expired", message)


def method_not_supported(resource: str, action: str, group: str = "") -> ApiError:
    return _status(
        405, "MethodNotAllowed", f"{action} is not supported on resources of kind {_qualified(resource, group)!r}"
    )


def internal(message: str) -> ApiError:
    return _status(500, "InternalError", f"Internal error occurred: {message}")


def too_many_requests(message: str, retry_after: int = 0) -> ApiError:
    details = {"retryAfterSeconds": retry_after} if retry_after else None
    return _status(429, "TooManyRequests", message, details)


# Field errors ----------------------------------------------------------------

_CAUSE = {
    "Not found": "FieldValueNotFound",
    "Required value": "FieldValueRequired",
    "Duplicate value": "FieldValueDuplicate",
    "Invalid value": "FieldValueInvalid",
    "Unsupported value": "FieldValueNotSupported",
    "Forbidden": "FieldValueForbidden",
    "Too long": "FieldValueTooLong",
    "Too many": "FieldValueTooMany",
    "Internal error": "InternalError",
}
_OMIT = object()


def _go_value(value: Any) -> str:
    """A bad value as Go's ``%#v``-style printing in field.Error shows it."""
    go = getattr(value, "__go__", None)
    if go is not None:
        return str(go())
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


@dataclass(frozen=True)
class FieldError:
    """One validation failure, as ``field.Error``: a type (``Required value``...), a path, a value, a detail."""

    type: str
    field: str
    value: Any = field(default=_OMIT)  # type: ignore[operator]
    detail: str = ""

    @classmethod
    def required(cls, path: str, detail: str = "") -> "FieldError":
        return cls("Required value", path, _OMIT, detail)

    @classmethod
    def invalid(cls, path: str, value: Any, detail: str = "") -> "FieldError":
        return cls("Invalid value", path, value, detail)

    @classmethod
    def not_supported(cls, path: str, value: Any, supported: list[str]) -> "FieldError":
        return cls("Unsupported value", path, value, "supported values: " + ", ".join(f'"{s}"' for s in supported))

    @classmethod
    def duplicate(cls, path: str, value: Any) -> "FieldError":
        return cls("Duplicate value", path, value)

    @classmethod
    def forbidden(cls, path: str, detail: str) -> "FieldError":
        return cls("Forbidden", path, _OMIT, detail)

    @classmethod
    def not_found(cls, path: str, value: Any) -> "FieldError":
        return cls("Not found", path, value)

    @classmethod
    def too_long(cls, path: str, max_length: int) -> "FieldError":
        return cls("Too long", path, _OMIT, f"may not be more than {max_length} bytes")

    def body(self) -> str:
        if self.type in ("Required value", "Forbidden", "Too long", "Internal error") or self.value is _OMIT:
            s = self.type
        else:
            s = f"{self.type}: {_go_value(self.value)}"
        if self.detail:
            s += f": {self.detail}"
        return s

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"


def invalid(kind: str, name: str, errors: list[FieldError], group: str = "") -> ApiError:
    """A 422 Invalid Status: ``Pod "x" is invalid: spec.containers[0].image: Required value``."""
    if len(errors) == 1:
        summary = str(errors[0])
    else:
        summary = "[" + ", ".join(str(e) for e in errors) + "]"
    qualified = f"{kind}.{group}" if group else kind
    details = {
        "name": name,
        **({"group": group} if group else {}),
        "kind": kind,
        "causes": [
            {"reason": _CAUSE.get(e.type, "FieldValueInvalid"), "message": e.body(), "field": e.field} for e in errors
        ],
    }
    return _status(422, "Invalid", f'{qualified} "{name}" is invalid: {summary}', details)
