"""The write paths' shortcuts answer exactly as the full pipeline: a */status update whose metadata and spec
are the stored object's own (a client that read without a copy) is not decoded or spec-checked again, yet
every answer, error message and warning is the one a copied body gets."""

from __future__ import annotations

import json

import pytest

from ktui.api.errors import ApiError
from ktui.api.objects import copy_json
from ktui.clusterspec import normalize_spec
from ktui.world import build_world


def _world():
    world = build_world(normalize_spec({"nodes": []}))
    api = world.client()
    warnings: list[str] = []
    api.warning_handler = warnings.append
    api.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "a", "namespace": "default", "labels": {"run": "a"}},
            "spec": {"containers": [{"name": "a", "image": "nginx", "resources": {"requests": {"cpu": "100m"}}}]},
        },
    )
    api.create(
        "pods",
        {"kind": "Binding", "metadata": {"name": "a"}, "target": {"name": "node01"}},
        namespace="default",
        subresource="binding",
        name="a",
    )
    return world, api, warnings


def _outcome(api, warnings, body, **kw) -> tuple:
    warnings.clear()
    try:
        answer = api.update("pods", body, namespace="default", subresource="status", **kw)
    except ApiError as e:
        return ("error", e.code, str(e), list(warnings))
    stored = api.get("pods", "a")
    return ("ok", json.dumps(answer), json.dumps(stored), list(warnings))


STATUSES = [
    {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": None}]},
    {"phase": 5},  # a type error: 400 with Go's words
    {"phase": "Running", "bogus": 1},  # an unknown field: a warning (or 400 under Strict)
    {"conditions": [{"type": "Ready", "lastTransitionTime": "yesterday"}]},  # a bad timestamp
    {"containerStatuses": [{"name": "a", "restartCount": "x"}]},
]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("field_validation", [None, "Strict"])
def test_status_update_sharing_the_stored_parts_answers_as_a_copied_body(status, field_validation):
    results = []
    for shared_parts in (True, False):
        world, api, warnings = _world()
        stored = api.get("pods", "a", namespace="default", shared=True)
        body = {**stored, "status": status}
        assert body["spec"] is world.store.get("/registry/pods/default/a").value["spec"]
        if not shared_parts:
            body = copy_json(body)
        results.append(_outcome(api, warnings, body, field_validation=field_validation))
    assert results[0] == results[1]


def test_stale_or_misnamed_status_updates_fail_alike():
    for change in ({"resourceVersion": "1"}, {"name": ""}, {"namespace": "other"}):
        results = []
        for shared_parts in (True, False):
            world, api, warnings = _world()
            stored = api.get("pods", "a", namespace="default", shared=True)
            body = {**stored, "metadata": {**stored["metadata"], **change}, "status": {"phase": "Running"}}
            if not shared_parts:
                body = {
                    **copy_json(stored),
                    "metadata": {**stored["metadata"], **change},
                    "status": {"phase": "Running"},
                }
            results.append(_outcome(api, warnings, body))
        assert results[0] == results[1]
        assert results[0][0] == "error"


def test_a_spec_written_around_the_api_is_still_checked_on_a_status_update():
    for shared_parts in (True, False):
        world, api, warnings = _world()
        key = "/registry/pods/default/a"
        kv = world.store.get(key)
        bad = copy_json(kv.value)
        bad["spec"]["containers"][0]["name"] = "Not_A_Label"
        world.store.update(key, bad, expected_mod_revision=kv.mod_revision)
        world.kernel.advance(1)
        stored = api.get("pods", "a", namespace="default", shared=True)
        body = {**stored, "status": {"phase": "Running"}}
        if not shared_parts:
            body = copy_json(body)
        outcome = _outcome(api, warnings, body)
        assert outcome[0] == "error" and outcome[1] == 422
        assert 'spec.containers[0].name: Invalid value: "Not_A_Label"' in outcome[2]


def test_repeated_status_updates_keep_checking_what_changed():
    world, api, warnings = _world()
    for phase in ("Pending", "Running", "Running"):
        stored = api.get("pods", "a", namespace="default", shared=True)
        answer = api.update("pods", {**stored, "status": {"phase": phase}}, namespace="default", subresource="status")
        assert answer["status"] == {"phase": phase}
        assert answer["spec"] == stored["spec"]
    stored = api.get("pods", "a", namespace="default", shared=True)
    with pytest.raises(ApiError) as e:
        api.update("pods", {**stored, "status": {"phase": []}}, namespace="default", subresource="status")
    assert e.value.code == 400
    assert api.get("pods", "a", namespace="default")["status"] == {"phase": "Running"}


def test_single_field_getters_agree_with_the_whole_field_set():
    from ktui.api.fields import FIELD_GETTERS, parse_field_selector, selectable_fields
    from ktui.api.object_rules import Matcher

    pods = [
        {"kind": "Pod", "metadata": {"name": "a", "namespace": "n"}, "spec": {"nodeName": "w1"}, "status": {}},
        {"kind": "Pod", "metadata": {"name": "b"}, "spec": {"schedulerName": "x"}, "status": {"phase": "Running"}},
        {"kind": "Pod", "metadata": {}, "spec": None, "status": None},
        {"kind": "Pod", "metadata": {"name": "c", "namespace": "n"}, "spec": {"nodeName": None}},
    ]
    for p in pods:
        fields = selectable_fields(p)
        for (kind, field), get in FIELD_GETTERS.items():
            assert kind == "Pod" and get(p) == fields[field]
        for text in (
            "spec.nodeName=w1",
            "spec.nodeName!=w1",
            "status.phase!=Running,spec.nodeName=",
            "metadata.name=a",
        ):
            sel = parse_field_selector(text)
            assert Matcher(None, sel)(p) == sel.matches(fields), (text, p)


def test_tolerations_written_around_the_api_are_still_checked_and_a_valid_spec_s_are_not_changed():
    outcomes = []
    for shared_parts in (True, False):
        world, api, warnings = _world()
        key = "/registry/pods/default/a"
        kv = world.store.get(key)
        bad = copy_json(kv.value)
        bad["spec"]["tolerations"].append({"key": "k", "operator": "Exists", "value": "v"})
        world.store.update(key, bad, expected_mod_revision=kv.mod_revision)
        world.kernel.advance(1)
        stored = api.get("pods", "a", namespace="default", shared=True)
        body = {**stored, "status": {"phase": "Running"}}
        outcomes.append(_outcome(api, warnings, body if shared_parts else copy_json(body)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][:2] == ("error", 422)
    assert "spec.tolerations[2].operator: Invalid value: " in outcomes[0][2]
    world, api, warnings = _world()
    stored = api.get("pods", "a", namespace="default", shared=True)
    body = {**stored, "status": {"phase": "Running"}}
    assert _outcome(api, warnings, body)[0] == "ok"
    stored = api.get("pods", "a", namespace="default", shared=True)
    changed = {**stored["spec"], "tolerations": stored["spec"]["tolerations"][:1]}
    outcome = _outcome(api, warnings, {**stored, "spec": changed, "status": {"phase": "Pending"}})
    assert outcome[:2] == ("ok", outcome[1])  # a */status update keeps the stored spec whatever the body says
    assert json.loads(outcome[2])["spec"]["tolerations"] == stored["spec"]["tolerations"]


def test_one_field_selector_gives_each_kind_s_answer_in_any_order_of_objects():
    from ktui.api.fields import parse_field_selector, selectable_fields
    from ktui.api.object_rules import Matcher

    objects = [
        {"kind": "Pod", "metadata": {"name": "a", "namespace": "n"}, "spec": {"nodeName": "w1"}, "status": {}},
        {"kind": "Event", "metadata": {"name": "a", "namespace": "n"}, "involvedObject": {"name": "a"}},
        {"kind": "Pod", "metadata": {"name": "b", "namespace": "n"}, "spec": {"nodeName": ""}, "status": {}},
        {"kind": "Event", "metadata": {"name": "b", "namespace": "n"}, "involvedObject": {"name": "x"}},
        {"kind": "Pod", "metadata": {"name": "a", "namespace": "n"}, "spec": "not a dict", "status": []},
    ]
    for text in ("metadata.name=a", "metadata.name!=a,metadata.namespace=n", "spec.nodeName=w1"):
        sel = parse_field_selector(text)
        matcher = Matcher(None, sel)
        for order in (objects, objects[::-1], objects + objects):
            got = [matcher(o) for o in order]
            assert got == [sel.matches(selectable_fields(o)) for o in order], text


@pytest.mark.parametrize("node", ["node01", "Not_A_Node"])
def test_a_status_update_after_a_binding_checks_the_node_name_the_binding_set(node):
    outcomes = []
    for shared_parts in (True, False):
        world = build_world(normalize_spec({"nodes": []}))
        api = world.client()
        body = {
            "metadata": {"name": "b", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "x"}]},
        }
        api.create("pods", body)
        binding = {"kind": "Binding", "metadata": {"name": "b"}, "target": {"name": node}}
        api.create("pods", binding, namespace="default", subresource="binding", name="b")
        stored = api.get("pods", "b", namespace="default", shared=True)
        status = {"phase": "Pending"}
        body = {**stored, "status": status} if shared_parts else copy_json({**stored, "status": status})
        try:
            out = api.update("pods", body, namespace="default", subresource="status")
            outcomes.append(("ok", out["spec"]["nodeName"], out["status"]))
        except ApiError as e:
            outcomes.append(("error", e.code, str(e)))
    assert outcomes[0] == outcomes[1]
    if node == "node01":
        assert outcomes[0] == ("ok", "node01", {"phase": "Pending"})
    else:
        assert outcomes[0][:2] == ("error", 422)
        assert 'spec.nodeName: Invalid value: "Not_A_Node"' in outcomes[0][2]
