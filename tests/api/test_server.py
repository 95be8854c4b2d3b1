"""The API server pipeline seen through clients: metadata, verbs, errors as Status, watches."""

import pytest

from ktui import ApiError, Cluster

from tests.conftest import pod


def test_create_fills_metadata_from_the_simulated_clock_and_seeded_rng(cluster):
    cluster.advance(5)
    p = cluster.api.create("pods", pod("nginx"))
    md = p["metadata"]
    assert md["namespace"] == "default"
    assert md["creationTimestamp"] == "2026-01-01T00:00:05Z"
    assert len(md["uid"]) == 36
    assert int(md["resourceVersion"]) > 0
    assert md["generation"] == 1
    assert p["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    assert p["spec"]["serviceAccountName"] == "default"
    assert {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    } in p["spec"]["tolerations"]


def test_same_seed_same_objects_other_seed_other_objects():
    def run(seed):
        c = Cluster({"nodes": [], "seed": seed})
        c.api.create(
            "pods", {"metadata": {"generateName": "web-"}, "spec": {"containers": [{"name": "a", "image": "nginx"}]}}
        )
        return [(p["metadata"]["name"], p["metadata"]["uid"]) for p in c.api.list("pods", "default")["items"]]

    assert run(1) == run(1)
    assert run(1) != run(2)
    assert run(1)[0][0].startswith("web-") and len(run(1)[0][0]) == len("web-") + 5


def test_resource_names_as_kubectl_knows_them(cluster):
    cluster.api.create("po", pod("a"))
    for name in ("pods", "pod", "po", "Pod"):
        assert cluster.api.get(name, "a")["metadata"]["name"] == "a"
    with pytest.raises(ApiError) as e:
        cluster.api.get("podz", "a")
    assert e.value.message == 'the server doesn\'t have a resource type "podz"'


def test_errors_are_status_objects(cluster):
    with pytest.raises(ApiError) as e:
        cluster.api.get("pods", "nope")
    assert e.value.status == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods "nope" not found',
        "reason": "NotFound",
        "details": {"name": "nope", "kind": "pods"},
        "code": 404,
    }
    cluster.api.create("pods", pod("a"))
    with pytest.raises(ApiError) as e:
        cluster.api.create("pods", pod("a"))
    assert (e.value.code, e.value.message) == (409, 'pods "a" already exists')
    with pytest.raises(ApiError) as e:
        cluster.api.get("deployments", "web")
    assert e.value.message == 'deployments.apps "web" not found'


def test_stale_update_is_a_conflict_and_changes_nothing(cluster):
    cm = cluster.api.create("configmaps", {"metadata": {"name": "c"}, "data": {"a": "1"}})
    fresh = dict(cm, data={"a": "2"})
    cluster.api.update("configmaps", fresh)
    stale = dict(cm, data={"a": "3"})
    with pytest.raises(ApiError) as e:
        cluster.api.update("configmaps", stale)
    assert e.value.code == 409
    assert e.value.message == (
        'Operation cannot be fulfilled on configmaps "c": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    assert cluster.api.get("configmaps", "c")["data"] == {"a": "2"}


def test_generation_bumps_only_on_spec_change(cluster):
    d = cluster.api.create(
        "deployments",
        {
            "metadata": {"name": "web"},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "n", "image": "nginx"}]},
                },
            },
        },
    )
    assert d["metadata"]["generation"] == 1
    d = cluster.api.patch("deployments", "web", {"metadata": {"labels": {"x": "y"}}})
    assert d["metadata"]["generation"] == 1
    d = cluster.api.patch("deployments", "web", {"spec": {"replicas": 3}})
    assert d["metadata"]["generation"] == 2


def test_validation_rejects_with_the_real_message_and_stores_nothing(cluster):
    before = cluster.world.store.revision
    bad = pod("x")
    bad["spec"]["containers"][0]["image"] = ""
    with pytest.raises(ApiError) as e:
        cluster.api.create("pods", bad)
    assert e.value.code == 422
    assert e.value.message == 'Pod "x" is invalid: spec.containers[0].image: Required value'
    assert cluster.world.store.revision == before


def test_namespace_lifecycle(cluster):
    with pytest.raises(ApiError) as e:
        cluster.api.create("pods", pod("a", namespace="nowhere"))
    assert e.value.message == 'namespaces "nowhere" not found'
    cluster.api.create("namespaces", {"metadata": {"name": "dev"}})
    ns = cluster.api.get("namespaces", "dev")
    assert ns["status"] == {"phase": "Active"} and ns["spec"] == {"finalizers": ["kubernetes"]}
    cluster.api.delete("namespaces", "dev")
    assert cluster.api.get("namespaces", "dev")["status"]["phase"] == "Terminating"
    with pytest.raises(ApiError) as e:
        cluster.api.create("configmaps", {"metadata": {"name": "c", "namespace": "dev"}})
    assert e.value.code == 403
    assert e.value.message == (
        'configmaps "c" is forbidden: unable to create new content in namespace dev because it is being terminated'
    )


def test_dry_run_admits_and_validates_but_stores_nothing(cluster):
    before = cluster.world.store.revision
    out = cluster.api.create("pods", pod("dry"), dry_run=True)
    assert out["metadata"]["name"] == "dry" and out["spec"]["dnsPolicy"] == "ClusterFirst"
    assert cluster.world.store.revision == before
    with pytest.raises(ApiError):
        cluster.api.get("pods", "dry")


def test_label_and_field_selectors(cluster):
    for name, tier in (("a", "web"), ("b", "db"), ("c", "web")):
        p = pod(name)
        p["metadata"]["labels"]["tier"] = tier
        cluster.api.create("pods", p)
    names = lambda lst: [i["metadata"]["name"] for i in lst["items"]]  # noqa: E731
    assert names(cluster.api.list("pods", "default", label_selector="tier=web")) == ["a", "c"]
    assert names(cluster.api.list("pods", "default", label_selector="tier!=web")) == ["b"]
    assert names(cluster.api.list("pods", "default", label_selector="tier in (db),run")) == ["b"]
    assert names(cluster.api.list("pods", "default", field_selector="metadata.name=b")) == ["b"]
    assert names(cluster.api.list("pods", "default", field_selector="status.phase=Pending")) == ["a", "b", "c"]


def test_one_object_by_name_lists_and_watches_as_the_full_selector_does(cluster):
    """``metadata.name=X`` (a kubelet's own Node, ``kubectl get pod X -w``) reads one key and keeps its watch
    by that name; the other terms still apply, across namespaces too."""
    for ns in ("default", "kube-public"):
        cluster.api.create("configmaps", {"metadata": {"name": "a", "namespace": ns}, "data": {"k": ns}}, ns)
        cluster.api.create("configmaps", {"metadata": {"name": "b", "namespace": ns}}, ns)
    names = lambda lst: [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in lst["items"]]  # noqa: E731
    assert names(cluster.api.list("configmaps", "default", field_selector="metadata.name=a")) == [("default", "a")]
    assert names(cluster.api.list("configmaps", None, field_selector="metadata.name=a")) == [
        ("default", "a"),
        ("kube-public", "a"),
    ]
    assert names(cluster.api.list("configmaps", "default", field_selector="metadata.name=a,metadata.name!=a")) == []
    assert names(cluster.api.list("configmaps", "default", field_selector="metadata.name=zz")) == []
    namespaces = cluster.api.list("namespaces", field_selector="metadata.name=kube-public")["items"]
    assert [n["metadata"]["name"] for n in namespaces] == ["kube-public"]

    seen = []
    cluster.api.watch(
        "configmaps",
        lambda t, o: seen.append((t, o["metadata"]["namespace"], o["metadata"]["name"])),
        "default",
        field_selector="metadata.name=a",
    )
    cluster.api.patch("configmaps", "b", {"data": {"x": "1"}})
    cluster.api.patch("configmaps", "a", {"data": {"x": "1"}}, namespace="kube-public")
    cluster.api.patch("configmaps", "a", {"data": {"x": "2"}})
    cluster.api.delete("configmaps", "a")
    cluster.api.create("configmaps", {"metadata": {"name": "a"}})
    cluster.advance(0)
    assert seen == [
        ("ADDED", "default", "a"),
        ("MODIFIED", "default", "a"),
        ("DELETED", "default", "a"),
        ("ADDED", "default", "a"),
    ]


def test_list_with_limit_and_continue(cluster):
    for i in range(5):
        cluster.api.create("configmaps", {"metadata": {"name": f"c{i}"}})
    page = cluster.api.list("configmaps", "default", limit=2)
    assert [i["metadata"]["name"] for i in page["items"]] == ["c0", "c1"]
    rest = cluster.api.list("configmaps", "default", continue_token=page["metadata"]["continue"])
    assert [i["metadata"]["name"] for i in rest["items"]] == ["c2", "c3", "c4"]
    assert "continue" not in rest["metadata"]


def test_a_watch_sees_each_change_exactly_once_in_order(cluster):
    seen = []
    start = cluster.api.list("configmaps", "default")["metadata"]["resourceVersion"]
    cluster.api.watch(
        "configmaps",
        lambda t, o: seen.append((t, o["metadata"]["name"], o.get("data"))),
        "default",
        resource_version=start,
    )
    cluster.api.create("configmaps", {"metadata": {"name": "a"}, "data": {"k": "1"}})
    cluster.api.patch("configmaps", "a", {"data": {"k": "2"}})
    cluster.api.delete("configmaps", "a")
    assert seen == []  # delivered on the simulation clock, never inside the write
    cluster.advance(0)
    assert seen == [("ADDED", "a", {"k": "1"}), ("MODIFIED", "a", {"k": "2"}), ("DELETED", "a", {"k": "2"})]


def test_watch_from_an_old_resource_version_replays_and_410_after_compaction(cluster):
    rv = cluster.api.create("configmaps", {"metadata": {"name": "a"}})["metadata"]["resourceVersion"]
    cluster.api.patch("configmaps", "a", {"data": {"x": "y"}})
    seen = []
    cluster.api.watch("configmaps", lambda t, o: seen.append(t), "default", resource_version=rv)
    cluster.advance(0)
    assert seen == ["MODIFIED"]
    cluster.world.store.compact(cluster.world.store.revision)
    with pytest.raises(ApiError) as e:
        cluster.api.watch("configmaps", lambda t, o: None, "default", resource_version=rv)
    assert e.value.code == 410 and e.value.message.startswith(f"too old resource version: {rv} (")


def test_node_lease_history_ends_at_each_compaction_tick_other_history_one_tick_later(cluster):
    rv = cluster.api.list("leases", "kube-node-lease")["metadata"]["resourceVersion"]
    cm = cluster.api.create("configmaps", {"metadata": {"name": "a"}})["metadata"]["resourceVersion"]
    cluster.advance(300)  # the API server's compaction tick (--etcd-compaction-interval=5m)
    with pytest.raises(ApiError) as e:
        cluster.api.watch("leases", lambda t, o: None, "kube-node-lease", resource_version=rv)
    assert e.value.code == 410 and e.value.message.startswith(f"too old resource version: {rv} (")
    seen = []
    cluster.api.watch("configmaps", lambda t, o: seen.append(t), "default", resource_version=str(int(cm) - 1))
    cluster.advance(0)
    assert seen == ["ADDED"]


def test_a_selector_watch_sees_objects_move_in_and_out(cluster):
    seen = []
    cluster.api.watch("configmaps", lambda t, o: seen.append(t), "default", label_selector="app=x")
    cluster.api.create("configmaps", {"metadata": {"name": "a"}})
    cluster.api.patch("configmaps", "a", {"metadata": {"labels": {"app": "x"}}})
    cluster.api.patch("configmaps", "a", {"metadata": {"labels": {"app": "y"}}})
    cluster.advance(0)
    assert seen == ["ADDED", "DELETED"]


def test_unknown_token_is_unauthorized():
    c = Cluster({"nodes": [], "users": [{"name": "jane", "token": "t0k3n"}]})
    assert c.client(token="t0k3n").user.name == "jane"
    with pytest.raises(ApiError) as e:
        c.client(token="wrong")
    assert (e.value.code, e.value.message) == (401, "Unauthorized")


def test_rbac_denies_then_allows(cluster):
    jane = cluster.client("jane")
    with pytest.raises(ApiError) as e:
        jane.list("pods", "dev")
    assert e.value.code == 403
    assert e.value.message == (
        'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "dev"'
    )
    cluster.api.create("namespaces", {"metadata": {"name": "dev"}})
    cluster.api.create(
        "roles",
        {
            "metadata": {"name": "reader", "namespace": "dev"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}],
        },
    )
    cluster.api.create(
        "rolebindings",
        {
            "metadata": {"name": "jane-reads", "namespace": "dev"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
            "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "jane"}],
        },
    )
    assert jane.list("pods", "dev")["items"] == []
    with pytest.raises(ApiError) as e:
        jane.create("pods", pod("x", namespace="dev"))
    assert e.value.message.startswith('pods is forbidden: User "jane" cannot create resource "pods"')
    assert jane.can_i("list", "pods", "dev")["allowed"] is True
    assert jane.can_i("delete", "pods", "dev")["allowed"] is False


def test_impersonation_needs_the_impersonate_verb(cluster):
    bob = cluster.client("bob")
    with pytest.raises(ApiError) as e:
        bob.impersonate("jane")
    assert e.value.code == 403
    as_jane = cluster.api.impersonate("jane")
    assert as_jane.user.name == "jane"


def test_graceful_pod_deletion_waits_for_the_kubelet_unless_unscheduled(cluster):
    cluster.api.create("pods", pod("pending"))
    cluster.api.delete("pods", "pending")
    with pytest.raises(ApiError):
        cluster.api.get("pods", "pending")
    p = pod("bound")
    p["spec"]["nodeName"] = "node01"
    cluster.api.create("pods", p)
    out = cluster.api.delete("pods", "bound")
    assert out["metadata"]["deletionGracePeriodSeconds"] == 30
    assert out["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:30Z"
    assert cluster.api.get("pods", "bound")["metadata"]["deletionTimestamp"]
    cluster.api.delete("pods", "bound", grace_period_seconds=0)
    with pytest.raises(ApiError):
        cluster.api.get("pods", "bound")


def test_finalizers_hold_deletion_until_removed(cluster):
    cluster.api.create("configmaps", {"metadata": {"name": "c", "finalizers": ["example.com/hold"]}})
    cluster.api.delete("configmaps", "c")
    held = cluster.api.get("configmaps", "c")
    assert held["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:00Z"
    cluster.api.patch("configmaps", "c", {"metadata": {"finalizers": None}}, patch_type="merge")
    with pytest.raises(ApiError) as e:
        cluster.api.get("configmaps", "c")
    assert e.value.code == 404


def test_binding_and_status_subresources(cluster):
    cluster.api.create("pods", pod("a"))
    cluster.api.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": "a"},
            "target": {"apiVersion": "v1", "kind": "Node", "name": "node01"},
        },
        subresource="binding",
        name="a",
    )
    p = cluster.api.get("pods", "a")
    assert p["spec"]["nodeName"] == "node01"
    assert p["status"]["conditions"][0]["type"] == "PodScheduled"
    with pytest.raises(ApiError) as e:
        cluster.api.create(
            "pods",
            {"kind": "Binding", "metadata": {"name": "a"}, "target": {"name": "node02"}},
            subresource="binding",
            name="a",
        )
    assert e.value.code == 409
    p["status"]["phase"] = "Running"
    p["spec"]["nodeName"] = "elsewhere"
    cluster.api.update("pods", p, subresource="status")
    p = cluster.api.get("pods", "a")
    assert (p["status"]["phase"], p["spec"]["nodeName"]) == ("Running", "node01")


def test_scale_subresource(cluster):
    cluster.api.create(
        "deployments",
        {
            "metadata": {"name": "web"},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "n", "image": "nginx"}]},
                },
            },
        },
    )
    scale = cluster.api.get("deployments", "web", subresource="scale")
    assert scale["kind"] == "Scale" and scale["spec"] == {"replicas": 1}
    assert scale["status"]["selector"] == "app=web"
    scale["spec"]["replicas"] = 4
    cluster.api.update("deployments", scale, subresource="scale")
    assert cluster.api.get("deployments", "web")["spec"]["replicas"] == 4


def test_events_are_aggregated(cluster):
    from ktui.api.auth.authn import ADMIN
    from ktui.api.client import Client
    from ktui.api.events import EventRecorder

    p = cluster.api.create("pods", pod("a"))
    rec = EventRecorder(Client(cluster.world.server, ADMIN), "kubelet", "node01")
    rec.event(p, "Warning", "BackOff", "Back-off restarting failed container")
    cluster.advance(10)
    rec.event(p, "Warning", "BackOff", "Back-off restarting failed container")
    events = cluster.api.list("events", "default")["items"]
    assert len(events) == 1
    ev = events[0]
    assert ev["count"] == 2 and ev["firstTimestamp"] == "2026-01-01T00:00:00Z"
    assert ev["lastTimestamp"] == "2026-01-01T00:00:10Z"
    assert ev["involvedObject"]["name"] == "a" and ev["source"] == {"component": "kubelet", "host": "node01"}


def test_an_event_recorder_remembers_only_its_most_recent_events_as_client_go(cluster, monkeypatch):
    from ktui.api import events as events_module
    from ktui.api.auth.authn import ADMIN
    from ktui.api.client import Client
    from ktui.api.events import EventRecorder

    monkeypatch.setattr(events_module, "LRU_ENTRIES", 3)  # client-go's maxLruCacheEntries is 4096
    p = cluster.api.create("pods", pod("a"))
    rec = EventRecorder(Client(cluster.world.server, ADMIN), "kubelet", "node01")
    for message in ("one", "two", "one", "three", "four", "one", "two"):
        rec.event(p, "Normal", "Test", message)
        cluster.advance(1)
    counts = sorted(
        (e["message"], e["count"]) for e in cluster.api.list("events", "default")["items"] if e["reason"] == "Test"
    )
    # "one" was used again before "three" and "four" came, so it stayed; "two" was forgotten by then.
    assert counts == [("four", 1), ("one", 3), ("three", 1), ("two", 1), ("two", 1)]


def test_rewind_returns_to_the_identical_state():
    c = Cluster({"nodes": [], "seed": 3})
    c.api.create("configmaps", {"metadata": {"name": "a"}})
    c.advance(10)
    c.api.create(
        "pods", {"metadata": {"generateName": "g-"}, "spec": {"containers": [{"name": "a", "image": "nginx"}]}}
    )
    c.advance(10)
    at_20 = c.snapshot()
    c.api.create("configmaps", {"metadata": {"name": "b"}})
    c.advance(30)
    c.rewind(to=20)
    assert c.now == 20
    now = c.snapshot()
    dump = lambda w: {kv.key: kv.value for kv in w.store.range("/").kvs}  # noqa: E731
    assert dump(now) == dump(at_20)
    assert now.store.revision == at_20.store.revision
    # The same inputs after the rewind give the same objects as the first time.
    c.api.create("configmaps", {"metadata": {"name": "b"}})
    assert c.api.get("configmaps", "b")["metadata"]["uid"] == c.api.get("configmaps", "b")["metadata"]["uid"]


def test_the_callers_objects_are_never_changed(cluster):
    import copy

    p = {
        "metadata": {"generateName": "a-", "labels": {"x": "1"}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    before = copy.deepcopy(p)
    out = cluster.api.create("pods", p)
    assert p == before
    out["metadata"]["labels"]["y"] = "2"
    sent = copy.deepcopy(out)
    stored = cluster.api.update("pods", out)
    assert out == sent and stored["metadata"]["labels"] == {"x": "1", "y": "2"}
    stored["metadata"]["labels"]["z"] = "3"  # what a client got back is its own copy
    assert "z" not in cluster.api.get("pods", out["metadata"]["name"])["metadata"]["labels"]


def test_every_stored_key_is_told_its_resource_also_when_asked_again():
    from ktui.api.registry import REGISTRY
    from ktui.clusterspec import normalize_spec
    from ktui.world import build_world

    server = build_world(normalize_spec({"nodes": []})).server
    for _ in range(2):  # the second round is answered from what the first remembered
        for r in REGISTRY:
            for name in ("a", "b.c"):
                key = r.key("ns1", name) if r.namespaced else r.key("", name)
                assert server._resource_for_key(key) is r, key
    assert server._resource_for_key("/registry/no-such-thing/x") is None
    assert server._resource_for_key("/elsewhere/pods/x") is None
