"""describe, logs, exec, wait, rollout, cordon/drain/taint, top, auth, cluster-info, explain, edit, set image."""

from __future__ import annotations

import sys

import pytest

from ktui import Cluster
from ktui.kubectl import KubectlEnv, run_kubectl


@pytest.fixture
def env() -> KubectlEnv:
    return KubectlEnv.for_cluster(Cluster.default())


def k(env: KubectlEnv, line: str):
    return run_kubectl(env, line)


def test_describe_command(env: KubectlEnv) -> None:
    k(env, "run nginx --image=nginx")
    env.advance(10)
    r = k(env, "describe pod nginx")
    assert r.exit_code == 0 and r.stdout.startswith("Name:             nginx\n")
    assert "  Normal  Scheduled  10s   default-scheduler  Successfully assigned default/nginx to " in r.stdout
    r = k(env, "describe pod ngi")  # a name prefix, as kubectl matches
    assert r.stdout.startswith("Name:             nginx\n")
    r = k(env, "describe pod zzz")
    assert (r.stderr, r.exit_code) == ('Error from server (NotFound): pods "zzz" not found\n', 1)
    r = k(env, "describe nodes")
    assert r.stdout.count("\n\n\nName:") == 2
    r = k(env, "describe")
    assert r.stderr == (
        'error: You must specify the type of resource to describe. Use "kubectl api-resources" for '
        "a complete list of supported resources.\n"
    )
    r = k(env, "describe pods -n kube-public")
    assert r.stderr == "No resources found in kube-public namespace.\n"


def test_logs_and_exec(env: KubectlEnv) -> None:
    k(env, "run nginx --image=nginx")
    env.advance(10)
    logs = k(env, "logs nginx")
    assert logs.exit_code == 0 and logs.stdout
    assert k(env, "logs nginx --tail=1").stdout == logs.stdout.splitlines(keepends=True)[-1]
    assert k(env, "logs pod/nginx -c nginx").stdout == logs.stdout
    r = k(env, "logs nginx --previous")
    assert r.exit_code == 1 and r.stderr.startswith("Error from server (BadRequest): previous terminated container")
    assert (
        k(env, "logs nope").stderr
        == 'error: error from server (NotFound): pods "nope" not found in namespace "default"\n'
    )
    start = env.now()
    k(env, "logs nginx -f --request-timeout=3s")
    assert env.now() == start + 3
    r = k(env, "exec nginx -- false")
    assert (r.stderr, r.exit_code) == ("command terminated with exit code 1\n", 1)
    r = k(env, "exec nginx ls")
    assert r.stderr == (
        "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\n"
        "See 'kubectl exec -h' for help and examples\n"
    )
    r = k(env, "exec nginx -- true")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)


def test_wait(env: KubectlEnv) -> None:
    k(env, "run nginx --image=nginx")
    start = env.now()
    r = k(env, "wait --for=condition=Ready pod/nginx --timeout=60s")
    assert (r.stdout, r.exit_code) == ("pod/nginx condition met\n", 0)
    assert start < env.now() < start + 60
    r = k(env, "wait --for=jsonpath={.status.phase}=Running pods nginx")
    assert r.stdout == "pod/nginx condition met\n"
    k(env, "run broken --image=nginx --restart=Never --command -- false")
    start = env.now()
    r = k(env, "wait --for=condition=Ready pod/broken --timeout=5s")
    assert (r.stderr, r.exit_code) == ("error: timed out waiting for the condition on pods/broken\n", 1)
    assert env.now() == start + 5
    k(env, "delete pod nginx --wait=false")
    r = k(env, "wait --for=delete pod/nginx --timeout=2m")
    assert r.stdout == "pod/nginx condition met\n"
    assert k(env, "wait --for=bogus pod/broken").stderr == 'error: unrecognized condition: "bogus"\n'


def test_rollout(env: KubectlEnv) -> None:
    k(env, "create deployment web --image=nginx --replicas=3")
    r = k(env, "rollout status deployment/web")
    lines = r.stdout.splitlines()
    assert lines[-1] == 'deployment "web" successfully rolled out'
    assert all(line.startswith(("Waiting for deployment", 'deployment "web"')) for line in lines)
    assert k(env, "set image deploy/web nginx=nginx:1.25").stdout == "deployment.apps/web image updated\n"
    r = k(env, "rollout status deploy web")
    assert r.stdout.splitlines()[-1] == 'deployment "web" successfully rolled out'
    assert any(
        "updated replicas are available" in line
        or "old replicas are pending" in line
        or "new replicas have been updated" in line
        for line in r.stdout.splitlines()
    )
    assert k(env, "rollout history deploy/web").stdout == (
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    )
    assert k(env, "rollout undo deploy/web").stdout == "deployment.apps/web rolled back\n"
    k(env, "rollout status deploy/web")
    image = env.client.get("deployments", "web", "default")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "nginx"
    assert k(env, "rollout pause deploy/web").stdout == "deployment.apps/web paused\n"
    assert k(env, "rollout pause deploy/web").stdout == "deployment.apps/web already paused\n"
    assert k(env, "rollout resume deploy/web").stdout == "deployment.apps/web resumed\n"
    assert k(env, "rollout restart deploy/web").stdout == "deployment.apps/web restarted\n"
    assert k(env, "rollout status pod/x").exit_code == 1
    k(env, "create deployment api --image=nginx")
    r = k(env, "rollout status deployment")
    assert (r.stdout, r.stderr, r.exit_code) == (
        "",
        "error: rollout status is only supported on individual resources and resource collections - "
        "2 resources were found\n",
        1,
    )


def test_rollout_status_prints_at_every_change_of_the_object(env: KubectlEnv) -> None:
    """As kubectl's watch does: each write to the Deployment prints its status, even when it reads the same."""
    k(env, "create deployment web --image=nginx --replicas=2")
    seen: list[str] = []
    w = env.client.watch("deployments", lambda kind, o: seen.append(kind), "default")
    lines = k(env, "rollout status deployment/web").stdout.splitlines()
    w.stop()
    assert lines[-1] == 'deployment "web" successfully rolled out'
    assert len(lines) == 1 + seen.count("MODIFIED")  # its first sight, then one line per change until done
    assert len(set(lines)) < len(lines)  # a write that left the status as it was prints it again


def test_cordon_drain_taint(env: KubectlEnv) -> None:
    k(env, "create deployment web --image=nginx --replicas=2")
    env.advance(10)
    assert k(env, "cordon node01").stdout == "node/node01 cordoned\n"
    assert k(env, "cordon node01").stdout == "node/node01 already cordoned\n"
    assert "Ready,SchedulingDisabled" in k(env, "get nodes").stdout
    assert k(env, "uncordon node01").stdout == "node/node01 uncordoned\n"
    r = k(env, "drain node01")
    assert r.exit_code == 1 and r.stdout == "node/node01 cordoned\n"
    assert r.stderr.startswith(
        'error: unable to drain node "node01" due to error: cannot delete DaemonSet-managed '
        "Pods (use --ignore-daemonsets to ignore): kube-system/kube-proxy-"
    )
    assert "There are pending nodes to be drained:\n node01\n" in r.stderr
    r = k(env, "drain node01 --ignore-daemonsets")
    assert r.exit_code == 0
    assert r.stderr.startswith("Warning: ignoring DaemonSet-managed Pods: kube-system/kube-proxy-")
    assert r.stdout.startswith("node/node01 already cordoned\nevicting pod ")
    assert r.stdout.endswith("node/node01 drained\n")
    on_node = env.client.list("pods", None, field_selector="spec.nodeName=node01")["items"]
    assert all(p["metadata"]["name"].startswith("kube-proxy") for p in on_node)
    assert k(env, "taint nodes node02 gpu=true:NoSchedule").stdout == "node/node02 tainted\n"
    r = k(env, "taint nodes node02 gpu=true:NoSchedule")
    assert r.stderr == "error: node node02 already has gpu taint(s) with same effect(s) and --overwrite is false\n"
    assert "Taints:             gpu=true:NoSchedule\n" in k(env, "describe node node02").stdout
    assert k(env, "taint nodes node02 gpu:NoSchedule-").stdout == "node/node02 untainted\n"
    assert k(env, "taint nodes node02 gpu-").stderr == 'error: taint "gpu" not found\n'
    assert k(env, "taint nodes node02 a=b:Bad").stderr == (
        "error: invalid taint effect: Bad, unsupported taint effect\nSee 'kubectl taint -h' for help and examples\n"
    )


def test_top_needs_a_ready_metrics_server(env: KubectlEnv) -> None:
    """Without the metrics-server add-on ``top`` fails as kubectl does against such a cluster; with it, it
    answers while a metrics-server pod is Ready, and fails again once the Deployment is scaled to 0."""
    for line in ("top node", "top pod", "top pod -A", "top node node01"):
        r = k(env, line)
        assert (r.stdout, r.stderr, r.exit_code) == ("", "error: Metrics API not available\n", 1), line
    ms = KubectlEnv.for_cluster(Cluster({"addons": {"metrics-server": True}}))
    r = k(ms, "top node")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0] == "NAME           CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   "
    assert len(r.stdout.splitlines()) == 4
    assert k(ms, "top node").stdout == r.stdout  # deterministic
    r = k(ms, "top pod -n kube-system")
    assert r.stdout.splitlines()[0].split() == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert "\nmetrics-server-" in r.stdout
    assert k(ms, "top pod").stderr == "No resources found in default namespace.\n"
    assert k(ms, "scale deployment metrics-server -n kube-system --replicas=0").exit_code == 0
    ms.advance(40)
    r = k(ms, "top pod -n kube-system")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "error: Metrics API not available\n", 1)


def test_auth_info_explain(env: KubectlEnv) -> None:
    assert (k(env, "auth can-i create pods").stdout, k(env, "auth can-i create pods").exit_code) == ("yes\n", 0)
    r = k(env, "auth can-i delete nodes --as=alice")
    assert (r.stdout, r.exit_code) == ("no\n", 1)
    assert k(env, "cluster-info").stdout == (
        "Kubernetes control plane is running at https://172.18.0.2:6443\n"
        "CoreDNS is running at https://172.18.0.2:6443/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\n"
        "To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n"
    )
    r = k(env, "explain pods")
    assert r.stdout.startswith("KIND:       Pod\nVERSION:    v1\n\nDESCRIPTION:\n    Pod is a collection of containers")
    assert "\nFIELDS:\n  apiVersion\t<string>\n" in r.stdout
    r = k(env, "explain deployments.spec.template")
    assert r.stdout.startswith(
        "GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: template <PodTemplateSpec>\n"
    )
    assert k(env, "explain pods.spec.bogus").stderr == 'error: field "bogus" does not exist\n'
    assert k(env, "explain podz").stderr == 'error: the server doesn\'t have a resource type "podz"\n'


def test_edit(tmp_path, env: KubectlEnv) -> None:
    k(env, "create deployment web --image=nginx")
    r = k(env, "edit deploy/web")
    assert r.exit_code == 1 and r.stderr.startswith("error: no editor to run: set KUBE_EDITOR or EDITOR")
    script = tmp_path / "ed.py"
    script.write_text(
        "import sys\np = sys.argv[-1]\nt = open(p).read().replace('replicas: 1', 'replicas: 4')\n"
        "open(p, 'w').write(t)\n"
    )
    env.environ["KUBE_EDITOR"] = f"{sys.executable} {script}"
    assert k(env, "edit deploy/web").stdout == "deployment.apps/web edited\n"
    assert env.client.get("deployments", "web", "default")["spec"]["replicas"] == 4
    env.environ["KUBE_EDITOR"] = "true"
    r = k(env, "edit deploy/web")
    assert (r.stdout, r.stderr) == ("", "Edit cancelled, no changes made.\n")


def test_set_image_errors(env: KubectlEnv) -> None:
    k(env, "create deployment web --image=nginx")
    r = k(env, "set image deploy/web nope=x")
    assert (r.stderr, r.exit_code) == ('error: unable to find container named "nope"\n', 1)
    assert k(env, "set image deploy/web *=nginx:1.27").stdout == "deployment.apps/web image updated\n"
