"""Digests of everything a cluster writes, to show that a speed change left the simulation's bytes alone.

Run by hand, once on each tree to compare (same arguments): ``python benchmarks/store_digest.py --nodes 300
--idle 600 --pods 300``. It builds the benchmark's cluster (``bench_control_plane.spec_for``), then prints,
after boot, after ``--idle`` simulated seconds and after ``--pods`` pods were created and ran: the store
revision, the number of kernel events, a SHA-256 of every stored key-value (key, value as JSON with its key
order, revisions) and a SHA-256 of every change written since boot (each store event in order: type,
key, revision, value); then it cuts one node's network and stops another's kubelet for 400 simulated
seconds (the node lifecycle controller's timeline: Unknown, taints, evictions) and brings both back. Equal
lines mean the same writes, in the same order, with the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from bench_control_plane import spec_for  # noqa: E402

from ktui.clusterspec import normalize_spec  # noqa: E402
from ktui.components.faults import apply_fault  # noqa: E402
from ktui.world import build_world  # noqa: E402


def _kv_bytes(kv) -> bytes:
    return json.dumps([kv.key, kv.value, kv.create_revision, kv.mod_revision, kv.version]).encode()


def store_digest(store) -> str:
    h = hashlib.sha256()
    for kv in store.range("/").kvs:
        h.update(_kv_bytes(kv))
    return h.hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=300)
    ap.add_argument("--idle", type=float, default=600.0)
    ap.add_argument("--pods", type=int, default=300)
    ap.add_argument(
        "--dump",
        metavar="FILE",
        help="also write every phase's stored objects to FILE (JSON lines), for diff_dumps.py after a deliberate change",
    )
    args = ap.parse_args()
    dump = open(args.dump, "w") if args.dump else None
    world = build_world(normalize_spec(spec_for(args.nodes)))
    changes = hashlib.sha256()
    world.store.watch(
        "/", lambda ev: changes.update(json.dumps([ev.type, ev.kv.key, ev.revision, ev.kv.value]).encode())
    )

    def report(phase: str) -> None:
        print(
            f"{phase}: revision {world.store.revision}, {world.kernel.steps} kernel events, "
            f"store {store_digest(world.store)}, changes {changes.hexdigest()[:16]}",
            flush=True,
        )
        if dump is not None:
            objects = {kv.key: kv.value for kv in world.store.range("/").kvs}
            dump.write(json.dumps({"phase": phase, "objects": objects}, sort_keys=True) + "\n")

    report("boot")
    world.kernel.advance(args.idle)
    report(f"idle {args.idle:.0f} s")
    api = world.client()
    for i in range(args.pods):
        api.create(
            "pods",
            {
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
            },
        )
    world.kernel.advance(120)
    report(f"{args.pods} pods + 120 s")
    world.kernel.advance(args.idle)
    report(f"idle {args.idle:.0f} s more")
    apply_fault(world, "network-cut", node="node00001")
    apply_fault(world, "kubelet-stop", node="node00002")
    world.kernel.advance(400)  # Unknown, tainted, pods evicted and replaced elsewhere
    report("2 nodes silent 400 s")
    apply_fault(world, "network-restore", node="node00001")
    apply_fault(world, "kubelet-start", node="node00002")
    world.kernel.advance(120)
    report("both back 120 s")


if __name__ == "__main__":
    main()
