"""DefaultTolerationSeconds admission: pods tolerate not-ready and unreachable nodes for 300 s unless they say
otherwise."""

from ktui.api.admission.default_tolerations import DefaultTolerationSeconds

from tests.api.admission.conftest import pod, request

NOT_READY = {
    "key": "node.kubernetes.io/not-ready",
    "operator": "Exists",
    "effect": "NoExecute",
    "tolerationSeconds": 300,
}
UNREACHABLE = {
    "key": "node.kubernetes.io/unreachable",
    "operator": "Exists",
    "effect": "NoExecute",
    "tolerationSeconds": 300,
}


def admitted(obj: dict, plugin: DefaultTolerationSeconds | None = None, **kw) -> dict:
    req = request("pods", obj, **kw)
    plugin = plugin or DefaultTolerationSeconds()
    plugin.admit(req)
    plugin.validate(req)
    return req.obj


def test_a_new_pod_gets_both_tolerations_after_its_own():
    own = {"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}
    assert admitted(pod(tolerations=[own]))["spec"]["tolerations"] == [own, NOT_READY, UNREACHABLE]


def test_a_pod_that_tolerates_a_taint_keeps_its_own_toleration_of_it():
    forever = {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}
    assert admitted(pod(tolerations=[forever]))["spec"]["tolerations"] == [forever, NOT_READY]
    any_effect = {"key": "node.kubernetes.io/not-ready", "operator": "Exists"}
    assert admitted(pod(tolerations=[any_effect]))["spec"]["tolerations"] == [any_effect, UNREACHABLE]


def test_a_wildcard_toleration_tolerates_both_and_a_no_schedule_one_does_not():
    wildcard = {"operator": "Exists"}
    assert admitted(pod(tolerations=[wildcard]))["spec"]["tolerations"] == [wildcard]
    no_schedule = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoSchedule"}
    assert admitted(pod(tolerations=[no_schedule]))["spec"]["tolerations"] == [no_schedule, NOT_READY, UNREACHABLE]


def test_the_seconds_come_from_the_flags():
    out = admitted(pod(), DefaultTolerationSeconds(not_ready_seconds=60, unreachable_seconds=120))
    assert [t["tolerationSeconds"] for t in out["spec"]["tolerations"]] == [60, 120]


def test_updates_subresources_and_other_kinds_are_left_alone():
    assert "tolerations" not in admitted(pod(), operation="UPDATE", old=pod())["spec"]
    assert "tolerations" not in admitted(pod(), subresource="status")["spec"]
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {}}
    req = request("deployments", deployment)
    DefaultTolerationSeconds().admit(req)
    assert req.obj["spec"] == {}
