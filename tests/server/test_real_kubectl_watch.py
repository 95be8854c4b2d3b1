"""``kubectl get -w`` over HTTPS: the current table, then one row per change as the simulated clock moves."""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
from typing import Iterator

import pytest

from ktui.cluster import Cluster

from tests.server.conftest import KUBECTL, Served, serve


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    cluster = Cluster.default(seed=4)
    cluster.advance(60)
    cluster.kubectl("run first --image=nginx")
    cluster.advance(30)
    yield from serve(tmp_path_factory.mktemp("watch"), cluster)


def _lines(served: Served, *args: str) -> tuple[subprocess.Popen, "queue.Queue[str]"]:
    deadline = time.monotonic() + 20
    while served.thread.server.watching and time.monotonic() < deadline:  # an earlier test's watch ends
        time.sleep(0.02)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(served.home), "KUBECONFIG": str(served.kubeconfig)}
    p = subprocess.Popen([str(KUBECTL), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    q: "queue.Queue[str]" = queue.Queue()

    def pump() -> None:
        assert p.stdout is not None
        for line in p.stdout:
            q.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return p, q


def _until_watching(served: Served, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while served.thread.server.watching < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert served.thread.server.watching >= 1


def _take(q: "queue.Queue[str]", n: int, timeout: float = 20) -> list[str]:
    out, deadline = [], time.monotonic() + timeout
    while len(out) < n and time.monotonic() < deadline:
        try:
            out.append(q.get(timeout=max(0.01, deadline - time.monotonic())))
        except queue.Empty:
            break
    return out


def test_get_w_prints_the_table_then_each_change(watched: Served) -> None:
    p, q = _lines(watched, "get", "pods", "-w")
    try:
        first = _take(q, 2)
        _until_watching(watched)
        assert "\n".join(first) + "\n" == watched.ktui("get pods")[0]
        watched.call(
            lambda: watched.cluster.api.create(
                "pods", {"metadata": {"name": "late"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
            )
        )
        rows = []
        for _ in range(20):
            watched.advance(1)
            rows += _take(q, 1, timeout=0.5)
            if any(r.split()[:3] == ["late", "1/1", "Running"] for r in rows):
                break
        cells = [r.split() for r in rows]
        assert cells[0] == ["late", "0/1", "Pending", "0", "0s"]
        assert ["late", "0/1", "ContainerCreating", "0"] in [c[:4] for c in cells]
        assert cells[-1][:4] == ["late", "1/1", "Running", "0"]
        assert all(len(r) == len(first[1]) or r.startswith("late ") for r in rows)
    finally:
        p.kill()
        p.wait(timeout=10)


def test_get_w_output_watch_events_and_a_selector(watched: Served) -> None:
    p, q = _lines(watched, "get", "pods", "-w", "--output-watch-events", "-l", "app=solo")
    try:
        _until_watching(watched)
        watched.call(
            lambda: watched.cluster.api.create(
                "pods",
                {
                    "metadata": {"name": "solo", "labels": {"app": "solo"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx"}]},
                },
            )
        )
        watched.call(
            lambda: watched.cluster.api.create(
                "pods", {"metadata": {"name": "other"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
            )
        )
        watched.advance(1)
        got = _take(q, 2)
        assert [g.split()[:4] for g in got] == [
            ["EVENT", "NAME", "READY", "STATUS"],
            ["ADDED", "solo", "0/1", "Pending"],
        ]
        watched.call(lambda: watched.cluster.api.delete("pods", "solo", grace_period_seconds=0))
        events = []
        for _ in range(10):
            watched.advance(1)
            events += [g.split()[:2] for g in _take(q, 5, timeout=0.3)]
            if ["DELETED", "solo"] in events:
                break
        assert events[-1] == ["DELETED", "solo"] and all(e in (["MODIFIED", "solo"],) for e in events[:-1])
    finally:
        p.kill()
        p.wait(timeout=10)


def _while_clock_moves(served: Served, *args: str, timeout: float = 60) -> tuple[str, str, int]:
    """Run the real kubectl while the simulated clock moves on a second at a time (kubectl waits on watches)."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(served.home), "KUBECONFIG": str(served.kubeconfig)}
    p = subprocess.Popen([str(KUBECTL), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + timeout
    try:
        while p.poll() is None and time.monotonic() < deadline:
            served.advance(1)
            time.sleep(0.05)
        out, err = p.communicate(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return out, err, p.returncode


def test_delete_waits_for_the_pod_to_go(watched: Served) -> None:
    watched.ktui("run doomed --image=nginx")
    watched.advance(20)
    assert _while_clock_moves(watched, "delete", "pod", "doomed") == (
        'pod "doomed" deleted from default namespace\n',
        "",
        0,
    )
    assert watched.ktui("get pod doomed")[1] == 'Error from server (NotFound): pods "doomed" not found\n'


def test_delete_with_foreground_cascade_and_wait_for_condition(watched: Served) -> None:
    watched.ktui("create deployment fleet --image=nginx --replicas=2")
    assert _while_clock_moves(watched, "wait", "--for=condition=Available", "deployment/fleet", "--timeout=60s") == (
        "deployment.apps/fleet condition met\n",
        "",
        0,
    )
    assert _while_clock_moves(watched, "delete", "deployment", "fleet", "--cascade=foreground") == (
        'deployment.apps "fleet" deleted from default namespace\n',
        "",
        0,
    )
    assert watched.ktui("get rs,pods -l app=fleet") == ("", "No resources found in default namespace.\n", 0)


def test_logs_follow_until_the_container_ends(watched: Served) -> None:
    watched.ktui("run once --image=busybox --restart=Never -- echo hello")
    for _ in range(60):  # the container has started (kubectl logs of a waiting container is an error)
        if watched.ktui("get pod once -o jsonpath={.status.phase}")[0] != "Pending":
            break
        watched.advance(1)
    assert _while_clock_moves(watched, "logs", "-f", "once") == ("hello\n", "", 0)
    assert watched.ktui("get pod once -o jsonpath={.status.phase}")[0] == "Succeeded"
