"""Control-plane benchmarks: scheduling throughput on 5,000 nodes and the idle simulation rate.

Run by hand: ``python benchmarks/bench_control_plane.py [--nodes 5000] [--pods 10000]``.
"""

from __future__ import annotations

import argparse
import time

from ktui import Cluster


def build(nodes: int) -> Cluster:
    spec = {"nodes": [{"name": "controlplane", "role": "control-plane", "cpu": "8", "memory": "16Gi"}]
            + [{"name": f"node{i:04d}", "cpu": "8", "memory": "32Gi"} for i in range(1, nodes)]}
    return Cluster(spec)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--idle", type=float, default=60.0, help="simulated seconds of idle running to time")
    args = ap.parse_args()

    t0 = time.perf_counter()
    c = build(args.nodes)
    print(f"boot: {args.nodes} nodes, {c.now:.0f} simulated seconds in {time.perf_counter() - t0:.1f}s wall")

    t0 = time.perf_counter()
    c.advance(args.idle)
    dt = time.perf_counter() - t0
    print(f"idle: {args.idle:.0f} simulated seconds in {dt:.2f}s wall = {args.idle / dt:.2f} simulated s per wall s")

    sched = c.world.components["kube-scheduler"]
    api = c.api
    t0 = time.perf_counter()
    for i in range(args.pods):
        api.create("pods", {"metadata": {"name": f"p{i:05d}"},
                            "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10",
                                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}})
    t_create = time.perf_counter() - t0
    t0 = time.perf_counter()
    c.world.kernel.settle()
    t_sched = time.perf_counter() - t0
    bound = sum(1 for p in api.list("pods", "default")["items"] if p["spec"].get("nodeName"))
    print(f"scheduling: {bound}/{args.pods} pods bound in {t_sched:.1f}s wall after {t_create:.1f}s of creates "
          f"= {bound / max(t_sched, 1e-9):,.0f} pods scheduled per second")
    del sched


if __name__ == "__main__":
    main()
