"""Every write command's output, errors and exit codes, checked against the real kubectl 1.37.

Each scenario runs twice on identical API-server-only clusters: once through ktui's kubectl, once through
the real binary talking HTTP to the other cluster (tests/kubectl/discovery_server.py). stdout, stderr and
the exit code must be the same, step by step.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from ktui.kubectl import KubectlEnv, run_kubectl

from tests.kubectl.discovery_server import real_kubectl, serve
from tests.kubectl.golden_cases import api_only_cluster, seed_cluster

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web2
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web2
  template:
    metadata:
      labels:
        app: web2
    spec:
      containers:
      - name: nginx
        image: nginx
"""
FILES = {
    "cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n',
    "multi.yaml": "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: v1\n"
    "kind: ConfigMap\nmetadata:\n  name: b\n",
    "list.yaml": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n",
    "bad.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: a: b\n",
    "bad2.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok1\n---\nfoo: [\n",
    "bad3.yaml": 'a: "b\n',
    "podd.yaml": "apiVersion: v1\nkind: Podd\nmetadata:\n  name: x\n",
    "nokind.yaml": "apiVersion: v1\nmetadata:\n  name: x\n",
    "ns.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nsd\n  namespace: other\n",
    "deploy.yaml": DEPLOY,
    "dir/one.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d1\n",
    "dir/sub/two.json": '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d2"}}',
    "dir/readme.txt": "not a manifest\n",
    "newpod.yaml": 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: nginx\n  labels:\n    run: nginx\n    new: "yes"\nspec:\n'
    "  containers:\n  - name: nginx\n    image: nginx\n    ports:\n    - containerPort: 80\n",
}

VALIDATION = "; if you choose to ignore these errors, turn validation off with --validate=false\n"
KNOWN: dict[str, tuple[str, str, int]] = {
    # The typed clients of `create <subcommand>` send protobuf, which the test server cannot read; these
    # outputs were taken from kubectl 1.37.1 against a real cluster.
    "create deployment nginx --image=nginx": ("deployment.apps/nginx created\n", "", 0),
    "create service clusterip redis --tcp=6379:6379": ("service/redis created\n", "", 0),
    "create service nodeport np --tcp=80:80 --node-port=30080": ("service/np created\n", "", 0),
    "create configmap cm1 --from-literal=a=b": ("configmap/cm1 created\n", "", 0),
    "create secret generic s --from-literal=a=b": ("secret/s created\n", "", 0),
    "create namespace dev": ("namespace/dev created\n", "", 0),
    "create quota q --hard=pods=2 -n dev": ("resourcequota/q created\n", "", 0),
    "create serviceaccount sa1": ("serviceaccount/sa1 created\n", "", 0),
    "create role r --verb=get --resource=pods": ("role.rbac.authorization.k8s.io/r created\n", "", 0),
    "create rolebinding rb --role=r --user=jane": ("rolebinding.rbac.authorization.k8s.io/rb created\n", "", 0),
    "create clusterrole cr --verb=get --resource=nodes": ("clusterrole.rbac.authorization.k8s.io/cr created\n", "", 0),
    "create clusterrolebinding crb --clusterrole=cr --user=jane": (
        "clusterrolebinding.rbac.authorization.k8s.io/crb created\n",
        "",
        0,
    ),
    "create job j --image=busybox -- echo hi": ("job.batch/j created\n", "", 0),
    "create cronjob cj --image=busybox --schedule='*/1 * * * *'": ("cronjob.batch/cj created\n", "", 0),
    "create priorityclass high --value=1000": ("priorityclass.scheduling.k8s.io/high created\n", "", 0),
    "create pdb pdb --selector=app=web --min-available=1": ("poddisruptionbudget.policy/pdb created\n", "", 0),
    "create ingress ing --rule=foo.com/bar=svc:8080": ("ingress.networking.k8s.io/ing created\n", "", 0),
    # create deployment wraps the server's refusal (checked against ktui's HTTPS server in tests/server)
    "create deployment nginx --image=nginx --replicas=1": (
        "",
        'error: failed to create deployment: deployments.apps "nginx" already exists\n',
        1,
    ),
    "create deployment plain --image=nginx": ("deployment.apps/plain created\n", "", 0),
    # Client-side validation needs the server's OpenAPI documents, which the test server does not serve;
    # these messages come from kubectl 1.37.1 (the validator's own checks, made before any schema is read).
    "create -f nokind.yaml": (
        "",
        'error: error validating "nokind.yaml": error validating data: kind not set' + VALIDATION,
        1,
    ),
}


def _real(line: str, kubeconfig: str, cwd: str) -> tuple[str, str, int]:
    words = shlex.split(line)
    if words[0] in ("create", "apply", "replace") and "-f" in words:
        words[1:1] = ["--validate=false"]  # the test server serves no OpenAPI
    return real_kubectl(words, kubeconfig, cwd=cwd)


SCENARIOS: dict[str, list[str]] = {
    "run": [
        "run nginx --image=nginx",
        "run nginx --image=nginx",
        "run",
        "run --image=nginx",
        "run x",
        "run x --image=nginx --foo",
        "run x --image",
        "run x -z",
        "run x --image=nginx --restart=Foo",
        "run x --image=nginx --port=abc",
        "run x --image=nginx --expose",
        "run x --image=Nginx::",
        "run x --image=nginx --env=FOO",
        "run x --image=nginx --labels=foo",
        "run x --image=nginx --dry-run=foo",
        "run web --image=nginx --port=80 --expose",
        "run x --image=nginx -o foo",
        "run y --image=busybox -n kube-system --restart=Never -o name",
    ],
    "create": [
        "create deployment nginx --image=nginx",
        "create deployment nginx --image=nginx --replicas=1",
        "create deployment x",
        "create deployment",
        "create namespace",
        "create foo",
        "create",
        "create service foo",
        "create service clusterip redis --tcp=6379:6379",
        "create service nodeport np --tcp=80:80 --node-port=30080",
        "create service clusterip x",
        "create service clusterip x --tcp=abc",
        "create configmap x --from-literal=foo",
        "create configmap cm1 --from-literal=a=b",
        "create secret generic s --from-literal=a=b",
        "create namespace dev",
        "create quota q --hard=pods=2 -n dev",
        "create serviceaccount sa1",
        "create role r --verb=get --resource=pods",
        "create role r2 --verb=get",
        "create rolebinding rb --role=r --user=jane",
        "create rolebinding rb2",
        "create clusterrole cr --verb=get --resource=nodes",
        "create clusterrolebinding crb --clusterrole=cr --user=jane",
        "create job j --image=busybox -- echo hi",
        "create cronjob cj --image=busybox --schedule='*/1 * * * *'",
        "create cronjob x --image=a",
        "create priorityclass high --value=1000",
        "create pdb pdb --selector=app=web --min-available=1",
        "create pdb x",
        "create ingress ing --rule=foo.com/bar=svc:8080",
        "create ingress x --rule=bad",
        "create deployment d2 --image=a --image=b -- sleep 1",
        "create deployment two --image=a b",
    ],
    "create_f": [
        "create -f cm.yaml",
        "create -f cm.yaml",
        "create -f multi.yaml",
        "create -f list.yaml",
        "create -f bad.yaml",
        "create -f bad2.yaml",
        "create -f bad3.yaml",
        "create -f podd.yaml",
        "create -f nokind.yaml",
        "create -f nope.yaml",
        "create -f",
        "create -f ns.yaml -n foo",
        "create -f dir",
        "create -f dir -R",
        "create -f deploy.yaml -o name",
        "create -f cm.yaml --dry-run=client -o yaml",
    ],
    "expose": [
        "expose pod redis --port=6379 --name redis-service",
        "expose pod redis --port=6379 --name redis-service",
        "expose pod nginx --port=80 --name nginx-service --type=NodePort --dry-run=client",
        "expose pod nope --port=80",
        "expose",
        "expose pod",
        "expose deployment web --port=80 --target-port=8080",
        "expose pod redis --name r2",
        "expose svc redis-svc --name r3 --port=1234",
    ],
    "delete": [
        "delete pod redis",
        "delete pod redis",
        "delete pod nginx --force",
        "delete deployment web --dry-run=client",
        "delete svc/redis-svc deploy/nope",
        "delete pod",
        "delete",
        "delete pods --all",
        "delete pod -l run=x",
        "run a --image=nginx",
        "run b --image=nginx",
        "delete pods a b",
        "run c --image=nginx",
        "delete pod c --grace-period=0 --force",
        "delete pods --all -n kube-system",
        "delete pod zz --ignore-not-found",
        "run d --image=nginx",
        "delete pod d --now",
        "delete deployment web --cascade=orphan --wait=false",
    ],
    "label": [
        "label pod redis a=b",
        "label pod redis a=c",
        "label pod redis a=c --overwrite",
        "label pod redis a-",
        "label pod redis a-",
        "label pod redis run=redis",
        "label pod redis a=b c",
        "label pod redis",
        "label pod nope a=b",
        "label pods --all x=y",
        "label pod redis nginx z=1",
        "label pod redis q=1 -o name",
        "annotate pod redis a=b",
        "annotate pod redis a=c",
        "annotate pod redis a=b",
        "annotate pod redis a-",
        "annotate pod redis a-",
        "label pod redis --overwrite=maybe k=v",
    ],
    "scale_patch_replace": [
        "scale deployment web --replicas=3",
        "scale deployment web",
        "scale deploy/web --replicas=1 -o name",
        "scale deployment nope --replicas=1",
        'patch pod redis -p \'{"metadata":{"labels":{"p":"q"}}}\'',
        'patch pod redis --type=merge -p \'{"metadata":{"labels":{"p":null}}}\'',
        'patch pod redis --type=json -p \'[{"op":"add","path":"/metadata/labels/j","value":"1"}]\'',
        "patch pod redis",
        "patch pod nope -p '{}'",
        "replace -f newpod.yaml",
        "replace -f cm.yaml",
    ],
    "apply": [
        "apply -f deploy.yaml",
        "apply -f deploy.yaml",
        "apply -f cm.yaml",
        "create deployment plain --image=nginx",
        "apply -f podd.yaml",
        "apply -f bad.yaml",
    ],
    "info": [
        "version",
        "version --client",
        "api-versions",
        "api-resources",
        "api-resources -o wide --api-group=apps",
        "api-resources --namespaced=false -o name",
        "api-resources --no-headers --api-group=policy",
        "api-resources --sort-by=kind --api-group=batch",
        "foo",
        "crate",
    ],
}


@pytest.fixture()
def files(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_matches_real_kubectl(scenario: str, files: Path) -> None:
    ours, theirs = api_only_cluster(), api_only_cluster()
    seed_cluster(ours)
    seed_cluster(theirs)
    env = KubectlEnv.for_cluster(ours)
    env.cwd = str(files)
    mirror = KubectlEnv.for_cluster(theirs)
    with serve(theirs) as kubeconfig:
        for line in SCENARIOS[scenario]:
            got = run_kubectl(env, line)
            if line in KNOWN:
                want = KNOWN[line]
                mirror.cwd = str(files)
                run_kubectl(mirror, line)  # the same change on the other cluster
            else:
                want = _real(line, kubeconfig, str(files))
            assert (got.stdout, got.stderr, got.exit_code) == want, line


BAD_INPUT = [
    (
        "create -f bad.yaml",
        "error: error parsing bad.yaml: error converting YAML to JSON: yaml: line 5: mapping values "
        "are not allowed in this context\n",
    ),
    (
        "create -f podd.yaml",
        'error: resource mapping not found for name: "x" namespace: "" from "podd.yaml": no matches '
        'for kind "Podd" in version "v1"\nensure CRDs are installed first\n',
    ),
    ("run nginx2", 'error: required flag(s) "image" not set\n'),
    ("create deployment x", 'error: required flag(s) "image" not set\n'),
    ("delete pod nope", 'Error from server (NotFound): pods "nope" not found\n'),
    ("label pod nope a=b", 'Error from server (NotFound): pods "nope" not found\n'),
    ("expose pod nope --port=80", 'Error from server (NotFound): pods "nope" not found\n'),
    ("scale deployment nope --replicas=2", 'Error from server (NotFound): deployments.apps "nope" not found\n'),
    ("run redis --image=redis", 'Error from server (AlreadyExists): pods "redis" already exists\n'),
    ("create -f nope.yaml", 'error: the path "nope.yaml" does not exist\n'),
]


@pytest.mark.parametrize(("line", "stderr"), BAD_INPUT)
def test_bad_input_changes_nothing(line: str, stderr: str, files: Path) -> None:
    cluster = api_only_cluster()
    seed_cluster(cluster)
    env = KubectlEnv.for_cluster(cluster)
    env.cwd = str(files)
    before = cluster.world.server.store.revision
    snapshot = {r: cluster.api.list(r) for r in ("pods", "deployments", "services", "configmaps")}
    result = run_kubectl(env, line)
    assert (result.stdout, result.stderr, result.exit_code) == ("", stderr, 1)
    assert {r: cluster.api.list(r) for r in snapshot} == snapshot
    assert cluster.world.server.store.revision == before  # not one write reached the store
