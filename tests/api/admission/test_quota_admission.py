"""ResourceQuota admission and quota usage: v1.37 messages, counts, compute quota, scopes, write-back."""

from __future__ import annotations

import pytest

from ktui.api.admission.base import AdmissionRequest
from ktui.api.admission.resource_quota import ResourceQuotaAdmission
from ktui.api.auth.user import UserInfo
from ktui.api.errors import ApiError
from ktui.api.quota_usage import add_quantity, format_usage, quantity, usage_of
from ktui.api.registry import REGISTRY
from ktui.sim.timefmt import rfc3339


class FakeReader:
    """A dict-backed ClusterReader: objects by (resource, namespace, name); status writes recorded."""

    def __init__(self, *objs: tuple[str, dict]) -> None:
        self.store: dict[tuple[str, str, str], dict] = {}
        self.writes: list[tuple[str, dict]] = []
        for resource, obj in objs:
            md = obj["metadata"]
            self.store[(resource, md.get("namespace", ""), md["name"])] = obj

    def get_object(self, resource, namespace, name):
        return self.store.get((resource, namespace or "", name))

    def list_objects(self, resource, namespace=None):
        return [
            o
            for (r, ns, _), o in sorted(self.store.items())
            if r == resource and (namespace is None or ns == namespace)
        ]

    def write_status(self, resource, obj):
        md = obj["metadata"]
        self.store[(resource, md.get("namespace", ""), md["name"])] = obj
        self.writes.append((resource, obj))
        return obj


def quota(name, hard, used=None, ns="default", scopes=None, scope_selector=None, synced=True):
    q = {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"hard": hard},
    }
    if scopes:
        q["spec"]["scopes"] = scopes
    if scope_selector:
        q["spec"]["scopeSelector"] = {"matchExpressions": scope_selector}
    if synced:
        q["status"] = {"hard": dict(hard), "used": used if used is not None else {k: "0" for k in hard}}
    return q


def pod(name="nginx", ns="default", requests=None, limits=None, **spec):
    c = {"name": name, "image": "nginx"}
    res = {}
    if requests:
        res["requests"] = requests
    if limits:
        res["limits"] = limits
    if res:
        c["resources"] = res
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"containers": [c], **spec},
    }


def request(resource, obj, reader, op="CREATE", old=None, dry_run=False, sub="", now=0.0):
    return AdmissionRequest(
        operation=op,
        resource=REGISTRY.resolve(resource),
        subresource=sub,
        namespace=obj["metadata"]["namespace"],
        name=obj["metadata"].get("name", ""),
        obj=obj,
        old=old,
        user=UserInfo("jane"),
        dry_run=dry_run,
        reader=reader,
        now=now,
    )


def admit(resource, obj, reader, **kw):
    ResourceQuotaAdmission().validate(request(resource, obj, reader, **kw))


def rejected(resource, obj, reader, **kw) -> ApiError:
    with pytest.raises(ApiError) as e:
        admit(resource, obj, reader, **kw)
    assert e.value.code == 403 and e.value.reason == "Forbidden"
    return e.value


# -- usage ---------------------------------------------------------------------------------------------


def test_pod_usage_sums_containers_and_takes_init_max():
    p = pod(requests={"cpu": "250m", "memory": "64Mi"}, limits={"cpu": "500m", "memory": "128Mi"})
    p["spec"]["containers"].append({"name": "side", "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}})
    p["spec"]["initContainers"] = [{"name": "init", "resources": {"requests": {"cpu": "2", "memory": "10Mi"}}}]
    u = format_usage(usage_of("pods", p))
    assert u == {
        "count/pods": "1",
        "cpu": "2",
        "limits.cpu": "500m",
        "limits.memory": "128Mi",
        "memory": "128Mi",
        "pods": "1",
        "requests.cpu": "2",
        "requests.memory": "128Mi",
    }


def test_sidecar_init_containers_add_to_the_running_total():
    p = pod(requests={"cpu": "1"})
    p["spec"]["initContainers"] = [
        {"name": "proxy", "restartPolicy": "Always", "resources": {"requests": {"cpu": "500m"}}}
    ]
    assert str(usage_of("pods", p)["requests.cpu"]) == "1500m"


def test_request_defaults_to_limit_when_only_a_limit_is_set():
    u = usage_of("pods", pod(limits={"cpu": "1", "memory": "1Gi"}))
    assert str(u["requests.cpu"]) == "1" and str(u["requests.memory"]) == "1Gi"


def test_terminal_and_expired_terminating_pods_charge_only_their_count():
    done = pod()
    done["status"] = {"phase": "Succeeded"}
    assert format_usage(usage_of("pods", done)) == {"count/pods": "1"}
    dying = pod(requests={"cpu": "1"})
    dying["metadata"].update(deletionTimestamp=rfc3339(100), deletionGracePeriodSeconds=30)
    assert "pods" in usage_of("pods", dying, now=120)
    assert format_usage(usage_of("pods", dying, now=131)) == {"count/pods": "1"}


def test_object_counts_for_other_resources():
    svc = {"metadata": {"name": "s"}, "spec": {"type": "LoadBalancer", "ports": [{"port": 80}, {"port": 443}]}}
    assert format_usage(usage_of("services", svc)) == {
        "count/services": "1",
        "services": "1",
        "services.loadbalancers": "1",
        "services.nodeports": "2",
    }
    assert format_usage(usage_of("configmaps", {})) == {"configmaps": "1", "count/configmaps": "1"}
    assert format_usage(usage_of("deployments", {})) == {"count/deployments.apps": "1"}
    assert format_usage(usage_of("deployments.apps", {})) == {"count/deployments.apps": "1"}


@pytest.mark.parametrize(
    "text,shown",
    [("500m", "500m"), ("1Gi", "1Gi"), ("0.5", "500m"), ("1000", "1k"), ("1536Mi", "1536Mi"), ("1500", "1500")],
)
def test_quantities_print_canonically(text, shown):
    assert str(quantity(text)) == shown


def test_sum_keeps_binary_format_and_zero_takes_the_other_format():
    assert str(add_quantity(quantity("512Mi"), quantity("512Mi"))) == "1Gi"
    assert str(add_quantity(quantity("0"), quantity("1Gi"))) == "1Gi"
    reader = FakeReader(("resourcequotas", quota("mem", {"requests.memory": "4Gi"})))
    admit("pods", pod(requests={"memory": "1Gi"}), reader)
    assert reader.writes[0][1]["status"]["used"] == {"requests.memory": "1Gi"}


# -- admission -----------------------------------------------------------------------------------------


def test_pod_count_exceeded_message():
    reader = FakeReader(("resourcequotas", quota("compute-quota", {"pods": "2"}, {"pods": "2"})))
    err = rejected("pods", pod(), reader)
    assert (
        err.message
        == 'pods "nginx" is forbidden: exceeded quota: compute-quota, requested: pods=1, used: pods=2, limited: pods=2'
    )
    assert reader.writes == []


def test_several_exceeded_resources_are_sorted_and_joined_with_commas():
    hard = {"pods": "5", "requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2", "limits.memory": "2Gi"}
    used = {"pods": "1", "requests.cpu": "800m", "requests.memory": "512Mi", "limits.cpu": "1", "limits.memory": "1Gi"}
    reader = FakeReader(("resourcequotas", quota("compute-quota", hard, used)))
    p = pod(requests={"cpu": "500m", "memory": "1Gi"}, limits={"cpu": "500m", "memory": "1Gi"})
    assert rejected("pods", p, reader).message == (
        'pods "nginx" is forbidden: exceeded quota: compute-quota, requested: requests.cpu=500m,requests.memory=1Gi, '
        "used: requests.cpu=800m,requests.memory=512Mi, limited: requests.cpu=1,requests.memory=1Gi"
    )


def test_missing_compute_resources_must_be_specified():
    reader = FakeReader(
        ("resourcequotas", quota("compute-quota", {"limits.cpu": "2", "limits.memory": "2Gi", "pods": "4"}))
    )
    err = rejected("pods", pod(), reader)
    assert (
        err.message
        == 'pods "nginx" is forbidden: failed quota: compute-quota: must specify limits.cpu for: nginx; limits.memory for: nginx'
    )


def test_must_specify_lists_every_container_sorted():
    p = pod(name="web")
    p["spec"]["containers"].append({"name": "agent", "image": "x", "resources": {"requests": {"cpu": "1"}}})
    reader = FakeReader(("resourcequotas", quota("q", {"requests.cpu": "4", "requests.memory": "1Gi"})))
    assert rejected("pods", p, reader).message == (
        'pods "web" is forbidden: failed quota: q: must specify requests.cpu for: web; requests.memory for: agent,web'
    )


def test_admitted_pod_is_charged_and_written_back():
    hard = {"pods": "10", "requests.cpu": "2", "requests.memory": "2Gi"}
    reader = FakeReader(
        (
            "resourcequotas",
            quota("compute-quota", hard, {"pods": "1", "requests.cpu": "500m", "requests.memory": "512Mi"}),
        )
    )
    admit("pods", pod(requests={"cpu": "500m", "memory": "512Mi"}), reader)
    [(resource, written)] = reader.writes
    assert resource == "resourcequotas"
    assert written["status"]["used"] == {"pods": "2", "requests.cpu": "1", "requests.memory": "1Gi"}
    assert written["status"]["hard"] == hard


def test_usage_accumulates_until_the_limit():
    reader = FakeReader(("resourcequotas", quota("pod-count", {"pods": "2"})))
    admit("pods", pod("a"), reader)
    admit("pods", pod("b"), reader)
    err = rejected("pods", pod("c"), reader)
    assert err.message.endswith("requested: pods=1, used: pods=2, limited: pods=2")
    assert reader.get_object("resourcequotas", "default", "pod-count")["status"]["used"] == {"pods": "2"}


def test_dry_run_checks_but_writes_nothing():
    reader = FakeReader(("resourcequotas", quota("q", {"pods": "1"})))
    admit("pods", pod(), reader, dry_run=True)
    assert reader.writes == []
    full = FakeReader(("resourcequotas", quota("q", {"pods": "1"}, {"pods": "1"})))
    rejected("pods", pod(), full, dry_run=True)


def test_all_quotas_must_pass_and_all_are_written():
    reader = FakeReader(
        ("resourcequotas", quota("a-counts", {"pods": "10", "count/pods": "10"})),
        ("resourcequotas", quota("b-compute", {"requests.cpu": "1"})),
    )
    admit("pods", pod(requests={"cpu": "600m"}), reader)
    assert [w[1]["metadata"]["name"] for w in reader.writes] == ["a-counts", "b-compute"]
    assert reader.get_object("resourcequotas", "default", "a-counts")["status"]["used"] == {
        "count/pods": "1",
        "pods": "1",
    }
    reader.writes.clear()
    err = rejected("pods", pod("second", requests={"cpu": "600m"}), reader)
    assert (
        "exceeded quota: b-compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1"
        in err.message
    )
    assert reader.writes == []  # the passing quota is not charged either
    assert reader.get_object("resourcequotas", "default", "a-counts")["status"]["used"]["pods"] == "1"


def test_quota_in_another_namespace_or_for_another_resource_is_ignored():
    reader = FakeReader(
        ("resourcequotas", quota("other", {"pods": "0"}, ns="prod")),
        ("resourcequotas", quota("cms", {"configmaps": "0"})),
    )
    admit("pods", pod(), reader)
    assert reader.writes == []


def test_unsynced_quota_without_status_matches_nothing():
    reader = FakeReader(("resourcequotas", quota("fresh", {"pods": "0"}, synced=False)))
    admit("pods", pod(), reader)
    assert reader.writes == []


def test_quota_with_hard_but_no_used_is_status_unknown():
    q = quota("q", {"pods": "3", "count/pods": "3"})
    q["status"]["used"] = {"pods": "1"}
    err = rejected("pods", pod(), FakeReader(("resourcequotas", q)))
    assert err.message == 'pods "nginx" is forbidden: status unknown for quota: q, resources: count/pods,pods'


def test_generate_name_is_used_in_the_message():
    p = pod()
    del p["metadata"]["name"]
    p["metadata"]["generateName"] = "web-"
    reader = FakeReader(("resourcequotas", quota("q", {"pods": "0"})))
    assert rejected("pods", p, reader).message.startswith('pods "web-" is forbidden: exceeded quota: q')


def test_object_count_quota_for_services_and_deployments():
    svc = {"metadata": {"name": "web", "namespace": "default"}, "spec": {"type": "NodePort", "ports": [{"port": 80}]}}
    reader = FakeReader(("resourcequotas", quota("obj", {"services": "5", "services.nodeports": "0"})))
    err = rejected("services", svc, reader)
    assert err.message == (
        'services "web" is forbidden: exceeded quota: obj, requested: services.nodeports=1, '
        "used: services.nodeports=0, limited: services.nodeports=0"
    )
    dep = {"metadata": {"name": "web", "namespace": "default"}, "spec": {}}
    reader = FakeReader(
        ("resourcequotas", quota("obj", {"count/deployments.apps": "1"}, {"count/deployments.apps": "1"}))
    )
    err = rejected("deployments", dep, reader)
    assert err.message == (
        'deployments.apps "web" is forbidden: exceeded quota: obj, requested: count/deployments.apps=1, '
        "used: count/deployments.apps=1, limited: count/deployments.apps=1"
    )


def test_service_update_charges_only_the_delta():
    old = {
        "metadata": {"name": "web", "namespace": "default", "resourceVersion": "5"},
        "spec": {"type": "ClusterIP", "ports": [{"port": 80}]},
    }
    new = {
        "metadata": {"name": "web", "namespace": "default", "resourceVersion": "5"},
        "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]},
    }
    reader = FakeReader(
        (
            "resourcequotas",
            quota(
                "q", {"services": "1", "services.loadbalancers": "1"}, {"services": "1", "services.loadbalancers": "0"}
            ),
        )
    )
    admit("services", new, reader, op="UPDATE", old=old)
    assert reader.writes[-1][1]["status"]["used"] == {"services": "1", "services.loadbalancers": "1"}


def test_pod_updates_are_not_evaluated():
    reader = FakeReader(("resourcequotas", quota("q", {"pods": "0"})))
    p = pod()
    p["metadata"]["resourceVersion"] = "3"
    admit("pods", p, reader, op="UPDATE", old=p)
    assert reader.writes == []


@pytest.mark.parametrize(
    "scope,spec,counted",
    [
        ("Terminating", {"activeDeadlineSeconds": 30}, True),
        ("Terminating", {}, False),
        ("NotTerminating", {}, True),
        ("BestEffort", {}, True),
        ("NotBestEffort", {}, False),
    ],
)
def test_scopes(scope, spec, counted):
    reader = FakeReader(("resourcequotas", quota("scoped", {"pods": "5"}, scopes=[scope])))
    admit("pods", pod(**spec), reader)
    assert bool(reader.writes) is counted


def test_best_effort_scope_ignores_pods_with_resources():
    reader = FakeReader(("resourcequotas", quota("be", {"pods": "0"}, scopes=["BestEffort"])))
    admit("pods", pod(requests={"cpu": "100m"}), reader)
    rejected("pods", pod("plain"), reader)


def test_priority_class_scope_selector():
    sel = [{"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]
    reader = FakeReader(("resourcequotas", quota("high-pods", {"pods": "0"}, scope_selector=sel)))
    admit("pods", pod(priorityClassName="low"), reader)
    admit("pods", pod("plain"), reader)
    err = rejected("pods", pod("vip", priorityClassName="high"), reader)
    assert "exceeded quota: high-pods" in err.message


def test_services_never_match_a_scoped_quota():
    svc = {"metadata": {"name": "web", "namespace": "default"}, "spec": {"ports": [{"port": 80}]}}
    reader = FakeReader(("resourcequotas", quota("q", {"services": "0"}, scopes=["NotTerminating"])))
    admit("services", svc, reader)
    assert reader.writes == []
