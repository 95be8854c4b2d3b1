"""kube-proxy: one per node, incremental, rate-limited, stale when stopped; end to end through the cluster."""

from ktui.api.auth.user import node_user
from ktui.components import node_ip
from ktui.components.base import Context
from ktui.components.kubelet import Kubelet
from ktui.net.iptables import render
from ktui.net.kube_proxy import KubeProxy, kube_proxy_running
from ktui.net.routes import NodeTable
from ktui.net.trace import trace

from tests.net.conftest import exec_in, run_pod, web_deployment, web_service


def _proxy_pods(cluster):
    return cluster.api.list("pods", "kube-system", label_selector="k8s-app=kube-proxy")["items"]


def test_one_kube_proxy_pod_per_node_each_programming_its_node(cluster):
    pods = _proxy_pods(cluster)
    nodes = sorted(n["metadata"]["name"] for n in cluster.api.list("nodes")["items"])
    assert sorted(p["spec"]["nodeName"] for p in pods) == nodes
    assert all(kube_proxy_running(p) for p in pods)
    net = cluster.world.network
    for node in nodes:
        assert net.tables[node].syncs >= 1
        assert net.tables[node].lookup_vip("10.96.0.10", 53, "udp") is not None


def test_change_to_one_service_touches_only_its_entries(cluster):
    web_service(cluster, "a")
    web_service(cluster, "b")
    cluster.advance(5)
    table = cluster.world.network.tables["node01"]
    before = {k: v for k, v in table.routes.items()}
    syncs = table.syncs
    cluster.api.patch("services", "a", {"spec": {"type": "NodePort"}}, "default", patch_type="merge")
    cluster.advance(2)
    # The Service change and the EndpointSlice update it causes: at most one sync per minSyncPeriod (1s).
    assert syncs + 1 <= table.syncs <= syncs + 2
    assert table.last_touched <= 1  # at most default/a's one port was rewritten by the last sync
    assert table.routes["default/a/tcp"].node_port
    for key, route in before.items():
        if not key.startswith("default/a"):
            assert table.routes[key] is route


def test_at_most_one_sync_per_min_sync_period(cluster):
    proxy = cluster.world.components["kube-proxy/node01"]
    start = len(proxy.sync_times)
    for i in range(5):
        web_service(cluster, f"s{i}")
        cluster.advance(0.2)
    cluster.advance(3)
    times = proxy.sync_times[start:]
    assert 1 <= len(times) <= 3
    assert all(b - a >= 1.0 - 1e-9 for a, b in zip(times, times[1:]))
    assert all(
        proxy.table.lookup_vip(cluster.api.get("services", f"s{i}", "default")["spec"]["clusterIP"], 80)
        for i in range(5)
    )


def test_stopped_kube_proxy_keeps_stale_rules(cluster):
    for node in ("controlplane", "node01"):
        cluster.api.patch("nodes", node, {"metadata": {"labels": {"proxy": "yes"}}}, patch_type="merge")
    cluster.api.patch(
        "daemonsets",
        "kube-proxy",
        {"spec": {"template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux", "proxy": "yes"}}}}},
        "kube-system",
        patch_type="merge",
    )
    cluster.advance(60)
    assert sorted(p["spec"]["nodeName"] for p in _proxy_pods(cluster)) == ["controlplane", "node01"]
    assert not cluster.world.components["kube-proxy/node02"].running
    stale = cluster.world.network.tables["node02"]
    syncs = stale.syncs
    svc = web_service(cluster, "late")
    cluster.advance(5)
    ip = svc["spec"]["clusterIP"]
    assert stale.syncs == syncs and stale.lookup_vip(ip, 80) is None
    assert cluster.world.network.tables["node01"].lookup_vip(ip, 80) is not None


def test_node_added_gets_kube_proxy_and_full_rule_set(cluster):
    world = cluster.world
    node = {
        "name": "node03",
        "role": "worker",
        "cpu": "2",
        "memory": "4Gi",
        "pods": 110,
        "labels": {},
        "taints": None,
        "kubelet": True,
        "index": 3,
        "ip": node_ip(3),
    }
    ctx = Context(
        kernel=world.kernel,
        rng=world.rng,
        client=world.client(node_user("node03")),
        flags=dict(world.spec["components"].get("kubelet", {})),
        spec=world.spec,
        register_endpoint=world.register_kubelet,
    )
    kubelet = Kubelet(ctx, node, registry=world.images)
    world.components["kubelet/node03"] = kubelet
    kubelet.exec_hook = world.network.programs
    kubelet.start()
    cluster.advance(60)
    pods = [p for p in _proxy_pods(cluster) if p["spec"]["nodeName"] == "node03"]
    assert len(pods) == 1 and kube_proxy_running(pods[0])
    net = world.network
    assert sorted(net.tables["node03"].routes) == sorted(net.tables["node01"].routes)
    saved = exec_in(cluster, "kube-system", pods[0]["metadata"]["name"], "iptables-save", "-t", "nat")[0]
    assert saved == render(net.tables["node03"], now=cluster.now)
    assert render(net.tables["node03"], ("filter", "nat")) == render(net.tables["node01"], ("filter", "nat"))
    assert "KUBE-SVC-TCOU7JCQXEZGVUNU" in saved  # kube-system/kube-dns:dns, as on every real cluster


def test_kube_proxy_unit_sync_is_incremental(cluster):
    world = cluster.world
    from ktui.api.auth.user import authenticated

    ctx = Context(
        kernel=world.kernel,
        rng=world.rng,
        client=world.client(authenticated("system:kube-proxy")),
        flags={"min-sync-period": "1s"},
        spec=world.spec,
    )
    table = NodeTable("node01", "172.18.0.3")
    proxy = KubeProxy(ctx, "node01", table)
    proxy.start()
    cluster.advance(0.01)
    assert table.syncs == 1 and len(proxy.sync_times) == 1
    proxy.stop()
    web_service(cluster, "after-stop")
    cluster.advance(3)
    assert table.syncs == 1 and not any(k.startswith("default/after-stop") for k in table.routes)
    proxy.start()
    cluster.advance(0.01)
    assert any(k.startswith("default/after-stop") for k in table.routes)


def test_end_to_end_service_traffic(cluster):
    web_deployment(cluster, replicas=3)
    svc = web_service(cluster)
    run_pod(cluster, "client", "busybox", command=["sleep", "3600"])
    run_pod(cluster, "curler", "nginx")
    cluster.advance(30)
    ip = svc["spec"]["clusterIP"]
    out, err, code = exec_in(cluster, "default", "client", "nslookup", "web")
    assert code == 0 and f"Name:\tweb.default.svc.cluster.local\nAddress: {ip}\n" in out
    out, err, code = exec_in(cluster, "default", "curler", "curl", "-s", "web")
    assert code == 0 and "<title>Welcome to nginx!</title>" in out
    # a pod that is not Ready receives nothing
    backends = cluster.api.list("pods", "default", label_selector="app=web")["items"]
    victim = backends[0]
    cluster.api.patch(
        "pods",
        victim["metadata"]["name"],
        {"metadata": {"labels": {"app": "web", "x": "y"}}},
        "default",
        patch_type="merge",
    )
    cluster.api.delete("pods", victim["metadata"]["name"], "default")
    cluster.advance(1)
    seen = set()
    for _ in range(30):
        t = trace(cluster.world, ("default", "client"), "web")
        assert t.ok, t.reason
        seen.add(t.dest_pod)
    assert f"default/{victim['metadata']['name']}" not in seen
    # scale to zero: curl fails with the real message
    cluster.api.patch("deployments", "web", {"spec": {"replicas": 0}}, "default", patch_type="merge")
    cluster.advance(60)
    out, err, code = exec_in(cluster, "default", "curler", "curl", "web")
    assert code == 7
    assert err.endswith("curl: (7) Failed to connect to web port 80 after 0 ms: Couldn't connect to server\n")
    out, err, code = exec_in(cluster, "default", "client", "wget", "-qO-", "web")
    assert (code, err) == (1, f"wget: can't connect to remote host ({ip}): Connection refused\n")


def test_nodeport_answers_on_every_node(cluster):
    web_deployment(cluster, replicas=1)
    svc = web_service(cluster, type_="NodePort")
    run_pod(cluster, "curler", "nginx")
    cluster.advance(30)
    port = svc["spec"]["ports"][0]["nodePort"]
    for n in cluster.api.list("nodes")["items"]:
        addr = next(a["address"] for a in n["status"]["addresses"] if a["type"] == "InternalIP")
        out, err, code = exec_in(cluster, "default", "curler", "curl", "-s", f"http://{addr}:{port}/")
        assert code == 0 and "Welcome to nginx!" in out, (n["metadata"]["name"], err)
        t = trace(cluster.world, ("default", "curler"), f"{addr}:{port}")
        assert any(h.step == "KUBE-NODEPORTS" for h in t.hops)
