"""The kubelet on the simulated clock: registration, leases, the pod flow, back-offs, probes, faults, logs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from ktui.api.auth.user import node_user
from ktui.api.quantity import parse_quantity
from ktui.clusterspec import normalize_spec
from ktui.components.base import Context
from ktui.components.kubelet import ImageRegistry, Kubelet
from ktui.sim.timefmt import parse_rfc3339
from ktui.world import build_world


@dataclass
class Env:
    world: Any
    kubelet: Kubelet
    admin: Any
    registry: ImageRegistry

    @property
    def now(self) -> float:
        return self.world.kernel.now

    def advance(self, seconds: float) -> None:
        self.world.kernel.advance(seconds)

    def pod(self, name: str, namespace: str = "default") -> dict:
        return self.admin.get("pods", name, namespace=namespace)

    def events(self, name: str | None = None, namespace: str = "default") -> list[tuple[float, str, str]]:
        items = self.admin.list("events", namespace)["items"]
        if name is not None:
            items = [e for e in items if e["involvedObject"]["name"] == name]
        items.sort(key=lambda e: (parse_rfc3339(e["firstTimestamp"]), e["metadata"]["name"]))
        return [(parse_rfc3339(e["firstTimestamp"]), e["reason"], e["message"]) for e in items]

    def create(self, name: str, containers: list[dict], namespace: str = "default", **spec: Any) -> dict:
        body = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"nodeName": self.kubelet.node_name, "containers": containers, **spec},
        }
        return self.admin.create("pods", body, namespace=namespace)


def make_env(
    role: str = "worker",
    cidr: str | None = "10.244.1.0/24",
    start: bool = True,
    name: str = "node01",
    flags: dict | None = None,
    **node_extra: Any,
) -> Env:
    world = build_world(normalize_spec({"nodes": []}))
    registry = ImageRegistry()
    ctx = Context(
        kernel=world.kernel,
        rng=world.rng,
        client=world.client(node_user(name)),
        flags={"node-status-update-frequency": "10s"} if flags is None else flags,
        spec=world.spec,
        register_endpoint=world.server.hooks.kubelets.__setitem__,
    )
    node = {
        "name": name,
        "role": role,
        "cpu": "2",
        "memory": "4Gi",
        "pods": 110,
        "labels": {},
        "taints": None,
        "kubelet": True,
        "ip": "172.18.0.3" if role == "worker" else "172.18.0.2",
        "index": 1 if role == "worker" else 0,
        **node_extra,
    }
    kubelet = Kubelet(ctx, node, registry=registry)
    env = Env(world, kubelet, world.client(), registry)
    if start:
        kubelet.start()
        world.kernel.settle()
        if cidr:
            set_cidr(env, cidr)
    return env


def set_cidr(env: Env, cidr: str) -> None:
    node = env.admin.get("nodes", env.kubelet.node_name)
    node["spec"]["podCIDR"] = cidr
    node["spec"]["podCIDRs"] = [cidr]
    env.admin.update("nodes", node)


def nginx(name: str = "nginx", image: str = "nginx", **extra: Any) -> dict:
    return {"name": name, "image": image, **extra}


def busybox(name: str, script: str, image: str = "busybox", **extra: Any) -> dict:
    return {"name": name, "image": image, "command": ["sh", "-c", script], **extra}


def status_of(env: Env, name: str, container: int = 0) -> dict:
    return env.pod(name)["status"]["containerStatuses"][container]


NGINX_PULL = 2.205  # pull_seconds(72223946)


# ------------------------------------------------------------------ node registration, status, lease


def test_node_registers_with_kubelet_shape():
    env = make_env(cidr=None)
    node = env.admin.get("nodes", "node01")
    md, status = node["metadata"], node["status"]
    assert md["labels"] == {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": "node01",
        "kubernetes.io/os": "linux",
    }
    assert md["annotations"]["node.alpha.kubernetes.io/ttl"] == "0"
    assert md["annotations"]["volumes.kubernetes.io/controller-managed-attach-detach"] == "true"
    assert parse_quantity(status["capacity"]["memory"]) == 4 * 1024**3
    assert parse_quantity(status["allocatable"]["memory"]) == 4 * 1024**3 - 100 * 1024**2  # eviction threshold
    assert status["capacity"]["pods"] == "110" and status["capacity"]["cpu"] == "2"
    assert [c["type"] for c in status["conditions"]] == ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"]
    ready = status["conditions"][3]
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "True",
        "KubeletReady",
        "kubelet is posting ready status",
    )
    assert status["conditions"][0]["message"] == "kubelet has sufficient memory available"
    assert status["addresses"] == [
        {"address": "172.18.0.3", "type": "InternalIP"},
        {"address": "node01", "type": "Hostname"},
    ]
    assert status["daemonEndpoints"] == {"kubeletEndpoint": {"Port": 10250}}
    info = status["nodeInfo"]
    assert (info["kubeletVersion"], info["containerRuntimeVersion"], info["osImage"]) == (
        "v1.37.1",
        "containerd://2.1.4",
        "Ubuntu 24.04.3 LTS",
    )
    assert any("registry.k8s.io/pause:3.10" in i["names"] for i in status["images"])
    assert all(i["names"][0].startswith("registry.k8s.io/") and "@sha256:" in i["names"][0] for i in status["images"])
    assert "taints" not in node["spec"]


def test_control_plane_node_has_kubeadm_label_and_taint():
    env = make_env(role="control-plane", name="controlplane", cidr=None)
    node = env.admin.get("nodes", "controlplane")
    assert node["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] == ""
    assert node["spec"]["taints"] == [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]


def test_lease_renewed_every_ten_seconds():
    env = make_env(cidr=None)
    renewals = []
    for _ in range(4):
        lease = env.admin.get("leases", "node01", namespace="kube-node-lease")
        renewals.append(lease["spec"]["renewTime"])
        env.advance(10)
    assert renewals == [
        "2026-01-01T00:00:00.000000Z",
        "2026-01-01T00:00:10.000000Z",
        "2026-01-01T00:00:20.000000Z",
        "2026-01-01T00:00:30.000000Z",
    ]
    assert lease["spec"]["holderIdentity"] == "node01" and lease["spec"]["leaseDurationSeconds"] == 40
    assert lease["metadata"]["ownerReferences"][0]["kind"] == "Node"


def test_node_status_heartbeats_keep_transition_times():
    env = make_env(cidr=None)
    env.advance(25)
    ready = env.admin.get("nodes", "node01")["status"]["conditions"][3]
    assert ready["lastHeartbeatTime"] == "2026-01-01T00:00:20Z"
    assert ready["lastTransitionTime"] == "2026-01-01T00:00:00Z"


def _ready_heartbeat(env: Env) -> str:
    return env.admin.get("nodes", "node01")["status"]["conditions"][3]["lastHeartbeatTime"]


def test_unchanged_status_is_posted_every_five_minutes_the_lease_every_ten_seconds():
    env = make_env(cidr=None, flags={})  # the kubelet's defaults: status computed every 10s, reported every 5m
    env.advance(10)  # the first status update after registration posts the full status
    assert _ready_heartbeat(env) == "2026-01-01T00:00:10Z"
    rv = env.admin.get("nodes", "node01")["metadata"]["resourceVersion"]
    env.advance(295)
    assert env.admin.get("nodes", "node01")["metadata"]["resourceVersion"] == rv
    assert _ready_heartbeat(env) == "2026-01-01T00:00:10Z"
    assert (
        env.admin.get("leases", "node01", namespace="kube-node-lease")["spec"]["renewTime"]
        == "2026-01-01T00:05:00.000000Z"
    )
    env.advance(10)
    assert _ready_heartbeat(env) == "2026-01-01T00:05:10Z"


def test_changed_status_is_posted_at_the_next_ten_second_tick():
    env = make_env(cidr=None, flags={})
    env.advance(31)
    env.kubelet.node_images.add("nginx")  # an image appears on the node at t=31
    env.advance(8)
    names = [n for i in env.admin.get("nodes", "node01")["status"]["images"] for n in i["names"]]
    assert not any("nginx" in n for n in names)
    env.advance(1)  # t=40: the status tick sees the change and posts it
    status = env.admin.get("nodes", "node01")["status"]
    assert any("nginx" in n for i in status["images"] for n in i["names"])
    assert status["conditions"][3]["lastHeartbeatTime"] == "2026-01-01T00:00:40Z"


def test_status_changed_by_someone_else_is_put_right_at_the_next_tick():
    env = make_env(cidr=None, flags={})
    env.advance(35)  # quiet ticks at 20 and 30 found nothing to post
    node = env.admin.get("nodes", "node01")
    ready = node["status"]["conditions"][3]
    ready.update(status="False", reason="Edited", lastTransitionTime="2026-01-01T00:00:35Z")
    env.admin.update("nodes", node, subresource="status")
    env.advance(4)
    assert env.admin.get("nodes", "node01")["status"]["conditions"][3]["reason"] == "Edited"
    env.advance(1)  # t=40: the stored Node changed since the last tick, so the status is computed again
    ready = env.admin.get("nodes", "node01")["status"]["conditions"][3]
    assert (ready["status"], ready["reason"]) == ("True", "KubeletReady")
    assert ready["lastTransitionTime"] == ready["lastHeartbeatTime"] == "2026-01-01T00:00:40Z"


def test_between_reports_the_kubelet_sends_only_lease_renewals():
    """The status tick reads the Node from the kubelet's informer (as the kubelet's node lister), so a quiet
    node costs the API server one request per 10 s: the Lease renewal."""
    env = make_env(cidr=None, flags={})
    env.advance(15)  # registered, first status posted at t=10
    before = env.world.server.requests
    env.advance(280)  # ticks at 20, 30, ..., 290: nothing to post
    assert env.world.server.requests - before == 28
    assert _ready_heartbeat(env) == "2026-01-01T00:00:10Z"


def _edit_ready_at(env: Env, at: float) -> None:
    """At ``at``, before the kubelet's tick of that instant (scheduled now, earlier than the tick is), someone
    sets the Ready condition to False."""

    def edit() -> None:
        node = env.admin.get("nodes", "node01")
        node["status"]["conditions"][3].update(status="False", reason="Edited")
        env.admin.update("nodes", node, subresource="status")

    env.world.kernel.schedule_at(at, edit)


def test_a_status_edit_at_the_instant_of_a_tick_is_seen_at_the_next_tick():
    """The tick at t=40 reads its informer, not yet told of the edit made at t=40: nothing to post; the tick at
    t=50 sees it and puts the condition right."""
    env = make_env(cidr=None, flags={})
    env.advance(25)
    _edit_ready_at(env, 40)
    env.advance(15)
    assert env.admin.get("nodes", "node01")["status"]["conditions"][3]["reason"] == "Edited"
    env.advance(10)
    ready = env.admin.get("nodes", "node01")["status"]["conditions"][3]
    assert (ready["status"], ready["reason"]) == ("True", "KubeletReady")
    assert ready["lastHeartbeatTime"] == ready["lastTransitionTime"] == "2026-01-01T00:00:50Z"


def test_a_report_from_a_stale_node_conflicts_and_is_retried_with_a_fresh_read():
    """The 5-minute report falls due at t=310 right after an edit the informer has not yet delivered: the
    update of the Node it read conflicts, and the retry (a GET, as tryNumber > 0) posts the status then."""
    env = make_env(cidr=None, flags={})
    env.advance(295)  # before the tick at 300 schedules the one at 310
    _edit_ready_at(env, 310)
    env.advance(15)
    ready = env.admin.get("nodes", "node01")["status"]["conditions"][3]
    assert (ready["status"], ready["reason"]) == ("True", "KubeletReady")
    assert ready["lastHeartbeatTime"] == ready["lastTransitionTime"] == "2026-01-01T00:05:10Z"


def test_a_reboot_posts_the_new_boot_id_at_the_next_tick():
    env = make_env(cidr=None, flags={})
    env.advance(35)
    before = env.admin.get("nodes", "node01")["status"]["nodeInfo"]["bootID"]
    env.kubelet.power_off()
    env.kubelet.power_on()  # at t=35: a new boot ID; the status ticks restart 10 s later
    assert env.kubelet.ids["bootID"] != before
    env.advance(10)
    assert env.admin.get("nodes", "node01")["status"]["nodeInfo"]["bootID"] == env.kubelet.ids["bootID"]


def test_a_pod_cidr_given_after_quiet_ticks_is_taken_and_posts_the_status_at_the_next_tick():
    env = make_env(cidr=None, flags={})
    env.advance(25)  # the tick at 20 found nothing to post
    assert _ready_heartbeat(env) == "2026-01-01T00:00:10Z"
    set_cidr(env, "10.244.7.0/24")
    env.advance(4)
    assert env.kubelet.pod_cidr == ""
    env.advance(1)  # t=30
    assert env.kubelet.pod_cidr == "10.244.7.0/24"
    assert _ready_heartbeat(env) == "2026-01-01T00:00:30Z"
    env.advance(10)  # quiet again
    assert _ready_heartbeat(env) == "2026-01-01T00:00:30Z"


def test_a_status_period_unlike_the_lease_period_keeps_its_own_times():
    env = make_env(cidr=None, flags={"node-status-update-frequency": "4s", "node-status-report-frequency": "4s"})
    beats = []
    for _ in range(3):
        env.advance(4)
        beats.append(_ready_heartbeat(env))
    assert beats == ["2026-01-01T00:00:04Z", "2026-01-01T00:00:08Z", "2026-01-01T00:00:12Z"]
    lease = env.admin.get("leases", "node01", namespace="kube-node-lease")
    assert lease["spec"]["renewTime"] == "2026-01-01T00:00:10.000000Z"


def test_the_lease_is_written_before_the_status_at_a_shared_tick():
    env = make_env(cidr=None, flags={})
    changes = []
    env.world.store.watch("/registry/", lambda ev: changes.append((env.now, ev.kv.key)))
    env.advance(10)
    mine = [c for c in changes if c[1].endswith("/node01")]
    assert mine == [(10.0, "/registry/leases/kube-node-lease/node01"), (10.0, "/registry/minions/node01")]


# ------------------------------------------------------------------ the pod flow


def test_pod_flow_pull_create_start_running():
    env = make_env()
    env.create("nginx", [nginx()])
    env.advance(1)
    pod = env.pod("nginx")
    assert pod["status"]["phase"] == "Pending"
    assert status_of(env, "nginx")["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert pod["status"]["podIP"] == "10.244.1.2" and pod["status"]["hostIP"] == "172.18.0.3"
    env.advance(5)
    pod = env.pod("nginx")
    st = pod["status"]["containerStatuses"][0]
    assert pod["status"]["phase"] == "Running"
    assert st["ready"] is True and st["started"] is True and st["restartCount"] == 0
    assert st["image"] == "docker.io/library/nginx:latest"
    assert st["imageID"].startswith("docker.io/library/nginx@sha256:")
    assert st["containerID"].startswith("containerd://") and len(st["containerID"]) == len("containerd://") + 64
    conds = {c["type"]: c["status"] for c in pod["status"]["conditions"]}
    assert conds == {
        "PodReadyToStartContainers": "True",
        "Initialized": "True",
        "Ready": "True",
        "ContainersReady": "True",
    }
    assert env.events("nginx") == [
        (0.0, "Pulling", 'Pulling image "nginx"'),
        (
            2.0,
            "Pulled",
            f'Successfully pulled image "nginx" in {NGINX_PULL}s ({NGINX_PULL}s including waiting). '
            "Image size: 72223946 bytes.",
        ),
        (2.0, "Created", "Container created"),
        (2.0, "Started", "Container started"),
    ]


def test_second_pod_gets_next_ip_and_image_already_present():
    env = make_env()
    env.create("a", [nginx(image="nginx:1.27")])
    env.advance(5)
    env.create("b", [nginx(image="nginx:1.27")])
    env.advance(1)
    assert env.pod("b")["status"]["podIP"] == "10.244.1.3"
    assert env.events("b")[0][1:] == (
        "Pulled",
        'Container image "nginx:1.27" already present on machine and can be accessed by the pod',
    )
    assert env.pod("b")["status"]["phase"] == "Running"


def test_serialized_pulls_include_waiting():
    env = make_env()
    env.create("a", [nginx()])
    env.create("b", [nginx(image="redis")])
    env.advance(10)
    pulled = [m for _, r, m in env.events("b") if r == "Pulled"][0]
    assert "in 1.636s (3.841s including waiting)" in pulled  # redis waited for nginx's pull


def test_pod_waits_for_pod_cidr():
    env = make_env(cidr=None)
    env.create("nginx", [nginx()])
    env.advance(3)
    assert "podIP" not in env.pod("nginx")["status"]
    set_cidr(env, "10.244.2.0/24")
    env.advance(5)
    assert env.pod("nginx")["status"]["podIP"] == "10.244.2.2"


def test_image_pull_backoff_for_unknown_image():
    env = make_env()
    env.create("bad", [nginx(name="bad", image="ngnix")])
    env.advance(0.6)
    st = status_of(env, "bad")["state"]["waiting"]
    assert st["reason"] == "ErrImagePull"
    assert "pull access denied, repository does not exist" in st["message"]
    env.advance(1)
    st = status_of(env, "bad")["state"]["waiting"]
    assert st["reason"] == "ImagePullBackOff"
    assert st["message"].startswith(
        'Back-off pulling image "ngnix": ErrImagePull: rpc error: code = Unknown desc = '
        'failed to pull and unpack image "docker.io/library/ngnix:latest"'
    )
    pulls = []
    for _ in range(80):
        env.advance(1)
        pulling = [e for e in env.admin.list("events", "default")["items"] if e["reason"] == "Pulling"][0]
        if pulling["count"] > len(pulls):
            pulls.append(parse_rfc3339(pulling["lastTimestamp"]))
    assert pulls == [0, 10, 31, 71]  # each failure takes 0.5s, then back-off 10s, 20s, 40s
    ev = env.events("bad")
    reasons = [r for _, r, _ in ev[:4]]
    assert reasons == ["Pulling", "Failed", "Failed", "BackOff"]
    assert ev[1][2].startswith('Failed to pull image "ngnix": rpc error: code = Unknown desc = failed to pull')
    assert ev[2][2] == "Error: ErrImagePull"
    assert ev[3][2] == 'Back-off pulling image "ngnix"'


def test_unknown_tag_is_not_found():
    env = make_env()
    env.create("bad", [nginx(name="bad", image="nginx:1.255")])
    env.advance(1)
    msg = [m for _, r, m in env.events("bad") if r == "Failed"][0]
    assert msg.endswith(
        'failed to resolve reference "docker.io/library/nginx:1.255": docker.io/library/nginx:1.255: not found'
    )
    assert "code = NotFound" in msg


def test_make_unpullable_then_pullable():
    env = make_env()
    env.registry.make_unpullable("nginx")
    env.create("a", [nginx()])
    env.advance(5)
    assert status_of(env, "a")["state"]["waiting"]["reason"] == "ImagePullBackOff"
    env.registry.make_pullable("nginx")
    env.advance(30)
    assert env.pod("a")["status"]["phase"] == "Running"


# ------------------------------------------------------------------ exits, restarts, back-off


def test_crash_loop_backoff_doubles():
    env = make_env()
    env.create("crash", [busybox("crash", "echo boom; exit 1", imagePullPolicy="IfNotPresent")])
    restarts = {}
    for _ in range(750):
        env.advance(0.1)
        restarts.setdefault(status_of(env, "crash")["restartCount"], round(env.now, 1))
    # busybox is pulled by 0.453s; the first exit restarts at once, then after 10s, 20s, 40s
    assert restarts == {0: 0.1, 1: 0.5, 2: 10.5, 3: 30.5, 4: 70.5}
    backoff = [m for _, r, m in env.events("crash") if r == "BackOff"][0]
    uid = env.pod("crash")["metadata"]["uid"]
    assert backoff == f"Back-off restarting failed container crash in pod crash_default({uid})"


def test_crash_loop_waiting_message_and_last_state():
    env = make_env()
    env.create("crash", [busybox("crash", "exit 3")])
    env.advance(5)
    st = status_of(env, "crash")
    uid = env.pod("crash")["metadata"]["uid"]
    assert st["state"]["waiting"] == {
        "reason": "CrashLoopBackOff",
        "message": f"back-off 10s restarting failed container=crash pod=crash_default({uid})",
    }
    assert st["lastState"]["terminated"]["exitCode"] == 3
    assert st["lastState"]["terminated"]["reason"] == "Error"
    assert env.pod("crash")["status"]["phase"] == "Running"


def test_sleep_completes_with_restart_policy_never():
    env = make_env()
    env.create("job", [busybox("job", "sleep 5")], restartPolicy="Never")
    env.advance(3)
    assert env.pod("job")["status"]["phase"] == "Running"
    env.advance(5)
    pod = env.pod("job")
    assert pod["status"]["phase"] == "Succeeded"
    term = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    assert (term["exitCode"], term["reason"]) == (0, "Completed")
    ready = [c for c in pod["status"]["conditions"] if c["type"] == "Ready"][0]
    assert ready["reason"] == "PodCompleted"


def test_failure_with_restart_policy_never_fails_pod():
    env = make_env()
    env.create("job", [busybox("job", "false")], restartPolicy="Never")
    env.advance(3)
    assert env.pod("job")["status"]["phase"] == "Failed"


def test_on_failure_restarts_only_failures():
    env = make_env()
    env.create("ok", [busybox("ok", "true")], restartPolicy="OnFailure")
    env.advance(3)
    assert env.pod("ok")["status"]["phase"] == "Succeeded"


def test_oom_killed_over_memory_limit():
    env = make_env()
    env.create(
        "oom",
        [
            {
                "name": "oom",
                "image": "polinux/stress",
                "command": ["stress"],
                "args": ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"],
                "resources": {"limits": {"memory": "100Mi"}, "requests": {"memory": "50Mi"}},
            }
        ],
    )
    env.advance(3)
    st = status_of(env, "oom")
    term = st["lastState"].get("terminated") or st["state"].get("terminated")
    assert (term["reason"], term["exitCode"]) == ("OOMKilled", 137)


def test_init_containers_run_first():
    env = make_env()
    env.create("web", [nginx()], initContainers=[busybox("init", "sleep 3")])
    env.advance(2)
    pod = env.pod("web")
    init = [c for c in pod["status"]["conditions"] if c["type"] == "Initialized"][0]
    assert (init["status"], init["reason"], init["message"]) == (
        "False",
        "ContainersNotInitialized",
        "containers with incomplete status: [init]",
    )
    assert pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "PodInitializing"
    env.advance(10)
    pod = env.pod("web")
    assert pod["status"]["phase"] == "Running"
    assert pod["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"


# ------------------------------------------------------------------ probes


def test_liveness_probe_restarts_container():
    env = make_env()
    probe = {"exec": {"command": ["cat", "/tmp/healthy"]}, "initialDelaySeconds": 5, "periodSeconds": 5}
    env.create(
        "live", [busybox("live", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600", livenessProbe=probe)]
    )
    env.advance(70)
    assert status_of(env, "live")["restartCount"] == 0  # sh ignores SIGTERM: killed when the grace period ends
    env.advance(10)
    ev = env.events("live")
    unhealthy = [(t, m) for t, r, m in ev if r == "Unhealthy"]
    assert unhealthy[0][1] == "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"
    killing = [m for _, r, m in ev if r == "Killing"]
    assert killing[0] == "Container live failed liveness probe, will be restarted"
    assert status_of(env, "live")["restartCount"] == 1


def test_readiness_probe_failure_keeps_pod_unready():
    env = make_env()
    probe = {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 5}
    env.create("web", [nginx(readinessProbe=probe)])
    env.advance(20)
    pod = env.pod("web")
    assert pod["status"]["containerStatuses"][0]["ready"] is False
    ready = [c for c in pod["status"]["conditions"] if c["type"] == "Ready"][0]
    assert (ready["status"], ready["message"]) == ("False", "containers with unready status: [nginx]")
    msgs = [m for _, r, m in env.events("web") if r == "Unhealthy"]
    assert (
        msgs[0] == 'Readiness probe failed: Get "http://10.244.1.2:8080/": dial tcp 10.244.1.2:8080: connect: '
        "connection refused"
    )


def test_readiness_probe_success_and_access_log():
    env = make_env()
    env.create("web", [nginx(readinessProbe={"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5})])
    env.advance(10)
    assert status_of(env, "web")["ready"] is True
    log = env.admin.log("web")
    assert '"GET / HTTP/1.1" 200 615 "-" "kube-probe/1.37" "-"' in log
    assert log.splitlines()[-1].startswith("10.244.1.1 - - [01/Jan/2026:00:00:")


# ------------------------------------------------------------------ deletion


def test_graceful_deletion_nginx_stops_quickly():
    env = make_env()
    env.create("nginx", [nginx()])
    env.advance(5)
    env.admin.delete("pods", "nginx")
    env.advance(0.05)
    assert env.pod("nginx")["metadata"]["deletionTimestamp"]
    env.advance(1)
    assert env.admin.list("pods", "default")["items"] == []
    assert ("Killing", "Stopping container nginx") in [(r, m) for _, r, m in env.events("nginx")]


def test_graceful_deletion_waits_for_grace_when_sigterm_ignored():
    env = make_env()
    env.create("sleeper", [busybox("sleeper", "sleep 3600")])
    env.advance(5)
    env.admin.delete("pods", "sleeper")
    env.advance(29)
    assert env.admin.list("pods", "default")["items"]
    env.advance(2)
    assert env.admin.list("pods", "default")["items"] == []


# ------------------------------------------------------------------ faults


def test_stop_stops_heartbeats_but_not_containers():
    env = make_env()
    env.create("nginx", [nginx()])
    env.advance(5)
    env.kubelet.stop()
    env.advance(60)
    lease = env.admin.get("leases", "node01", namespace="kube-node-lease")
    assert lease["spec"]["renewTime"] == "2026-01-01T00:00:00.000000Z"
    assert env.kubelet.exec("default", "nginx", "nginx", ["hostname"]) == ("nginx\n", "", 0)
    env.kubelet.start()
    env.advance(1)
    lease = env.admin.get("leases", "node01", namespace="kube-node-lease")
    assert lease["spec"]["renewTime"] == "2026-01-01T00:01:05.000000Z"
    assert status_of(env, "nginx")["restartCount"] == 0


def test_pod_deleted_while_kubelet_stopped_is_cleaned_up_on_start():
    env = make_env()
    env.create("nginx", [nginx()])
    env.advance(5)
    env.kubelet.stop()
    env.admin.delete("pods", "nginx")
    env.advance(60)
    assert env.pod("nginx")["metadata"]["deletionTimestamp"]
    env.kubelet.start()
    env.advance(2)
    assert env.admin.list("pods", "default")["items"] == []


def test_power_off_and_on_restarts_containers():
    env = make_env()
    env.create("nginx", [nginx()])
    env.advance(5)
    env.kubelet.power_off()
    env.advance(30)
    with pytest.raises(Exception):
        env.kubelet.exec("default", "nginx", "nginx", ["hostname"])
    env.kubelet.power_on()
    env.advance(3)  # nginx:latest is pulled again (imagePullPolicy Always)
    st = status_of(env, "nginx")
    assert st["restartCount"] == 1 and "running" in st["state"]
    assert (st["lastState"]["terminated"]["exitCode"], st["lastState"]["terminated"]["reason"]) == (255, "Unknown")
    reasons = [r for _, r, _ in env.events("nginx")]
    assert "SandboxChanged" in reasons


def test_network_cut_drops_writes_and_resyncs():
    env = make_env()
    env.kubelet.network_cut()
    env.create("nginx", [nginx()])
    env.advance(30)
    assert env.pod("nginx")["status"]["phase"] == "Pending"
    lease = env.admin.get("leases", "node01", namespace="kube-node-lease")
    assert lease["spec"]["renewTime"] == "2026-01-01T00:00:00.000000Z"
    env.kubelet.network_restore()
    env.advance(5)
    assert env.pod("nginx")["status"]["phase"] == "Running"


def test_crash_container_restarts_it():
    env = make_env()
    env.create("nginx", [nginx()])
    env.advance(5)
    env.kubelet.crash_container("default", "nginx", "nginx")
    env.advance(3)
    st = status_of(env, "nginx")
    assert st["restartCount"] == 1 and st["lastState"]["terminated"]["exitCode"] == 1


# ------------------------------------------------------------------ logs and exec


def test_nginx_logs_and_options():
    env = make_env()
    env.create("nginx", [nginx()])
    env.advance(5)
    log = env.admin.log("nginx")
    lines = log.splitlines()
    assert (
        lines[0] == "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
    )
    assert lines[-1].startswith("2026/01/01 00:00:02 [notice] 1#1: start worker process")
    assert env.admin.log("nginx", tail_lines=1) == lines[-1] + "\n"
    stamped = env.admin.log("nginx", timestamps=True).splitlines()[0]
    assert stamped.startswith("2026-01-01T00:00:02.205Z /docker-entrypoint.sh")


def test_busybox_echo_logs_and_previous():
    env = make_env()
    env.create("echo", [busybox("echo", 'echo "hello $(hostname)"; exit 1')])
    env.advance(5)
    assert env.admin.log("echo") == "hello echo\n"
    assert env.admin.log("echo", previous=True) == "hello echo\n"


def test_log_of_waiting_container_is_an_error():
    env = make_env()
    env.create("nginx", [nginx()])
    env.advance(1)
    with pytest.raises(Exception, match='container "nginx" in pod "nginx" is waiting to start: ContainerCreating'):
        env.admin.log("nginx")


def test_exec_commands():
    env = make_env()
    env.create("nginx", [nginx(env=[{"name": "COLOR", "value": "blue"}])])
    env.advance(5)
    kl = env.kubelet
    assert kl.exec("default", "nginx", "nginx", ["echo", "hi", "there"]) == ("hi there\n", "", 0)
    assert kl.exec("default", "nginx", "nginx", ["cat", "/etc/hostname"]) == ("nginx\n", "", 0)
    out, _, code = kl.exec("default", "nginx", "nginx", ["env"])
    assert "COLOR=blue\n" in out and "KUBERNETES_SERVICE_HOST=10.96.0.1\n" in out and code == 0
    out, err, code = kl.exec("default", "nginx", "nginx", ["foo"])
    assert code == 126 and err.startswith(
        "OCI runtime exec failed: exec failed: unable to start container process: "
        'exec: "foo": executable file not found in $PATH'
    )


# ------------------------------------------------------------------ static pods


def test_static_pods_mirrored_on_control_plane():
    env = make_env(role="control-plane", name="controlplane", cidr="10.244.0.0/24")
    env.advance(30)
    pods = {p["metadata"]["name"]: p for p in env.admin.list("pods", "kube-system")["items"]}
    assert sorted(pods) == [
        "etcd-controlplane",
        "kube-apiserver-controlplane",
        "kube-controller-manager-controlplane",
        "kube-scheduler-controlplane",
    ]
    etcd = pods["etcd-controlplane"]
    ann = etcd["metadata"]["annotations"]
    assert ann["kubernetes.io/config.source"] == "file"
    assert ann["kubernetes.io/config.mirror"] == ann["kubernetes.io/config.hash"]
    assert ann["kubeadm.kubernetes.io/etcd.advertise-client-urls"] == "https://172.18.0.2:2379"
    assert etcd["metadata"]["ownerReferences"][0]["kind"] == "Node"
    assert etcd["metadata"]["labels"] == {"component": "etcd", "tier": "control-plane"}
    assert etcd["spec"]["priorityClassName"] == "system-node-critical"
    assert etcd["status"]["podIP"] == "172.18.0.2"
    assert etcd["status"]["phase"] == "Running"


def test_same_seed_same_bytes():
    def run() -> dict:
        env = make_env()
        env.create("nginx", [nginx()])
        env.create("crash", [busybox("crash", "exit 1")])
        env.advance(60)
        return {"pods": env.admin.list("pods", "default")["items"], "events": env.events()}

    assert run() == run()


def test_world_snapshot_carries_the_kubelet():
    import copy

    env = make_env()
    env.world.components["kubelet/node01"] = env.kubelet
    env.create("ticker", [busybox("ticker", "while true; do echo tick; sleep 1; done")])
    env.advance(3)
    twin = copy.deepcopy(env.world)
    twin.kernel.advance(10)
    kubelet = twin.components["kubelet/node01"]
    assert kubelet.container_log("default", "ticker", "ticker").count("tick") == 13
    assert env.kubelet.container_log("default", "ticker", "ticker").count("tick") == 3
