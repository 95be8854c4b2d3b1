"""Scheduler throughput alone, as scheduler_perf's SchedulingBasic measures it: nodes and pods pre-created
through the API, no kubelets, then kube-scheduler started and timed until every measured pod is bound.

Run by hand: ``python benchmarks/bench_scheduler.py [--nodes 5000] [--init-pods 1000] [--pods 10000]``
(the 5000Nodes_10000Pods shape). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from common import Timer, check, header, rss_mib  # noqa: E402

from ktui.api.auth.user import authenticated  # noqa: E402
from ktui.clusterspec import normalize_spec  # noqa: E402
from ktui.components.base import Context  # noqa: E402
from ktui.components.kubelet.node_status import node_object  # noqa: E402
from ktui.components.scheduler import Scheduler  # noqa: E402
from ktui.world import build_world  # noqa: E402


def _node(i: int) -> dict:
    spec = {
        "name": f"node{i:05d}",
        "role": "worker",
        "cpu": "4",
        "memory": "32Gi",
        "pods": 110,
        "labels": {},
        "ip": f"10.{i // 65536}.{i // 256 % 256}.{i % 256}",
    }
    obj = node_object(spec, {"machineID": "0" * 32, "systemUUID": f"uuid-{i}", "bootID": f"boot-{i}"}, 0.0)
    obj["spec"]["podCIDR"] = f"10.{128 + i // 256}.{i % 256}.0/24"
    return obj


def _pod(name: str, node: str = "") -> dict:
    spec: dict = {
        "containers": [
            {
                "name": "pause",
                "image": "registry.k8s.io/pause:3.10",
                "resources": {"requests": {"cpu": "100m", "memory": "500Mi"}},
            }
        ]
    }
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--init-pods", type=int, default=1000)
    ap.add_argument("--pods", type=int, default=10000)
    args = ap.parse_args()
    header(f"bench_scheduler: {args.nodes} nodes, {args.init_pods} pods already bound, {args.pods} pods to schedule")

    world = build_world(normalize_spec({"nodes": []}))
    api = world.client()
    for i in range(args.nodes):
        api.create("nodes", _node(i))
    for i in range(args.init_pods):
        api.create("pods", _pod(f"init-{i:06d}", f"node{i % args.nodes:05d}"))
    for i in range(args.pods):
        api.create("pods", _pod(f"p-{i:06d}"))
    world.kernel.settle()
    ctx = Context(
        kernel=world.kernel,
        rng=world.rng,
        client=world.client(authenticated("system:kube-scheduler")),
        flags={},
        spec=world.spec,
    )
    sched = Scheduler(ctx)
    with Timer() as t_start:
        sched.start()  # lists nodes and pods: the informers' initial sync
    with Timer() as t:
        world.kernel.settle()
    pods = api.list("pods", "default")["items"]
    bound = sum(1 for p in pods if p["metadata"]["name"].startswith("p-") and p["spec"].get("nodeName"))
    check(bound == args.pods, f"only {bound} of {args.pods} pods were bound")
    print(f"informer sync: {t_start.seconds:.2f}s")
    print(
        f"scheduled: {bound} pods onto {args.nodes} nodes in {t.seconds:.2f}s wall = {bound / t.seconds:,.0f} pods/s; "
        f"{t.cpu:.2f} CPU s = {bound / t.cpu:,.0f} pods per CPU second "
        f"(scheduling cycles and bindings through the API, no kubelets)"
    )
    print(f"RSS: {rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
