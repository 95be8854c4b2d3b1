"""Write commands of the real kubectl against ktui print what ktui's kubectl prints on a twin cluster.

The served cluster and its twin start from the same seed with paused clocks; each command runs on both
(the real kubectl over HTTPS, ktui's in process on the twin), then both clocks move on by the same
amount. Same seed + same API writes = same cluster, so every output must match byte for byte.
"""

from __future__ import annotations

import shlex
from typing import Iterator

import pytest

from ktui.cluster import Cluster

from tests.server.conftest import Served, serve

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: nginx}]
"""

TEAM = """apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: team}
data: {k: v}
"""

ODD = """apiVersion: v1
kind: Pod
metadata: {name: odd}
spec:
  containers: [{name: c, image: nginx, colour: blue}]
  replicas: 3
"""


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Cluster]]:
    served_cluster, twin = Cluster.default(seed=3), Cluster.default(seed=3)
    served_cluster.advance(60)
    twin.advance(60)
    tmp = tmp_path_factory.mktemp("twin")
    (tmp / "api.yaml").write_text(DEPLOYMENT)
    (tmp / "team.yaml").write_text(TEAM)
    (tmp / "odd.yaml").write_text(ODD)
    yield from ((s, twin) for s in serve(tmp, served_cluster))


COMMANDS = [
    "run web --image=nginx --labels=app=web",
    "expose pod web --port=80 --name=web-svc",
    "label pod web tier=front",
    "label pod web tier=back",
    "label pod web tier=back --overwrite",
    "annotate pod web note=hi",
    'patch pod web -p \'{"metadata":{"labels":{"p":"1"}}}\'',
    'patch pod web --type=merge -p \'{"metadata":{"labels":{"m":"2"}}}\'',
    'patch pod web --type=json -p \'[{"op":"add","path":"/metadata/labels/j","value":"3"}]\'',
    "get pod web --show-labels",
    'patch pod web --type=json -p \'[{"op":"remove","path":"/metadata/labels/nope"}]\'',
    "exec -c nope web -- ls",
    "exec web -c web -- true",
    "apply -f {dir}/api.yaml",
    "scale deployment api --replicas=3",
    "get pods -o wide",
    "apply -f {dir}/api.yaml",
    "set image deployment/api api=httpd",
    "rollout status deployment/api --timeout=1s",
    "get rs",
    "create -f {dir}/team.yaml",
    "create -f {dir}/team.yaml",
    "get cm -n team cfg -o yaml",
    "delete pod web --wait=false",
    "label pod nope a=b",
    "scale deployment nope --replicas=1",
    "delete svc web-svc --dry-run=server",
    "delete svc web-svc --wait=false",
    "delete cm -n team --all --wait=false",
    "get all",
    "get pods --show-labels",
    "create namespace tools",
    "create deployment db --image=redis --replicas=2 -n tools",
    "create configmap settings --from-literal=a=1 --from-literal=b=2 -n tools",
    "create secret generic pw --from-literal=p=s -n tools",
    "create secret docker-registry reg --docker-server=r.io --docker-username=u --docker-password=p -n tools",
    "create service clusterip db --tcp=6379:6379 -n tools",
    "create service nodeport np --tcp=80:8080 -n tools",
    "create serviceaccount robot -n tools",
    "create role reader --verb=get,list --resource=pods -n tools",
    "create rolebinding robot-reads --role=reader --serviceaccount=tools:robot -n tools",
    "create clusterrole node-reader --verb=get --resource=nodes",
    "create clusterrolebinding nr --clusterrole=node-reader --user=jane",
    "create job once --image=busybox -n tools -- echo hi",
    "create cronjob tick --image=busybox --schedule=*/5_*_*_*_* -n tools -- date",
    "create quota q --hard=pods=10 -n tools",
    "create priorityclass high --value=1000",
    "create poddisruptionbudget pdb --selector=app=db --min-available=1 -n tools",
    "create namespace Bad_Name",
    "create deployment db --image=redis -n tools",
    "create configmap settings -n tools",
    "create secret generic pw -n tools",
    "create secret docker-registry reg --docker-server=r.io --docker-username=u --docker-password=p -n tools",
    "create service clusterip db --tcp=6379:6379 -n tools",
    "create service nodeport np --tcp=80:8080 -n tools --dry-run=server",
    "create serviceaccount robot -n tools",
    "create role reader --verb=get,list --resource=pods -n tools",
    "create rolebinding robot-reads --role=reader --serviceaccount=tools:robot -n tools",
    "create clusterrole node-reader --verb=get --resource=nodes",
    "create clusterrolebinding nr --clusterrole=node-reader --user=jane",
    "create job once --image=busybox -n tools -- echo hi",
    "create cronjob tick --image=busybox --schedule=*/5_*_*_*_* -n tools -- date",
    "create quota q --hard=pods=10 -n tools",
    "create priorityclass high --value=1000",
    "create poddisruptionbudget pdb --selector=app=db --min-available=1 -n tools",
    "create namespace tools",
    "auth can-i get nodes",
    "auth can-i list clusterroles -n tools",
    "auth can-i get nodes -A",
    "auth can-i get foos",
    "auth whoami",
    "auth whoami -o yaml",
    "auth whoami -o json",
    "auth whoami -o name",
    "auth whoami --as system:serviceaccount:tools:robot",
    "auth whoami --as jane --as-group devs -o json",
    "describe ep",
    "auth can-i create pods -n tools",
    "auth can-i list pods -n tools --as system:serviceaccount:tools:robot",
    "auth can-i delete pods -n tools --as system:serviceaccount:tools:robot",
    "get all -n tools",
    "create -f {dir}/odd.yaml",
    "create -f {dir}/odd.yaml --validate=warn --dry-run=server",
    "create -f {dir}/odd.yaml --validate=ignore --dry-run=server -o name",
    "apply -f {dir}/odd.yaml --validate=false",
    "cordon node02",
    "uncordon node02",
    "taint node node01 dedicated=x:NoSchedule",
    "get nodes",
]


def test_write_commands_print_what_ktui_prints(pair: tuple[Served, Cluster]) -> None:
    served, twin = pair
    for line in COMMANDS:
        line = line.replace("{dir}", str(served.home))
        args = [a.replace("_", " ") if a.startswith("--schedule=") else a for a in shlex.split(line)]
        real = served.kubectl(*args)
        ours = twin.kubectl(args)
        assert real == ours, line
        served.advance(5)
        twin.advance(5)
    assert served.kubectl("get", "deploy", "api", "-o", "json")[2] == 0
