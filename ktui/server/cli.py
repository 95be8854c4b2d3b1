"""``ktui up``, ``ktui down``, ``ktui status``, and ``ktui kubectl`` through a running server.

One model: while ``ktui up`` runs, that process holds the local cluster (its lock), moves its clock with
wall time × speed and saves it every 30 seconds and on shutdown; every other client — the real kubectl,
``ktui kubectl``, the Python client — reaches it over HTTPS. ``server.json`` in the cluster's home says
where it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from ktui.remote import alive, data_dir, info_path, remote_advance, remote_kubectl, request, server_info

__all__ = ["server_main", "remote_kubectl", "remote_advance", "server_info"]

SAVE_SECONDS = 30.0
"""How often a running server saves the local cluster (a killed server loses at most this much)."""


def _err(message: str, code: int = 1) -> int:
    print(f"ktui: {message}", file=sys.stderr)
    return code


# ---------------------------------------------------------------------- the server process


async def _run(ns: argparse.Namespace, local: Any, kubeconfig: Path, foreground: bool) -> int:
    from ktui.server.app import KtuiServer
    from ktui.server.certs import PKI
    from ktui.server.kubeconfig import CONTEXT, remove_context, write_context

    pki = PKI(local.home / "pki")
    pki.ensure()
    server = KtuiServer(
        local.cluster, pki, port=ns.port, speed=ns.speed, save=local.save, save_interval=ns.save_interval
    )
    from ktui.sim import gcpolicy

    gcpolicy.settle()  # the cluster is built: the collector stops rescanning it (see gcpolicy)
    try:
        await server.start()
    except OSError as e:
        return _err(f"cannot listen on 127.0.0.1:{ns.port}: {e.strerror or e}")
    info_file = info_path(local.home)
    previous = write_context(kubeconfig, pki, server.url)
    info_file.write_text(
        json.dumps(
            {
                "pid": os.getpid(),
                "port": server.port,
                "url": server.url,
                "kubeconfig": str(kubeconfig),
                "previous_context": previous,
            }
        )
    )
    print(f'ktui is serving the local cluster at {server.url}; context "{CONTEXT}" written to {kubeconfig}', flush=True)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, done.set)
    try:
        last, last_requests = loop.time(), 0
        while not done.is_set():
            try:
                await asyncio.wait_for(done.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass
            if foreground and sys.stdout.isatty():
                t = loop.time()
                rate = (server.requests - last_requests) / max(t - last, 1e-9)
                last, last_requests = t, server.requests
                print("\r" + _status_line(local.cluster, server.speed, rate), end="", flush=True)
    finally:
        await server.stop()
        info_file.unlink(missing_ok=True)
        remove_context(kubeconfig, previous)
    if foreground and sys.stdout.isatty():
        print()
    print(f"ktui stopped; the local cluster is saved in {local.home}", flush=True)
    return 0


def _status_line(cluster: Any, speed: float, rate: float) -> str:
    from ktui.sim.timefmt import format_duration

    nodes = len(cluster.api.list("nodes")["items"])
    pods = len(cluster.api.list("pods")["items"])
    return (
        f"clock {format_duration(cluster.now)}  speed {speed:g}x  nodes {nodes}  pods {pods}  requests/s {rate:.1f}   "
    )


def _serve(ns: argparse.Namespace, foreground: bool) -> int:
    from ktui.clusterspec import SpecError
    from ktui.local import ClusterBusy, LocalCluster
    from ktui.server.kubeconfig import default_path

    kubeconfig = Path(ns.kubeconfig) if ns.kubeconfig else default_path()
    try:
        with LocalCluster() as local:
            if ns.seed is not None or ns.spec:
                local.reset(ns.seed, ns.spec)
            return asyncio.run(_run(ns, local, kubeconfig, foreground))
    except ClusterBusy as e:
        return _err(str(e))
    except (SpecError, OSError, ValueError) as e:
        return _err(str(e))


def _detach(ns: argparse.Namespace, argv: list[str]) -> int:
    home = data_dir()
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ktui.server.cli", "serve", *argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.stderr.write(log_path.read_text())
            return proc.returncode or 1
        info = server_info(home)
        if info is not None and info.get("pid") == proc.pid:
            print(log_path.read_text().splitlines()[0])
            return 0
        time.sleep(0.1)
    proc.terminate()
    return _err("the server did not start within 60 seconds; see " + str(log_path))


def _down() -> int:
    from ktui.server.kubeconfig import CONTEXT, remove_context

    home = data_dir()
    info = server_info(home)
    if info is None or not alive(int(info.get("pid", 0))):
        info_path(home).unlink(missing_ok=True)
        if info is not None and info.get("kubeconfig"):
            remove_context(Path(info["kubeconfig"]), info.get("previous_context", ""))
        return _err(f"ktui is not running (local cluster in {home})")
    pid = int(info["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        return _err(f"the server (pid {pid}) did not stop within 60 seconds")
    remove_context(Path(info["kubeconfig"]), info.get("previous_context", ""))
    print(f'ktui stopped; the local cluster is saved in {home}; context "{CONTEXT}" removed from {info["kubeconfig"]}')
    return 0


def _status() -> int:
    from ktui.sim.timefmt import format_duration

    home = data_dir()
    info = server_info(home)
    if info is None or not alive(int(info.get("pid", 0))):
        print(f"ktui is not running (local cluster in {home})")
        return 1
    try:
        code, clock = request(home, info, "GET", "/ktui/v1/clock", timeout=10)
    except (OSError, ssl.SSLError) as e:
        return _err(f"the server (pid {info['pid']}) does not answer at {info['url']}: {e}")
    print(
        f'ktui is running at {info["url"]} (pid {info["pid"]}), context "ktui" in {info["kubeconfig"]}\n'
        f"simulated time: {format_duration(clock['now'])}, speed {clock['speed']:g}x\nstate: {home}"
    )
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ktui up", description="serve the local cluster over HTTPS")
    p.add_argument("--port", type=int, default=6443)
    p.add_argument("--spec", help="start the local cluster afresh from this cluster spec")
    p.add_argument("--seed", type=int, help="start the local cluster afresh with this seed")
    p.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second (0: paused)")
    p.add_argument("--detach", action="store_true", help="run in the background; return once it answers")
    p.add_argument("--kubeconfig", help="write the ktui context here instead of $KUBECONFIG or ~/.kube/config")
    p.add_argument(
        "--save-interval",
        type=float,
        default=SAVE_SECONDS,
        metavar="SECONDS",
        help=f"save the cluster this often (default {SAVE_SECONDS:g})",
    )
    return p


def server_main(args: Sequence[str]) -> int:
    """``ktui up|down|status ...`` (and ``serve``, the detached server process)."""
    cmd, rest = args[0], list(args[1:])
    if cmd == "down":
        return _down()
    if cmd == "status":
        return _status()
    ns = _parser().parse_args(rest)
    if ns.speed < 0:
        return _err("--speed must not be negative")
    if ns.save_interval <= 0:
        return _err("--save-interval must be positive")
    if cmd == "up" and ns.detach:
        return _detach(ns, [a for a in rest if a != "--detach"])
    return _serve(ns, foreground=cmd == "up")


if __name__ == "__main__":  # the detached server: python -m ktui.server.cli serve ARGS
    sys.exit(server_main(sys.argv[1:]))
