"""What each Running pod costs the components: the scheduler's PodInfos of one template share what they derive,
a kubelet remembers the stored status instead of a copy and keeps no empty per-pod tables, event recorders keep
one copy of repeated texts, and the network's node → pod edges share their attributes; what a user sees
(placement, statuses, event counts, the graph's answers) stays the same."""

from __future__ import annotations

import io

from ktui.api import events as events_module
from ktui.api.events import EventRecorder
from ktui.cluster import Cluster
from ktui.clusterspec import normalize_spec
from ktui.components.scheduler.resources import pod_requests
from ktui.world import build_world


def _world():
    return build_world(
        normalize_spec(
            {
                "nodes": [
                    {"name": "controlplane", "role": "control-plane"},
                    {"name": "worker-1", "cpu": "2"},
                    {"name": "worker-2", "cpu": "2"},
                ]
            }
        )
    )


def _deployment(name: str, replicas: int, cpu: str) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [{"name": name, "image": "nginx:1.27", "resources": {"requests": {"cpu": cpu}}}]
                },
            },
        },
    }


def _running(api, prefix: str) -> list[dict]:
    pods = api.list("pods", "default")["items"]
    return [p for p in pods if p["metadata"]["name"].startswith(prefix) and p["status"].get("phase") == "Running"]


def test_pods_of_one_template_share_the_schedulers_derived_parts_and_are_placed_by_their_own_requests():
    world = _world()
    api = world.client()
    api.create("deployments", _deployment("small", 4, "100m"))
    api.create("deployments", _deployment("big", 2, "1500m"))
    world.kernel.advance(60)
    small, big = _running(api, "small-"), _running(api, "big-")
    assert len(small) == 4 and len(big) == 2
    assert sorted(p["spec"]["nodeName"] for p in big) == ["worker-1", "worker-2"]  # 1.5 CPU each: one per node
    scheduler = world.components["kube-scheduler"]
    infos = {pi.key: pi for ni in scheduler.nodes.values() for pi in ni.pods.values()}
    small_infos = [infos[f"default/{p['metadata']['name']}"] for p in small]
    big_infos = [infos[f"default/{p['metadata']['name']}"] for p in big]
    assert len({id(pi.requests) for pi in small_infos}) == 1  # one Resource for the template
    assert len({id(pi.tolerations) for pi in small_infos}) == 1
    assert small_infos[0].requests is not big_infos[0].requests
    assert small_infos[0].requests.milli_cpu == 100 and big_infos[0].requests.milli_cpu == 1500
    for pi in small_infos + big_infos:
        assert pi.node_name == pi.pod["spec"]["nodeName"]
        assert pi.labels == pi.pod["metadata"]["labels"]
    for name in ("worker-1", "worker-2"):
        ni = scheduler.nodes[name]
        assert ni.requested.milli_cpu == sum(pod_requests(pi.pod).milli_cpu for pi in ni.pods.values())
    # A pod that fits nowhere now (0.5 CPU left per node at most) stays Pending with the scheduler's message.
    api.create("deployments", _deployment("huge", 1, "1"))
    world.kernel.advance(30)
    (huge,) = [p for p in api.list("pods", "default")["items"] if p["metadata"]["name"].startswith("huge-")]
    assert huge["status"]["phase"] == "Pending"
    assert "Insufficient cpu" in huge["status"]["conditions"][0]["message"]


def test_a_kubelet_remembers_the_stored_status_and_writes_nothing_more_while_the_pod_is_quiet():
    world = _world()
    api = world.client()
    api.create("deployments", _deployment("web", 2, "100m"))
    world.kernel.advance(60)
    pods = _running(api, "web-")
    assert len(pods) == 2
    versions = {p["metadata"]["name"]: p["metadata"]["resourceVersion"] for p in pods}
    for pod in pods:
        kubelet = world.components[f"kubelet/{pod['spec']['nodeName']}"]
        worker = kubelet.workers[pod["metadata"]["uid"]]
        stored = world.store.get(f"/registry/pods/default/{pod['metadata']['name']}").value["status"]
        assert worker.last_status == worker.build_status()
        assert worker.last_status["containerStatuses"] is stored["containerStatuses"]
        assert worker.last_status["conditions"] != stored["conditions"]  # the kubelet's have lastProbeTime: null
        assert worker.volumes is None and worker.config_retry is None  # no volumes, no config errors
    world.kernel.advance(300)
    after = {p["metadata"]["name"]: p["metadata"]["resourceVersion"] for p in _running(api, "web-")}
    assert after == versions


def test_a_config_error_is_retried_and_the_container_starts_once_its_configmap_exists():
    world = _world()
    api = world.client()
    api.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "cfg", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "nginx:1.27",
                        "env": [
                            {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}}
                        ],
                    }
                ]
            },
        },
    )
    world.kernel.advance(20)
    waiting = api.get("pods", "cfg", "default")["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting == {"reason": "CreateContainerConfigError", "message": 'configmap "settings" not found'}
    api.create(
        "configmaps",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"mode": "fast"}},
        namespace="default",
    )
    world.kernel.advance(30)
    assert api.get("pods", "cfg", "default")["status"]["phase"] == "Running"


def test_the_recorder_counts_repeats_of_the_events_it_still_remembers(monkeypatch):
    monkeypatch.setattr(events_module, "LRU_ENTRIES", 2)
    world = _world()
    api = world.client()
    pod = api.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        },
        namespace="default",
    )
    recorder = EventRecorder(world.client(), "tester")
    for reason in ("One", "Two", "One", "Three", "Two", "One"):
        recorder.event(pod, "Normal", reason, f"message {reason.lower()}", field_path="spec.containers{c}")
        world.kernel.advance(1)
    mine = [e for e in api.list("events", "default")["items"] if e["source"]["component"] == "tester"]
    counts = sorted((e["reason"], e["count"]) for e in mine)
    # "One" repeated while remembered counts 2 (and becomes the most recent); "Three" then pushes out "Two",
    # whose repeat starts a new Event and pushes out "One", whose repeat starts a new Event too.
    assert counts == [("One", 1), ("One", 2), ("Three", 1), ("Two", 1), ("Two", 1)]
    assert all(e["involvedObject"]["fieldPath"] == "spec.containers{c}" for e in mine)


def test_every_node_to_pod_edge_says_runs_and_follows_the_pod():
    world = _world()
    api = world.client()
    api.create("deployments", _deployment("web", 3, "100m"))
    world.kernel.advance(60)
    graph = world.network.graph
    pods = _running(api, "web-")
    runs = sorted((u[1], v[1], d) for u, v, d in graph.edges(data=True) if u[0] == "node" and v[0] == "pod")
    for p in pods:
        assert (p["spec"]["nodeName"], f"default/{p['metadata']['name']}", {"kind": "runs"}) in runs
    assert all(d == {"kind": "runs"} for _, _, d in runs)
    assert all(d["kind"] == "route" for u, v, d in graph.edges(data=True) if u[0] == "node" and v[0] != "pod")
    gone = pods[0]
    api.delete("pods", gone["metadata"]["name"], "default")
    world.kernel.advance(60)
    assert not graph.has_node(("pod", f"default/{gone['metadata']['name']}"))
    assert world.network.owner_of(gone["status"]["podIP"]) is None
    for p in _running(api, "web-"):
        key = ("pod", f"default/{p['metadata']['name']}")
        assert graph.nodes[key]["ip"] == p["status"]["podIP"] and graph.nodes[key]["ready"] is True
        assert world.network.owner_of(p["status"]["podIP"]) == key


def _pod(name: str, image: str, command: list[str] | None = None) -> dict:
    c: dict = {"name": "c", "image": image}
    if command:
        c["command"] = command
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"containers": [c]}}


def test_containers_that_have_logged_nothing_yet_each_keep_what_they_log_later():
    world = _world()
    api = world.client()
    api.create("pods", _pod("quiet", "registry.k8s.io/pause:3.10"), namespace="default")
    for name in ("late-1", "late-2"):
        api.create(
            "pods", _pod(name, "busybox", ["sh", "-c", f"sleep 20; echo {name} woke; sleep 3600"]), namespace="default"
        )
    world.kernel.advance(10)

    def logs(name: str) -> str:
        pod = api.get("pods", name, "default")
        kubelet = world.components[f"kubelet/{pod['spec']['nodeName']}"]
        return kubelet.container_log("default", name, "c")

    assert [logs(n) for n in ("quiet", "late-1", "late-2")] == ["", "", ""]
    world.kernel.advance(30)
    assert [logs(n) for n in ("quiet", "late-1", "late-2")] == ["", "late-1 woke\n", "late-2 woke\n"]


def test_a_pod_vertex_reads_and_writes_as_the_dict_it_replaces():
    world = _world()
    api = world.client()
    api.create("pods", _pod("solo", "registry.k8s.io/pause:3.10"), namespace="default")
    world.kernel.advance(30)
    pod = api.get("pods", "solo", "default")
    attrs = world.network.graph.nodes[("pod", "default/solo")]
    expected = {
        "kind": "pod",
        "ip": pod["status"]["podIP"],
        "node": pod["spec"]["nodeName"],
        "host_network": False,
        "phase": "Running",
        "ready": True,
    }
    assert dict(attrs) == expected and attrs == expected and list(attrs) == list(expected)
    assert attrs.get("ip") == pod["status"]["podIP"] and attrs.get("missing", "-") == "-"
    attrs["note"] = "x"
    assert attrs["note"] == "x" and len(attrs) == 7 and attrs.copy() == {**expected, "note": "x"}
    del attrs["note"]
    assert attrs == expected
    world.network.graph.add_node(("pod", "default/solo"), phase="Succeeded")  # networkx's own update
    assert attrs["phase"] == "Succeeded"
    api.delete("pods", "solo", "default")
    world.kernel.advance(60)
    assert not world.network.graph.has_node(("pod", "default/solo"))


def test_a_saved_and_loaded_cluster_keeps_each_pods_own_logs_and_graph():
    c = Cluster.default(seed=3)
    for name in ("late-1", "late-2"):
        c.kubectl(f"run {name} --image=busybox -- sh -c 'sleep 40; echo {name} woke; sleep 3600'")
    c.kubectl("create deployment web --image=nginx --replicas=2")
    c.advance(20)
    buf = io.StringIO()
    c.dump(buf)
    c2 = Cluster.load(io.StringIO(buf.getvalue()))
    for x in (c, c2):
        x.advance(60)
        x.kubectl("delete pod late-2 --wait=false")
        x.advance(40)
    assert c2.kubectl("logs late-1") == c.kubectl("logs late-1") == ("late-1 woke\n", "", 0)
    assert c2.kubectl("get pods,events -A -o yaml") == c.kubectl("get pods,events -A -o yaml")
    web = [v for v in c2.world.network.graph.nodes if v[0] == "pod" and v[1].startswith("default/web-")]
    assert len(web) == 2 and all(c2.world.network.graph.nodes[v]["ready"] for v in web)
