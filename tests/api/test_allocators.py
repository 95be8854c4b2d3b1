"""ServiceAllocator: ClusterIPs and NodePorts, deterministic per seed, with the v1.37 errors."""

from __future__ import annotations

import ipaddress

import pytest

from ktui.api.allocators import ServiceAllocator, ip_range_offset, port_range_offset
from ktui.api.errors import ApiError
from ktui.sim.rng import SeededRandom


def svc(name="web", ns="default", type_="ClusterIP", ports=None, **spec):
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"type": type_, "selector": {"app": name}, "ports": ports or [{"port": 80, "protocol": "TCP"}], **spec},
    }


def create(alloc, s, dry_run=False):
    out = alloc.allocate(s, None, dry_run)
    if not dry_run:
        alloc.observe(out)
    return out


def invalid_message(alloc, s, old=None, dry_run=False) -> str:
    with pytest.raises(ApiError) as e:
        alloc.allocate(s, old, dry_run)
    assert e.value.code == 422 and e.value.reason == "Invalid"
    return e.value.message


def test_cluster_ip_fields_and_upper_band():
    alloc = ServiceAllocator(SeededRandom(1))
    out = create(alloc, svc())
    spec = out["spec"]
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    assert spec["ipFamilies"] == ["IPv4"] and spec["ipFamilyPolicy"] == "SingleStack"
    ip = ipaddress.ip_address(spec["clusterIP"])
    assert ipaddress.ip_address("10.96.1.1") <= ip <= ipaddress.ip_address("10.111.255.254")


def test_same_seed_same_addresses_and_ports():
    def run(seed):
        alloc = ServiceAllocator(SeededRandom(seed))
        outs = [create(alloc, svc(f"s{i}", type_="NodePort")) for i in range(20)]
        return [(o["spec"]["clusterIP"], o["spec"]["ports"][0]["nodePort"]) for o in outs]

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert len(set(run(7))) == 20


def test_input_is_not_mutated():
    s = svc(type_="NodePort")
    ServiceAllocator(SeededRandom(0)).allocate(s, None, False)
    assert "clusterIP" not in s["spec"] and "nodePort" not in s["spec"]["ports"][0]


def test_requested_ip_honoured_then_conflicts():
    alloc = ServiceAllocator(SeededRandom(0))
    out = create(alloc, svc("dns", ns="kube-system", clusterIP="10.96.0.10"))
    assert out["spec"]["clusterIPs"] == ["10.96.0.10"]
    assert invalid_message(alloc, svc("x", clusterIP="10.96.0.10")) == (
        'Service "x" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.10"]: '
        "failed to allocate IP 10.96.0.10: provided IP is already allocated"
    )


def test_ip_outside_the_range():
    alloc = ServiceAllocator(SeededRandom(0))
    for ip in ("10.0.0.5", "10.96.0.0", "10.111.255.255"):
        assert invalid_message(alloc, svc("x", clusterIPs=[ip])) == (
            f'Service "x" is invalid: spec.clusterIPs: Invalid value: ["{ip}"]: '
            f"failed to allocate IP {ip}: the provided network does not match the current range"
        )


def test_kubernetes_ip_is_reserved_for_the_kubernetes_service():
    alloc = ServiceAllocator(SeededRandom(0))
    assert "already allocated" in invalid_message(alloc, svc("x", clusterIP="10.96.0.1"))
    out = create(alloc, svc("kubernetes", ns="default", selector=None))
    assert out["spec"]["clusterIP"] == "10.96.0.1"


def test_extra_reserved_address_goes_to_its_owner():
    alloc = ServiceAllocator(SeededRandom(0), reserved={"10.96.0.10": "kube-system/kube-dns"})
    assert create(alloc, svc("kube-dns", ns="kube-system"))["spec"]["clusterIP"] == "10.96.0.10"


def test_forget_frees_the_address():
    alloc = ServiceAllocator(SeededRandom(0))
    first = create(alloc, svc("a", clusterIP="10.96.0.20"))
    alloc.forget(first)
    assert create(alloc, svc("b", clusterIP="10.96.0.20"))["spec"]["clusterIP"] == "10.96.0.20"


def test_headless_and_external_name():
    alloc = ServiceAllocator(SeededRandom(0))
    h = create(alloc, svc("h", clusterIP="None"))["spec"]
    assert (h["clusterIP"], h["clusterIPs"], h["ipFamilies"], h["ipFamilyPolicy"]) == (
        "None",
        ["None"],
        ["IPv4"],
        "SingleStack",
    )
    bare = create(alloc, svc("bare", clusterIP="None", selector=None))["spec"]
    assert bare["ipFamilyPolicy"] == "RequireDualStack" and bare["ipFamilies"] == ["IPv4", "IPv6"]
    ext = create(alloc, svc("ext", type_="ExternalName", externalName="example.com"))["spec"]
    assert not {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"} & set(ext)


def test_node_ports_prefer_the_upper_band_and_honour_requests():
    alloc = ServiceAllocator(SeededRandom(3))
    out = create(alloc, svc(type_="NodePort", ports=[{"port": 80}, {"port": 443, "nodePort": 30080}]))
    dynamic, static = (p["nodePort"] for p in out["spec"]["ports"])
    assert 30086 <= dynamic <= 32767 and static == 30080


def test_node_port_conflict_and_range_errors():
    alloc = ServiceAllocator(SeededRandom(0))
    create(alloc, svc("a", type_="NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    assert invalid_message(alloc, svc("b", type_="NodePort", ports=[{"port": 80, "nodePort": 30080}])) == (
        'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated'
    )
    assert invalid_message(alloc, svc("c", type_="NodePort", ports=[{"port": 80, "nodePort": 80}])) == (
        'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 80: '
        "provided port is not in the valid range. The range of valid ports is 30000-32767"
    )


def test_same_port_number_shares_a_node_port():
    alloc = ServiceAllocator(SeededRandom(0))
    ports = [{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]
    out = create(alloc, svc("dns", type_="NodePort", ports=ports))
    a, b = (p["nodePort"] for p in out["spec"]["ports"])
    assert a == b


def test_cluster_ip_services_get_no_node_ports_and_load_balancers_do():
    alloc = ServiceAllocator(SeededRandom(0))
    assert "nodePort" not in create(alloc, svc("c"))["spec"]["ports"][0]
    lb = create(alloc, svc("lb", type_="LoadBalancer", externalTrafficPolicy="Local"))["spec"]
    assert (
        lb["ports"][0]["nodePort"]
        and lb["healthCheckNodePort"]
        and lb["healthCheckNodePort"] != lb["ports"][0]["nodePort"]
    )
    off = create(alloc, svc("off", type_="LoadBalancer", allocateLoadBalancerNodePorts=False))["spec"]
    assert "nodePort" not in off["ports"][0]


def test_update_keeps_old_allocations():
    alloc = ServiceAllocator(SeededRandom(5))
    old = create(alloc, svc(type_="NodePort", ports=[{"name": "http", "port": 80}]))
    old["metadata"]["resourceVersion"] = "1"
    new = svc(type_="NodePort", ports=[{"name": "http", "port": 80}, {"name": "https", "port": 443}])
    out = alloc.allocate(new, old, False)
    assert out["spec"]["clusterIP"] == old["spec"]["clusterIP"]
    assert out["spec"]["ports"][0]["nodePort"] == old["spec"]["ports"][0]["nodePort"]
    assert out["spec"]["ports"][1]["nodePort"] not in (0, None, old["spec"]["ports"][0]["nodePort"])


def test_update_to_cluster_ip_drops_node_ports_and_external_name_gets_an_ip():
    alloc = ServiceAllocator(SeededRandom(5))
    old = create(alloc, svc(type_="NodePort"))
    out = alloc.allocate(dict(old, spec=dict(old["spec"], type="ClusterIP")), old, False)
    assert "nodePort" not in out["spec"]["ports"][0]
    ext = create(alloc, svc("ext", type_="ExternalName", externalName="example.com"))
    moved = alloc.allocate(svc("ext"), ext, False)
    assert moved["spec"]["clusterIP"].startswith("10.")


def test_dry_run_uses_placeholders_and_reserves_nothing():
    alloc = ServiceAllocator(SeededRandom(0))
    out = create(alloc, svc(type_="NodePort"), dry_run=True)
    assert out["spec"]["clusterIP"] == "10.96.0.0"
    assert out["spec"]["ports"][0]["nodePort"] == 32769
    assert alloc.ip_owner("10.96.0.0") is None and alloc.port_owner(32769) is None


def test_lower_band_used_when_upper_band_is_full():
    alloc = ServiceAllocator(SeededRandom(0), service_cidr="10.0.0.0/24", node_port_range=(30000, 30099))
    assert ip_range_offset(256) == 16 and ip_range_offset(4096) == 256 and ip_range_offset(16) == 0
    assert port_range_offset(100) == 16 and port_range_offset(2768) == 86
    ips = [create(alloc, svc(f"s{i}"))["spec"]["clusterIP"] for i in range(253)]
    last = [int(ip.rsplit(".", 1)[1]) for ip in ips]
    assert sorted(last[:238]) == list(range(17, 255))  # the upper band (.17-.254) first
    assert sorted(last[238:]) == list(range(2, 17))  # then the static band, less .1 (kubernetes)
    with pytest.raises(ApiError) as e:
        alloc.allocate(svc("full"), None, False)
    assert e.value.code == 500
    assert e.value.message == "Internal error occurred: failed to allocate a serviceIP: range is full"
    ports = [
        create(alloc, svc(f"n{i}", type_="NodePort", clusterIP="None"))["spec"]["ports"][0]["nodePort"]
        for i in range(100)
    ]
    assert sorted(ports[:84]) == list(range(30016, 30100)) and sorted(ports[84:]) == list(range(30000, 30016))


def test_ten_thousand_services_allocate_quickly():
    alloc = ServiceAllocator(SeededRandom(42))
    seen = set()
    for i in range(10_000):
        out = create(alloc, svc(f"s{i}", type_="NodePort") if i < 2000 else svc(f"s{i}"))
        seen.add(out["spec"]["clusterIP"])
    assert len(seen) == 10_000
