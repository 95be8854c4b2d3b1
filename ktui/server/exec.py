"""``pods/exec`` over WebSocket (``v5.channel.k8s.io`` and ``v4.channel.k8s.io``, which kubectl 1.37 tries
first): the simulated in-pod program runs, its output goes out on channels 1 and 2, its end as a Status on
channel 3. Authorized as kube-apiserver does (``create`` on ``pods/exec``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable

from aiohttp import web

from ktui.api import errors
from ktui.api.auth.attributes import RequestAttributes
from ktui.api.auth.forbidden import forbidden_error
from ktui.server.routes import Target

if TYPE_CHECKING:
    from ktui.cluster import ClusterClient

__all__ = ["PROTOCOLS", "serve_exec"]

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
"""The remote-command subprotocols answered, best first."""

_STDOUT, _STDERR, _ERROR = 1, 2, 3


def _exit_status(code: int, argv: list[str]) -> dict[str, Any]:
    if code == 0:
        return {"metadata": {}, "status": "Success"}
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command {argv}, "
                       f"exit code {code}".replace("'", ""),
            "reason": "NonZeroExitCode", "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


async def serve_exec(request: web.Request, client: "ClusterClient", t: Target,
                     run: Callable[[str, str, str, str, list[str]], tuple[str, str, int]] | None = None
                     ) -> web.StreamResponse:
    """Answer one ``kubectl exec`` (without a terminal; stdin is not read).

    ``run(node, namespace, pod, container, argv)`` runs the command instead of the client's recorded
    ``kubelet_exec`` (a read-only view's exec, in a copy of the cluster).
    """
    ns, name = t.namespace or "default", t.name
    if not client.can_i("create", "pods", ns, name, "exec")["allowed"]:
        raise forbidden_error(RequestAttributes(user=client.user, verb="create", namespace=ns, api_group="",
                                                api_version="v1", resource="pods", subresource="exec", name=name))
    if request.headers.get("Upgrade", "").lower() != "websocket":
        raise errors.bad_request("Upgrade request required")
    pod = client.get("pods", name, ns)
    containers = [c["name"] for c in (pod.get("spec") or {}).get("containers") or []]
    container = request.query.get("container") or (containers[0] if containers else "")
    if container not in containers:
        raise errors.bad_request(f"container {container} is not valid for pod {name}")
    argv = request.query.getall("command", [])
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise errors.bad_request(f"cannot exec into a container in a completed pod; current phase is {phase}")
    node = (pod.get("spec") or {}).get("nodeName") or ""
    out, err, code = (run or client.kubelet_exec)(node, ns, name, container, argv)  # recorded, unless run
    ws = web.WebSocketResponse(protocols=PROTOCOLS)
    await ws.prepare(request)
    if out and request.query.get("stdout") in ("true", "1"):
        await ws.send_bytes(bytes([_STDOUT]) + out.encode())
    if err and request.query.get("stderr") in ("true", "1"):
        await ws.send_bytes(bytes([_STDERR]) + err.encode())
    await ws.send_bytes(bytes([_ERROR]) + json.dumps(_exit_status(code, argv)).encode())
    await ws.close()
    return ws
