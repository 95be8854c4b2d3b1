"""API server benchmarks: creates per second, list and watch fan-out with many pods, memory per stored pod.

Run by hand: ``python benchmarks/bench_api.py [--pods 100000]``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from common import Collections, Timer, check, header, rss_mib  # noqa: E402

from ktui.clusterspec import normalize_spec  # noqa: E402
from ktui.sim import gcpolicy  # noqa: E402
from ktui.world import build_world  # noqa: E402


def _pod(i: int, node: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"p{i:06d}", "labels": {"app": f"a{i % 100}", "tier": "web" if i % 2 else "db"}},
        "spec": {
            "nodeName": node,
            "containers": [
                {"name": "c", "image": "nginx:1.27", "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}
            ],
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=100_000)
    ap.add_argument("--watchers", type=int, default=100)
    ap.add_argument(
        "--no-gc-policy", action="store_true", help="keep Python's default collector thresholds (no gcpolicy.settle)"
    )
    args = ap.parse_args()
    n = args.pods
    header(f"bench_api: {n} pods")

    world = build_world(normalize_spec({"nodes": []}))
    api = world.client()
    if args.no_gc_policy:
        gc.collect()
        print("gc: Python's defaults (--no-gc-policy)")
    else:
        frozen = gcpolicy.settle()
        print(f"gc: ktui.sim.gcpolicy.settle() after boot, as ktui up does: {frozen:,} objects frozen")
    base = rss_mib()
    with Timer() as t, Collections() as collections:
        for i in range(n):
            api.create("pods", _pod(i, f"node{i % 5000:04d}"))
    t_create = t.seconds
    world.kernel.settle()
    gc.collect()
    mem = rss_mib() - base
    print(
        f"creates: {n} pods in {t_create:.2f}s = {n / t_create:,.0f} creates/s; {t.cpu:.2f} CPU s = "
        f"{n / t.cpu:,.0f} per CPU second (full pipeline, no tracing); garbage collections: {collections}"
    )
    print(
        f"memory: RSS +{mem:,.0f} MiB for {n} stored pods = {mem * 1024 / n:.1f} KiB per pod "
        f"(store, MVCC log, indexes; RSS now {rss_mib():,.0f} MiB)"
    )

    t0 = time.perf_counter()
    lst = api.list("pods", "default")
    check(len(lst["items"]) == n, f"listed {len(lst['items'])} of {n} pods")
    print(f"list all {len(lst['items'])} pods: {time.perf_counter() - t0:.3f}s")
    t0 = time.perf_counter()
    lst = api.list("pods", "default", label_selector="app=a7,tier=web")
    print(f"list with label selector ({len(lst['items'])} match): {time.perf_counter() - t0:.3f}s")
    t0 = time.perf_counter()
    lst = api.list("pods", None, field_selector="spec.nodeName=node0042")
    check(len(lst["items"]) == len(range(42, n, 5000)), "the field selector matched the wrong pods")
    print(
        f"list by spec.nodeName ({len(lst['items'])} match; a full scan: only watches are indexed by node): "
        f"{time.perf_counter() - t0:.3f}s"
    )

    # Watch fan-out: W watchers on all pods, plus one per node by spec.nodeName (as kubelets watch).
    received = [0]

    def count(_t: str, _o: dict) -> None:
        received[0] += 1

    for _ in range(args.watchers):
        api.watch("pods", count, "default", resource_version=lst["metadata"]["resourceVersion"])
    for k in range(5000):
        api.watch(
            "pods",
            count,
            None,
            field_selector=f"spec.nodeName=node{k:04d}",
            resource_version=lst["metadata"]["resourceVersion"],
        )
    changes = 2000
    t0 = time.perf_counter()
    for i in range(changes):
        api.patch("pods", f"p{i:06d}", {"metadata": {"labels": {"touched": "yes"}}})
    world.kernel.settle()
    dt = time.perf_counter() - t0
    expected = changes * args.watchers + changes  # each update reaches every all-pod watcher and its node's one
    check(received[0] == expected, f"{received[0]} events delivered, {expected} expected")
    print(
        f"watch fan-out: {changes} updates to {args.watchers} all-pod watchers + 5000 node watchers: "
        f"{dt:.2f}s, {received[0]:,} events delivered ({received[0] / dt:,.0f} events/s)"
    )


if __name__ == "__main__":
    main()
