"""Where the memory of Running pods goes: a cluster of N nodes, P pods created and Running, then a breakdown.

Run by hand: ``python benchmarks/mem_breakdown.py --nodes 1000 --pods 10000 [--tracemalloc]``. Prints RSS
(from /proc) after boot and with every pod Running, then the bytes reachable from each part of the world
(the store's current objects, its MVCC log, each component's state, the network, the kernel's queue), each
byte counted once, for the first part that reaches it in that order; so an informer cache that shares the
store's objects shows only its own dicts. With ``--tracemalloc`` (slower) also the top allocation sites of
what the pods added, by file and line; with ``--detail kubelet`` (repeatable: ``kube-scheduler``, ``network``,
``api server``...) that part's bytes by the path they were reached by (``kubelet[].workers.*.last_status``).
"""

from __future__ import annotations

import argparse
import collections
import gc
import os
import sys
import tracemalloc

sys.path.insert(0, os.path.dirname(__file__))

from bench_control_plane import check_nodes, create_pods, spec_for, wait_running  # noqa: E402
from common import Timer, header, rss_mib  # noqa: E402

from ktui.clusterspec import normalize_spec  # noqa: E402
from ktui.world import build_world  # noqa: E402

_ATOMS = (str, int, float, bool, type(None), bytes)


def deep_size(root: object, seen: set[int]) -> tuple[int, int]:
    """Bytes and objects reachable from ``root`` not already in ``seen`` (which it extends)."""
    total = count = 0
    stack = [root]
    while stack:
        o = stack.pop()
        i = id(o)
        if i in seen:
            continue
        if isinstance(o, type) or callable(o) and not hasattr(o, "__dict__") and not isinstance(o, (dict, list)):
            seen.add(i)
            continue
        seen.add(i)
        total += sys.getsizeof(o)
        count += 1
        if isinstance(o, _ATOMS):
            continue
        if isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)) or type(o).__name__ == "deque":
            stack.extend(o)
        else:
            d = getattr(o, "__dict__", None)
            if d is not None:
                stack.append(d)
            for cls in type(o).__mro__:
                for s in getattr(cls, "__slots__", ()):
                    v = getattr(o, s, None)
                    if v is not None:
                        stack.append(v)
            if type(o).__name__ in ("method", "function", "functools.partial", "partial"):
                for a in ("__self__", "func", "args", "keywords"):
                    v = getattr(o, a, None)
                    if v is not None:
                        stack.append(v)
    return total, count


def _short(key: object) -> str:
    """A dict key as a path step: short names as they are, anything per-object (names with digits) as ``*``."""
    if isinstance(key, str) and len(key) < 25 and not any(ch.isdigit() for ch in key):
        return key
    return "*"


def path_sizes(root: object, seen: set[int], label: str) -> tuple[collections.Counter, collections.Counter]:
    """As :func:`deep_size`, but bytes and objects by where they were reached from (``label.attr.key[]``, dict
    keys that name one object collapsed to ``*``) and type: what ``--detail`` prints."""
    size: collections.Counter = collections.Counter()
    count: collections.Counter = collections.Counter()
    stack: list[tuple[object, str]] = [(root, label)]
    while stack:
        o, path = stack.pop()
        i = id(o)
        if i in seen:
            continue
        seen.add(i)
        if isinstance(o, type) or callable(o) and not hasattr(o, "__dict__") and not isinstance(o, (dict, list)):
            continue
        where = f"{path}:{type(o).__name__}"
        size[where] += sys.getsizeof(o)
        count[where] += 1
        if isinstance(o, _ATOMS):
            continue
        if isinstance(o, dict):
            for k, v in o.items():
                stack.append((k, path + "{key}"))
                stack.append((v, f"{path}.{_short(k)}"))
        elif isinstance(o, (list, tuple, set, frozenset)) or type(o).__name__ == "deque":
            stack.extend((v, path + "[]") for v in o)
        else:
            d = getattr(o, "__dict__", None)
            if d is not None and id(d) not in seen:
                seen.add(id(d))
                size[f"{path}:__dict__"] += sys.getsizeof(d)
                count[f"{path}:__dict__"] += 1
                stack.extend((v, f"{path}.{k}") for k, v in d.items())
            for cls in type(o).__mro__:
                for sl in getattr(cls, "__slots__", ()):
                    v = getattr(o, sl, None)
                    if v is not None:
                        stack.append((v, f"{path}.{sl}"))
            if type(o).__name__ in ("method", "function", "functools.partial", "partial"):
                for a in ("__self__", "func", "args", "keywords"):
                    v = getattr(o, a, None)
                    if v is not None:
                        stack.append((v, f"{path}.{a}"))
    return size, count


def breakdown(world, pods: int, detail: tuple[str, ...] = (), top: int = 30) -> None:
    """Each part's own bytes: the traversal stops at the world's big objects (store, server, kernel,
    components), which are parts of their own. Parts whose label starts with one of ``detail`` are also
    broken down by path (their ``top`` biggest)."""
    store, server, kernel = world.store, world.server, world.kernel
    comps = world.components
    net = getattr(world, "network", None)
    boundary = [world, world.__dict__, store, server, kernel, world.rng, comps, *comps.values()]
    if net is not None:
        boundary.append(net)
    seen: set[int] = {id(o) for o in boundary}
    parts: list[tuple[str, object]] = [
        ("store: current objects", store._data),
        ("store: MVCC log (old versions, tombstones)", store._log),
        ("store: sorted key list", store._keys),
    ]
    groups: dict[str, list] = {}
    for name, c in comps.items():
        groups.setdefault(name.split("/")[0], []).append(getattr(c, "__dict__", c))
    order = ["kube-scheduler", "kube-controller-manager", "kubelet", "kube-proxy-manager", "kube-proxy"]
    for g in order + sorted(set(groups) - set(order)):
        if g in groups:
            parts.append((f"component: {g} ({len(groups[g])})", groups[g]))
    if net is not None:
        parts.append(("network", net.__dict__))
    parts.append(("api server (watch hub and its queues, caches)", server.__dict__))
    parts.append(("kernel (queue, timers)", kernel.__dict__))
    parts.append(("world (rest)", world.__dict__))
    seen.discard(id(world.__dict__))
    print(f"{'part':58s} {'MiB':>9s} {'objects':>11s} {'B/pod':>8s}")
    tot = 0
    details: list[tuple[str, collections.Counter, collections.Counter]] = []
    for label, root in parts:
        name = label.split(": ", 1)[-1]
        if any(name.startswith(d) for d in detail):
            size, count = path_sizes(root, seen, name.split(" (")[0])
            details.append((label, size, count))
            b, n = sum(size.values()), sum(count.values())
        else:
            b, n = deep_size(root, seen)
        tot += b
        print(f"{label:58s} {b / 2**20:9.1f} {n:11,d} {b / max(pods, 1):8.0f}")
    print(f"{'total reachable':58s} {tot / 2**20:9.1f}")
    for label, size, count in details:
        print(f"\n{label}, by path (B per pod, objects per pod; {{key}}: a dict's keys, *: one per object):")
        for where, b in size.most_common(top):
            print(f"  {b / max(pods, 1):8.1f} {count[where] / max(pods, 1):7.2f}  {where}")
    # What the store's current objects are, by resource.
    by_res: dict[str, list[int]] = {}
    seen2: set[int] = set()
    for k, kv in store._data.items():
        res = k.split("/")[2] if k.count("/") > 2 else k
        b, n = deep_size(kv, seen2)
        e = by_res.setdefault(res, [0, 0, 0])
        e[0] += b
        e[1] += 1
        e[2] += n
    print("\nstore's current objects by resource (counted alone):")
    for res, (b, n, objs) in sorted(by_res.items(), key=lambda x: -x[1][0])[:12]:
        print(f"  {res:40s} {n:8,d} keys {b / 2**20:8.1f} MiB {b / n:7.0f} B/key {objs / n:6.0f} objects/key")
    log_by: dict[str, list[int]] = {}
    for ev in store._log:
        res = ev.kv.key.split("/")[2]
        e = log_by.setdefault(res, [0, 0])
        e[0] += 1
    print(f"\nMVCC log: {len(store._log):,} events, compacted at {store.compacted_revision:,} of {store.revision:,}")
    for res, (n, _) in sorted(log_by.items(), key=lambda x: -x[1][0])[:8]:
        print(f"  {res:40s} {n:8,d} events")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--minutes", type=int, default=2, help="simulated minutes to run after all pods are Running")
    ap.add_argument("--tracemalloc", action="store_true", help="also trace what the pods allocate (slower)")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument(
        "--detail",
        action="append",
        default=[],
        help="also break this part down by path (kubelet, kube-scheduler, network, ...; repeatable)",
    )
    args = ap.parse_args()
    header(f"mem_breakdown: {args.nodes} nodes, {args.pods} pods")
    with Timer() as t:
        world = build_world(normalize_spec(spec_for(args.nodes)))
    api = world.client()
    check_nodes(api, args.nodes)
    gc.collect()
    rss_boot = rss_mib()
    print(f"boot: {t.seconds:.1f}s wall; RSS {rss_boot:,.0f} MiB")
    if args.tracemalloc:
        tracemalloc.start(1)
        snap0 = tracemalloc.take_snapshot()
    with Timer() as t:
        create_pods(world, api, args.pods)
        wait_running(world, api, args.pods)
        world.kernel.advance(60 * args.minutes)
    gc.collect()
    rss = rss_mib()
    print(
        f"{args.pods} pods Running, {args.minutes} simulated minutes later: {t.seconds:.1f}s wall; RSS {rss:,.0f} MiB "
        f"(+{rss - rss_boot:,.0f} MiB = {(rss - rss_boot) * 2**20 / max(args.pods, 1):,.0f} B per pod)"
    )
    if args.tracemalloc:
        snap1 = tracemalloc.take_snapshot()
        tracemalloc.stop()
        stats = snap1.compare_to(snap0, "lineno")
        total = sum(s.size_diff for s in stats)
        print(f"\ntracemalloc: +{total / 2**20:,.1f} MiB since boot ({total / max(args.pods, 1):,.0f} B per pod)")
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for s in stats[: args.top]:
            f = s.traceback[0]
            name = os.path.relpath(f.filename, root) if f.filename.startswith(root) else f.filename
            print(f"  {s.size_diff / 2**20:8.2f} MiB {s.size_diff / max(args.pods, 1):7.0f} B/pod  {name}:{f.lineno}")
    print()
    breakdown(world, args.pods, tuple(args.detail), args.top)


if __name__ == "__main__":
    main()
