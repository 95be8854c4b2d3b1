"""Benchmark the service data plane: one endpoint change among N Services, and rendering a node's rules.

Run by hand: ``.venv/bin/python benchmarks/bench_net.py`` (not part of the test suite's timing).
"""

from __future__ import annotations

import time

from ktui.net.iptables import render
from ktui.net.routes import NodeTable, routes_for_service


def _service(i: int) -> dict:
    return {
        "metadata": {"name": f"svc-{i}", "namespace": "default"},
        "spec": {
            "clusterIP": f"10.{96 + i // 65536}.{(i // 256) % 256}.{i % 256}",
            "ports": [{"port": 80, "protocol": "TCP"}],
        },
    }


def _slice(i: int, eps: int, shift: int = 0) -> dict:
    return {
        "addressType": "IPv4",
        "ports": [{"port": 8080, "protocol": "TCP"}],
        "endpoints": [
            {
                "addresses": [f"10.244.{(i * eps + k + shift) // 250 % 256}.{(i * eps + k + shift) % 250 + 2}"],
                "nodeName": f"node{k % 3}",
                "conditions": {"ready": True},
            }
            for k in range(eps)
        ],
    }


def build(services: int, eps: int) -> NodeTable:
    table = NodeTable("node0", "172.18.0.2")
    for i in range(services):
        table.replace_service(f"default/svc-{i}", routes_for_service(_service(i), [_slice(i, eps)]))
    return table


def one_change(table: NodeTable, services: int, eps: int, rounds: int = 200) -> float:
    """Mean seconds to apply one Service's endpoint change (kube-proxy's per-Service work in a sync)."""
    start = time.perf_counter()
    for r in range(rounds):
        i = (r * 7919) % services
        table.replace_service(f"default/svc-{i}", routes_for_service(_service(i), [_slice(i, eps, 1 + r % 2)]))
    return (time.perf_counter() - start) / rounds


def main() -> None:
    import argparse
    import os
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from common import header

    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, nargs="+", default=[1_000, 10_000])
    args = ap.parse_args()
    header("bench_net: one node's kube-proxy table")
    eps = 5
    print(
        f"{'services':>9} {'endpoints':>10} {'one change':>12} {'render cold':>12} {'render warm':>12} "
        f"{'re-render after 1 change':>25} {'lines':>8}"
    )
    for services in args.services:
        table = build(services, eps)
        change = one_change(table, services, eps)
        table.fragments.clear()
        t0 = time.perf_counter()
        text = render(table, ("filter", "nat"))
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        render(table, ("filter", "nat"))
        warm = time.perf_counter() - t0
        table.replace_service("default/svc-1", routes_for_service(_service(1), [_slice(1, eps, 3)]))
        t0 = time.perf_counter()
        render(table, ("filter", "nat"))
        again = time.perf_counter() - t0
        print(
            f"{services:>9,} {services * eps:>10,} {change * 1e6:>10.1f}µs {cold:>11.2f}s {warm:>11.2f}s "
            f"{again:>24.2f}s {text.count(chr(10)):>8,}"
        )


if __name__ == "__main__":
    main()
