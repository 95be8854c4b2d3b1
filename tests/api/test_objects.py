"""The object helpers every layer shares: keys, conditions, readiness, a node's InternalIP."""

from ktui.api.objects import condition_is_true, get_condition, internal_ip, is_pod_ready, key_of


def test_key_of_is_namespace_slash_name_or_the_name_alone():
    assert key_of({"metadata": {"name": "web", "namespace": "shop"}}) == "shop/web"
    assert key_of({"metadata": {"name": "node01"}}) == "node01"
    assert key_of({"metadata": {"name": "node01", "namespace": ""}}) == "node01"


def test_get_condition_takes_the_first_of_its_type_as_kubernetes_does():
    conds = [
        {"type": "PodScheduled", "status": "True"},
        {"type": "Ready", "status": "False", "reason": "A"},
        {"type": "Ready", "status": "True", "reason": "B"},
    ]
    assert get_condition(conds, "Ready") == {"type": "Ready", "status": "False", "reason": "A"}
    assert get_condition(conds, "Initialized") is None
    assert get_condition(None, "Ready") is None
    assert not condition_is_true(conds, "Ready")
    assert condition_is_true(conds, "PodScheduled")


def test_is_pod_ready_reads_the_ready_condition():
    assert is_pod_ready({"status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    assert not is_pod_ready({"status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}})
    assert not is_pod_ready({"status": {}})
    assert not is_pod_ready({})


def test_internal_ip_of_a_node():
    node = {
        "status": {
            "addresses": [{"type": "Hostname", "address": "node01"}, {"type": "InternalIP", "address": "172.18.0.3"}]
        }
    }
    assert internal_ip(node) == "172.18.0.3"
    assert internal_ip({"status": {"addresses": [{"type": "Hostname", "address": "n"}]}}) == ""
