"""Run every benchmark: at sizes that fit in about 15 minutes on the 2-CPU workspace machine, or with
``--full`` at Kubernetes' envelope (5,000 nodes; takes hours here). Prints each benchmark's own output.

Run by hand: ``python benchmarks/run_all.py [--full] [--only NAME ...]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

QUICK: list[tuple[str, list[str]]] = [
    ("bench_api", ["--pods", "20000", "--watchers", "100"]),
    ("bench_scheduler", ["--nodes", "5000", "--init-pods", "1000", "--pods", "10000"]),
    ("bench_control_plane", ["--nodes", "1000", "--pods", "2000", "--idle", "300", "--rss-minutes", "5"]),
    ("bench_net", ["--services", "1000"]),
    ("bench_tui", ["--pods", "2000", "--nodes", "20", "--rounds", "20"]),
    ("bench_cli", ["--runs", "20"]),
]
FULL: list[tuple[str, list[str]]] = [
    ("bench_api", ["--pods", "150000", "--watchers", "100"]),
    ("bench_scheduler", ["--nodes", "5000", "--init-pods", "1000", "--pods", "10000"]),
    ("bench_control_plane", ["--nodes", "5000", "--pods", "10000", "--idle", "600", "--rss-minutes", "10"]),
    (
        "bench_control_plane",
        ["--nodes", "5000", "--pods", "150000", "--idle", "10", "--rss-minutes", "10", "--batch", "2000"],
    ),
    ("bench_net", ["--services", "1000", "10000"]),
    ("bench_tui", ["--pods", "10000", "--nodes", "100", "--rounds", "20"]),
    ("bench_cli", ["--runs", "20"]),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="Kubernetes' envelope instead of the quick sizes")
    ap.add_argument("--only", nargs="+", default=None, help="run only these benchmarks (e.g. bench_scheduler)")
    args = ap.parse_args()
    plan = [(n, a) for n, a in (FULL if args.full else QUICK) if args.only is None or n in args.only]
    failed = []
    start = time.perf_counter()
    for name, argv in plan:
        print(f"\n$ python benchmarks/{name}.py {' '.join(argv)}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, os.path.join(HERE, f"{name}.py"), *argv])
        print(f"({name}: {time.perf_counter() - t0:.0f}s wall, exit {rc})", flush=True)
        if rc:
            failed.append(name)
    print(
        f"\nall done in {(time.perf_counter() - start) / 60:.1f} min; "
        + (f"FAILED: {', '.join(failed)}" if failed else "every benchmark measured what it says")
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
