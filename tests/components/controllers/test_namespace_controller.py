"""The namespace controller: a deleted namespace is emptied, its conditions set, then it goes."""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.components.controllers.namespace import NamespaceController, content_conditions, update_conditions

from tests.components.controllers.conftest import make_ctx, running_pod


def _exists(w, resource, name, ns=None) -> bool:
    try:
        w.client().get(resource, name, ns)
        return True
    except ApiError as e:
        assert e.code == 404
        return False


def make_namespace(w, name: str) -> None:
    admin = w.client()
    admin.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    admin.create(
        "serviceaccounts", {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}}, name
    )


def test_namespace_deletion_removes_contents_then_namespace():
    w, ctx, informers = make_ctx()
    ctrl = NamespaceController(ctx, informers)
    informers.start()
    ctrl.start()
    admin = w.client()
    make_namespace(w, "shop")
    admin.create(
        "configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "b"}}, "shop"
    )
    admin.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pending"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        },
        "shop",
    )
    w.kernel.settle()
    admin.delete("namespaces", "shop")
    w.kernel.settle()
    assert not _exists(w, "configmaps", "cfg", "shop")
    assert not _exists(w, "pods", "pending", "shop")
    assert not _exists(w, "namespaces", "shop")


def test_namespace_waits_for_terminating_pods():
    w, ctx, informers = make_ctx()
    ctrl = NamespaceController(ctx, informers)
    informers.start()
    ctrl.start()
    admin = w.client()
    make_namespace(w, "shop")
    running_pod(w, "web", "node01", "10.244.1.2", ns="shop")
    admin.delete("namespaces", "shop")
    w.kernel.settle()
    ns = admin.get("namespaces", "shop")
    assert ns["status"]["phase"] == "Terminating"
    conds = {c["type"]: c for c in ns["status"]["conditions"]}
    assert conds["NamespaceContentRemaining"]["status"] == "True"
    assert (
        conds["NamespaceContentRemaining"]["message"] == "Some resources are remaining: pods. has 1 resource instances"
    )
    assert conds["NamespaceDeletionDiscoveryFailure"]["reason"] == "ResourcesDiscovered"
    # The kubelet (played here) finishes the pod; the namespace then goes at the next check.
    admin.delete("pods", "web", "shop", grace_period_seconds=0)
    w.kernel.advance(30)
    assert not _exists(w, "namespaces", "shop")


def test_condition_functions():
    conds = content_conditions({"pods.": 2}, {"kubernetes.io/pvc-protection": 1}, [], 0)
    assert [c["reason"] for c in conds] == ["SomeResourcesRemain", "SomeFinalizersRemain"]
    assert conds[1]["message"] == (
        "Some content in the namespace has finalizers remaining: kubernetes.io/pvc-protection in 1 resource instances"
    )
    out, changed = update_conditions(None, conds, 0)
    assert changed and [c["type"] for c in out] == [
        "NamespaceDeletionDiscoveryFailure",
        "NamespaceDeletionGroupVersionParsingFailure",
        "NamespaceDeletionContentFailure",
        "NamespaceContentRemaining",
        "NamespaceFinalizersRemaining",
    ]
    assert update_conditions(out, conds, 5) == (out, False)
