"""kubectl describe layouts (describe.go, v1.37): tabwriter alignment, sections, the Events table."""

from __future__ import annotations

import pytest

from ktui import Cluster
from ktui.kubectl.describe import describe
from ktui.kubectl.describe.base import rfc1123z, smart_label, tabwrite_go
from ktui.sim.timefmt import rfc3339


def test_tabwriter_blocks() -> None:
    text = "Name:\tnginx\nNamespace:\tdefault\nIPs:\n  IP:\t10.0.0.1\nControlled By:\tx\n"
    assert tabwrite_go(text) == (
        "Name:       nginx\nNamespace:  default\nIPs:\n  IP:           10.0.0.1\nControlled By:  x\n"
    )
    assert tabwrite_go("a\tb\tc\nlonger\t\tz\n") == "a       b  c\nlonger     z\n"


def test_rfc1123z_and_smart_label() -> None:
    assert rfc1123z(rfc3339(5)) == "Thu, 01 Jan 2026 00:00:05 +0000"
    assert smart_label("creationTimestamp") == "Creation Timestamp"
    assert smart_label("apiVersion") == "API Version"
    assert smart_label("uid") == "UID"
    assert smart_label("app.kubernetes.io/name") == "app.kubernetes.io/name"


def _pod() -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "nginx", "namespace": "default", "labels": {"run": "nginx"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx"}]},
    }


def test_pod_without_status_or_events(cluster: Cluster) -> None:
    pod = cluster.api.create("pods", _pod())
    text = describe(cluster.api, "pods", pod, cluster.now)
    assert text.startswith(
        "Name:             nginx\nNamespace:        default\nPriority:         0\n"
        "Service Account:  default\nNode:             <none>\nLabels:           run=nginx\n"
        "Annotations:      <none>\nStatus:           Pending\nIP:               \n"
        "IPs:              <none>\nContainers:\n  nginx:\n    Image:        nginx\n"
        "    Port:         <none>\n    Host Port:    <none>\n"
    )
    assert text.endswith(
        "    Environment:  <none>\n    Mounts:       <none>\nVolumes:          <none>\n"
        "QoS Class:        BestEffort\nNode-Selectors:   <none>\n"
        "Tolerations:      node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n"
        "                  node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"
        "Events:           <none>\n"
    )


@pytest.fixture(scope="module")
def full() -> Cluster:
    c = Cluster.default()
    c.api.create("pods", _pod())
    c.advance(10)
    return c


def test_running_pod_with_events(full: Cluster) -> None:
    pod = full.api.get("pods", "nginx", "default")
    text = describe(full.api, "pods", pod, full.now)
    node = pod["spec"]["nodeName"]
    assert f"Node:             {node}/{pod['status']['hostIP']}\n" in text
    assert "    State:          Running\n      Started:      Thu, 01 Jan 2026 00:02:0" in text
    assert "    Ready:          True\n    Restart Count:  0\n" in text
    assert "Conditions:\n  Type                        Status\n  PodReadyToStartContainers   True \n" in text
    events = text[text.index("Events:") :].splitlines()
    assert events[0] == "Events:"
    assert events[1].split() == ["Type", "Reason", "Age", "From", "Message"]
    assert events[2].split() == ["----", "------", "----", "----", "-------"]
    assert events[1].startswith("  Type    Reason     Age   From               Message")
    assert events[3].startswith(
        f"  Normal  Scheduled  10s   default-scheduler  Successfully assigned default/nginx to {node}"
    )


def test_node(full: Cluster) -> None:
    node = full.api.get("nodes", "node01")
    text = describe(full.api, "nodes", node, full.now)
    for line in (
        "Name:               node01\n",
        "Roles:              <none>\n",
        "Taints:             <none>\n",
        "Unschedulable:      false\n",
        "Lease:\n  HolderIdentity:  node01\n  AcquireTime:     <unset>\n",
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n",
    ):
        assert line in text
    assert "  Namespace                   Name" in text and "CPU Requests  CPU Limits  Memory Requests" in text
    assert "Normal  RegisteredNode" in text


def test_deployment_and_replicaset(full: Cluster) -> None:
    d = full.api.get("deployments", "coredns", "kube-system")
    text = describe(full.api, "deployments", d, full.now)
    assert "Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable\n" in text
    assert "StrategyType:           RollingUpdate\n" in text
    assert "Pod Template:\n  Labels:           k8s-app=kube-dns\n" in text
    assert "  Containers:\n   coredns:\n    Image:       registry.k8s.io/coredns/coredns:v1.12.1\n" in text
    assert "OldReplicaSets:  <none>\nNewReplicaSet:   coredns-" in text
    rs = full.api.list("replicasets", "kube-system")["items"][0]
    rs_text = describe(full.api, "replicasets", rs, full.now)
    assert "Replicas:       2 current / 2 desired\n" in rs_text
    assert "Pods Status:    2 Running / 0 Waiting / 0 Succeeded / 0 Failed\n" in rs_text
    assert "Controlled By:  Deployment/coredns\n" in rs_text


def test_service_and_endpoints(full: Cluster) -> None:
    svc = full.api.get("services", "kube-dns", "kube-system")
    text = describe(full.api, "services", svc, full.now)
    assert (
        "Port:                     dns  53/UDP\nTargetPort:               53/UDP\nEndpoints:                10.244."
        in text
    )
    assert (
        "Session Affinity:         None\nInternal Traffic Policy:  Cluster\nEvents:                   <none>\n" in text
    )
    ep = full.api.get("endpoints", "kube-dns", "kube-system")
    text = describe(full.api, "endpoints", ep, full.now)
    assert "Subsets:\n  Addresses:          10.244." in text
    assert "    Name     Port  Protocol\n    ----     ----  --------\n" in text


def test_namespace_with_quota_and_limits(cluster: Cluster) -> None:
    cluster.api.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    cluster.api.create(
        "resourcequotas",
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "q", "namespace": "dev"},
            "spec": {"hard": {"pods": "10", "requests.cpu": "2"}},
        },
    )
    cluster.api.create(
        "limitranges",
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": {"name": "lr", "namespace": "dev"},
            "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "250m"}}]},
        },
    )
    ns = cluster.api.get("namespaces", "dev")
    text = describe(cluster.api, "namespaces", ns, cluster.now)
    assert text.startswith(
        "Name:         dev\nLabels:       kubernetes.io/metadata.name=dev\n"
        "Annotations:  <none>\nStatus:       Active\n\nResource Quotas\n  Name:"
    )
    quota = text[text.index("Resource Quotas") : text.index("Resource Limits")]
    assert [line.split() for line in quota.splitlines()[2:4]] == [
        ["Resource", "Used", "Hard"],
        ["--------", "---", "---"],
    ]
    assert text.endswith(
        "Resource Limits\n Type       Resource  Min  Max  Default Request  Default Limit  "
        "Max Limit/Request Ratio\n ----       --------  ---  ---  ---------------  -------------  "
        "-----------------------\n Container  cpu       -    -    250m             500m           -\n"
    )
    default = describe(cluster.api, "namespaces", cluster.api.get("namespaces", "default"), cluster.now)
    assert default.endswith("Status:       Active\n\nNo resource quota.\n\nNo LimitRange resource.\n")


def test_generic(cluster: Cluster) -> None:
    lease = cluster.api.create(
        "leases",
        {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": "lock", "namespace": "default"},
            "spec": {"holderIdentity": "me"},
        },
    )
    text = describe(cluster.api, "leases", lease, cluster.now)
    assert text.startswith("Name:         lock\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n")
    assert "API Version:  coordination.k8s.io/v1\nKind:         Lease\nMetadata:\n" in text
    assert text.endswith("Spec:\n  Holder Identity:  me\nEvents:             <none>\n")


def test_configmap(cluster: Cluster) -> None:
    cm = cluster.api.create(
        "configmaps",
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cfg", "namespace": "default"},
            "data": {"k": "v", "a": "x\ny"},
            "binaryData": {"b": "AAEC"},
        },
    )
    text = describe(cluster.api, "configmaps", cm, cluster.now)
    assert text == (
        "Name:         cfg\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\n"
        "Data\n====\na:\n----\nx\ny\n\nk:\n----\nv\n\n\nBinaryData\n====\nb: 3 bytes\n\n"
        "Events:  <none>\n"
    )
