"""Answers as kube-apiserver writes them: JSON bodies, Status errors, ``Warning`` headers."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ktui.api import errors

__all__ = ["json_response", "error_response", "not_found", "warning_header", "warn_deprecated"]


def json_response(obj: Any, status: int = 200, content_type: str = "application/json") -> web.Response:
    """``obj`` as compact JSON."""
    return web.Response(
        body=json.dumps(obj, separators=(",", ":")).encode(), status=status, headers={"Content-Type": content_type}
    )


def error_response(e: errors.ApiError) -> web.Response:
    """The Status of ``e`` with its code (and ``Retry-After`` on a 429 that names one)."""
    resp = json_response(e.status, e.code)
    retry = (e.status.get("details") or {}).get("retryAfterSeconds")
    if retry:
        resp.headers["Retry-After"] = str(retry)
    return resp


def not_found() -> errors.ApiError:
    """404 for a path that names nothing served."""
    return errors.ApiError(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "the server could not find the requested resource",
            "reason": "NotFound",
            "details": {},
            "code": 404,
        }
    )


_DEPRECATED = {("", "endpoints"): "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"}
"""Resources kube-apiserver answers with a deprecation warning."""


def warning_header(text: str) -> str:
    """``299 - "text"``, the quoted-string escaped as kube-apiserver's warning recorder does."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'299 - "{escaped}"'


def warn_deprecated(target: Any, resp: web.Response) -> web.Response:
    """Add the ``Warning: 299`` header kube-apiserver sends for a deprecated resource."""
    text = _DEPRECATED.get((target.resource.group, target.resource.plural))
    if text:
        resp.headers.add("Warning", warning_header(text))
    return resp
