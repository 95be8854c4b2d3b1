"""``pods/portforward`` as kubectl 1.37 asks for it first: a WebSocket with the subprotocol
``SPDY/3.1+portforward.k8s.io`` whose binary messages carry a SPDY/3.1 session (:mod:`ktui.server.spdy`).

Each local connection kubectl accepts opens a pair of streams with the same ``requestID`` and ``port`` headers:
``streamType: error`` (the kubelet's error text, if any) and ``streamType: data`` (the connection's bytes). When
both are there the kubelet dials ``localhost:PORT`` in the pod (:func:`ktui.net.forwarding.dial`): refused,
the error goes out on the error stream and kubectl prints it; else every HTTP request read from the data stream
is answered by the pod's server as ``curl`` from inside the cluster is answered (recorded, as exec is). A
plain ``Upgrade: SPDY/3.1`` request (kubectl's fallback when the WebSocket cannot be had) is not served.
Authorized as kube-apiserver does: ``create`` on ``pods/portforward``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from aiohttp import WSMsgType, web

from ktui.api import errors
from ktui.api.auth.attributes import RequestAttributes
from ktui.api.auth.forbidden import forbidden_error
from ktui.server.routes import Target
from ktui.server.spdy import (
    CANCEL,
    GOAWAY,
    PING,
    RST_STREAM,
    SYN_STREAM,
    Frame,
    Framer,
    SpdyError,
)

if TYPE_CHECKING:
    from ktui.cluster import ClusterClient

__all__ = ["PROTOCOL", "serve_portforward", "Forwarder"]

PROTOCOL = "SPDY/3.1+portforward.k8s.io"
"""The WebSocket subprotocol of a SPDY session tunnelled for port forwarding."""

_POLL = 0.5
"""Wall seconds between two looks at whether the server stops."""
_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


def _authorize(client: "ClusterClient", ns: str, name: str) -> None:
    if not client.can_i("create", "pods", ns, name, "portforward")["allowed"]:
        raise forbidden_error(
            RequestAttributes(
                user=client.user,
                verb="create",
                namespace=ns,
                api_group="",
                api_version="v1",
                resource="pods",
                subresource="portforward",
                name=name,
            )
        )


@dataclass
class _Pair:
    """The two streams of one forwarded connection."""

    request_id: str
    port: int
    error: int = 0
    data: int = 0
    open: bool = False
    """Dialled and not yet closed."""
    done: bool = False
    buf: bytes = b""


class Forwarder:
    """The server end of one port-forward SPDY session: frames in, the frames to send back out.

    Args:
        dial: ``port -> ''`` when something listens on it in the pod, else the kubelet's error text.
        serve: ``(port, request head) -> (response bytes, close)``: one HTTP request answered.
    """

    def __init__(self, dial: Callable[[int], str], serve: Callable[[int, str], tuple[bytes, bool]]) -> None:
        self.dial = dial
        self.serve = serve
        self.framer = Framer()
        self.pairs: dict[str, _Pair] = {}
        self.streams: dict[int, _Pair] = {}
        self.ended = False

    def receive(self, data: bytes) -> bytes:
        """What to send back for ``data`` from the client (possibly nothing)."""
        out = b""
        try:
            frames = self.framer.feed(data)
        except SpdyError:
            self.ended = True
            return self.framer.goaway(0, 1)
        for f in frames:
            out += self._frame(f)
        return out

    def _frame(self, f: Frame) -> bytes:
        if f.kind == SYN_STREAM:
            return self._syn_stream(f)
        if f.kind == 0:
            return self._data(f)
        if f.kind == PING:
            return self.framer.ping(f.value)
        if f.kind == RST_STREAM:
            pair = self.streams.pop(f.stream, None)
            if pair is not None and f.stream == pair.data:
                pair.open, pair.done = False, True
            return b""
        if f.kind == GOAWAY:
            self.ended = True
        return b""  # SETTINGS, WINDOW_UPDATE, HEADERS: nothing to answer

    def _syn_stream(self, f: Frame) -> bytes:
        port_text, kind = f.header("port"), f.header("streamtype")
        try:
            port = int(port_text)
        except ValueError:
            port = 0
        if not 0 < port < 65536 or kind not in ("error", "data"):
            return self.framer.rst_stream(f.stream, CANCEL)
        out = self.framer.syn_reply(f.stream)
        request_id = f.header("requestid") or str(f.stream if kind == "error" else f.stream - 2)
        pair = self.pairs.setdefault(request_id, _Pair(request_id, port))
        self.streams[f.stream] = pair
        if getattr(pair, kind):
            if pair.error:
                text = f"error processing stream for request {request_id}: {kind} stream already assigned"
                out += self.framer.data(pair.error, text.encode())
            return out
        setattr(pair, kind, f.stream)
        if pair.error and pair.data:
            failure = self.dial(pair.port)
            if failure:
                return out + self.framer.data(pair.error, failure.encode()) + self._close(pair)
            pair.open = True
            out += self._serve(pair)
        return out

    def _data(self, f: Frame) -> bytes:
        pair = self.streams.get(f.stream)
        if pair is None or pair.done or f.stream != pair.data:
            return b""  # the error stream's end, or a stream already closed
        pair.buf += f.data
        out = self._serve(pair) if pair.open else b""
        if f.fin and not pair.done:
            out += self._close(pair)
        return out

    def _serve(self, pair: _Pair) -> bytes:
        out = b""
        while pair.open and b"\r\n\r\n" in pair.buf:
            head, _, rest = pair.buf.partition(b"\r\n\r\n")
            m = _LENGTH.search(head)
            size = int(m.group(1)) if m else 0
            if len(rest) < size:
                break
            pair.buf = rest[size:]
            response, close = self.serve(pair.port, head.decode("latin-1"))
            if response:
                out += self.framer.data(pair.data, response)
            if close:
                out += self._close(pair)
        return out

    def _close(self, pair: _Pair) -> bytes:
        """The forward ends as the kubelet ends it: the error stream closed, then the data stream."""
        pair.open, pair.done = False, True
        self.pairs.pop(pair.request_id, None)
        return self.framer.data(pair.error, fin=True) + self.framer.data(pair.data, fin=True)


async def serve_portforward(
    request: web.Request, client: "ClusterClient", t: Target, stopping: Callable[[], bool] = lambda: False
) -> web.StreamResponse:
    """Answer one ``kubectl port-forward``: the tunnelled SPDY session, until kubectl leaves."""
    ns, name = t.namespace or "default", t.name
    _authorize(client, ns, name)
    pod = client.get("pods", name, ns)
    protocols = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
    if request.headers.get("Upgrade", "").lower() != "websocket" or PROTOCOL not in protocols:
        raise errors.bad_request(f"port forwarding is served over a WebSocket with the subprotocol {PROTOCOL} only")
    node = (pod.get("spec") or {}).get("nodeName") or ""
    if not node:
        raise errors.bad_request(f"pod {name} does not have a host assigned")

    def dial(port: int) -> str:
        try:
            return client.kubelet_port_dial(node, ns, name, port)
        except errors.ApiError as e:
            return e.message

    def serve(port: int, head: str) -> tuple[bytes, bool]:
        try:
            return client.kubelet_port_forward(node, ns, name, port, head)
        except errors.ApiError:
            return b"", True

    forwarder = Forwarder(dial, serve)
    ws = web.WebSocketResponse(protocols=(PROTOCOL,))
    await ws.prepare(request)
    while not forwarder.ended and not stopping() and not ws.closed:
        try:
            msg = await ws.receive(timeout=_POLL)
        except TimeoutError:
            continue
        if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
            break
        if msg.type != WSMsgType.BINARY:
            continue
        out = forwarder.receive(bytes(msg.data))
        if out and not ws.closed:
            await ws.send_bytes(out)
    if not ws.closed:
        await ws.close()
    return ws
