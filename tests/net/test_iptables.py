"""iptables-save rendering of one node's routes, against a golden file derived from kube-proxy's source."""

from pathlib import Path

from ktui.net.iptables import render, route_fragment
from ktui.net.routes import Endpoint, NodeTable, ServicePortRoute

GOLDEN = Path(__file__).parent / "golden"


def _web(**kw) -> ServicePortRoute:
    eps = kw.pop(
        "endpoints",
        (
            Endpoint("10.244.1.2", 80, "node01"),
            Endpoint("10.244.1.3", 80, "node01"),
            Endpoint("10.244.2.2", 80, "node02"),
        ),
    )
    return ServicePortRoute("default", "web", kw.pop("port_name", ""), "TCP", "10.96.0.100", 80, endpoints=eps, **kw)


def _table(*routes: ServicePortRoute, node: str = "node01") -> NodeTable:
    t = NodeTable(node, "172.18.0.3", "10.244.0.0/16")
    for r in routes:
        t.replace_service(f"{r.namespace}/{r.service}", [r])
    return t


def test_three_endpoints_golden():
    kubernetes = ServicePortRoute(
        "default", "kubernetes", "https", "TCP", "10.96.0.1", 443, endpoints=(Endpoint("172.18.0.2", 6443),)
    )
    text = render(_table(kubernetes, _web()), now=0)
    assert text == (GOLDEN / "three_endpoints.iptables").read_text()


def test_no_endpoints_reject_in_filter_only():
    t = _table(_web(endpoints=()))
    nat = render(t)
    assert "default/web" not in nat
    filt = render(t, ("filter",))
    assert (
        '-A KUBE-SERVICES -d 10.96.0.100/32 -p tcp -m comment --comment "default/web has no endpoints" '
        "-m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable"
    ) in filt


def test_not_ready_endpoint_excluded():
    eps = (Endpoint("10.244.1.2", 80, "node01"), Endpoint("10.244.1.3", 80, "node01", ready=False, serving=False))
    text = render(_table(_web(endpoints=eps)))
    assert "10.244.1.3" not in text
    assert "--probability" not in text


def test_nodeport_ext_chain():
    r = _web(node_port=30080)
    text = render(_table(r))
    assert f'-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web" -m tcp --dport 30080 -j {r.ext_chain}' in text
    assert (
        f'-A {r.ext_chain} -m comment --comment "masquerade traffic for default/web external destinations" '
        "-j KUBE-MARK-MASQ"
    ) in text
    assert f"-A {r.ext_chain} -j {r.svc_chain}" in text
    assert text.index("KUBE-NODEPORTS -p tcp") > text.index(":KUBE-SVC")


def test_external_local_uses_svl_and_drops_without_local():
    r = _web(node_port=30080, external_local=True)
    on1 = render(_table(r, node="node01"), ("filter", "nat"))
    assert f"-A {r.ext_chain} -j {r.svl_chain}" in on1
    assert on1.count(f"-A {r.svl_chain} -m comment") == 2
    on3 = render(_table(r, node="controlplane"), ("filter", "nat"))
    assert '"default/web has no local endpoints"' in on3 and "-j DROP" in on3
    assert f":{r.svl_chain}" not in on3


def test_session_affinity_recent_rules():
    r = _web(affinity_seconds=10800)
    text = render(_table(r))
    sep = r.sep_chain(r.endpoints[0])
    assert f"-m recent --rcheck --seconds 10800 --reap --name {sep} --mask 255.255.255.255 --rsource -j {sep}" in text
    assert f"-m recent --set --name {sep} --mask 255.255.255.255 --rsource -m tcp -j DNAT" in text


def test_loadbalancer_and_external_ip():
    r = _web(node_port=30080, lb_ips=("172.18.255.200",), external_ips=("192.0.2.10",))
    text = render(_table(r))
    assert '-d 172.18.255.200/32 -p tcp -m comment --comment "default/web loadbalancer IP"' in text
    assert '-d 192.0.2.10/32 -p tcp -m comment --comment "default/web external IP"' in text


def test_udp_service():
    r = ServicePortRoute(
        "kube-system", "kube-dns", "dns", "UDP", "10.96.0.10", 53, endpoints=(Endpoint("10.244.1.2", 53),)
    )
    f = route_fragment(r, "node01", "10.244.0.0/16")
    assert f.services == [
        "-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "
        '"kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j ' + r.svc_chain
    ]


def test_fragment_cache_reused_until_route_changes():
    t = _table(_web())
    render(t)
    frag = t.fragments["default/web/tcp"]
    render(t)
    assert t.fragments["default/web/tcp"] is frag
    t.replace_service("default/web", [_web(endpoints=(Endpoint("10.244.1.9", 80),))])
    assert "default/web/tcp" not in t.fragments
    assert "10.244.1.9:80" in render(t)
