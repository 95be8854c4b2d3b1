"""Cluster DNS: resolv.conf, the search path, CoreDNS answers, and no answers without a Ready CoreDNS."""

from ktui.net.dns import CoreDNS, ResolvConf, resolv_conf, search_candidates
from ktui.net.trace import dns_lookup

from tests.net.conftest import exec_in, run_pod, web_deployment, web_service

SPEC = {"serviceCIDR": "10.96.0.0/12", "clusterDomain": "cluster.local"}


def _pod(ns="default", **spec):
    return {"metadata": {"name": "p", "namespace": ns}, "spec": spec}


def test_cluster_first_resolv_conf():
    assert resolv_conf(_pod("shop"), SPEC).text() == (
        "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    )


def test_host_network_cluster_first_falls_back_to_default():
    rc = resolv_conf(_pod(hostNetwork=True), SPEC)
    assert rc.nameservers == ["172.18.0.1"] and rc.search == []
    rc = resolv_conf(_pod(hostNetwork=True, dnsPolicy="ClusterFirstWithHostNet"), SPEC)
    assert rc.nameservers == ["10.96.0.10"]


def test_dns_policy_none_with_config():
    rc = resolv_conf(
        _pod(
            dnsPolicy="None",
            dnsConfig={"nameservers": ["1.1.1.1"], "searches": ["a.b"], "options": [{"name": "ndots", "value": "2"}]},
        ),
        SPEC,
    )
    assert rc.text() == "search a.b\nnameserver 1.1.1.1\noptions ndots:2\n"


def test_search_candidates_follow_ndots():
    rc = ResolvConf(["10.96.0.10"], ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"], ["ndots:5"])
    assert search_candidates("web", rc)[0] == "web.default.svc.cluster.local"
    assert search_candidates("web", rc)[-1] == "web"
    assert search_candidates("web.default.svc.cluster.local.", rc) == ["web.default.svc.cluster.local"]
    assert search_candidates("a.b.c.d.e.f", rc)[0] == "a.b.c.d.e.f"


def test_coredns_answers(cluster):
    web_deployment(cluster, replicas=2)
    svc = web_service(cluster)
    web_service(cluster, "web-headless", clusterIP="None")
    cluster.api.patch("services", "web-headless", {"spec": {"selector": {"app": "web"}}}, "default", patch_type="merge")
    cluster.api.create(
        "services",
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "ext", "namespace": "default"},
            "spec": {"type": "ExternalName", "externalName": "example.com"},
        },
    )
    cluster.advance(30)
    dns = CoreDNS(cluster.world.network.client)
    assert dns.answer("web.default.svc.cluster.local").addresses == [svc["spec"]["clusterIP"]]
    pods = sorted(p["status"]["podIP"] for p in cluster.api.list("pods", "default", label_selector="app=web")["items"])
    assert sorted(dns.answer("web-headless.default.svc.cluster.local").addresses) == pods
    assert dns.answer("ext.default.svc.cluster.local").cname == "example.com"
    assert dns.answer("nope.default.svc.cluster.local").rcode == "NXDOMAIN"
    assert dns.answer("10-244-1-5.default.pod.cluster.local").addresses == ["10.244.1.5"]
    assert dns.answer("example.org").rcode == "NXDOMAIN"


def test_nslookup_short_name_and_cross_namespace(cluster):
    svc = web_service(cluster)
    run_pod(cluster, "client", "busybox", command=["sleep", "3600"])
    cluster.advance(20)
    out, _, code = exec_in(cluster, "default", "client", "nslookup", "web")
    assert code == 0
    assert out == (
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
        f"Name:\tweb.default.svc.cluster.local\nAddress: {svc['spec']['clusterIP']}\n\n"
    )
    out, _, code = exec_in(cluster, "default", "client", "nslookup", "kube-dns.kube-system")
    assert code == 0 and "Name:\tkube-dns.kube-system.svc.cluster.local\nAddress: 10.96.0.10" in out
    out, _, code = exec_in(cluster, "default", "client", "nslookup", "nosuch")
    assert code == 1 and "** server can't find nosuch.default.svc.cluster.local: NXDOMAIN" in out


def test_no_answers_without_ready_coredns(cluster):
    run_pod(cluster, "client", "busybox", command=["sleep", "3600"])
    cluster.advance(20)
    cluster.api.patch("deployments", "coredns", {"spec": {"replicas": 0}}, "kube-system", patch_type="merge")
    cluster.advance(60)
    pod = cluster.api.get("pods", "client", "default")
    assert dns_lookup(cluster.world.network, pod, "kubernetes").error == "timeout"
    out, _, code = exec_in(cluster, "default", "client", "nslookup", "kubernetes")
    assert (out, code) == (";; connection timed out; no servers could be reached\n\n", 1)
