"""The Endpoints and EndpointSlice controllers: ready and not-ready pods, named target ports, slicing."""

from __future__ import annotations

from ktui.components.controllers.endpoints import EndpointsController, build_subsets, find_port
from ktui.components.controllers.endpointslice import EndpointSliceController, pod_to_endpoint

from tests.components.controllers.conftest import make_ctx, running_pod

PORTS = [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]


def make_service(w, name="web", target="http", selector=None, ns="default"):
    return w.client().create(
        "services",
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": {"tier": "front"}},
            "spec": {
                "selector": selector or {"app": "web"},
                "ports": [{"name": "web", "port": 80, "protocol": "TCP", "targetPort": target}],
            },
        },
        ns,
    )


def setup(controller_cls):
    w, ctx, informers = make_ctx()
    ctrl = controller_cls(ctx, informers)
    informers.start()
    ctrl.start()
    return w, ctrl


def test_endpoints_ready_and_not_ready_with_named_port():
    w, _ = setup(EndpointsController)
    running_pod(w, "web-b", "node01", "10.244.1.7", ports=PORTS)
    running_pod(w, "web-a", "node02", "10.244.2.3", ports=PORTS, ready=False)
    running_pod(w, "other", "node01", "10.244.1.9", labels={"app": "db"}, ports=PORTS)
    make_service(w)
    w.kernel.settle()
    ep = w.client().get("endpoints", "web")
    assert ep["metadata"]["labels"] == {"tier": "front", "endpoints.kubernetes.io/managed-by": "endpoint-controller"}
    assert "endpoints.kubernetes.io/last-change-trigger-time" in ep["metadata"]["annotations"]
    uid_b = w.client().get("pods", "web-b")["metadata"]["uid"]
    assert ep["subsets"] == [
        {
            "addresses": [
                {
                    "ip": "10.244.1.7",
                    "nodeName": "node01",
                    "targetRef": {"kind": "Pod", "namespace": "default", "name": "web-b", "uid": uid_b},
                }
            ],
            "notReadyAddresses": [
                {
                    "ip": "10.244.2.3",
                    "nodeName": "node02",
                    "targetRef": {
                        "kind": "Pod",
                        "namespace": "default",
                        "name": "web-a",
                        "uid": w.client().get("pods", "web-a")["metadata"]["uid"],
                    },
                }
            ],
            "ports": [{"name": "web", "port": 8080, "protocol": "TCP"}],
        }
    ]
    # A pod becoming ready moves to addresses; a deleted pod leaves.
    pod = w.client().get("pods", "web-a")
    pod["status"]["conditions"][0]["status"] = "True"
    w.client().update("pods", pod, subresource="status")
    w.client().delete("pods", "web-b", grace_period_seconds=0)
    w.kernel.settle()
    ep = w.client().get("endpoints", "web")
    assert [a["ip"] for a in ep["subsets"][0]["addresses"]] == ["10.244.2.3"]
    assert "notReadyAddresses" not in ep["subsets"][0]


def test_endpoints_skip_services_without_selector_and_terminating_pods():
    w, _ = setup(EndpointsController)
    w.client().create(
        "services",
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "manual"}, "spec": {"ports": [{"port": 80}]}},
    )
    pod = running_pod(w, "web-1", "node01", "10.244.1.7", ports=PORTS)
    w.client().delete("pods", "web-1")  # graceful: Terminating, still there
    make_service(w)
    w.kernel.settle()
    assert w.client().list("endpoints", "default", field_selector="metadata.name=manual")["items"] == []
    ep = w.client().get("endpoints", "web")
    assert "subsets" not in ep
    assert pod["metadata"]["name"] == "web-1"


def test_build_subsets_groups_by_ports():
    svc = {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80, "targetPort": "http", "protocol": "TCP"}]}}
    pods = []
    for i, port in enumerate((8080, 9090, 8080)):
        pods.append(
            {
                "metadata": {"name": f"p{i}", "namespace": "d", "uid": f"u{i}"},
                "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": port}]}]},
                "status": {
                    "podIP": f"10.0.0.{i + 1}",
                    "phase": "Running",
                    "conditions": [{"type": "Ready", "status": "True"}],
                },
            }
        )
    subsets = build_subsets(svc, pods)
    assert [(s["ports"][0]["port"], [a["ip"] for a in s["addresses"]]) for s in subsets] == [
        (8080, ["10.0.0.1", "10.0.0.3"]),
        (9090, ["10.0.0.2"]),
    ]
    assert find_port(pods[0], {"targetPort": "nope"}) is None
    assert find_port(pods[0], {"targetPort": 81}) == 81


def test_endpointslice_for_service():
    w, _ = setup(EndpointSliceController)
    running_pod(w, "web-b", "node01", "10.244.1.7", ports=PORTS)
    running_pod(w, "web-a", "node02", "10.244.2.3", ports=PORTS, ready=False)
    make_service(w)
    w.kernel.settle()
    slices = w.client().list("endpointslices", "default", label_selector="kubernetes.io/service-name=web")["items"]
    assert len(slices) == 1
    sl = slices[0]
    assert sl["metadata"]["name"].startswith("web-") and len(sl["metadata"]["name"]) == len("web-") + 5
    assert sl["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
    assert sl["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert sl["addressType"] == "IPv4"
    assert sl["ports"] == [{"name": "web", "port": 8080, "protocol": "TCP"}]
    by_name = {e["targetRef"]["name"]: e for e in sl["endpoints"]}
    assert by_name["web-b"]["conditions"] == {"ready": True, "serving": True, "terminating": False}
    assert by_name["web-a"]["conditions"] == {"ready": False, "serving": False, "terminating": False}
    assert by_name["web-b"]["nodeName"] == "node01"
    # Terminating pods stay, not ready, terminating.
    w.client().delete("pods", "web-b")
    w.kernel.settle()
    sl = w.client().get("endpointslices", sl["metadata"]["name"])
    by_name = {e["targetRef"]["name"]: e for e in sl["endpoints"]}
    assert by_name["web-b"]["conditions"] == {"ready": False, "serving": True, "terminating": True}


def test_endpointslice_splits_at_100():
    w, ctrl = setup(EndpointSliceController)
    for i in range(150):
        running_pod(w, f"web-{i:03d}", "node01", f"10.244.{i // 200}.{i % 200 + 2}", ports=PORTS)
    make_service(w)
    w.kernel.settle()
    slices = w.client().list("endpointslices", "default", label_selector="kubernetes.io/service-name=web")["items"]
    assert sorted(len(s["endpoints"]) for s in slices) == [50, 100]


def test_endpointslice_placeholder_for_empty_service():
    w, _ = setup(EndpointSliceController)
    make_service(w)
    w.kernel.settle()
    slices = w.client().list("endpointslices", "default", label_selector="kubernetes.io/service-name=web")["items"]
    assert len(slices) == 1 and not slices[0].get("endpoints")


def test_pod_to_endpoint_publish_not_ready():
    svc = {"metadata": {"name": "s"}, "spec": {"publishNotReadyAddresses": True}}
    pod = {
        "metadata": {"name": "p", "namespace": "d", "uid": "u"},
        "spec": {},
        "status": {"podIP": "10.0.0.1", "conditions": [{"type": "Ready", "status": "False"}]},
    }
    assert pod_to_endpoint(svc, pod)["conditions"] == {"ready": True, "serving": False, "terminating": False}
