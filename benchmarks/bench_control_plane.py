"""Control-plane benchmarks: boot, the idle simulation rate, end-to-end scheduling (create -> bound ->
Running) and RSS over time, on a cluster of N nodes, each with its kubelet, Lease and kube-proxy.

Run by hand: ``python benchmarks/bench_control_plane.py [--nodes 5000] [--pods 10000]``. The spec gives every
node a pod CIDR (``10.128.0.0/9`` holds 32,768 /24s) and a valid, unique InternalIP, and the benchmark
checks that before it reports anything; it checks that every pod ended Running, and stayed Running at each
RSS sample. ``--batch N`` creates the pods N at a time with the clock moving ``--batch-seconds`` between
batches, which is how 150,000 pods fit (``--nodes 5000 --pods 150000 --idle 10 --batch 2000``).
"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from common import Collections, Timer, check, header, rss_mib  # noqa: E402

from ktui.clusterspec import normalize_spec  # noqa: E402
from ktui.sim import gcpolicy  # noqa: E402
from ktui.world import BOOT_SECONDS, build_world  # noqa: E402

_BASE_IP = int(ipaddress.ip_address("172.16.0.0"))


def spec_for(nodes: int) -> dict:
    """``nodes`` nodes (a control plane and workers), each with an IP of 172.16.0.0/12 and room for a /24."""

    def ip(i: int) -> str:
        return str(ipaddress.ip_address(_BASE_IP + 2 + i))

    return {
        "podCIDR": "10.128.0.0/9",
        "nodes": [{"name": "controlplane", "role": "control-plane", "cpu": "8", "memory": "16Gi", "ip": ip(0)}]
        + [{"name": f"node{i:05d}", "cpu": "8", "memory": "32Gi", "ip": ip(i)} for i in range(1, nodes)],
    }


def check_nodes(api, nodes: int) -> None:
    items = api.list("nodes")["items"]
    check(len(items) == nodes, f"{len(items)} of {nodes} nodes registered")
    cidrs = [(n.get("spec") or {}).get("podCIDR") for n in items]
    check(all(cidrs), f"{sum(1 for c in cidrs if not c)} nodes have no pod CIDR")
    ips = []
    for n in items:
        addr = [a["address"] for a in (n.get("status") or {}).get("addresses") or [] if a["type"] == "InternalIP"]
        check(len(addr) == 1, f"node {n['metadata']['name']} has no InternalIP")
        ipaddress.ip_address(addr[0])  # raises on an invalid address
        ips.append(addr[0])
    check(len(set(ips)) == nodes, "node IPs are not unique")
    ready = sum(
        1
        for n in items
        if any(c["type"] == "Ready" and c["status"] == "True" for c in (n.get("status") or {}).get("conditions") or [])
    )
    check(ready == nodes, f"only {ready} of {nodes} nodes are Ready")


def phases(world) -> dict[str, int]:
    """Pods of ``default`` by phase, read from the store itself (a list through the API would copy them all)."""
    out: dict[str, int] = {}
    for kv in world.store.range("/registry/pods/default/").kvs:
        p = kv.value
        key = "Bound" if p["spec"].get("nodeName") else "Pending"
        if (p.get("status") or {}).get("phase") == "Running":
            key = "Running"
        out[key] = out.get(key, 0) + 1
    return out


def pod(i: int) -> dict:
    """The benchmark's pod number ``i`` (one pause container, 10m CPU, 16 Mi)."""
    return {
        "metadata": {"name": f"p{i:06d}", "namespace": "default"},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "image": "registry.k8s.io/pause:3.10",
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                }
            ]
        },
    }


def create_pods(world, api, pods: int, *, batch: int = 0, batch_seconds: float = 1.0) -> None:
    """Create ``pods`` pods through the API: all at one instant, or ``batch`` at a time with the clock moved
    ``batch_seconds`` between batches (so the scheduler and kubelets work while creates go on)."""
    for i in range(pods):
        api.create("pods", pod(i))
        if batch and (i + 1) % batch == 0 and i + 1 < pods:
            world.kernel.advance(batch_seconds)


def wait_running(world, api, pods: int, limit: int = 600) -> int:
    """Advance 5 simulated s at a time until every pod is Running (checked); the simulated seconds waited."""
    counts = phases(world)
    waited = 0
    while counts.get("Running", 0) < pods and waited < limit:
        world.kernel.advance(5)
        waited += 5
        counts = phases(world)
    check(counts.get("Running", 0) == pods, f"not all pods Running after {limit} simulated s: {counts}")
    return waited


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--idle", type=float, default=300.0, help="simulated seconds of idle running to time")
    ap.add_argument("--rss-minutes", type=int, default=10, help="simulated minutes of RSS samples at the end")
    ap.add_argument(
        "--no-gc-policy",
        action="store_true",
        help="leave Python's garbage collector as it is (the long-running shells settle it after boot)",
    )
    ap.add_argument("--batch", type=int, default=0, help="create pods this many at a time, the clock moving between")
    ap.add_argument("--batch-seconds", type=float, default=1.0, help="simulated seconds between batches")
    args = ap.parse_args()
    header(f"bench_control_plane: {args.nodes} nodes, {args.pods} pods")

    rss0 = rss_mib()
    with Timer() as t:
        world = build_world(normalize_spec(spec_for(args.nodes)))
    api = world.client()
    check_nodes(api, args.nodes)
    print(
        f"boot: {args.nodes} nodes, {BOOT_SECONDS} simulated s in {t.seconds:.1f}s wall ({t.cpu:.1f} CPU s) "
        f"(build_world; Cluster() also checkpoints a deep copy); RSS {rss_mib():,.0f} MiB (+{rss_mib() - rss0:,.0f})"
    )

    if args.no_gc_policy:
        print("gc: Python's defaults (--no-gc-policy)")
    else:
        with Timer() as t:
            frozen = gcpolicy.settle()
        print(
            f"gc: ktui.sim.gcpolicy.settle() after boot, as ktui up does (the terminal UI with shorter young "
            f"collections): "
            f"{frozen:,} objects frozen in {t.cpu:.1f} CPU s (not timed below); thresholds {gc.get_threshold()}"
        )
    steps0 = world.kernel.steps
    with Timer() as t, Collections() as collections:
        world.kernel.advance(args.idle)
    print(
        f"idle: {args.idle:.0f} simulated s in {t.seconds:.2f}s wall = {args.idle / t.seconds:,.1f} simulated s "
        f"per wall s; {t.cpu:.2f} CPU s = {args.idle / t.cpu:,.1f} simulated s per CPU s "
        f"({world.kernel.steps - steps0:,} events); RSS {rss_mib():,.0f} MiB; garbage collections: {collections}"
    )

    sched = world.components["kube-scheduler"]
    with Timer() as t_all:
        with Timer() as t_create:
            create_pods(world, api, args.pods, batch=args.batch, batch_seconds=args.batch_seconds)
        with Timer():
            world.kernel.settle()
    counts = phases(world)
    bound = counts.get("Bound", 0) + counts.get("Running", 0)
    check(bound == args.pods, f"only {bound} of {args.pods} pods bound: {counts}")
    per = f" in batches of {args.batch} every {args.batch_seconds:g} simulated s" if args.batch else ""
    print(
        f"scheduling end to end: {args.pods} pods created through the API{per} in {t_create.seconds:.1f}s "
        f"({args.pods / t_create.seconds:,.0f} creates/s), all bound {t_all.seconds:.1f}s after the first create "
        f"= {args.pods / t_all.seconds:,.0f} pods scheduled per second; {t_all.cpu:.1f} CPU s = "
        f"{args.pods / t_all.cpu:,.0f} per CPU second ({sched.cycles:,} cycles); RSS {rss_mib():,.0f} MiB"
    )
    sys.stdout.flush()
    with Timer() as t_run:
        waited = wait_running(world, api, args.pods)
    print(
        f"running: all {args.pods} pods Running {waited} simulated s after binding ({t_run.seconds:.1f}s wall); "
        f"RSS {rss_mib():,.0f} MiB"
    )
    sys.stdout.flush()

    samples = []
    with Timer() as t:
        for minute in range(1, args.rss_minutes + 1):
            world.kernel.advance(60)
            samples.append(f"{minute}m {rss_mib():,.0f}")
            running = phases(world).get("Running", 0)
            check(running == args.pods, f"only {running} of {args.pods} pods Running after {minute} simulated minutes")
            print(f"  {samples[-1]} MiB", flush=True)
    check_nodes(api, args.nodes)
    print(
        f"RSS over {args.rss_minutes} simulated minutes with every pod Running (MiB): "
        + ", ".join(samples)
        + f"; {args.rss_minutes * 60 / t.seconds:,.1f} simulated s per wall s"
    )


if __name__ == "__main__":
    main()
