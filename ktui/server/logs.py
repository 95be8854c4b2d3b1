"""``pods/log?follow=true``: the log so far, then each new line as the simulated clock moves, until the
pod ends or goes, the client leaves, or the server stops."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable

from aiohttp import web

from ktui.api import errors
from ktui.server.routes import Target

if TYPE_CHECKING:
    from ktui.cluster import ClusterClient

__all__ = ["follow_log", "POLL_SECONDS"]

POLL_SECONDS = 0.2
"""Wall seconds between two looks at a followed log."""


async def follow_log(
    request: web.Request,
    client: "ClusterClient",
    t: Target,
    opts: dict[str, Any],
    stopping: Callable[[], bool] = lambda: False,
) -> web.StreamResponse:
    """Stream one container's log (``opts`` as :meth:`ktui.api.client.Client.log` takes them)."""
    text = client.log(t.name, t.namespace, **opts)  # errors before anything is sent
    resp = web.StreamResponse(status=200, headers={"Content-Type": "text/plain"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    sent = text.splitlines(keepends=True)
    await resp.write(text.encode())
    later = {k: v for k, v in opts.items() if k != "tail_lines"}
    full = (
        len(client.log(t.name, t.namespace, **later).splitlines(keepends=True)) if "tail_lines" in opts else len(sent)
    )
    try:
        while not stopping():
            await asyncio.sleep(POLL_SECONDS)
            transport = request.transport
            if transport is None or transport.is_closing():
                break
            try:
                lines = client.log(t.name, t.namespace, **later).splitlines(keepends=True)
                pod = client.get("pods", t.name, t.namespace)
            except errors.ApiError:
                break
            if len(lines) > full:
                await resp.write("".join(lines[full:]).encode())
                full = len(lines)
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                break
    except ConnectionResetError:
        pass  # the client went away
    return resp
