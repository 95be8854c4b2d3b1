"""A saved cluster continues the same in another process with another hash seed as in the one that saved it."""

import os
import subprocess
import sys

SCRIPT = """
import sys
from ktui import Cluster

path, mode = sys.argv[1], sys.argv[2]
if mode == "save":
    c = Cluster.default(seed=3)
    c.kubectl("create deployment web --image=nginx --replicas=3")
    c.kubectl("expose deployment web --port=80")
    c.advance(40)
    with open(path, "w") as f:
        c.dump(f)
else:
    with open(path) as f:
        c = Cluster.load(f)
c.kubectl("scale deployment web --replicas=5")
c.fault("kubelet-stop", node="node01")
c.advance(400)
sys.stdout.write(c.kubectl("get pods,endpointslices,events -A -o yaml")[0])
"""


def run(path, mode, hash_seed):
    env = dict(os.environ, PYTHONHASHSEED=str(hash_seed))
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path), mode], env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_a_loaded_state_continues_identically_under_another_hash_seed(tmp_path):
    state = tmp_path / "cluster.json"
    saved_and_continued = run(state, "save", 1)
    assert saved_and_continued.count("kind: Pod\n") >= 5
    assert run(state, "load", 2) == saved_and_continued
