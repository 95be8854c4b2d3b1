"""``pods/exec`` and ``pods/attach`` over WebSocket (``v5.channel.k8s.io`` and ``v4.channel.k8s.io``, which
kubectl 1.37 tries first): the simulated in-pod program runs, its output goes out on channels 1 and 2, its
end as a Status on channel 3. Stdin comes on channel 0 (v5 closes it with ``[255, 0]``), terminal sizes on
channel 4. A shell with stdin (``exec -it POD -- sh``, or ``attach`` to a container whose program is a shell
with ``stdin: true``) is the interactive session of :mod:`ktui.server.shell`; ``exec -i POD -- cat`` copies its
stdin to its stdout as it arrives; ``attach`` to another program
streams what it logs from then on. Authorized as kube-apiserver does (``create`` on ``pods/exec`` or
``pods/attach``)."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any, Callable

from aiohttp import WSMsgType, web

from ktui.api import errors
from ktui.api.auth.attributes import RequestAttributes
from ktui.api.auth.forbidden import forbidden_error
from ktui.server.routes import Target
from ktui.server.shell import Session, is_shell

if TYPE_CHECKING:
    from ktui.cluster import ClusterClient

__all__ = ["PROTOCOLS", "serve_exec", "serve_attach"]

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
"""The remote-command subprotocols answered, best first."""

_STDIN, _STDOUT, _STDERR, _ERROR, _RESIZE, _CLOSE = 0, 1, 2, 3, 4, 255
_POLL = 0.2
"""Wall seconds between two looks at an attached container's log."""


def _exit_status(code: int, argv: list[str]) -> dict[str, Any]:
    if code == 0:
        return {"metadata": {}, "status": "Success"}
    return {
        "metadata": {},
        "status": "Failure",
        "message": f"command terminated with non-zero exit code: error executing command {argv}, "
        f"exit code {code}".replace("'", ""),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
    }


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name) in ("true", "1")


def _authorize(client: "ClusterClient", ns: str, name: str, sub: str) -> None:
    if not client.can_i("create", "pods", ns, name, sub)["allowed"]:
        raise forbidden_error(
            RequestAttributes(
                user=client.user,
                verb="create",
                namespace=ns,
                api_group="",
                api_version="v1",
                resource="pods",
                subresource=sub,
                name=name,
            )
        )


def _container(request: web.Request, pod: dict, name: str) -> dict:
    containers = (pod.get("spec") or {}).get("containers") or []
    wanted = request.query.get("container") or (containers[0]["name"] if containers else "")
    found = next((c for c in containers if c.get("name") == wanted), None)
    if found is None:
        raise errors.bad_request(f"container {wanted} is not valid for pod {name}")
    return found


class _Channels:
    """The remote-command channels of one WebSocket."""

    def __init__(self, request: web.Request, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.stdout = _flag(request, "stdout")
        self.stderr = _flag(request, "stderr")
        self.tty = _flag(request, "tty")

    async def send(self, out: str, err: str = "") -> None:
        if out and self.stdout:
            await self.ws.send_bytes(bytes([_STDOUT]) + out.encode())
        if err and (self.stderr or self.tty):  # a terminal has one stream: stderr goes out with stdout
            await self.ws.send_bytes(bytes([_STDOUT if self.tty else _STDERR]) + err.encode())

    async def end(self, code: int, argv: list[str], failure: str = "") -> None:
        status = {"metadata": {}, "status": "Failure", "message": failure} if failure else _exit_status(code, argv)
        if not self.ws.closed:
            await self.ws.send_bytes(bytes([_ERROR]) + json.dumps(status).encode())
            await self.ws.close()


async def _interact(channels: _Channels, session: Session, timeout: float | None = None) -> str:
    """Feed the client's stdin to ``session`` until it ends, stdin closes or the client leaves; the error that
    ended it early, if one did."""
    ws = channels.ws
    while not session.ended:
        try:
            msg = await ws.receive(timeout=timeout)
        except TimeoutError:
            break
        if msg.type != WSMsgType.BINARY:
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                break
            continue
        data = bytes(msg.data)
        if not data:
            continue
        if data[0] == _CLOSE and data[1:2] == bytes([_STDIN]):
            try:
                await channels.send(*session.close())
            except errors.ApiError as e:
                return e.message
            break
        if data[0] == _STDIN:
            try:
                await channels.send(*session.feed(data[1:].decode(errors="replace")))
            except errors.ApiError as e:  # the container went away under the session
                return e.message
    return ""
    # _RESIZE: a terminal size ({"Width": .., "Height": ..}); the simulated shell does not wrap lines


def copies_stdin(argv: list[str]) -> bool:
    """Whether ``argv`` copies its stdin to its stdout (``cat``, ``cat -``)."""
    return bool(argv) and argv[0].rsplit("/", 1)[-1] == "cat" and all(a == "-" for a in argv[1:])


async def _copy_stdin(channels: _Channels) -> None:
    """Send what arrives on stdin back on stdout as it arrives, until stdin closes or the client leaves."""
    while True:
        msg = await channels.ws.receive()
        if msg.type != WSMsgType.BINARY:
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return
            continue
        data = bytes(msg.data)
        if data[:2] == bytes([_CLOSE, _STDIN]):
            return
        if data[:1] == bytes([_STDIN]) and len(data) > 1 and channels.stdout:
            await channels.ws.send_bytes(bytes([_STDOUT]) + data[1:])


def _prompt(argv: list[str], pod: str) -> str:
    return f"root@{pod}:/# " if argv and argv[0].rsplit("/", 1)[-1] == "bash" else "/ # "


Runner = Callable[[str, str, str, str, list[str]], tuple[str, str, int]]
"""``(node, namespace, pod, container, argv) -> (stdout, stderr, exit code)``: what runs an exec."""


async def serve_exec(
    request: web.Request, client: "ClusterClient", t: Target, runner: Runner | None = None
) -> web.StreamResponse:
    """Answer one ``kubectl exec``: a program run at once, or a shell session reading stdin.

    ``runner`` runs the commands instead of the client's recorded ``kubelet_exec`` (a read-only view's exec,
    in a throwaway copy of the cluster: :mod:`ktui.lab.sandbox`).
    """
    execute = runner or client.kubelet_exec
    ns, name = t.namespace or "default", t.name
    _authorize(client, ns, name, "exec")
    if request.headers.get("Upgrade", "").lower() != "websocket":
        raise errors.bad_request("Upgrade request required")
    pod = client.get("pods", name, ns)
    container = _container(request, pod, name)["name"]
    argv = request.query.getall("command", [])
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise errors.bad_request(f"cannot exec into a container in a completed pod; current phase is {phase}")
    node = (pod.get("spec") or {}).get("nodeName") or ""
    if _flag(request, "stdin") and is_shell(argv):

        def run(line: str) -> tuple[str, str, int]:
            return execute(node, ns, name, container, ["sh", "-c", line])

        run(":")  # the shell starts: refused now (403, no host) rather than after the upgrade
        session = Session(run, _flag(request, "tty"), _prompt(argv, name))
        ws = web.WebSocketResponse(protocols=PROTOCOLS)
        await ws.prepare(request)
        channels = _Channels(request, ws)
        await channels.send(*session.start())
        failure = await _interact(channels, session)
        await channels.end(session.status, argv, failure)
        return ws
    out, err, code = execute(node, ns, name, container, argv)  # recorded (as ktui kubectl exec), unless a runner
    ws = web.WebSocketResponse(protocols=PROTOCOLS)
    await ws.prepare(request)
    channels = _Channels(request, ws)
    if _flag(request, "stdin") and not channels.tty and copies_stdin(argv):
        await _copy_stdin(channels)  # `kubectl exec -i POD -- cat`: what it reads, it writes, until stdin ends
    if channels.tty:  # a terminal's line discipline ends each line with \r\n
        out, err = out.replace("\n", "\r\n"), err.replace("\n", "\r\n")
        await _first_size(ws)
    await channels.send(out, err)
    await channels.end(code, argv)
    return ws


async def _first_size(ws: web.WebSocketResponse, timeout: float = 1.0) -> None:
    """Wait (a second at most) for the terminal size kubectl sends as a terminal session starts: a program that
    ends at once would otherwise close the stream under it, and kubectl would log that it could not send it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            msg = await ws.receive(timeout=left)
        except TimeoutError:
            return
        if msg.type != WSMsgType.BINARY:
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return
            continue
        if bytes(msg.data)[:1] == bytes([_RESIZE]):
            return


async def serve_attach(
    request: web.Request, client: "ClusterClient", t: Target, stopping: Callable[[], bool] = lambda: False
) -> web.StreamResponse:
    """Answer one ``kubectl attach`` (also ``kubectl run -it``): the container's shell when its program is one
    that reads stdin, else what the container logs from now on, until it ends or the client leaves."""
    ns, name = t.namespace or "default", t.name
    _authorize(client, ns, name, "attach")
    if request.headers.get("Upgrade", "").lower() != "websocket":
        raise errors.bad_request("Upgrade request required")
    pod = client.get("pods", name, ns)
    spec = _container(request, pod, name)
    container = spec["name"]
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise errors.bad_request(f"cannot attach to a container in a completed pod; current phase is {phase}")
    node = (pod.get("spec") or {}).get("nodeName") or ""
    program = list(spec.get("command") or []) + list(spec.get("args") or [])
    ws = web.WebSocketResponse(protocols=PROTOCOLS)
    if _flag(request, "stdin") and spec.get("stdin") and (not program or is_shell(program)):

        def run(line: str) -> tuple[str, str, int]:
            return client.kubelet_exec(node, ns, name, container, ["sh", "-c", line], "attach")

        session = Session(run, _flag(request, "tty") and bool(spec.get("tty")), _prompt(program, name))
        await ws.prepare(request)
        channels = _Channels(request, ws)
        await channels.send(*session.start(show_prompt=False))  # the prompt was printed before anyone attached
        failure = await _interact(channels, session)
        if failure:
            await channels.end(1, [], failure)
        elif not ws.closed:
            await ws.close()
        return ws
    seen = len(client.log(name, ns, container=container).splitlines(keepends=True))
    await ws.prepare(request)
    channels = _Channels(request, ws)
    while not stopping() and not ws.closed:
        try:
            msg = await ws.receive(timeout=_POLL)
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                break
        except TimeoutError:
            pass
        try:
            lines = client.log(name, ns, container=container).splitlines(keepends=True)
            current = client.get("pods", name, ns)
        except errors.ApiError:
            break
        if len(lines) > seen:
            await channels.send("".join(lines[seen:]))
            seen = len(lines)
        if (current.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            break
    if not ws.closed:
        await ws.close()
    return ws
