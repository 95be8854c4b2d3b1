"""The local cluster's state file: what saving and loading (a replay of the recorded inputs) cost.

``python benchmarks/bench_local_state.py --hours 4 --commands 300``: the built-in cluster driven by kubectl
commands spread over the given simulated hours (deployments, scale, services, configmaps, exec, a node fault),
then saved and loaded the way ``ktui kubectl`` does it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ktui.cluster import Cluster  # noqa: E402
from ktui.local import LocalCluster  # noqa: E402
from ktui.state import decode_state  # noqa: E402

COMMANDS = [
    "create deployment web{i} --image=nginx --replicas=2",
    "create configmap conf{i} --from-literal=n={i}",
    "scale deployment web{j} --replicas=3",
    "expose deployment web{j} --port=80 --name=svc{i}",
    "label configmap conf{j} tier=t{i} --overwrite",
    "get pods -o wide",
    "run job{i} --image=busybox --restart=Never -- sh -c 'echo {i}'",
    "delete configmap conf{j}",
]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--hours", type=float, default=4.0)
    p.add_argument("--commands", type=int, default=300)
    ns = p.parse_args()
    home = Path(tempfile.mkdtemp(prefix="ktui-bench-"))
    gap = ns.hours * 3600 / ns.commands
    t0 = time.perf_counter()
    with LocalCluster(home, catch_up=False) as local:
        c = local.cluster
        for i in range(ns.commands):
            line = COMMANDS[i % len(COMMANDS)].format(i=i, j=max(0, i - len(COMMANDS)))
            c.kubectl(line)
            if i == ns.commands // 2:
                c.fault("kubelet-stop", node="node02")
            if i == ns.commands // 2 + 10:
                c.fault("kubelet-start", node="node02")
            c.advance(gap)
        build = time.perf_counter() - t0
        saves = []
        for _ in range(5):
            t = time.perf_counter()
            local.save()
            saves.append(time.perf_counter() - t)
        steps = c.world.kernel.steps
        pods = len(c.api.list("pods")["items"])
    size = (home / "cluster.json").stat().st_size
    loads, cpu = [], []
    for _ in range(3):
        t, c0 = time.perf_counter(), time.process_time()
        with LocalCluster(home, catch_up=False) as local:
            assert local.cluster.world.kernel.steps == steps
        loads.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c0)
    doc = json.loads((home / "cluster.json").read_text())
    doc["snapshot"] = None
    c0 = time.process_time()
    assert decode_state(doc, Cluster).world.kernel.steps == steps
    replay_cpu = time.process_time() - c0
    print(
        f"{ns.commands} commands over {ns.hours:g} simulated hours: {steps:,} kernel events, {pods} pods; "
        f"driving it took {build:.1f} s"
    )
    print(f"state file: {size / 1024:.0f} KiB")
    print(f"save: first {saves[0] * 1000:.0f} ms, then {min(saves[1:]) * 1000:.0f} ms (inputs already encoded)")
    print(
        f"open (snapshot + replay of the inputs after it) and save, as one ktui kubectl: best {min(loads):.2f} s "
        f"wall, {min(cpu):.2f} s CPU"
    )
    print(f"load by replaying every input from the spec (no snapshot): {replay_cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
