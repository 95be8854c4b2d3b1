"""kubectl apply's patches: the two-way and three-way strategic merge patch (CreateThreeWayMergePatch)."""

from __future__ import annotations

import copy

from hypothesis import given, settings, strategies as st

from ktui.api.patch import apply_strategic_merge_patch, create_two_way_merge_patch, three_way_merge


def C(name, **kw):
    return {"name": name, "image": "i", **kw}


def pod(labels=None, containers=None, **spec):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "labels": labels or {}},
        "spec": {"containers": containers or [], **spec},
    }


def test_kubectl_apply_story():
    last_applied = pod(
        {"app": "web", "tier": "web"}, [C("web", env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])]
    )
    new_file = pod({"app": "web"}, [C("web", env=[{"name": "B", "value": "2"}])])
    live = copy.deepcopy(last_applied)
    live["metadata"]["labels"]["extra"] = "x"  # added by someone else
    live["spec"]["nodeName"] = "node-1"  # set by the scheduler
    live["status"] = {"phase": "Running"}
    inputs = copy.deepcopy((last_applied, new_file, live))

    patch = three_way_merge(last_applied, new_file, live, "Pod")
    assert patch == {
        "metadata": {"labels": {"tier": None}},
        "spec": {
            "$setElementOrder/containers": [{"name": "web"}],
            "containers": [
                {"name": "web", "$setElementOrder/env": [{"name": "B"}], "env": [{"name": "A", "$patch": "delete"}]}
            ],
        },
    }
    result = apply_strategic_merge_patch(live, patch, "Pod")
    assert result["metadata"]["labels"] == {"app": "web", "extra": "x"}
    assert result["spec"]["containers"] == [C("web", env=[{"name": "B", "value": "2"}])]
    assert result["spec"]["nodeName"] == "node-1" and result["status"] == {"phase": "Running"}
    assert (last_applied, new_file, live) == inputs


def test_changed_field_is_set_and_live_only_fields_are_kept():
    last = pod({"app": "web"}, [C("web")])
    new = pod({"app": "web"}, [C("web", image="v2")])
    live = pod({"app": "web"}, [C("web", imagePullPolicy="Always"), C("sidecar")])
    patch = three_way_merge(last, new, live, "Pod")
    assert patch == {
        "spec": {"$setElementOrder/containers": [{"name": "web"}], "containers": [{"name": "web", "image": "v2"}]}
    }
    out = apply_strategic_merge_patch(live, patch, "Pod")
    assert out["spec"]["containers"] == [C("web", image="v2", imagePullPolicy="Always"), C("sidecar")]


def test_drift_in_applied_field_is_reverted():
    last = pod({"app": "web", "tier": "a"})
    live = pod({"app": "web", "tier": "b"})
    assert three_way_merge(last, last, live, "Pod") == {"metadata": {"labels": {"tier": "a"}}}


def test_nothing_to_do():
    obj = pod({"app": "web"}, [C("web")])
    assert three_way_merge(obj, obj, obj, "Pod") == {}
    assert create_two_way_merge_patch(obj, obj, "Pod") == {}


def test_without_last_applied_nothing_is_deleted():
    live = pod({"app": "web", "tier": "web"}, [C("web"), C("sidecar")])
    patch = three_way_merge(None, pod({"app": "web"}, [C("web")]), live, "Pod")
    assert patch == {"spec": {"$setElementOrder/containers": [{"name": "web"}]}}  # order differs, contents do not
    assert apply_strategic_merge_patch(live, patch, "Pod") == live


def test_primitive_list_deletion():
    def meta(finalizers):
        return {"kind": "ConfigMap", "metadata": {"name": "c", "finalizers": finalizers}}

    patch = three_way_merge(meta(["x", "y"]), meta(["x"]), meta(["x", "y", "z"]), "ConfigMap")
    assert patch == {"metadata": {"$setElementOrder/finalizers": ["x"], "$deleteFromPrimitiveList/finalizers": ["y"]}}
    out = apply_strategic_merge_patch(meta(["x", "y", "z"]), patch, "ConfigMap")
    assert out["metadata"]["finalizers"] == ["x", "z"]


def test_removed_container_and_port():
    last = pod(containers=[C("a", ports=[{"containerPort": 80}, {"containerPort": 81}]), C("b")])
    new = pod(containers=[C("a", ports=[{"containerPort": 80}])])
    patch = three_way_merge(last, new, last, "Pod")
    assert patch["spec"]["containers"] == [
        {
            "name": "a",
            "$setElementOrder/ports": [{"containerPort": 80}],
            "ports": [{"containerPort": 81, "$patch": "delete"}],
        },
        {"name": "b", "$patch": "delete"},
    ]
    assert apply_strategic_merge_patch(last, patch, "Pod") == new


def test_volume_source_switch_uses_retain_keys():
    last = pod(containers=[C("a")], volumes=[{"name": "v", "emptyDir": {}}])
    new = pod(containers=[C("a")], volumes=[{"name": "v", "configMap": {"name": "cm"}}])
    patch = three_way_merge(last, new, last, "Pod")
    assert patch["spec"]["volumes"] == [
        {"name": "v", "$retainKeys": ["configMap", "name"], "configMap": {"name": "cm"}, "emptyDir": None}
    ]
    assert apply_strategic_merge_patch(last, patch, "Pod")["spec"]["volumes"] == new["spec"]["volumes"]


def test_deployment_strategy_retain_keys_drops_server_defaults():
    def dep(strategy):
        return {"kind": "Deployment", "spec": {"strategy": strategy}}

    live = dep({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
    patch = three_way_merge(dep({"type": "RollingUpdate"}), dep({"type": "Recreate"}), live, "Deployment")
    assert patch == {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert apply_strategic_merge_patch(live, patch, "Deployment")["spec"]["strategy"] == {"type": "Recreate"}


def test_atomic_list_is_sent_whole():
    last = pod(containers=[C("a")], tolerations=[{"key": "a"}])
    new = pod(containers=[C("a")], tolerations=[{"key": "a"}, {"key": "b"}])
    patch = three_way_merge(last, new, last, "Pod")
    assert patch == {"spec": {"tolerations": [{"key": "a"}, {"key": "b"}]}}


def test_two_way_reorders_with_set_element_order():
    old = pod(containers=[C("a"), C("b")])
    new = pod(containers=[C("b"), C("a")])
    assert create_two_way_merge_patch(old, new, "Pod") == {
        "spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}
    }
    assert apply_strategic_merge_patch(old, create_two_way_merge_patch(old, new, "Pod"), "Pod") == new


# ---- properties over pod-like objects ----

_NAMES = st.sampled_from(["a", "b", "c", "d"])
_env = st.lists(
    st.builds(lambda n, v: {"name": n, "value": v}, _NAMES, st.sampled_from(["1", "2"])),
    max_size=3,
    unique_by=lambda e: e["name"],
)


@st.composite
def _containers(draw):
    names = draw(st.lists(_NAMES, max_size=3, unique=True))
    out = []
    for name in names:
        c = {"name": name, "image": draw(st.sampled_from(["i", "j"]))}
        env = draw(st.none() | _env)
        if env is not None:
            c["env"] = env
        out.append(c)
    return out


@st.composite
def _pods(draw):
    obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "labels": draw(st.dictionaries(_NAMES, st.sampled_from(["x", "y"]), max_size=3))},
        "spec": {"containers": draw(_containers())},
    }
    finalizers = draw(st.none() | st.lists(_NAMES, max_size=3, unique=True))
    if finalizers is not None:
        obj["metadata"]["finalizers"] = finalizers
    return obj


def _by_name(items):
    return {i["name"]: i for i in items}


def _check_contains(result, mod):
    """Every field of ``mod`` is in ``result`` (merging lists by name, finalizers as a set)."""
    assert {k: result["metadata"]["labels"].get(k) for k in mod["metadata"]["labels"]} == mod["metadata"]["labels"]
    assert set(mod["metadata"].get("finalizers", [])) <= set(result["metadata"].get("finalizers", []))
    live = _by_name(result["spec"]["containers"])
    for c in mod["spec"]["containers"]:
        assert live[c["name"]]["image"] == c["image"]
        got = _by_name(live[c["name"]].get("env", []))
        for e in c.get("env", []):
            assert got[e["name"]] == e


def _check_removed(result, orig, mod):
    """No field that ``orig`` had and ``mod`` dropped survives."""
    for key in set(orig["metadata"]["labels"]) - set(mod["metadata"]["labels"]):
        assert key not in result["metadata"]["labels"]
    dropped = set(orig["metadata"].get("finalizers", [])) - set(mod["metadata"].get("finalizers", []))
    if "finalizers" in orig["metadata"] and "finalizers" in mod["metadata"]:
        assert not dropped & set(result["metadata"].get("finalizers", []))
    elif "finalizers" in orig["metadata"]:
        assert "finalizers" not in result["metadata"]
    live = _by_name(result["spec"]["containers"])
    mod_containers = _by_name(mod["spec"]["containers"])
    for c in orig["spec"]["containers"]:
        if c["name"] not in mod_containers:
            assert c["name"] not in live
            continue
        kept = {e["name"] for e in mod_containers[c["name"]].get("env", [])}
        if "env" not in mod_containers[c["name"]] and "env" in c:
            assert "env" not in live[c["name"]]
        for e in c.get("env", []):
            if e["name"] not in kept:
                assert e["name"] not in _by_name(live[c["name"]].get("env", []))


@settings(max_examples=300)
@given(_pods(), _pods(), _pods())
def test_three_way_property(orig, mod, current):
    before = copy.deepcopy((orig, mod, current))
    patch = three_way_merge(orig, mod, current, "Pod")
    result = apply_strategic_merge_patch(current, patch, "Pod")
    _check_contains(result, mod)
    _check_removed(result, orig, mod)
    assert (orig, mod, current) == before


@settings(max_examples=300)
@given(_pods(), _pods())
def test_two_way_round_trip(orig, mod):
    patch = create_two_way_merge_patch(orig, mod, "Pod")
    assert apply_strategic_merge_patch(orig, patch, "Pod") == mod


@given(_pods(), _pods())
def test_applying_again_changes_nothing(orig, mod):
    """kubectl apply twice: the second patch, against the result of the first, is a no-op."""
    current = apply_strategic_merge_patch(orig, three_way_merge(orig, mod, orig, "Pod"), "Pod")
    again = apply_strategic_merge_patch(current, three_way_merge(mod, mod, current, "Pod"), "Pod")
    assert again == current
