"""A running ``ktui up``, seen from another process: where it listens, and one request to it.

Only the standard library is imported here, so that ``ktui kubectl`` against a running server starts in
tens of milliseconds: it never imports the simulation.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
from pathlib import Path
from typing import Any, Sequence

__all__ = ["data_dir", "info_path", "server_info", "alive", "request", "remote_kubectl", "remote_advance"]


def data_dir() -> Path:
    """``$KTUI_HOME``, else ``$XDG_DATA_HOME/ktui``, else ``~/.local/share/ktui``."""
    if os.environ.get("KTUI_HOME"):
        return Path(os.environ["KTUI_HOME"])
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "ktui"


def info_path(home: Path) -> Path:
    """``server.json``: the running server's pid, port, URL and kubeconfig."""
    return home / "server.json"


def server_info(home: Path | None = None) -> dict[str, Any] | None:
    """What ``server.json`` says about the running server, or None when none was started."""
    try:
        return json.loads(info_path(home or data_dir()).read_text())
    except (OSError, ValueError):
        return None


def alive(pid: int) -> bool:
    """Whether a process with this pid exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _running(home: Path) -> dict[str, Any] | None:
    info = server_info(home)
    if info is None or not alive(int(info.get("pid", 0))):
        return None
    return info


def request(
    home: Path, info: dict[str, Any], method: str, path: str, body: Any = None, timeout: float = 600.0
) -> tuple[int, Any]:
    """One request to the running server as ``kubernetes-admin`` (the certificate in ``pki/``)."""
    pki = home / "pki"
    ctx = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    ctx.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
    conn = http.client.HTTPSConnection("127.0.0.1", int(info["port"]), context=ctx, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(
            method, path, body=data, headers={"Content-Type": "application/json", "Accept": "application/json"}
        )
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, json.loads(raw) if raw else None
    finally:
        conn.close()


def remote_kubectl(args: Sequence[str], stdin: str = "") -> tuple[str, str, int] | None:
    """Run a ``ktui kubectl`` line on the running server: ``(stdout, stderr, exit code)``; None when none runs."""
    home = data_dir()
    info = _running(home)
    if info is None:
        return None
    environ = {k: os.environ[k] for k in ("KUBE_EDITOR", "EDITOR") if k in os.environ}
    try:
        status, out = request(
            home,
            info,
            "POST",
            "/ktui/v1/kubectl",
            {"args": list(args), "stdin": stdin, "cwd": os.getcwd(), "environ": environ},
        )
    except (OSError, ssl.SSLError):
        return None
    if status != 200 or not isinstance(out, dict):
        message = out.get("message") if isinstance(out, dict) else f"HTTP {status}"
        return "", f"error: {message}\n", 1
    return out["stdout"], out["stderr"], int(out["exitCode"])


def remote_advance(seconds: float) -> float | None:
    """Move the running server's clock on by ``seconds``; its simulated time after, or None when none runs."""
    home = data_dir()
    info = _running(home)
    if info is None:
        return None
    try:
        status, out = request(home, info, "POST", "/ktui/v1/clock", {"advance": seconds})
    except (OSError, ssl.SSLError):
        return None
    if status != 200:
        raise RuntimeError(out.get("message") if isinstance(out, dict) else f"HTTP {status}")
    return float(out["now"])
