"""A process killed (SIGKILL) at any moment while it saves the local cluster leaves a state that loads."""

import os
import signal
import subprocess
import sys
import time

from ktui.local import LocalCluster

CHILD = """
import sys
from pathlib import Path
from ktui.local import LocalCluster

with LocalCluster(Path(sys.argv[1]), catch_up=False) as local:
    for i in range(2000):
        local.cluster.api.create("configmaps", {"metadata": {"name": f"{sys.argv[2]}-{i}"}, "data": {"i": str(i)}})
        local.save()
        print(i, flush=True)
"""


def names(home):
    with LocalCluster(home, catch_up=False) as local:
        return [c["metadata"]["name"] for c in local.cluster.api.list("configmaps", "default")["items"]]


def test_kill_9_during_a_save_loop_always_leaves_a_loadable_state(tmp_path):
    home = tmp_path / "ktui"
    expected: list[str] = []
    for round_, delay in enumerate((0.05, 0.17, 0.31, 0.43)):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(home), f"r{round_}"], stdout=subprocess.PIPE, text=True
        )
        try:
            first = child.stdout.readline()  # the first save is done
            assert first == "0\n"
            time.sleep(delay)
            os.kill(child.pid, signal.SIGKILL)
            printed = [first] + child.stdout.readlines()
        finally:
            child.kill()
            child.wait(timeout=60)
        assert child.returncode == -signal.SIGKILL
        saved = sorted(names(home))
        ours = [n for n in saved if n.startswith(f"r{round_}-")]
        # every save that reported done is there, and at most the one being written after it
        assert len(printed) <= len(ours) <= len(printed) + 1
        expected += [f"r{round_}-{i}" for i in range(len(ours))]
        assert saved == sorted(expected)
    assert not [p.name for p in home.iterdir() if p.name.endswith(".tmp")]  # leftovers cleaned up on open
