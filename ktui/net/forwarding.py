"""A TCP connection to ``localhost:PORT`` inside a pod's network namespace, as containerd makes one for
``kubectl port-forward``: the dial (refused when no container of the pod listens on the port) and the bytes an
HTTP server of the catalogue answers to one request on it (the same status and body ``curl`` gets from inside
the cluster, with the real server's headers; the request is written to the server's access log).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from typing import Any

from ktui.net.programs import HTTPD_IT_WORKS, NGINX_WELCOME, SERVER_PAGES
from ktui.sim.timefmt import EPOCH

__all__ = ["dial", "exchange", "sandbox_id"]

_NGINX_MTIME = _dt.datetime(2025, 8, 13, 15, 10, 23, tzinfo=_dt.timezone.utc)
"""When nginx 1.29.1's image wrote its index.html (its Last-Modified and ETag)."""
_HTTPD_MTIME = _dt.datetime(2007, 6, 11, 18, 53, 14, tzinfo=_dt.timezone.utc)
"""httpd's ``It works!`` page, unchanged since 2007."""


def _http_date(t: _dt.datetime) -> str:
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{days[t.weekday()]}, {t.day:02d} {months[t.month - 1]} {t.year} {t:%H:%M:%S} GMT"


def sandbox_id(uid: str, attempt: int = 0) -> str:
    """The 64-hex id containerd gives the pod's sandbox (stable for one pod and sandbox attempt)."""
    return hashlib.sha256(f"sandbox:{uid}:{attempt}".encode()).hexdigest()


def _netns(sandbox: str) -> str:
    h = hashlib.sha256(f"netns:{sandbox}".encode()).hexdigest()
    return f"/var/run/netns/cni-{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _worker(network: Any, node: str, namespace: str, name: str) -> tuple[Any, Any]:
    kl = network.kubelet(node) if node and network is not None else None
    if kl is None:
        return None, None
    for w in kl.workers.values():
        if w.name == name and w.namespace == namespace and not w.finished:
            return kl, w
    return kl, None


def _listener(network: Any, node: str, namespace: str, name: str, port: int) -> tuple[Any, Any, Any]:
    kl, w = _worker(network, node, namespace, name)
    if w is None:
        return kl, w, None
    now = network.kernel.now
    for c in kl.runtime.containers.values():
        if c.pod_uid == w.uid and c.state == "running" and c.listening(port, now):
            return kl, w, c
    return kl, w, None


def dial(network: Any, node: str, namespace: str, name: str, port: int) -> str:
    """Connect to ``localhost:port`` in the pod: '' when something listens, else the kubelet's error text (what
    ``kubectl port-forward`` receives on the error stream and prints)."""
    kl, w, c = _listener(network, node, namespace, name, port)
    if c is not None:
        return ""
    uid = w.uid if w is not None else ""
    sandbox = sandbox_id(uid, getattr(w, "sandbox_attempt", 0))
    if w is None or not getattr(w, "sandbox_ready", True):
        cause = f'network namespace for sandbox "{sandbox}" is closed'
    else:
        cause = (
            f'failed to execute portforward in network namespace "{_netns(sandbox)}": failed to connect to '
            f'localhost:{port} inside namespace "{sandbox}", IPv4: dial tcp4 127.0.0.1:{port}: connect: '
            f"connection refused IPv6 dial tcp6 [::1]:{port}: connect: connection refused "
        )
    return f"error forwarding port {port} to pod {sandbox}, uid : {cause}"


def _request_line(head: str) -> tuple[str, str, str, dict[str, str]]:
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    fields: dict[str, str] = {}
    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return "", "", "", fields
    return parts[0], parts[1], parts[2], fields


def exchange(network: Any, node: str, namespace: str, name: str, port: int, head: str) -> tuple[bytes, bool]:
    """Serve one HTTP request (``head``: its request line and header fields) on ``localhost:port`` in the pod:
    the response bytes and whether the server closes the connection after them. A server that does not speak
    HTTP, or a port nothing listens on any more, closes it without a word."""
    kl, _, c = _listener(network, node, namespace, name, port)
    server = (c.serving or c.info.server) if c is not None else ""
    bodies = SERVER_PAGES.get(server)
    if c is None or bodies is None:
        return b"", True
    method, path, version, fields = _request_line(head)
    agent = fields.get("user-agent", "-")
    now = EPOCH + _dt.timedelta(microseconds=round(network.kernel.now * 1e6))
    date = _http_date(now)
    if not method:
        return _bad_request(server, date), True
    code, _ = kl.runtime.http_get(c.id, port, path, "127.0.0.1", agent)
    conn = fields.get("connection", "").lower()
    close = conn == "close" or (version == "HTTP/1.0" and conn != "keep-alive")
    body = bodies[0] if code == 200 else bodies[1]
    reason = "OK" if code == 200 else "Not Found"
    if server == "nginx":
        head_lines = [f"HTTP/1.1 {code} {reason}", "Server: nginx/1.29.1", f"Date: {date}", "Content-Type: text/html"]
        head_lines.append(f"Content-Length: {len(body)}")
        if code == 200:
            head_lines.append(f"Last-Modified: {_http_date(_NGINX_MTIME)}")
        head_lines.append("Connection: close" if close else "Connection: keep-alive")
        if code == 200:
            head_lines += [f'ETag: "{int(_NGINX_MTIME.timestamp()):x}-{len(NGINX_WELCOME):x}"', "Accept-Ranges: bytes"]
    else:
        head_lines = [f"HTTP/1.1 {code} {reason}", f"Date: {date}", "Server: Apache/2.4.65 (Unix)"]
        if code == 200:
            head_lines += [
                f"Last-Modified: {_http_date(_HTTPD_MTIME)}",
                f'ETag: "{len(HTTPD_IT_WORKS):x}-432a5e4a73a80"',
                "Accept-Ranges: bytes",
            ]
        head_lines.append(f"Content-Length: {len(body)}")
        if close:
            head_lines.append("Connection: close")
        else:
            head_lines += ["Keep-Alive: timeout=5, max=100", "Connection: Keep-Alive"]
        head_lines.append("Content-Type: text/html" if code == 200 else "Content-Type: text/html; charset=iso-8859-1")
    out = ("\r\n".join(head_lines) + "\r\n\r\n").encode()
    if method != "HEAD":
        out += body.encode()
    return out, close


def _bad_request(server: str, date: str) -> bytes:
    if server == "nginx":
        body = (
            "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n"
            "<center><h1>400 Bad Request</h1></center>\r\n<hr><center>nginx/1.29.1</center>\r\n</body>\r\n</html>\r\n"
        )
        head = (
            f"HTTP/1.1 400 Bad Request\r\nServer: nginx/1.29.1\r\nDate: {date}\r\nContent-Type: text/html\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
    else:
        body = (
            '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>400 Bad Request</title>\n'
            "</head><body>\n<h1>Bad Request</h1>\n<p>Your browser sent a request that this server could not "
            "understand.<br />\n</p>\n</body></html>\n"
        )
        head = (
            f"HTTP/1.1 400 Bad Request\r\nDate: {date}\r\nServer: Apache/2.4.65 (Unix)\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n"
        )
    return (head + body).encode()
