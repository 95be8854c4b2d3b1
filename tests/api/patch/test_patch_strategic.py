"""Strategic merge patch as kube-apiserver applies it, with the v1.37 merge keys and strategies.

Expected results were checked against ``kubectl 1.37 patch --local --type strategic`` (which runs the
same apimachinery code); cases follow the themes of strategicpatch/patch_test.go.
"""

from __future__ import annotations

import copy

import pytest

from ktui.api.patch import PatchError, apply_strategic_merge_patch, field_meta, schema_for


def C(name, **kw):
    return {"name": name, "image": "i", **kw}


POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "p",
        "labels": {"a": "1", "b": "2"},
        "finalizers": ["x", "y"],
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "r", "uid": "u1"}],
    },
    "spec": {
        "containers": [
            C(
                "a",
                env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                ports=[{"containerPort": 80}, {"containerPort": 443}],
            ),
            C("b"),
            C("c"),
        ],
        "tolerations": [{"key": "k", "operator": "Exists"}],
        "volumes": [{"name": "v1", "emptyDir": {}}, {"name": "v2", "configMap": {"name": "cm"}}],
    },
    "status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "PodScheduled", "status": "True"}]},
}


def _names(items, key="name"):
    return [i[key] for i in items]


# (id, patch, path into the result, expected)
POD_CASES = [
    (
        "new container goes first (no $setElementOrder)",
        {"spec": {"containers": [{"name": "d", "image": "j"}]}},
        ("spec", "containers"),
        None,
    ),
    (
        "$patch delete in list",
        {"spec": {"containers": [{"name": "b", "$patch": "delete"}]}},
        ("spec", "containers"),
        ["a", "c"],
    ),
    (
        "$patch delete of absent item is a no-op",
        {"spec": {"containers": [{"name": "q", "$patch": "delete"}]}},
        ("spec", "containers"),
        ["a", "b", "c"],
    ),
    (
        "$patch replace in list",
        {"spec": {"containers": [{"name": "z", "image": "q"}, {"$patch": "replace"}]}},
        ("spec", "containers"),
        [{"name": "z", "image": "q"}],
    ),
    (
        "delete all then add",
        {"spec": {"containers": [{"name": n, "$patch": "delete"} for n in "abc"] + [{"name": "n", "image": "n"}]}},
        ("spec", "containers"),
        ["n"],
    ),
    (
        "env merges by name",
        {"spec": {"containers": [{"name": "a", "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]}]}},
        ("spec", "containers", 0, "env"),
        [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}, {"name": "C", "value": "4"}],
    ),
    (
        "env delete directive",
        {"spec": {"containers": [{"name": "a", "env": [{"name": "A", "$patch": "delete"}]}]}},
        ("spec", "containers", 0, "env"),
        [{"name": "B", "value": "2"}],
    ),
    (
        "ports merge by containerPort",
        {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 443, "name": "https"}]}]}},
        ("spec", "containers", 0, "ports"),
        [{"containerPort": 80}, {"containerPort": 443, "name": "https"}],
    ),
    (
        "tolerations are atomic",
        {"spec": {"tolerations": [{"key": "z", "operator": "Exists"}]}},
        ("spec", "tolerations"),
        [{"key": "z", "operator": "Exists"}],
    ),
    (
        "null deletes a key",
        {"metadata": {"labels": {"a": None, "c": "3"}}},
        ("metadata", "labels"),
        {"b": "2", "c": "3"},
    ),
    (
        "map $patch replace",
        {"metadata": {"labels": {"$patch": "replace", "z": "1"}}},
        ("metadata", "labels"),
        {"z": "1"},
    ),
    ("map $patch delete", {"metadata": {"labels": {"$patch": "delete"}}}, ("metadata", "labels"), {}),
    (
        "finalizers merge as a set",
        {"metadata": {"finalizers": ["z", "x"]}},
        ("metadata", "finalizers"),
        ["z", "x", "y"],
    ),
    (
        "$deleteFromPrimitiveList",
        {"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}},
        ("metadata", "finalizers"),
        ["y"],
    ),
    (
        "add and delete primitives",
        {"metadata": {"finalizers": ["y2"], "$deleteFromPrimitiveList/finalizers": ["x"]}},
        ("metadata", "finalizers"),
        ["y2", "y"],
    ),
    (
        "$setElementOrder of primitives",
        {"metadata": {"$setElementOrder/finalizers": ["y", "z", "x"], "finalizers": ["z"]}},
        ("metadata", "finalizers"),
        ["y", "z", "x"],
    ),
    (
        "$setElementOrder alone reorders",
        {"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}]}},
        ("spec", "containers"),
        ["c", "a", "b"],
    ),
    (
        "$setElementOrder places a new item",
        {
            "spec": {
                "$setElementOrder/containers": [{"name": "c"}, {"name": "n"}, {"name": "a"}, {"name": "b"}],
                "containers": [{"name": "n", "image": "x"}],
            }
        },
        ("spec", "containers"),
        ["c", "n", "a", "b"],
    ),
    (
        "$retainKeys clears the other volume source",
        {"spec": {"volumes": [{"name": "v2", "$retainKeys": ["name", "secret"], "secret": {"secretName": "s"}}]}},
        ("spec", "volumes", 1),
        {"name": "v2", "secret": {"secretName": "s"}},
    ),
    (
        "status conditions merge by type",
        {"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
        ("status", "conditions"),
        [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}],
    ),
    (
        "ownerReferences merge by uid",
        {"metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "x", "uid": "u2"}]}},
        ("metadata", "ownerReferences"),
        ["u2", "u1"],
    ),
    (
        "a new list is taken with directives removed",
        {"spec": {"initContainers": [{"name": "x", "image": "i"}, {"name": "y", "$patch": "delete"}]}},
        ("spec", "initContainers"),
        [{"name": "x", "image": "i"}],
    ),
    (
        "a new map carrying $patch is dropped",
        {"spec": {"securityContext": {"runAsUser": 1, "$patch": "replace"}}},
        ("spec",),
        None,
    ),
    (
        "nulls in a new map are discarded",
        {"spec": {"securityContext": {"runAsUser": None, "runAsGroup": 2}}},
        ("spec", "securityContext"),
        {"runAsGroup": 2},
    ),
    (
        "a type change replaces",
        {"spec": {"containers": [{"name": "a", "args": {"x": None, "y": 1}}]}},
        ("spec", "containers", 0, "args"),
        {"y": 1},
    ),
    # Go keeps the delete item verbatim (a typed decode would read it as an env var X); ktui drops it.
    (
        "new item keeps no directive",
        {
            "spec": {
                "containers": [
                    {
                        "name": "n",
                        "image": "i",
                        "env": [{"name": "X", "$patch": "delete"}, {"name": "Y", "value": None}],
                    }
                ]
            }
        },
        ("spec", "containers", 0),
        {"name": "n", "image": "i", "env": [{"name": "Y"}]},
    ),
    (
        "top-level $retainKeys",
        {"spec": {"$retainKeys": ["containers"], "containers": [{"name": "a", "image": "n"}]}},
        ("spec",),
        None,
    ),
]


@pytest.mark.parametrize("patch,path,expected", [c[1:] for c in POD_CASES], ids=[c[0] for c in POD_CASES])
def test_pod(patch, path, expected):
    before, patch_before = copy.deepcopy(POD), copy.deepcopy(patch)
    out = apply_strategic_merge_patch(POD, patch, "Pod")
    assert POD == before and patch == patch_before
    value = out
    for part in path:
        value = value[part]
    if expected is None:
        return
    if isinstance(expected, list) and expected and isinstance(expected[0], str) and isinstance(value[0], dict):
        value = _names(value, "uid" if path[-1] == "ownerReferences" else "name")
    assert value == expected


def test_pod_special_shapes():
    out = apply_strategic_merge_patch(POD, {"spec": {"containers": [{"name": "d", "image": "j"}]}}, "Pod")
    assert _names(out["spec"]["containers"]) == ["d", "a", "b", "c"]
    out = apply_strategic_merge_patch(POD, {"spec": {"securityContext": {"runAsUser": 1, "$patch": "replace"}}}, "Pod")
    assert "securityContext" not in out["spec"]
    out = apply_strategic_merge_patch(
        POD, {"spec": {"$retainKeys": ["containers"], "containers": [{"name": "a", "image": "n"}]}}, "Pod"
    )
    assert list(out["spec"]) == ["containers"] and out["spec"]["containers"][0]["image"] == "n"


def test_deployment_template_and_strategy():
    dep = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {
                "metadata": {"labels": {"a": "b"}},
                "spec": {"containers": [C("a", env=[{"name": "A", "value": "1"}]), C("b")]},
            },
        },
    }
    out = apply_strategic_merge_patch(
        dep,
        {
            "spec": {
                "strategy": {"$retainKeys": ["type"], "type": "Recreate"},
                "template": {"spec": {"containers": [{"name": "a", "env": [{"name": "X", "value": "y"}]}]}},
            }
        },
        "Deployment",
    )
    assert out["spec"]["strategy"] == {"type": "Recreate"}
    assert out["spec"]["template"]["spec"]["containers"][0]["env"] == [
        {"name": "X", "value": "y"},
        {"name": "A", "value": "1"},
    ]
    assert _names(out["spec"]["template"]["spec"]["containers"]) == ["a", "b"]


@pytest.mark.parametrize("kind", ["ReplicaSet", "ReplicationController", "DaemonSet", "StatefulSet", "Job"])
def test_pod_templates_in_workloads(kind):
    obj = {"kind": kind, "spec": {"template": {"spec": {"containers": [C("a"), C("b")]}}}}
    out = apply_strategic_merge_patch(
        obj, {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "new"}]}}}}, kind
    )
    assert out["spec"]["template"]["spec"]["containers"] == [C("a"), {"name": "b", "image": "new"}]


def test_cronjob_job_template():
    cj = {
        "kind": "CronJob",
        "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [C("a"), C("b")]}}}}},
    }
    out = apply_strategic_merge_patch(
        cj,
        {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "new"}]}}}}}},
        "CronJob",
    )
    assert out["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"] == [
        {"name": "a", "image": "new"},
        C("b"),
    ]


def test_service_ports_merge_by_port():
    svc = {"kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}}
    out = apply_strategic_merge_patch(
        svc, {"spec": {"ports": [{"port": 80, "targetPort": 9090}, {"port": 53, "protocol": "UDP"}]}}, "Service"
    )
    assert out["spec"]["ports"] == [{"port": 80, "targetPort": 9090}, {"port": 53, "protocol": "UDP"}, {"port": 443}]


def test_node_taints_atomic_addresses_and_cidrs_merge():
    node = {
        "kind": "Node",
        "spec": {"taints": [{"key": "a", "effect": "NoSchedule"}], "podCIDRs": ["10.0.0.0/24"]},
        "status": {
            "addresses": [{"type": "InternalIP", "address": "1.2.3.4"}, {"type": "Hostname", "address": "n"}],
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }
    out = apply_strategic_merge_patch(
        node,
        {
            "spec": {"taints": [{"key": "b", "effect": "NoExecute"}], "podCIDRs": ["10.0.1.0/24"]},
            "status": {
                "addresses": [{"type": "ExternalIP", "address": "5.6.7.8"}],
                "conditions": [{"type": "Ready", "status": "Unknown"}],
            },
        },
        "Node",
    )
    assert out["spec"]["taints"] == [{"key": "b", "effect": "NoExecute"}]
    assert out["spec"]["podCIDRs"] == ["10.0.1.0/24", "10.0.0.0/24"]
    assert _names(out["status"]["addresses"], "type") == ["ExternalIP", "InternalIP", "Hostname"]
    assert out["status"]["conditions"] == [{"type": "Ready", "status": "Unknown"}]


@pytest.mark.parametrize("kind", ["ConfigMap", "Secret", "Endpoints", "Event", "Namespace", "Widget"])
def test_maps_merge_and_lists_replace(kind):
    obj = {"kind": kind, "data": {"a": "1", "b": "2"}, "subsets": [{"addresses": [{"ip": "1.1.1.1"}]}]}
    out = apply_strategic_merge_patch(
        obj, {"data": {"a": None, "c": "3"}, "subsets": [{"addresses": [{"ip": "2.2.2.2"}]}]}, kind
    )
    assert out["data"] == {"b": "2", "c": "3"}
    assert out["subsets"] == [{"addresses": [{"ip": "2.2.2.2"}]}]


def test_unknown_kind_replaces_finalizers_known_kind_merges_them():
    obj = {"metadata": {"finalizers": ["a"]}}
    assert apply_strategic_merge_patch(obj, {"metadata": {"finalizers": ["b"]}}, "Widget")["metadata"] == {
        "finalizers": ["b"]
    }
    assert apply_strategic_merge_patch(obj, {"metadata": {"finalizers": ["b"]}}, "ConfigMap")["metadata"] == {
        "finalizers": ["b", "a"]
    }


# (id, patch, code, message)
ERROR_CASES = [
    (
        "unknown map directive",
        {"metadata": {"labels": {"$patch": "foo"}}},
        500,
        "unknown patch type: foo in map: map[$patch:foo]",
    ),
    (
        "merge directive in a list",
        {"spec": {"containers": [{"name": "a", "$patch": "merge"}]}},
        500,
        "merging lists cannot yet be specified in the patch",
    ),
    (
        "missing merge key",
        {"spec": {"containers": [{"image": "zz"}]}},
        500,
        "map: map[image:zz] does not contain declared merge key: name",
    ),
    (
        "field outside $retainKeys",
        {"spec": {"volumes": [{"name": "v2", "$retainKeys": ["name"], "secret": {"secretName": "s"}}]}},
        400,
        "invalid patch format of retainKeys",
    ),
    (
        "bad $deleteFromPrimitiveList key",
        {"metadata": {"$deleteFromPrimitiveListfinalizers": ["x"]}},
        400,
        "invalid patch format of primitive list",
    ),
    (
        "bad $setElementOrder key",
        {"metadata": {"$setElementOrderfinalizers": ["x"]}},
        400,
        "invalid patch format of setElementOrder list",
    ),
    (
        "order does not match",
        {"spec": {"$setElementOrder/containers": [{"name": "a"}], "containers": [{"name": "b", "image": "q"}]}},
        500,
        "The order in patch list:\n[map[image:q name:b]]\n doesn't match $setElementOrder list:\n[map[name:a]]\n",
    ),
]


@pytest.mark.parametrize("patch,code,message", [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])
def test_errors(patch, code, message):
    with pytest.raises(PatchError) as info:
        apply_strategic_merge_patch(POD, patch, "Pod")
    assert (info.value.code, str(info.value)) == (code, message)


def test_list_of_lists_is_rejected_with_422():
    with pytest.raises(PatchError) as info:
        apply_strategic_merge_patch({"metadata": {"finalizers": [["a"]]}}, {"metadata": {"finalizers": [["b"]]}}, "Pod")
    assert info.value.code == 422 and info.value.detail == "lists of lists are not supported"


def test_schema_lookup():
    assert field_meta("Pod", "spec.containers").merge_key == "name"
    assert field_meta("Deployment", "spec.template.spec.containers.env").merge_key == "name"
    assert field_meta("Pod", "spec.containers.ports").merge_key == "containerPort"
    assert field_meta("Service", "spec.ports").merge_key == "port"
    assert field_meta("Pod", "spec.containers.volumeMounts").merge_key == "mountPath"
    assert field_meta("Pod", "spec.volumes").retain_keys and field_meta("Pod", "spec.volumes").merge_key == "name"
    assert field_meta("Pod", "spec.hostAliases").merge_key == "ip"
    assert field_meta("Pod", "spec.topologySpreadConstraints").merge_key == "topologyKey"
    assert field_meta("Pod", "metadata.ownerReferences").merge_key == "uid"
    assert field_meta("Pod", "metadata.finalizers").strategy == "merge"
    assert field_meta("Pod", "spec.tolerations").strategy == ""
    assert field_meta("Node", "spec.taints").strategy == ""
    assert field_meta("Node", "status.addresses").merge_key == "type"
    assert field_meta("CronJob", "spec.jobTemplate.spec.template.spec.initContainers").merge_key == "name"
    assert field_meta("Deployment", "spec.strategy").retain_keys
    assert schema_for("Widget") == {}
