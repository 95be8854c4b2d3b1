"""ktui's own calls under ``/ktui/v1/``: the clock, faults, and ktui's kubectl run as the caller.

RBAC decides as for any non-resource URL (verbs ``get`` and ``post``), like everything else the server answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from ktui.api import errors
from ktui.server.responses import json_response as _json, not_found as _not_found
from ktui.server.verbs import decode_body

if TYPE_CHECKING:
    from ktui.cluster import Cluster, ClusterClient

__all__ = ["serve", "Controlled"]


class Controlled(Protocol):
    """What the control API reads and sets on the server that serves it (the server module imports this one)."""

    cluster: "Cluster"
    speed: float
    """Simulated seconds per wall second (0: paused)."""
    requests: int
    """Requests served so far."""

_FAULT_TARGETS = ("node", "pod", "namespace", "container", "image", "exit_code")


async def serve(server: Controlled, request: web.Request, client: "ClusterClient", what: str) -> web.Response:
    """``/ktui/v1/clock``, ``/ktui/v1/faults`` and ``/ktui/v1/kubectl``."""
    if what == "clock":
        return await _clock(server, request, client)
    if what == "faults" and request.method == "POST":
        return await _faults(server, request, client)
    if what == "kubectl" and request.method == "POST":
        return await _kubectl(server, request, client)
    raise _not_found()


def _allow(client: "ClusterClient", verb: str, path: str) -> None:
    """RBAC for the control API, as for any non-resource URL."""
    if not client.can_i(verb, non_resource_url=path)["allowed"]:
        from ktui.api.auth.attributes import RequestAttributes
        from ktui.api.auth.forbidden import forbidden_error

        raise forbidden_error(RequestAttributes.non_resource(client.user, verb, path))


async def _faults(server: Controlled, request: web.Request, client: "ClusterClient") -> web.Response:
    """``POST /ktui/v1/faults`` with ``{"kind": "kubelet-stop", "node": "node01"}`` (any fault
    :meth:`ktui.cluster.Cluster.fault` takes): injected now, recorded for replay."""
    from ktui.components.faults import FaultError

    _allow(client, "post", request.path)
    data = decode_body(await request.read(), "application/json")
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        raise errors.bad_request("the body must be an object with a fault kind")
    target = {k: v for k, v in data.items() if k in _FAULT_TARGETS}
    try:
        server.cluster.fault(data["kind"], **target)
    except (FaultError, TypeError) as e:
        raise errors.bad_request(str(e)) from None
    return _json({"kind": data["kind"], **target, "at": server.cluster.now}, 201)


async def _clock(server: Controlled, request: web.Request, client: "ClusterClient") -> web.Response:
    """``GET /ktui/v1/clock``: now, speed, requests; ``POST`` with ``{"advance": seconds}`` and/or
    ``{"speed": x}`` (0 pauses). RBAC decides as for any non-resource URL (verbs ``get`` and ``post``)."""
    if request.method not in ("GET", "POST"):
        raise _not_found()
    _allow(client, "get" if request.method == "GET" else "post", request.path)
    if request.method == "POST":
        data = decode_body(await request.read(), "application/json") or {}
        if not isinstance(data, dict):
            raise errors.bad_request("the body must be an object")
        speed, advance = data.get("speed"), data.get("advance")
        for key, value in (("speed", speed), ("advance", advance)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
                raise errors.bad_request(f"{key} must be a number of at least 0")
        if speed is not None:
            server.speed = float(speed)
        if advance:
            server.cluster.advance(float(advance))
    return _json({"now": server.cluster.now, "speed": server.speed, "requests": server.requests})


async def _kubectl(server: Controlled, request: web.Request, client: "ClusterClient") -> web.Response:
    """A ``ktui kubectl`` command line run as the caller: ``{"args", "stdin", "cwd", "environ"}`` in,
    ``{"stdout", "stderr", "exitCode"}`` out — the bytes ``ktui kubectl`` prints in process."""
    from ktui.kubectl import KubectlEnv, run_kubectl

    data = decode_body(await request.read(), "application/json") or {}
    if not isinstance(data, dict):
        raise errors.bad_request("the body must be an object")
    env = KubectlEnv(client=client, advance=server.cluster.advance, now=lambda: server.cluster.now,
                     environ=dict(data.get("environ") or {}), cwd=data.get("cwd"))
    result = run_kubectl(env, list(data.get("args") or []), stdin=data.get("stdin") or "")
    server.cluster.settle()  # the cluster reacts before the next command, as `ktui kubectl` in process
    return _json({"stdout": result.stdout, "stderr": result.stderr, "exitCode": result.exit_code})
