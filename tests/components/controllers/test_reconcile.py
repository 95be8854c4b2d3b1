"""Controllers at the reconcile(key) level: seeded caches, one direct call, the recorded writes (ReplicaSet,
ServiceAccount, Endpoints, Deployment here; the others in the test_reconcile_*.py beside this), and a check
that every controller of the controller manager has such a test."""

import ast
from pathlib import Path

from ktui.components.base import Context
from ktui.components.controller_manager import ControllerManager
from ktui.components.controllers.deployment import DeploymentController
from ktui.components.controllers.endpoints import EndpointsController
from ktui.components.controllers.replicaset import ReplicaSetController
from ktui.components.controllers.serviceaccount import ServiceAccountController
from ktui.sim.rng import SeededRandom

from tests.components.controllers.fake import Action

RS_REF = {
    "apiVersion": "apps/v1",
    "kind": "ReplicaSet",
    "name": "web",
    "uid": "uid-web",
    "controller": True,
    "blockOwnerDeletion": True,
}


def _rs(replicas: int) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "web", "namespace": "default", "generation": 1},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def _pod(name: str, *, owned: bool = True, node: str = "", ip: str = "", ready: bool = False) -> dict:
    md = {"name": name, "namespace": "default", "labels": {"app": "web"}, "creationTimestamp": "2026-01-01T00:00:00Z"}
    if owned:
        md["ownerReferences"] = [dict(RS_REF)]
    spec = {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}]}
    status: dict = {"phase": "Pending"}
    if node:
        spec["nodeName"] = node
        status = {
            "phase": "Running",
            "podIP": ip,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        }
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec, "status": status}


# ------------------------------------------------------------------------------------------ ReplicaSet


def test_replicaset_creates_the_missing_pods_then_writes_its_status(fake_client, start_controller):
    fake_client.seed("replicasets", _rs(2))
    rsc = start_controller(ReplicaSetController)
    rsc.reconcile("default/web")
    writes = fake_client.writes()
    assert [(a.verb, a.resource, a.subresource) for a in writes] == [
        ("create", "pods", ""),
        ("create", "pods", ""),
        ("update", "replicasets", "status"),
    ]
    for a in writes[:2]:
        md = a.obj["metadata"]
        assert md["generateName"] == "web-" and md["labels"] == {"app": "web"}
        assert md["ownerReferences"] == [RS_REF]
    assert writes[2].obj["status"]["replicas"] == 0 and writes[2].obj["status"]["observedGeneration"] == 1
    assert fake_client.events() == [("Normal", "SuccessfulCreate")] * 2


def test_replicaset_deletes_the_unscheduled_pod_first_when_scaled_down(fake_client, start_controller):
    fake_client.seed("replicasets", _rs(1))
    fake_client.seed("pods", _pod("web-running", node="n1", ip="10.244.1.5", ready=True), _pod("web-pending"))
    rsc = start_controller(ReplicaSetController)
    rsc.reconcile("default/web")
    assert [(a.verb, a.resource, a.name) for a in fake_client.writes()][:1] == [("delete", "pods", "web-pending")]
    assert ("Normal", "SuccessfulDelete") in fake_client.events()


def test_replicaset_adopts_a_matching_orphan_and_creates_nothing_more(fake_client, start_controller):
    fake_client.seed("replicasets", _rs(1))
    fake_client.seed("pods", _pod("stray", owned=False))
    rsc = start_controller(ReplicaSetController)
    rsc.reconcile("default/web")
    writes = fake_client.writes()
    assert [(a.verb, a.resource, a.name) for a in writes] == [
        ("update", "pods", "stray"),
        ("update", "replicasets", "web"),
    ]
    assert writes[0].obj["metadata"]["ownerReferences"] == [RS_REF]
    assert writes[1].obj["status"]["replicas"] == 1


def test_replicaset_reconcile_of_a_deleted_set_writes_nothing(fake_client, start_controller):
    rsc = start_controller(ReplicaSetController)
    rsc.reconcile("default/gone")
    assert fake_client.writes() == []


# ------------------------------------------------------------------------------------------ ServiceAccount


def _ns(name: str, **extra) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}, "status": {"phase": "Active"}, **extra}


def test_serviceaccount_controller_creates_the_default_account_of_a_new_namespace(fake_client, start_controller):
    fake_client.seed("namespaces", _ns("team"))
    sac = start_controller(ServiceAccountController)
    sac.reconcile("team")
    assert fake_client.writes() == [
        Action(
            "create",
            "serviceaccounts",
            "team",
            "default",
            "",
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "team"}},
        )
    ]


def test_serviceaccount_controller_leaves_an_existing_account_and_a_terminating_namespace(
    fake_client, start_controller
):
    fake_client.seed("namespaces", _ns("team"), _ns("old", status={"phase": "Terminating"}))
    fake_client.seed(
        "serviceaccounts",
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "team"}},
    )
    sac = start_controller(ServiceAccountController)
    sac.reconcile("team")
    sac.reconcile("old")
    sac.reconcile("missing")
    assert fake_client.writes() == []


# ------------------------------------------------------------------------------------------ Endpoints


def _svc(**spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": 80, "protocol": "TCP"}],
            **spec,
        },
    }


def test_endpoints_controller_creates_endpoints_of_ready_and_not_ready_pods(fake_client, start_controller):
    fake_client.seed("services", _svc())
    fake_client.seed(
        "pods",
        _pod("web-a", node="n1", ip="10.244.1.5", ready=True),
        _pod("web-b", node="n2", ip="10.244.2.7", ready=False),
        _pod("web-c"),
    )
    epc = start_controller(EndpointsController)
    epc.reconcile("default/web")
    [write] = fake_client.writes()
    assert (write.verb, write.resource, write.namespace, write.name) == ("create", "endpoints", "default", "web")
    [subset] = write.obj["subsets"]
    assert [a["ip"] for a in subset["addresses"]] == ["10.244.1.5"]
    assert [a["ip"] for a in subset["notReadyAddresses"]] == ["10.244.2.7"]
    assert subset["ports"] == [{"name": "http", "port": 80, "protocol": "TCP"}]
    assert write.obj["metadata"]["labels"] == {"endpoints.kubernetes.io/managed-by": "endpoint-controller"}


def test_endpoints_controller_deletes_the_endpoints_of_a_deleted_service(fake_client, start_controller):
    fake_client.seed(
        "endpoints", {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web", "namespace": "default"}}
    )
    epc = start_controller(EndpointsController)
    epc.reconcile("default/web")
    assert fake_client.writes() == [Action("delete", "endpoints", "default", "web")]


def test_endpoints_controller_writes_nothing_when_the_endpoints_are_current(fake_client, start_controller):
    fake_client.seed("services", _svc())
    fake_client.seed("pods", _pod("web-a", node="n1", ip="10.244.1.5", ready=True))
    epc = start_controller(EndpointsController)
    epc.reconcile("default/web")
    [created] = fake_client.writes()
    fake_client.actions.clear()
    epc.endpoints.cache["default/web"] = fake_client.objects[("endpoints", "default", "web")]
    epc.reconcile("default/web")
    assert fake_client.writes() == []
    assert created.obj["subsets"][0]["addresses"][0]["ip"] == "10.244.1.5"


# ------------------------------------------------------------------------------------------ Deployment


def test_deployment_creates_its_first_replicaset_then_writes_its_status(fake_client, start_controller):
    d = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "generation": 1},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }
    fake_client.seed("deployments", d)
    dc = start_controller(DeploymentController)
    dc.reconcile("default/web")
    writes = fake_client.writes()
    assert [(a.verb, a.resource, a.subresource) for a in writes][:1] == [("create", "replicasets", "")]
    rs = writes[0].obj
    template_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{template_hash}"
    assert rs["spec"]["replicas"] == 3
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": template_hash}
    assert rs["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert ("update", "deployments", "status") in [(a.verb, a.resource, a.subresource) for a in writes]
    assert ("Normal", "ScalingReplicaSet") in fake_client.events()


# ------------------------------------------------------------------------------------------ every controller


def test_every_controller_of_the_controller_manager_has_a_reconcile_level_test(fake_client):
    """A new controller in controller_manager.py needs a ``start_controller(Cls)`` test in a test_reconcile*.py."""
    manager = ControllerManager(Context(fake_client.kernel, SeededRandom(0), fake_client))
    wanted = {type(c).__name__ for c in manager.controllers.values()}
    driven: set[str] = set()
    for path in sorted(Path(__file__).parent.glob("test_reconcile*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "start_controller" and node.args:
                driven.add(getattr(node.args[0], "id", ""))
    assert len(wanted) >= 18  # the introspection found them all (18 today)
    assert sorted(wanted - driven) == []
