"""Service and namespace controllers and the garbage collector at the reconcile(key) level: EndpointSlice,
the load-balancer IP controller, the namespace and ResourceQuota controllers and the garbage collector on the
recording fake client."""

from ktui.components.controllers.endpointslice import EndpointSliceController
from ktui.components.controllers.garbage_collector import GarbageCollector
from ktui.components.controllers.namespace import NamespaceController
from ktui.components.controllers.resourcequota import ResourceQuotaController
from ktui.components.controllers.service_lb import ServiceLBController


def _service(name: str = "web", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}],
            **spec,
        },
    }


def _pod(name: str, ip: str, ready: bool = True, **md) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}, **md},
        "spec": {"nodeName": "node01", "containers": [{"name": "c", "image": "nginx"}]},
        "status": {
            "phase": "Running",
            "podIP": ip,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


# ------------------------------------------------------------------------------------------ EndpointSlice


def test_endpointslice_creates_one_slice_of_the_selected_pods(fake_client, start_controller):
    fake_client.seed("services", _service())
    fake_client.seed("pods", _pod("web-1", "10.244.1.5"), _pod("web-2", "10.244.2.7", ready=False))
    esc = start_controller(EndpointSliceController)
    esc.reconcile("default/web")
    writes = fake_client.writes()
    assert [a.short[:2] for a in writes] == [("create", "endpointslices")]
    sl = writes[0].obj
    assert sl["metadata"]["generateName"] == "web-"
    assert sl["metadata"]["labels"] == {
        "kubernetes.io/service-name": "web",
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    }
    assert sl["metadata"]["annotations"] == {"endpoints.kubernetes.io/last-change-trigger-time": "2026-01-01T00:00:00Z"}
    assert sl["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert sl["addressType"] == "IPv4" and sl["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert [(e["addresses"], e["conditions"]["ready"]) for e in sl["endpoints"]] == [
        (["10.244.1.5"], True),
        (["10.244.2.7"], False),
    ]
    assert [e["targetRef"]["name"] for e in sl["endpoints"]] == ["web-1", "web-2"]


def test_endpointslice_deletes_the_slices_of_a_deleted_service(fake_client, start_controller):
    fake_client.seed(
        "endpointslices",
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "web-abcde",
                "namespace": "default",
                "labels": {
                    "kubernetes.io/service-name": "web",
                    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                },
            },
            "addressType": "IPv4",
            "endpoints": [],
        },
    )
    esc = start_controller(EndpointSliceController)
    esc.reconcile("default/web")
    assert [a.short for a in fake_client.writes()] == [("delete", "endpointslices", "web-abcde")]


def test_endpointslice_keeps_one_placeholder_slice_for_a_service_without_pods(fake_client, start_controller):
    fake_client.seed("services", _service())
    esc = start_controller(EndpointSliceController)
    esc.reconcile("default/web")
    writes = fake_client.writes()
    assert [a.short[:2] for a in writes] == [("create", "endpointslices")]
    assert writes[0].obj["endpoints"] == [] and "ports" not in writes[0].obj


# ------------------------------------------------------------------------------------------ LoadBalancer IPs


def test_service_lb_writes_the_first_pool_address_through_services_status(fake_client, start_controller):
    fake_client.seed("services", _service(type="LoadBalancer"))
    lbc = start_controller(ServiceLBController)
    lbc.reconcile("default/web")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("update", "services/status", "web")]
    assert writes[0].obj["status"]["loadBalancer"] == {"ingress": [{"ip": "172.18.255.200", "ipMode": "VIP"}]}
    assert fake_client.events() == [("Normal", "EnsuringLoadBalancer"), ("Normal", "EnsuredLoadBalancer")]


def test_service_lb_clears_the_address_of_a_service_that_is_no_longer_a_load_balancer(fake_client, start_controller):
    svc = _service(type="ClusterIP")
    svc["status"] = {"loadBalancer": {"ingress": [{"ip": "172.18.255.200", "ipMode": "VIP"}]}}
    fake_client.seed("services", svc)
    lbc = start_controller(ServiceLBController)
    lbc.reconcile("default/web")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("update", "services/status", "web")]
    assert writes[0].obj["status"]["loadBalancer"] == {}


def test_service_lb_warns_when_the_pool_is_exhausted(fake_client, start_controller):
    fake_client.seed("services", _service("a", type="LoadBalancer"), _service("b", type="LoadBalancer"))
    lbc = start_controller(ServiceLBController, flags={"load-balancer-ip-pool": "172.18.255.200-172.18.255.200"})
    lbc.reconcile("default/a")
    fake_client.actions.clear()
    lbc.reconcile("default/b")
    assert fake_client.writes() == []
    assert fake_client.events() == [("Warning", "SyncLoadBalancerFailed")]


# ------------------------------------------------------------------------------------------ Namespace


def _terminating(name: str = "team") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "deletionTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Terminating"},
    }


def test_namespace_controller_deletes_the_content_and_reports_what_remains(fake_client, start_controller):
    fake_client.seed("namespaces", _terminating())
    fake_client.seed(
        "configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "team"}}
    )
    fake_client.seed(
        "pods",
        {
            **_pod("web-1", "10.244.1.5"),
            "metadata": {
                "name": "web-1",
                "namespace": "team",
                "deletionTimestamp": "2026-01-01T00:00:00Z",
                "deletionGracePeriodSeconds": 30,
                "finalizers": ["example.com/hold"],
            },
        },
    )
    nsc = start_controller(NamespaceController)
    nsc.reconcile("team")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("delete", "configmaps", "settings"), ("update", "namespaces/status", "team")]
    assert writes[0].options == {"propagation_policy": "Background"}
    conditions = {c["type"]: c for c in writes[1].obj["status"]["conditions"]}
    assert (
        conditions["NamespaceContentRemaining"]["message"]
        == "Some resources are remaining: pods. has 1 resource instances"
    )
    assert (
        conditions["NamespaceFinalizersRemaining"]["message"]
        == "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"
    )
    assert conditions["NamespaceDeletionContentFailure"]["reason"] == "ContentDeleted"


def test_namespace_controller_finalizes_an_empty_namespace(fake_client, start_controller):
    fake_client.seed("namespaces", _terminating())
    nsc = start_controller(NamespaceController)
    nsc.reconcile("team")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [
        ("update", "namespaces/status", "team"),
        ("update", "namespaces/finalize", "team"),
    ]
    assert writes[1].obj["spec"]["finalizers"] == []


def test_namespace_controller_ignores_an_active_namespace(fake_client, start_controller):
    fake_client.seed(
        "namespaces",
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "team"},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        },
    )
    nsc = start_controller(NamespaceController)
    nsc.reconcile("team")
    assert [a.verb for a in fake_client.actions] == []


# ------------------------------------------------------------------------------------------ ResourceQuota


def test_resourcequota_controller_writes_hard_and_used(fake_client, start_controller):
    fake_client.seed(
        "resourcequotas",
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "q", "namespace": "default"},
            "spec": {"hard": {"pods": "10", "requests.cpu": "2", "configmaps": "5"}},
        },
    )
    pod = _pod("web-1", "10.244.1.5")
    pod["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "250m"}}
    fake_client.seed("pods", pod, _pod("web-2", "10.244.1.6"))
    fake_client.seed(
        "configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}}
    )
    rqc = start_controller(ResourceQuotaController)
    rqc.reconcile("default/q")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("update", "resourcequotas/status", "q")]
    assert writes[0].obj["status"] == {
        "hard": {"configmaps": "5", "pods": "10", "requests.cpu": "2"},
        "used": {"configmaps": "1", "pods": "2", "requests.cpu": "250m"},
    }


def test_resourcequota_controller_writes_nothing_when_the_status_is_current(fake_client, start_controller):
    fake_client.seed(
        "resourcequotas",
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "q", "namespace": "default"},
            "spec": {"hard": {"pods": "10"}},
            "status": {"hard": {"pods": "10"}, "used": {"pods": "1"}},
        },
    )
    fake_client.seed("pods", _pod("web-1", "10.244.1.5"))
    rqc = start_controller(ResourceQuotaController)
    rqc.reconcile("default/q")
    assert fake_client.writes() == []


# ------------------------------------------------------------------------------------------ garbage collector

RS_OWNER = {
    "apiVersion": "apps/v1",
    "kind": "ReplicaSet",
    "name": "web",
    "uid": "uid-web",
    "controller": True,
    "blockOwnerDeletion": True,
}


def test_garbage_collector_deletes_a_dependent_whose_owner_is_gone(fake_client, start_controller):
    fake_client.seed("pods", _pod("web-1", "10.244.1.5", ownerReferences=[RS_OWNER]))
    gc = start_controller(GarbageCollector)
    gc.reconcile("uid-web-1")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("delete", "pods", "web-1")]
    assert writes[0].options == {"propagation_policy": "Background", "preconditions": {"uid": "uid-web-1"}}
    assert ("get", "replicasets", "web") in [a.short for a in fake_client.actions]  # the owner checked live


def test_garbage_collector_keeps_a_dependent_of_a_live_owner(fake_client, start_controller):
    fake_client.seed(
        "replicasets",
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {},
        },
    )
    fake_client.seed("pods", _pod("web-1", "10.244.1.5", ownerReferences=[RS_OWNER]))
    gc = start_controller(GarbageCollector)
    gc.reconcile("uid-web-1")
    assert fake_client.writes() == []


def test_garbage_collector_orphans_the_dependents_then_drops_the_orphan_finalizer(fake_client, start_controller):
    fake_client.seed(
        "replicasets",
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": "web",
                "namespace": "default",
                "finalizers": ["orphan"],
                "deletionTimestamp": "2026-01-01T00:00:00Z",
            },
            "spec": {},
        },
    )
    fake_client.seed("pods", _pod("web-1", "10.244.1.5", ownerReferences=[RS_OWNER]))
    gc = start_controller(GarbageCollector)
    gc.reconcile("uid-web")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("update", "pods", "web-1"), ("update", "replicasets", "web")]
    assert "ownerReferences" not in writes[0].obj["metadata"]
    assert "finalizers" not in writes[1].obj["metadata"]


def test_garbage_collector_foreground_deletion_waits_for_blocking_dependents(fake_client, start_controller):
    fake_client.seed(
        "replicasets",
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": "web",
                "namespace": "default",
                "finalizers": ["foregroundDeletion"],
                "deletionTimestamp": "2026-01-01T00:00:00Z",
            },
            "spec": {},
        },
    )
    gc = start_controller(GarbageCollector)
    gc.reconcile("uid-web")  # no dependents: the finalizer goes
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("update", "replicasets", "web")]
    assert "finalizers" not in writes[0].obj["metadata"]
