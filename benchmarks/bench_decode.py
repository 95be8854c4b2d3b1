"""Typed decoding benchmark: what checking every body against the v1.37 schemas costs per create.

Run by hand: ``python benchmarks/bench_decode.py [--pods 20000]``. Not part of the test suite.
Reports the decode step alone (per Pod and per Deployment body), and creates/s through the API server
with decoding on and with the decoding step replaced by a deep copy of the body (what the server's
defaulting step made before decoding existed; decoding now makes that fresh tree itself).
"""

from __future__ import annotations

import argparse
import time
from unittest import mock

from ktui.api import writes as writes_module
from ktui.api.decode import decode_body
from ktui.api.objects import copy_json
from ktui.clusterspec import normalize_spec
from ktui.world import build_world


def _pod(i: int) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"p{i:06d}", "labels": {"app": f"a{i % 100}", "tier": "web" if i % 2 else "db"}},
        "spec": {
            "nodeName": f"node{i % 50:02d}",
            "containers": [
                {
                    "name": "c",
                    "image": "nginx:1.27",
                    "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "100m"}},
                }
            ],
        },
    }


def _deployment(i: int) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"d{i:06d}", "labels": {"app": "web"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": _pod(i) | {"metadata": {"labels": {"app": "web"}}},
        },
    }


def _per_call(fn, bodies: list) -> float:
    t0 = time.perf_counter()
    for b in bodies:
        fn(b)
    return (time.perf_counter() - t0) / len(bodies) * 1e6


def _creates_per_second(n: int, decoding: bool) -> float:
    world = build_world(normalize_spec({"nodes": []}))
    api = world.client()
    bodies = [_pod(i) for i in range(n)]
    patch = (
        None
        if decoding
        else mock.patch.object(writes_module, "decode_sized", lambda k, v, body, *a: (copy_json(body), False))
    )
    if patch:
        patch.start()
    try:
        t0 = time.perf_counter()
        for b in bodies:
            api.create("pods", b)
        return n / (time.perf_counter() - t0)
    finally:
        if patch:
            patch.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=20_000)
    args = ap.parse_args()
    n = args.pods
    decode_body("Pod", "v1", _pod(0))  # compile the checkers once (they are cached)
    pods, deps = [_pod(i) for i in range(n)], [_deployment(i) for i in range(n // 4)]
    print(f"decode one Pod body: {_per_call(lambda b: decode_body('Pod', 'v1', b), pods):.1f} µs")
    print(f"decode one Deployment body: {_per_call(lambda b: decode_body('Deployment', 'apps/v1', b), deps):.1f} µs")
    print(f"copy one Pod body (copy_json, for scale): {_per_call(copy_json, pods):.1f} µs")
    off = _creates_per_second(n, decoding=False)
    on = _creates_per_second(n, decoding=True)
    print(f"creates/s without typed decoding: {off:,.0f}")
    print(f"creates/s with typed decoding:    {on:,.0f}  ({on / off:.0%} of the rate without)")


if __name__ == "__main__":
    main()
