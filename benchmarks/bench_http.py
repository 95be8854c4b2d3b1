"""HTTP server benchmarks: get/list requests per second over HTTPS, watch events per second to many HTTP
watchers, and ``kubectl get pods`` end to end (the real kubectl over HTTPS vs ktui's kubectl in process).

Run by hand: ``python benchmarks/bench_http.py [--pods 1000] [--watchers 100]``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp

from ktui.cluster import Cluster
from ktui.server import PKI, KtuiServer, ServerThread
from ktui.server.kubeconfig import kubeconfig_text

KUBECTL = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "kubectl"


def _pod(i: int) -> dict:
    return {
        "metadata": {"name": f"p{i:05d}", "labels": {"app": f"a{i % 10}"}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }


def _ssl(pki: PKI) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki.path("ca.crt")))
    ctx.load_cert_chain(str(pki.path("admin.crt")), str(pki.path("admin.key")))
    return ctx


async def _rate(url: str, ctx: ssl.SSLContext, path: str, n: int, concurrency: int = 8) -> float:
    """Requests per second for ``n`` GETs of ``path`` with ``concurrency`` clients."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx, limit=concurrency)) as s:
        left = list(range(n))

        async def worker() -> None:
            while left:
                left.pop()
                async with s.get(url + path) as r:
                    await r.read()
                    assert r.status == 200, r.status

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return n / (time.perf_counter() - t0)


async def _watchers(st: ServerThread, url: str, ctx: ssl.SSLContext, watchers: int, updates: int) -> float:
    """Events per second delivered to ``watchers`` HTTP watches while ``updates`` pods are labelled."""
    cluster = st.server.cluster
    rv = st.call(lambda: cluster.api.list("pods", "bench", limit=1)["metadata"]["resourceVersion"])
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx, limit=watchers + 1)) as s:
        got = [0] * watchers

        async def watch(i: int) -> None:
            async with s.get(
                f"{url}/api/v1/namespaces/bench/pods?watch=true&resourceVersion={rv}&timeoutSeconds=120"
            ) as r:
                async for _ in r.content:
                    got[i] += 1
                    if got[i] == updates:
                        return

        tasks = [asyncio.create_task(watch(i)) for i in range(watchers)]
        while st.server.watching < watchers:
            await asyncio.sleep(0.05)
        t0 = time.perf_counter()

        def write() -> None:
            for i in range(updates):
                cluster.api.patch("pods", f"p{i:05d}", {"metadata": {"labels": {"bench": "1"}}}, "bench")
            cluster.advance(0.001)

        await asyncio.get_running_loop().run_in_executor(None, lambda: st.call(write, timeout=300))
        await asyncio.gather(*tasks)
        return watchers * updates / (time.perf_counter() - t0)


def _median_seconds(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=1000)
    ap.add_argument("--watchers", type=int, default=100)
    ap.add_argument("--updates", type=int, default=200)
    args = ap.parse_args()
    cluster = Cluster.default(seed=0)
    cluster.advance(30)
    cluster.api.create("namespaces", {"metadata": {"name": "bench"}})
    cluster.advance(1)  # its default ServiceAccount
    for i in range(args.pods):
        cluster.api.create("pods", _pod(i), "bench")
    home = Path(tempfile.mkdtemp())
    pki = PKI(home / "pki")
    pki.ensure()
    with ServerThread(KtuiServer(cluster, pki, port=0, speed=0)) as st:  # paused: only requests cost time
        url = st.server.url
        ctx = _ssl(pki)
        kubeconfig = home / "config"
        kubeconfig.write_text(kubeconfig_text(pki, url))
        print(
            f"get pod:   {asyncio.run(_rate(url, ctx, '/api/v1/namespaces/bench/pods/p00001', 2000)):,.0f} requests/s"
        )
        print(
            f"list pods ({args.pods}): {asyncio.run(_rate(url, ctx, '/api/v1/namespaces/bench/pods', 40)):,.1f} requests/s"
        )
        print(
            f"watch: {asyncio.run(_watchers(st, url, ctx, args.watchers, args.updates)):,.0f} events/s "
            f"({args.watchers} watchers x {args.updates} updates)"
        )
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "KUBECONFIG": str(kubeconfig)}
        real = _median_seconds(
            lambda: subprocess.run(
                [str(KUBECTL), "get", "pods", "-n", "bench"], env=env, capture_output=True, check=True
            )
        )
        in_process = _median_seconds(lambda: st.call(lambda: cluster.kubectl("get pods -n bench")))

        async def over_http() -> None:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx)) as s:
                async with s.post(
                    url + "/ktui/v1/kubectl",
                    data=json.dumps({"args": ["get", "pods", "-n", "bench"]}),
                    headers={"Content-Type": "application/json"},
                ) as r:
                    await r.read()

        ktui_http = _median_seconds(lambda: asyncio.run(over_http()))
        print(
            f"kubectl get pods ({args.pods} pods), median of 5: real kubectl over HTTPS {real:.3f} s; "
            f"ktui kubectl over HTTPS (without Python start-up) {ktui_http:.3f} s; in process {in_process:.3f} s"
        )


if __name__ == "__main__":
    main()
