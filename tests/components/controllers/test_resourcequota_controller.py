"""The ResourceQuota controller: status.hard mirrors spec.hard, status.used counts the namespace."""

from __future__ import annotations

from ktui.components.controllers.resourcequota import ResourceQuotaController, compute_used, resources_for

from tests.components.controllers.conftest import make_ctx


def _pod(name, cpu="100m", memory="64Mi"):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "image": "nginx",
                    "resources": {"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu, "memory": memory}},
                }
            ]
        },
    }


def test_quota_status_follows_objects():
    w, ctx, informers = make_ctx()
    ctrl = ResourceQuotaController(ctx, informers)
    informers.start()
    ctrl.start()
    admin = w.client()
    admin.create(
        "resourcequotas",
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "q"},
            "spec": {"hard": {"pods": "4", "requests.cpu": "1", "count/configmaps": "10", "services": "2"}},
        },
    )
    w.kernel.settle()
    q = admin.get("resourcequotas", "q")
    assert q["status"]["hard"] == {"count/configmaps": "10", "pods": "4", "requests.cpu": "1", "services": "2"}
    assert q["status"]["used"]["pods"] == "0"
    assert q["status"]["used"]["services"] == "1"  # the kubernetes Service
    admin.create("pods", _pod("a"))
    admin.create("pods", _pod("b", cpu="250m"))
    w.kernel.settle()
    used = admin.get("resourcequotas", "q")["status"]["used"]
    assert used["pods"] == "2" and used["requests.cpu"] == "350m"
    admin.delete("pods", "a")
    w.kernel.settle()
    assert admin.get("resourcequotas", "q")["status"]["used"]["pods"] == "1"


def test_compute_used_pure():
    quota = {"spec": {"hard": {"pods": "10", "count/deployments.apps": "3"}}}
    objects = {
        "pods": [_pod("a"), {**_pod("b"), "status": {"phase": "Succeeded"}}],
        "deployments.apps": [{"metadata": {"name": "d"}}],
    }
    assert compute_used(quota, objects) == {"count/deployments.apps": "1", "pods": "1"}
    assert resources_for("count/deployments.apps") == ["deployments.apps"]
    assert resources_for("requests.memory") == ["pods"]
    assert compute_used({"spec": {"hard": {"pods": "5"}, "scopes": ["BestEffort"]}}, {"pods": [_pod("a")]}) == {
        "pods": "0"
    }
