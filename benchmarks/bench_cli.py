"""``kubectl get pods`` end to end on the built-in 3-node cluster, as a learner runs it: the whole process,
Python's start-up included, with ``ktui up`` serving the cluster (the real kubectl and ``ktui kubectl``) and
without a server (``ktui kubectl`` opens the saved cluster itself).

Run by hand: ``python benchmarks/bench_cli.py [--runs 20]``. Not part of the test suite. Uses a throwaway
``$KTUI_HOME`` and kubeconfig; the server listens on 127.0.0.1 only and is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import check, header

BIN = Path(sys.executable).parent
KUBECTL = BIN / "kubectl"
KTUI = BIN / "ktui"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _timed(argv: list[str], env: dict[str, str], runs: int) -> tuple[list[float], str]:
    times, out = [], ""
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        times.append(time.perf_counter() - t0)
        check(proc.returncode == 0, f"{' '.join(argv)} failed: {proc.stderr.strip()}")
        out = proc.stdout
    return times, out


def _p95(xs: list[float]) -> str:
    if len(xs) < 20:
        return "n<20"
    return f"{sorted(xs)[max(0, int(0.95 * len(xs) + 0.999) - 1)] * 1000:.0f} ms"


def _row(label: str, xs: list[float]) -> None:
    print(f"{label:58s} median {statistics.median(xs) * 1000:6.0f} ms  p95 {_p95(xs):>7s}  min {min(xs) * 1000:.0f} ms")


def _pods_shown(out: str) -> int:
    lines = out.splitlines()
    check(bool(lines) and lines[0].split()[:2] == ["NAMESPACE", "NAME"], f"not a pod table: {out[:200]!r}")
    check(all(" Running " in line for line in lines[1:]), "a pod of the built-in cluster is not Running")
    return len(lines) - 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20, help="runs per way (p95 printed from 20)")
    args = ap.parse_args()
    header("bench_cli: kubectl get pods -A, whole process, built-in 3-node cluster")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, KTUI_HOME=f"{tmp}/home", KUBECONFIG=f"{tmp}/kubeconfig", HOME=tmp)
        check(subprocess.run([str(KTUI), "cluster", "reset"], env=env, capture_output=True).returncode == 0, "reset")
        without, out = _timed([str(KTUI), "kubectl", "get", "pods", "-A"], env, max(3, args.runs // 4))
        n = _pods_shown(out)
        up = subprocess.run(
            [str(KTUI), "up", "--detach", "--port", str(_free_port())], env=env, capture_output=True, text=True
        )
        check(up.returncode == 0, f"ktui up failed: {up.stderr}")
        try:
            ktui_http, out1 = _timed([str(KTUI), "kubectl", "get", "pods", "-A"], env, args.runs)
            real, out2 = _timed([str(KUBECTL), "get", "pods", "-A"], env, args.runs)
            check(_pods_shown(out1) == n and _pods_shown(out2) == n, "the server shows other pods than the file")
        finally:
            subprocess.run([str(KTUI), "down"], env=env, capture_output=True, timeout=120)
    print(f"pods listed: {n}")
    _row("the real kubectl 1.37, ktui up serving", real)
    _row("ktui kubectl, ktui up serving (over HTTPS)", ktui_http)
    _row("ktui kubectl, no server (opens and saves the cluster file)", without)


if __name__ == "__main__":
    main()
