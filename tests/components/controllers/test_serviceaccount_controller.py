"""The ServiceAccount controller: every active namespace gets a ``default`` ServiceAccount."""

from __future__ import annotations

from ktui.components.controllers.serviceaccount import ServiceAccountController

from tests.components.controllers.conftest import make_ctx


def test_default_service_account_in_new_namespace_and_recreated():
    w, ctx, informers = make_ctx()
    ctrl = ServiceAccountController(ctx, informers)
    informers.start()
    ctrl.start()
    admin = w.client()
    admin.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    w.kernel.settle()
    assert admin.get("serviceaccounts", "default", "team-a")["metadata"]["name"] == "default"
    admin.delete("serviceaccounts", "default", "team-a")
    w.kernel.settle()
    assert admin.get("serviceaccounts", "default", "team-a")


def test_existing_namespaces_untouched_when_present():
    w, ctx, informers = make_ctx()
    ctrl = ServiceAccountController(ctx, informers)
    informers.start()
    ctrl.start()
    w.kernel.settle()
    names = sorted(sa["metadata"]["namespace"] for sa in w.client().list("serviceaccounts")["items"])
    assert names == ["default", "kube-node-lease", "kube-public", "kube-system"]
