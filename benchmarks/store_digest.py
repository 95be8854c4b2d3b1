"""Same seed, same bytes: a digest of every stored object after idle and after end to end, to compare two trees.

Run by hand in each tree: ``python benchmarks/store_digest.py --nodes 300 --pods 600``; the two outputs must be
identical. The digest covers every key, its value's JSON bytes (key order included), its create and mod
revisions and version, the store's revision and the number of kernel events.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from bench_control_plane import phases, spec_for  # noqa: E402
from common import check  # noqa: E402

from ktui.clusterspec import normalize_spec  # noqa: E402
from ktui.world import build_world  # noqa: E402


def digest(world) -> str:
    """The store's revision, key count, a SHA-256 over every stored object and the kernel's event count."""
    h = hashlib.sha256()
    store = world.store
    keys = store.range("/").kvs
    for kv in keys:
        h.update(kv.key.encode())
        h.update(json.dumps(kv.value, separators=(",", ":")).encode())
        h.update(f"{kv.create_revision},{kv.mod_revision},{kv.version}".encode())
    return f"revision {store.revision}, {len(keys)} keys, sha256 {h.hexdigest()[:16]}, {world.kernel.steps} events"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=300)
    ap.add_argument("--pods", type=int, default=600)
    ap.add_argument("--idle", type=float, default=10.0)
    args = ap.parse_args()
    world = build_world(normalize_spec(spec_for(args.nodes)))
    api = world.client()
    world.kernel.advance(args.idle)
    print("after idle:", digest(world))
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
    world.kernel.settle()
    world.kernel.advance(30)
    counts = phases(api)
    check(counts.get("Running", 0) == args.pods, f"not all pods Running: {counts}")
    print("after end to end:", digest(world))


if __name__ == "__main__":
    main()
