"""LimitRanger admission: Container defaults, the annotation, and min/max/ratio messages of v1.37."""

from __future__ import annotations

import pytest

from ktui.api.admission.base import AdmissionRequest
from ktui.api.admission.limit_ranger import ANNOTATION, LimitRangerAdmission, default_limit_range_item
from ktui.api.auth.user import UserInfo
from ktui.api.errors import ApiError
from ktui.api.registry import REGISTRY


class FakeReader:
    """A dict-backed ClusterReader holding LimitRanges."""

    def __init__(self, *limit_ranges: dict) -> None:
        self.items = list(limit_ranges)

    def get_object(self, resource, namespace, name):
        return next((o for o in self.items if o["metadata"]["name"] == name), None)

    def list_objects(self, resource, namespace=None):
        return [o for o in self.items if resource == "limitranges" and o["metadata"]["namespace"] == namespace]

    def write_status(self, resource, obj):
        raise AssertionError("LimitRanger writes nothing")


def limit_range(*items, name="limits", ns="default"):
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"limits": list(items)},
    }


def pod(name="nginx", containers=None, init=None):
    spec = {"containers": containers or [{"name": name, "image": "nginx"}]}
    if init:
        spec["initContainers"] = init
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def run(obj, reader, resource="pods", op="CREATE", old=None):
    req = AdmissionRequest(
        operation=op,
        resource=REGISTRY.resolve(resource),
        subresource="",
        namespace="default",
        name=obj["metadata"]["name"],
        obj=obj,
        old=old,
        user=UserInfo("jane"),
        dry_run=False,
        reader=reader,
        now=0.0,
    )
    plugin = LimitRangerAdmission()
    plugin.admit(req)
    plugin.validate(req)
    return req.obj


def denied(obj, reader, **kw) -> str:
    with pytest.raises(ApiError) as e:
        run(obj, reader, **kw)
    assert e.value.code == 403
    return e.value.message


DEFAULTS = {
    "type": "Container",
    "default": {"cpu": "500m", "memory": "256Mi"},
    "defaultRequest": {"cpu": "250m", "memory": "128Mi"},
}


def test_defaults_fill_requests_and_limits_and_annotate():
    out = run(pod(), FakeReader(limit_range(DEFAULTS)))
    c = out["spec"]["containers"][0]
    assert c["resources"] == {
        "limits": {"cpu": "500m", "memory": "256Mi"},
        "requests": {"cpu": "250m", "memory": "128Mi"},
    }
    assert out["metadata"]["annotations"][ANNOTATION] == (
        "LimitRanger plugin set: cpu, memory request for container nginx; cpu, memory limit for container nginx"
    )


def test_default_request_falls_back_to_default_limit():
    out = run(pod(), FakeReader(limit_range({"type": "Container", "default": {"cpu": "1"}})))
    assert out["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "1"}, "requests": {"cpu": "1"}}
    assert out["metadata"]["annotations"][ANNOTATION] == (
        "LimitRanger plugin set: cpu request for container nginx; cpu limit for container nginx"
    )


def test_limit_range_item_defaulting():
    item = default_limit_range_item({"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"}})
    assert item["default"] == {"cpu": "2"}
    assert item["defaultRequest"] == {"cpu": "2", "memory": "64Mi"}


def test_user_limit_becomes_request_before_defaults_apply():
    c = {"name": "app", "image": "x", "resources": {"limits": {"cpu": "2"}}}
    out = run(pod("app", [c]), FakeReader(limit_range(DEFAULTS)))
    res = out["spec"]["containers"][0]["resources"]
    assert res["requests"] == {"cpu": "2", "memory": "128Mi"}
    assert res["limits"] == {"cpu": "2", "memory": "256Mi"}
    assert out["metadata"]["annotations"][ANNOTATION] == (
        "LimitRanger plugin set: memory request for container app; memory limit for container app"
    )


def test_nothing_set_means_no_annotation():
    c = {
        "name": "app",
        "image": "x",
        "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
    }
    out = run(pod("app", [c]), FakeReader(limit_range(DEFAULTS)))
    assert ANNOTATION not in (out["metadata"].get("annotations") or {})


def test_init_containers_are_defaulted_too():
    out = run(
        pod(init=[{"name": "setup", "image": "busybox"}]),
        FakeReader(limit_range({"type": "Container", "default": {"cpu": "100m"}})),
    )
    assert out["spec"]["initContainers"][0]["resources"]["limits"] == {"cpu": "100m"}
    assert out["metadata"]["annotations"][ANNOTATION].endswith(
        "cpu request for init container setup; cpu limit for init container setup"
    )


def test_maximum_exceeded():
    c = {"name": "x", "image": "x", "resources": {"limits": {"cpu": "2"}}}
    msg = denied(pod("x", [c]), FakeReader(limit_range({"type": "Container", "max": {"cpu": "1"}})))
    assert msg == 'pods "x" is forbidden: maximum cpu usage per Container is 1, but limit is 2'


def test_minimum_not_met():
    c = {"name": "x", "image": "x", "resources": {"requests": {"memory": "10Mi"}, "limits": {"memory": "100Mi"}}}
    msg = denied(pod("x", [c]), FakeReader(limit_range({"type": "Container", "min": {"memory": "50Mi"}})))
    assert msg == 'pods "x" is forbidden: minimum memory usage per Container is 50Mi, but request is 10Mi'


def test_ratio_exceeded():
    c = {"name": "x", "image": "x", "resources": {"requests": {"cpu": "250m"}, "limits": {"cpu": "1"}}}
    msg = denied(pod("x", [c]), FakeReader(limit_range({"type": "Container", "maxLimitRequestRatio": {"cpu": "2"}})))
    assert (
        msg
        == 'pods "x" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000'
    )


def test_several_errors_are_aggregated():
    c = {
        "name": "x",
        "image": "x",
        "resources": {"requests": {"cpu": "2", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "2Gi"}},
    }
    msg = denied(pod("x", [c]), FakeReader(limit_range({"type": "Container", "max": {"cpu": "1", "memory": "1Gi"}})))
    assert msg == (
        'pods "x" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, '
        "maximum memory usage per Container is 1Gi, but limit is 2Gi]"
    )


def test_defaults_from_max_then_pass_validation():
    out = run(pod(), FakeReader(limit_range({"type": "Container", "max": {"cpu": "1"}})))
    assert out["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "1"}


def test_pod_type_limits_sum_containers():
    cs = [
        {"name": "a", "image": "x", "resources": {"limits": {"cpu": "600m"}}},
        {"name": "b", "image": "x", "resources": {"limits": {"cpu": "600m"}}},
    ]
    msg = denied(pod("two", cs), FakeReader(limit_range({"type": "Pod", "max": {"cpu": "1"}})))
    assert msg == 'pods "two" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m'


def test_pvc_storage_bounds():
    pvc = {
        "metadata": {"name": "data", "namespace": "default"},
        "spec": {"resources": {"requests": {"storage": "20Gi"}}},
    }
    lr = limit_range({"type": "PersistentVolumeClaim", "max": {"storage": "10Gi"}, "min": {"storage": "1Gi"}})
    assert denied(pvc, FakeReader(lr), resource="persistentvolumeclaims") == (
        'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi'
    )


def test_pod_updates_and_other_namespaces_are_left_alone():
    reader = FakeReader(limit_range(DEFAULTS, ns="prod"))
    out = run(pod(), reader)
    assert "resources" not in out["spec"]["containers"][0]
    reader = FakeReader(limit_range({"type": "Container", "max": {"cpu": "1"}}))
    p = pod()
    assert run(p, reader, op="UPDATE", old=p) is p
    assert "resources" not in p["spec"]["containers"][0]
