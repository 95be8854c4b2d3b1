"""LoadBalancer Services get an external IP from the simulated pool, and give it back."""

from ktui import Cluster


def lb(name):
    return {
        "metadata": {"name": name},
        "spec": {"type": "LoadBalancer", "selector": {"app": name}, "ports": [{"port": 80}]},
    }


def test_load_balancers_get_pool_addresses_and_release_them():
    c = Cluster.default(seed=1)
    c.api.create("services", lb("a"))
    c.api.create("services", lb("b"))
    c.advance(1)
    ip = lambda n: c.api.get("services", n)["status"]["loadBalancer"]["ingress"][0]["ip"]  # noqa: E731
    assert (ip("a"), ip("b")) == ("172.18.255.200", "172.18.255.201")
    out, err, code = c.kubectl("get svc a")
    assert code == 0 and "172.18.255.200" in out.splitlines()[1].split()
    reasons = [e["reason"] for e in c.api.list("events", "default")["items"] if e["involvedObject"]["name"] == "a"]
    assert reasons[:2] == ["EnsuringLoadBalancer", "EnsuredLoadBalancer"]
    c.api.delete("services", "a")
    c.api.patch("services", "b", {"spec": {"type": "ClusterIP"}}, patch_type="merge")
    c.advance(1)
    assert c.api.get("services", "b")["status"]["loadBalancer"] == {}
    c.api.create("services", lb("c"))
    c.advance(1)
    assert ip("c") == "172.18.255.200"
