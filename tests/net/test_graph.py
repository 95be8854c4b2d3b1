"""The network graph and the node tables: indexes, endpoint categorisation, routes from Services."""

from ktui.net.routes import Endpoint, NodeTable, ServicePortRoute, node_view, routes_for_service

from tests.net.conftest import run_pod, web_deployment, web_service


def _svc(**spec):
    return {
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"clusterIP": "10.96.0.100", "ports": [{"port": 80, "protocol": "TCP"}], **spec},
    }


def _slice(*eps, port=80, name=None):
    return {
        "addressType": "IPv4",
        "ports": [{"name": name, "port": port, "protocol": "TCP"}],
        "endpoints": [{"addresses": [ip], "nodeName": node, "conditions": {"ready": ready}} for ip, node, ready in eps],
    }


def test_routes_for_service_sorts_endpoints_as_strings():
    (r,) = routes_for_service(_svc(), [_slice(("10.244.1.10", "node01", True), ("10.244.1.9", "node01", True))])
    assert [e.addr for e in r.endpoints] == ["10.244.1.10:80", "10.244.1.9:80"]


def test_headless_and_external_name_have_no_routes():
    assert routes_for_service(_svc(clusterIP="None"), []) == []
    assert (
        routes_for_service(
            {
                "metadata": {"name": "x", "namespace": "d"},
                "spec": {"type": "ExternalName", "externalName": "example.com"},
            },
            [],
        )
        == []
    )


def test_terminating_serving_endpoints_are_a_fallback():
    eps = (Endpoint("10.244.1.2", 80, "node01", ready=False, serving=True, terminating=True),)
    v = node_view(ServicePortRoute("d", "s", "", "TCP", "10.96.0.5", 80, endpoints=eps), "node01")
    assert v.cluster == eps and v.has_endpoints


def test_internal_local_without_local_endpoints_drops():
    eps = (Endpoint("10.244.2.2", 80, "node02"),)
    r = ServicePortRoute("d", "s", "", "TCP", "10.96.0.5", 80, internal_local=True, endpoints=eps)
    assert not node_view(r, "node01").has_internal and node_view(r, "node01").has_endpoints
    assert node_view(r, "node02").local == eps


def test_node_table_indexes_follow_replacements():
    t = NodeTable("node01")
    (r,) = routes_for_service(_svc(type="NodePort", ports=[{"port": 80, "nodePort": 30080, "protocol": "TCP"}]), [])
    assert t.replace_service("default/web", [r]) == 1
    assert t.lookup_vip("10.96.0.100", 80) is r and t.lookup_node_port(30080) is r
    assert t.replace_service("default/web", [r]) == 0
    assert t.replace_service("default/web", []) == 1
    assert t.lookup_vip("10.96.0.100", 80) is None and t.lookup_node_port(30080) is None and not t.by_service


def test_graph_holds_nodes_pods_services_and_endpoints(cluster):
    web_deployment(cluster, replicas=2)
    web_service(cluster)
    run_pod(cluster, "client", "busybox", command=["sleep", "3600"])
    cluster.advance(30)
    g = cluster.world.network.graph
    nodes = [n for n in g if n[0] == "node"]
    assert sorted(n[1] for n in nodes) == ["controlplane", "node01", "node02"]
    assert g.nodes[("node", "node01")]["ip"] == "172.18.0.3"
    routes = [(a, b) for a, b, d in g.edges(data=True) if d["kind"] == "route"]
    assert len(routes) == 6
    client = cluster.api.get("pods", "client", "default")
    assert g.has_edge(("node", client["spec"]["nodeName"]), ("pod", "default/client"))
    backends = [b for _, b, d in g.out_edges(("svc", "default/web"), data=True) if d["kind"] == "endpoint"]
    assert len(backends) == 2 and all(g.nodes[b]["ready"] for b in backends)
    net = cluster.world.network
    assert net.owner_of(client["status"]["podIP"]) == ("pod", "default/client")
    assert net.owner_of("172.18.0.2") == ("node", "controlplane")
