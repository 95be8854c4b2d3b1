"""ktui's own calls under ``/ktui/v1/``: the clock, faults, scenario steps, what the simulation can explain
(the scheduler's verdict on a pod, a node's routes and iptables, a request's trace, a kubelet's containers),
and ktui's kubectl run as the caller.

RBAC decides as for any non-resource URL, with the request's method as the verb (``get`` or ``post``): a
ClusterRole rule ``{nonResourceURLs: ["/ktui/v1/*"], verbs: ["get"]}`` lets a user read them all. A call about a
pod or a node also reads that object as the caller (``get`` on ``pods`` in its namespace, or on ``nodes``), so it
answers 403 or 404 exactly as ``kubectl get`` would. Every answer is JSON from
:attr:`ktui.cluster.Cluster.inspect` or the cluster's public calls; the reads leave the cluster as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from ktui.api import errors
from ktui.server.responses import json_response as _json, not_found as _not_found
from ktui.server.verbs import decode_body

if TYPE_CHECKING:
    from ktui.cluster import Cluster, ClusterClient

__all__ = ["serve", "ENDPOINTS", "Controlled"]


class Controlled(Protocol):
    """What the control API reads and sets on the server that serves it (the server module imports this one)."""

    cluster: "Cluster"
    speed: float
    """Simulated seconds per wall second (0: paused)."""
    requests: int
    """Requests served so far."""
    scenario: Any
    """The scenario session whose cluster this is, or None."""


_FAULT_TARGETS = ("node", "pod", "namespace", "container", "image", "exit_code")
_PROTOCOLS = ("tcp", "udp", "sctp")

ENDPOINTS = (
    ("GET", "/ktui/v1/clock", "the clock: now, speed, requests answered"),
    ("POST", "/ktui/v1/clock", '{"advance": seconds} and/or {"speed": x} (0 pauses)'),
    ("GET", "/ktui/v1/clock/next", "the next event the simulation will run, in one line"),
    ("POST", "/ktui/v1/clock/step", "run that one event: what ran and the Events it recorded"),
    ("POST", "/ktui/v1/faults", '{"kind": "kubelet-stop", "node": "node01"}: a fault, now'),
    ("GET", "/ktui/v1/scenario", "the scenario this server runs: where it is"),
    ("POST", "/ktui/v1/scenario/step", "run its next step: the step's transcript"),
    ("POST", "/ktui/v1/scenario/rewind", 'undo its last step ({"to": N}: back to after step N)'),
    ("GET", "/ktui/v1/namespaces/NS/pods/NAME/scheduling", "the scheduler's last attempt at the pod"),
    ("GET", "/ktui/v1/namespaces/NS/pods/NAME/containers", "the kubelet's containers of the pod"),
    ("GET", "/ktui/v1/namespaces/NS/pods/NAME/trace?to=HOST[:PORT]&protocol=tcp", "one request, hop by hop"),
    ("GET", "/ktui/v1/nodes/NAME/routes", "the node's service routing table"),
    ("GET", "/ktui/v1/nodes/NAME/iptables", "the node's iptables-save -t nat text"),
    ("POST", "/ktui/v1/kubectl", "a ktui kubectl command line, run as the caller"),
)
"""Every control call: method, path, what it answers (the README's table)."""


async def serve(server: Controlled, request: web.Request, client: "ClusterClient", what: str) -> web.Response:
    """Answer ``/ktui/v1/<what>``."""
    method, parts = request.method, what.split("/")
    if what == "kubectl" and method == "POST":  # kubectl's own requests are authorized one by one
        return await _kubectl(server, request, client)
    _allow(client, method.lower(), request.path)  # before routing, as kube-apiserver authorizes any path
    if method not in ("GET", "POST"):
        raise _not_found()
    if what == "faults" and method == "POST":
        return await _faults(server, request)
    if what == "clock":
        return await _clock(server, request)
    if (what, method) in (("clock/next", "GET"), ("clock/step", "POST")):
        return _clock_event(server, step=method == "POST")
    if parts[0] == "scenario" and (len(parts) == 1) == (method == "GET") and len(parts) <= 2:
        return await _scenario(server, request, parts[1] if len(parts) == 2 else "")
    if method == "GET" and len(parts) == 5 and parts[0] == "namespaces" and parts[2] == "pods":
        return _pod(server, request, client, parts[1], parts[3], parts[4])
    if method == "GET" and len(parts) == 3 and parts[0] == "nodes":
        return _node(server, client, parts[1], parts[2])
    raise _not_found()


def _allow(client: "ClusterClient", verb: str, path: str) -> None:
    """RBAC for the control API, as for any non-resource URL."""
    if not client.can_i(verb, non_resource_url=path)["allowed"]:
        from ktui.api.auth.attributes import RequestAttributes
        from ktui.api.auth.forbidden import forbidden_error

        raise forbidden_error(RequestAttributes.non_resource(client.user, verb, path))


async def _object(request: web.Request) -> dict[str, Any]:
    """The request's JSON body as an object (an empty body is ``{}``)."""
    data = decode_body(await request.read(), "application/json") or {}
    if not isinstance(data, dict):
        raise errors.bad_request("the body must be an object")
    return data


# ---------------------------------------------------------------------------- the clock and faults


async def _faults(server: Controlled, request: web.Request) -> web.Response:
    """``POST /ktui/v1/faults`` with ``{"kind": "kubelet-stop", "node": "node01"}`` (any fault
    :meth:`ktui.cluster.Cluster.fault` takes): injected now, recorded for replay."""
    from ktui.components.faults import FaultError

    data = await _object(request)
    if not isinstance(data.get("kind"), str):
        raise errors.bad_request("the body must be an object with a fault kind")
    target = {k: v for k, v in data.items() if k in _FAULT_TARGETS}
    try:
        server.cluster.fault(data["kind"], **target)
    except (FaultError, TypeError) as e:
        raise errors.bad_request(str(e)) from None
    return _json({"kind": data["kind"], **target, "at": server.cluster.now}, 201)


async def _clock(server: Controlled, request: web.Request) -> web.Response:
    """``GET /ktui/v1/clock``: now, speed, requests; ``POST`` with ``{"advance": seconds}`` and/or
    ``{"speed": x}`` (0 pauses)."""
    if request.method == "POST":
        data = await _object(request)
        speed, advance = data.get("speed"), data.get("advance")
        for key, value in (("speed", speed), ("advance", advance)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
                raise errors.bad_request(f"{key} must be a number of at least 0")
        if speed is not None:
            server.speed = float(speed)
        if advance:
            try:
                server.cluster.advance(float(advance))
            except ValueError as e:
                raise errors.bad_request(str(e)) from None
    return _json({"now": server.cluster.now, "speed": server.speed, "requests": server.requests})


def _clock_event(server: Controlled, step: bool) -> web.Response:
    """``GET /ktui/v1/clock/next``: the next event; ``POST /ktui/v1/clock/step``: run it (the UI's ``n``)."""
    cluster = server.cluster
    if step:
        report = cluster.step_report()
        if report is None:
            return _json({"ran": False, "time": cluster.now, "what": "", "events": []})
        return _json({"ran": True, **report.to_json()})
    pending = cluster.inspect.next_event()
    return _json(
        {
            "pending": pending is not None,
            "now": cluster.now,
            **(pending.to_json() if pending is not None else {"time": None, "what": ""}),
        }
    )


# ---------------------------------------------------------------------------- the scenario


def _no_scenario() -> errors.ApiError:
    return errors.ApiError(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "the server could not find the requested resource (this cluster runs no scenario)",
            "reason": "NotFound",
            "details": {},
            "code": 404,
        }
    )


def _scenario_state(session: Any) -> dict[str, Any]:
    current = session.current
    return {
        "name": session.name,
        "title": session.title(),
        "position": session.position,
        "steps": len(session.steps),
        "done": session.done,
        "ok": session.ok,
        "elapsed": session.elapsed,
        "next": None
        if current is None
        else {"step": current.number, "kind": current.kind, "title": current.title(session.lang)},
    }


async def _scenario(server: Controlled, request: web.Request, action: str) -> web.Response:
    """``GET /ktui/v1/scenario``; ``POST .../step`` runs the next step; ``POST .../rewind`` undoes the last
    (``{"to": N}``: every step after step N)."""
    from ktui.scenario.model import ScenarioError

    session = server.scenario
    if session is None:
        raise _no_scenario()
    if action == "":
        return _json(_scenario_state(session))
    if action == "step":
        await _object(request)
        if session.done:
            raise errors.bad_request(f"{session.name}: the scenario is done (all {len(session.steps)} steps ran)")
        from ktui.scenario.runner import next_step

        result = next_step(session)  # the runner's stepping, as the UI's `]`: the step, then Cluster.settle()
        return _json(
            {**result.to_json(), "transcript": result.render(len(session.steps)), "scenario": _scenario_state(session)}
        )
    if action == "rewind":
        data = await _object(request)
        if session.position == 0:
            raise errors.bad_request(f"{session.name}: no step has run yet")
        to = data.get("to", session.position - 1)
        if isinstance(to, bool) or not isinstance(to, int) or not 0 <= to < session.position:
            raise errors.bad_request(f"to must be a step number from 0 to {session.position - 1}")
        undone = []
        try:
            while session.position > to:
                step = session.back()
                undone.append({"step": step.number, "title": step.title(session.lang)})
        except ScenarioError as e:
            raise errors.bad_request(str(e)) from None
        return _json({"undone": undone, "scenario": _scenario_state(session)})
    raise _not_found()


# ---------------------------------------------------------------------------- pods and nodes


def _pod(
    server: Controlled, request: web.Request, client: "ClusterClient", namespace: str, name: str, what: str
) -> web.Response:
    """``/ktui/v1/namespaces/NS/pods/NAME/{scheduling,containers,trace}``, after reading the pod as the caller."""
    if what not in ("scheduling", "containers", "trace"):
        raise _not_found()
    client.get("pods", name, namespace)  # 403 or 404 as `kubectl get pod` answers
    inspect = server.cluster.inspect
    if what == "scheduling":
        return _json(inspect.explain_pod(namespace, name).to_json())
    if what == "containers":
        containers = inspect.containers(namespace, name)
        return _json({"pod": f"{namespace}/{name}", "containers": [c.to_json() for c in containers]})
    target = request.query.get("to", "")
    protocol = request.query.get("protocol", "tcp").lower()
    if not target:
        raise errors.bad_request("a trace needs a target: ?to=HOST[:PORT] or ?to=URL")
    if protocol not in _PROTOCOLS:
        raise errors.bad_request(f'unknown protocol "{protocol}" (expected one of: {", ".join(_PROTOCOLS)})')
    trace = inspect.trace(namespace, name, target, protocol)
    if trace is None:
        raise errors.bad_request("this cluster has no network model to trace through")
    return _json(trace.to_json())


def _node(server: Controlled, client: "ClusterClient", name: str, what: str) -> web.Response:
    """``/ktui/v1/nodes/NAME/{routes,iptables}``, after reading the node as the caller."""
    if what not in ("routes", "iptables"):
        raise _not_found()
    client.get("nodes", name)  # 403 or 404 as `kubectl get node` answers
    inspect = server.cluster.inspect
    routing = inspect.node_routing(name)
    if routing is None:
        raise errors.not_found("nodes", name)
    if what == "routes":
        return _json(routing.to_json())
    return _json({"node": name, "table": "nat", "text": inspect.iptables(name) or ""})


# ---------------------------------------------------------------------------- kubectl


async def _kubectl(server: Controlled, request: web.Request, client: "ClusterClient") -> web.Response:
    """A ``ktui kubectl`` command line run as the caller: ``{"args", "stdin", "cwd", "environ"}`` in,
    ``{"stdout", "stderr", "exitCode"}`` out — the bytes ``ktui kubectl`` prints in process."""
    from ktui.kubectl import KubectlEnv, run_kubectl

    data = await _object(request)
    env = KubectlEnv(
        client=client,
        advance=server.cluster.advance,
        now=lambda: server.cluster.now,
        environ=dict(data.get("environ") or {}),
        cwd=data.get("cwd"),
    )
    result = run_kubectl(env, list(data.get("args") or []), stdin=data.get("stdin") or "")
    server.cluster.settle()  # the cluster reacts before the next command, as `ktui kubectl` in process
    return _json({"stdout": result.stdout, "stderr": result.stderr, "exitCode": result.exit_code})
