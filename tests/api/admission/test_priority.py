"""Priority admission: a pod's priority comes from its PriorityClass, the global default, or 0."""

import pytest

from ktui.api.admission.priority import PriorityAdmission
from ktui.api.errors import ApiError

from tests.api.admission.conftest import Reader, pod, request


def priority_class(name: str, value: int, **extra) -> tuple[str, dict]:
    return (
        "priorityclasses",
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": name},
            "value": value,
            **extra,
        },
    )


def admitted(obj: dict, reader: Reader, **kw) -> dict:
    req = request("pods", obj, reader, **kw)
    plugin = PriorityAdmission()
    plugin.admit(req)
    plugin.validate(req)
    return req.obj["spec"]


def test_a_named_class_gives_its_value_and_preemption_policy():
    reader = Reader(priority_class("high", 1000, preemptionPolicy="Never"))
    spec = admitted(pod(priorityClassName="high"), reader)
    assert (spec["priority"], spec["preemptionPolicy"]) == (1000, "Never")


def test_the_system_classes_need_no_object():
    assert admitted(pod(priorityClassName="system-node-critical"), Reader())["priority"] == 2000001000
    assert admitted(pod(priorityClassName="system-cluster-critical"), Reader())["priority"] == 2000000000


def test_a_missing_class_is_forbidden_with_the_real_message():
    with pytest.raises(ApiError) as e:
        admitted(pod(priorityClassName="gold"), Reader())
    assert (e.value.code, e.value.message) == (
        403,
        'pods "web" is forbidden: no PriorityClass with name gold was found',
    )


def test_without_a_class_the_global_default_applies_else_zero():
    reader = Reader(priority_class("low", 10), priority_class("normal", 100, globalDefault=True))
    spec = admitted(pod(), reader)
    assert (spec["priorityClassName"], spec["priority"]) == ("normal", 100)
    spec = admitted(pod(), Reader(priority_class("low", 10)))
    assert spec["priority"] == 0 and "priorityClassName" not in spec


def test_updates_are_left_alone():
    spec = admitted(pod(), Reader(priority_class("normal", 100, globalDefault=True)), operation="UPDATE", old=pod())
    assert "priority" not in spec
