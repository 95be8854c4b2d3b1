"""Same seed and inputs give the same bytes in another process, whatever PYTHONHASHSEED is."""

import os
import subprocess
import sys

SCRIPT = r"""
import json, hashlib
from ktui import Cluster
c = Cluster.default(seed=SEED)
for i in range(3):
    c.api.create("pods", {"metadata": {"generateName": "web-", "labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    c.advance(7)
c.api.create("services", {"metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
c.kubectl("create configmap cfg --from-literal=mode=fast")
c.kubectl("create deployment api --image=nginx --replicas=5")
c.api.create("pods", {"metadata": {"name": "reader"}, "spec": {
    "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"],
                    "envFrom": [{"configMapRef": {"name": "cfg"}}],
                    "volumeMounts": [{"name": "v", "mountPath": "/etc/cfg"}]}],
    "volumes": [{"name": "v", "configMap": {"name": "cfg"}}]}})
c.fault("kubelet-stop", node="node01")
c.advance(400)
dump = {kv.key: kv.value for kv in c.world.store.range("/").kvs}
print(hashlib.sha256(json.dumps(dump, sort_keys=True).encode()).hexdigest())
"""


def _run(seed: int, hashseed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("SEED", str(seed))], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_same_seed_same_state_across_processes_and_hash_seeds():
    a = _run(5, "1")
    b = _run(5, "12345")
    c = _run(6, "1")
    assert a == b
    assert a != c
