"""Watch over HTTP: one JSON event per line in a chunked answer, as kube-apiserver streams them.

Without a resourceVersion (or with ``sendInitialEvents=true``) the current objects come first as ADDED,
then the changes from the list's revision on; with one, the changes after it, or a single ERROR event
with a 410 ``Expired`` Status once that revision was compacted. Events are Tables when the Accept header
asks for them (the first one carries the column definitions).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any, Callable

from aiohttp import web

from ktui.api import errors
from ktui.server import tables
from ktui.server.routes import Target

if TYPE_CHECKING:
    from ktui.cluster import ClusterClient

__all__ = ["serve_watch", "BOOKMARK_SECONDS", "DEFAULT_TIMEOUT"]

BOOKMARK_SECONDS = 5.0
"""Wall seconds between BOOKMARK events when a client allows them (kube-apiserver: about a minute)."""

POLL_SECONDS = 0.5
"""How often a quiet watch looks whether its client left or the server is stopping."""

DEFAULT_TIMEOUT = 1800.0
"""How long a watch without ``timeoutSeconds`` stays open (kube-apiserver: 30 to 60 minutes)."""


def _line(etype: str, obj: dict) -> bytes:
    return json.dumps({"type": etype, "object": obj}, separators=(",", ":")).encode() + b"\n"


async def serve_watch(
    request: web.Request,
    client: "ClusterClient",
    t: Target,
    query: dict[str, str],
    now: Callable[[], float],
    table: bool,
    stopping: Callable[[], bool] = lambda: False,
) -> web.StreamResponse:
    """Stream the watch ``query`` asks for until ``timeoutSeconds``, the client leaving, or ``stopping()``."""
    r = t.resource
    gr = r.group_resource
    rv = query.get("resourceVersion", "")
    initial_events = query.get("sendInitialEvents") == "true"
    bookmarks = query.get("allowWatchBookmarks") == "true"
    include = tables.include_object(query)
    field = query.get("fieldSelector", "")
    labels = query.get("labelSelector", "")
    queue: asyncio.Queue[tuple[str, dict, float]] = asyncio.Queue()
    initial: list[dict] = []
    if initial_events or rv in ("", "0"):
        lst = client.list(gr, t.namespace, label_selector=labels, field_selector=field)
        initial = list(lst.get("items") or [])
        rv = (lst.get("metadata") or {}).get("resourceVersion", "")
    error: errors.ApiError | None = None
    w = None
    try:
        w = client.watch(
            gr,
            lambda etype, obj: queue.put_nowait((etype, obj, now())),
            t.namespace,
            label_selector=labels,
            field_selector=field,
            resource_version=rv,
        )
    except errors.ApiError as e:
        if e.code != 410:
            raise
        error = e
    resp = web.StreamResponse(
        status=200, headers={"Content-Type": "application/json", "Cache-Control": "no-cache, private"}
    )
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    headers_sent = [False]

    def encode(etype: str, obj: dict, at: float) -> bytes:
        """One event line; a Table row is printed as of ``at``, the simulated time the change was seen."""
        if table and etype in ("ADDED", "MODIFIED", "DELETED"):
            obj = tables.table(r, [obj], at, include, headers=not headers_sent[0])
            headers_sent[0] = True
        return _line(etype, obj)

    last_rv = [rv]

    def bookmark(extra: dict | None = None) -> bytes:
        md: dict[str, Any] = {"resourceVersion": last_rv[0]}
        if extra:
            md["annotations"] = extra
        return _line("BOOKMARK", {"kind": r.kind, "apiVersion": r.api_version, "metadata": md})

    try:
        if error is not None:
            await resp.write(_line("ERROR", error.status))
            return resp
        at = now()
        for obj in initial:
            await resp.write(encode("ADDED", obj, at))
        if initial_events and bookmarks:
            await resp.write(bookmark({"k8s.io/initial-events-end": "true"}))
        timeout = float(query.get("timeoutSeconds") or 0) or DEFAULT_TIMEOUT
        deadline = time.monotonic() + timeout  # a shell may read the wall clock
        next_bookmark = time.monotonic() + BOOKMARK_SECONDS
        while True:
            left = deadline - time.monotonic()
            transport = request.transport
            if left <= 0 or stopping() or transport is None or transport.is_closing():
                break
            wait = min(left, next_bookmark - time.monotonic()) if bookmarks else left
            wait = min(wait, POLL_SECONDS)
            try:
                etype, obj, seen = await asyncio.wait_for(queue.get(), timeout=max(0.0, wait))
            except asyncio.TimeoutError:
                if bookmarks and time.monotonic() >= next_bookmark:
                    await resp.write(bookmark())
                    next_bookmark = time.monotonic() + BOOKMARK_SECONDS
                continue
            batch = [encode(etype, obj, seen)]
            while not queue.empty():  # everything already waiting goes out in one write
                etype, obj, seen = queue.get_nowait()
                batch.append(encode(etype, obj, seen))
            last_rv[0] = (obj.get("metadata") or {}).get("resourceVersion", last_rv[0])
            await resp.write(b"".join(batch))
    except ConnectionResetError:
        pass  # the client went away
    finally:
        if w is not None:
            w.stop()
    return resp
