"""The HTTPS server: one asyncio event loop owns the cluster, moves its clock with wall time × speed, and
answers the Kubernetes API (discovery, every verb, watch, Tables) plus ktui's own ``/ktui/v1`` calls."""

from __future__ import annotations

import asyncio
import ssl
import threading
import traceback
from typing import TYPE_CHECKING, Any, Callable

from aiohttp import web

from ktui.api import errors
from ktui.server import control, discovery
from ktui.server.auth import authenticate
from ktui.server.responses import (
    error_response as _error,
    json_response as _json,
    not_found as _not_found,
    warn_deprecated as _warn,
    warning_header as _warning_header,
)
from ktui.server.routes import ResourceIndex, parse_path
from ktui.server.tables import wants_table
from ktui.server.verbs import MAX_BODY, decode_body, read, too_large, write
from ktui.server.watch import POLL_SECONDS, serve_watch

if TYPE_CHECKING:
    from ktui.cluster import Cluster, ClusterClient
    from ktui.server.certs import PKI

__all__ = ["KtuiServer", "ServerThread", "ssl_context"]

_HEALTH = ("/healthz", "/livez", "/readyz")


_NO_CHECK_TIME = 0x200000
"""OpenSSL's X509_V_FLAG_NO_CHECK_TIME."""


def ssl_context(pki: "PKI", signing_ca: bytes = b"") -> ssl.SSLContext:
    """TLS with the cluster's serving certificate; client certificates are asked for and checked against its CA,
    and against ``signing_ca``, the simulated cluster's signing CA (certificates issued for approved CSRs). Those
    are valid on the simulated clock, so OpenSSL checks no times; :func:`ktui.server.auth.authenticate` does."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(pki.path("apiserver.crt"), pki.path("apiserver.key"))
    ctx.load_verify_locations(cafile=str(pki.path("ca.crt")))
    if signing_ca:
        ctx.load_verify_locations(cadata=signing_ca.decode("ascii"))
        ctx.verify_flags |= _NO_CHECK_TIME  # type: ignore[assignment]
    ctx.verify_mode = ssl.CERT_OPTIONAL
    return ctx


class KtuiServer:
    """kube-apiserver over HTTPS for one cluster.

    Args:
        cluster: the cluster served; only this server's event loop touches it while it runs.
        pki: the cluster's certificates.
        port: 0 picks a free port (see :attr:`port` once started).
        speed: simulated seconds per wall second (0: paused).
        save: called every ``save_interval`` wall seconds and on stop (the local cluster's ``save``).
        read_only: when set, a read-only view: every method but GET/HEAD, and exec, is refused with 403 Forbidden
            and this message (a lab's script check); pair it with ``speed=0`` so that nothing moves.
        scenario: a scenario session on ``cluster`` (its ``cluster``), for ``/ktui/v1/scenario`` (None: none runs).
        read_only_exec: in a read-only view, what runs an exec instead of the cluster's kubelet:
            ``(node, namespace, pod, container, argv) -> (stdout, stderr, exit code)`` (a lab's check runs it in a
            throwaway copy of the cluster, :mod:`ktui.lab.sandbox`); without it exec is refused.
    """

    def __init__(
        self,
        cluster: "Cluster",
        pki: "PKI",
        *,
        host: str = "127.0.0.1",
        port: int = 6443,
        speed: float = 1.0,
        save: Callable[[], None] | None = None,
        save_interval: float = 30.0,
        tick: float = 0.05,
        log: Callable[[str], None] | None = None,
        read_only: str = "",
        scenario: Any = None,
        read_only_exec: Callable[[str, str, str, str, list[str]], tuple[str, str, int]] | None = None,
    ) -> None:
        self.cluster = cluster
        self.pki = pki
        self.host = host
        self.port = port
        self.speed = speed
        self.save = save
        self.save_interval = save_interval
        self.tick = tick
        self.requests = 0
        """Requests answered so far."""
        self.log = log
        """Called with one line per request (method, URL, Accept, status) when set."""
        self.read_only = read_only
        self.scenario = scenario
        """The :class:`ktui.scenario.session.ScenarioSession` whose cluster this is, stepped by ``/ktui/v1/scenario``."""
        self.read_only_exec = read_only_exec
        self._index = ResourceIndex()
        self.watching = 0
        """Watches open now."""
        self.stopping = False
        """Set by :meth:`stop`: open watches end."""
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task] = []
        self._command: str | None = None
        """The ``Kubectl-Session`` of the command served last (None: a client that sends none)."""

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY + 1)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, self.host, self.port, ssl_context=ssl_context(self.pki, self.cluster.signing_ca_pem())
        )
        await site.start()
        sockets = site._server.sockets if site._server else []  # type: ignore[attr-defined, union-attr]
        if sockets:
            self.port = sockets[0].getsockname()[1]
        self._tasks = [asyncio.create_task(self._clock())]
        if self.save is not None and self.save_interval > 0:
            self._tasks.append(asyncio.create_task(self._saver()))

    async def stop(self) -> None:
        self.stopping = True
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            try:
                await t
            except asyncio.CancelledError:
                pass
        if self._runner is not None:
            await asyncio.sleep(POLL_SECONDS + 0.1)  # open watches see `stopping` and end
            await self._runner.cleanup()
            self._runner = None
        if self.save is not None:
            self.save()

    async def _clock(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(self.tick)
            t = loop.time()
            if self.speed > 0:
                self.cluster.advance((t - last) * self.speed)
            last = t

    async def _saver(self) -> None:
        while True:
            await asyncio.sleep(self.save_interval)
            assert self.save is not None
            self.save()

    # ------------------------------------------------------------------ requests

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        self._between_commands(request)
        try:
            client = authenticate(request, self.cluster, self.pki)
            resp = await self._serve(request, client)
        except errors.ApiError as e:
            resp = _error(e)
        except web.HTTPRequestEntityTooLarge:
            resp = _error(too_large())
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception as e:  # a bug must not take the server down: 500, as kube-apiserver's panic handler
            traceback.print_exc()  # into the server's log
            resp = _error(errors.internal(f"{type(e).__name__}: {e}"))
        if self.log is not None:
            self.log(
                f"{request.method} {request.path_qs} [{request.headers.get('Accept', '')}] "
                f"[{request.headers.get('Content-Type', '')}] -> {resp.status}"
            )
        return resp

    def _served(self) -> Any:
        """What discovery lists now: the registry, plus metrics.k8s.io while a metrics-server pod is Ready."""
        from ktui.api.metrics import metrics_available

        return discovery.SERVED if metrics_available(self.cluster.api) else discovery.REGISTRY

    def _between_commands(self, request: web.Request) -> None:
        """The settling rule of every shell (:meth:`Cluster.settle`), at the command boundaries a server sees.

        The real kubectl sends one random ``Kubectl-Session`` header for all the requests of one command, so a new
        session is the next command: the cluster first reacts to what the previous one wrote (a new namespace
        gets its ``default`` ServiceAccount), as a real cluster has long done by the time a person or a script
        sends the next command. The requests within one command see no reaction in between, exactly as
        ``ktui kubectl`` does. A client without the header (the Python client, curl) makes every request a
        command. A read-only server (a lab's checks) never settles: checks must not change the cluster.
        """
        if self.read_only:
            return
        session = request.headers.get("Kubectl-Session")
        if session is None or session != self._command:
            self.cluster.settle()
        self._command = session

    async def _serve(self, request: web.Request, client: "ClusterClient") -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        method = request.method
        accept = request.headers.get("Accept", "")
        exec_path = "/pods/" in path and path.endswith("/exec")  # kubectl exec POSTs when WebSocket fails
        if self.read_only and method not in ("GET", "HEAD") and not (exec_path and self.read_only_exec):
            raise self._refused()
        if path in _HEALTH or path.startswith(tuple(h + "/" for h in _HEALTH)):
            return web.Response(text="ok", content_type="text/plain")
        if path == "/version":
            from ktui.version import KUBERNETES_VERSION

            return _json(KUBERNETES_VERSION)
        if path in ("/api", "/apis"):
            if "as=APIGroupDiscoveryList" in accept and "v=v2" in accept:
                return _json(
                    discovery.aggregated(path == "/api", self._served()), content_type=discovery.AGGREGATED_TYPE
                )
            if path == "/api":
                return _json(discovery.api_versions(f"{self.host}:{self.port}"))
            return _json(discovery.api_group_list(self._served()))
        if path.startswith("/openapi/"):
            return self._openapi(path)
        if path.startswith("/ktui/v1/"):
            return await control.serve(self, request, client, path[len("/ktui/v1/") :])
        if path.startswith("/apis/metrics.k8s.io/v1beta1/"):
            from ktui.server.metrics import serve_metrics

            return _json(serve_metrics(client, method, path, dict(request.query)))
        parts = path.split("/")
        if (len(parts) == 3 and parts[1] == "api") or (len(parts) == 4 and parts[1] == "apis"):
            body = discovery.resource_list("/".join(parts[2:]), self._served())
            if body is None:
                raise _not_found()
            return _json(body)
        target = parse_path(path, self._index)
        if target is None:
            raise _not_found()
        query = dict(request.query)
        table = wants_table(accept)
        if self.read_only and (
            target.subresource == "exec"
            and self.read_only_exec is None
            or target.subresource in ("attach", "portforward")
            or target.subresource != "exec"
            and method not in ("GET", "HEAD")
        ):
            raise self._refused()  # exec, attach and port-forward are recorded and may change the container
        if target.subresource == "exec" and method in ("GET", "POST"):
            from ktui.server.exec import serve_exec

            return await serve_exec(request, client, target, self.read_only_exec if self.read_only else None)
        if target.subresource == "portforward" and method in ("GET", "POST"):
            from ktui.server.portforward import serve_portforward

            return await serve_portforward(request, client, target, lambda: self.stopping)
        if target.subresource == "attach" and method in ("GET", "POST"):
            from ktui.server.exec import serve_attach

            return await serve_attach(request, client, target, lambda: self.stopping)
        if method == "GET":
            if query.get("watch") in ("true", "1"):
                self.watching += 1
                try:
                    return await serve_watch(
                        request, client, target, query, lambda: self.cluster.now, table, lambda: self.stopping
                    )
                finally:
                    self.watching -= 1
            out = read(client, target, query, self.cluster.now, table)
            if isinstance(out, tuple):  # pods/log?follow=true
                from ktui.server.logs import follow_log

                return await follow_log(request, client, target, out[1], lambda: self.stopping)
            if isinstance(out, str):
                return web.Response(text=out, content_type="text/plain")
            return _warn(target, _json(out))
        if method not in ("POST", "PUT", "PATCH", "DELETE"):
            raise errors.ApiError(
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "message": "the server does not allow this method on the requested resource",
                    "reason": "MethodNotAllowed",
                    "details": {},
                    "code": 405,
                }
            )
        raw = await request.read()
        ctype = request.headers.get("Content-Type", "application/json")
        body = decode_body(raw, ctype)
        warnings: list[str] = []
        code, out = write(client.with_warning_handler(warnings.append), target, method, query, body, ctype)
        resp = _warn(target, _json(out, code))
        for text in warnings:
            resp.headers.add("Warning", _warning_header(text))
        return resp

    def _refused(self) -> errors.ApiError:
        return errors.ApiError(
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": self.read_only,
                "reason": "Forbidden",
                "details": {},
                "code": 403,
            }
        )

    def _openapi(self, path: str) -> web.Response:
        try:
            from ktui.server import openapi  # type: ignore[attr-defined]
        except ImportError:
            raise _not_found() from None
        if path == "/openapi/v2":
            return web.Response(body=openapi.v2_document(), headers={"Content-Type": "application/json"})
        if path == "/openapi/v3":
            return _json(openapi.v3_index())
        doc = openapi.v3_document(path[len("/openapi/v3/") :])
        if doc is None:
            raise _not_found()
        return web.Response(body=doc, headers={"Content-Type": "application/json"})


class ServerThread:
    """A :class:`KtuiServer` on its own event loop in a background thread (tests, embedding).

    >>> with ServerThread(KtuiServer(cluster, pki, port=0)) as srv:
    ...     srv.server.url
    """

    def __init__(self, server: KtuiServer) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="ktui-server")

    def __enter__(self) -> "ServerThread":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result(timeout=30)
        return self

    def call(self, fn: Callable[[], Any], timeout: float = 30) -> Any:
        """Run ``fn()`` on the server's loop (the only thread that may touch the cluster) and return its result."""

        async def run() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=timeout)

    def __exit__(self, *exc: Any) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result(timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            if not self._thread.is_alive():
                self._loop.close()
