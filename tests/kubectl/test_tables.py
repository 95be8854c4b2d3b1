"""kubectl get's table cells and columns, checked against printers.go (v1.37) and HumanDuration."""

from __future__ import annotations

import pytest

from ktui.kubectl.tables import age, columns_for, human_duration, namespace_column, render_table, row_for
from ktui.sim.timefmt import rfc3339


@pytest.mark.parametrize(
    "seconds,text",
    [
        (-5, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (45, "45s"),
        (119, "119s"),
        (120, "2m"),
        (340, "5m40s"),
        (599, "9m59s"),
        (600, "10m"),
        (10799, "179m"),
        (3 * 3600 + 12 * 60, "3h12m"),
        (5 * 3600, "5h"),
        (10 * 3600, "10h"),
        (47 * 3600, "47h"),
        (53 * 3600, "2d5h"),
        (72 * 3600, "3d"),
        (30 * 86400, "30d"),
        (800 * 86400, "2y70d"),
        (9 * 365 * 86400, "9y"),
    ],
)
def test_human_duration(seconds: int, text: str) -> None:
    assert human_duration(seconds) == text


def test_age() -> None:
    assert age(None, 100) == "<unknown>"
    assert age(rfc3339(10), 55) == "45s"
    assert age(rfc3339(0), 340) == "5m40s"


def _pod(status: dict, spec: dict | None = None, **md) -> dict:
    return {
        "metadata": {"name": "p", "creationTimestamp": rfc3339(0), **md},
        "spec": spec or {"containers": [{"name": "c", "image": "nginx"}]},
        "status": status,
    }


def _cs(state: dict, ready: bool = False, restarts: int = 0, last: dict | None = None, name: str = "c") -> dict:
    out = {"name": name, "state": state, "ready": ready, "restartCount": restarts}
    if last:
        out["lastState"] = last
    return out


@pytest.mark.parametrize(
    "status,ready,reason",
    [
        ({"phase": "Pending"}, "0/1", "Pending"),
        (
            {"phase": "Pending", "containerStatuses": [_cs({"waiting": {"reason": "ContainerCreating"}})]},
            "0/1",
            "ContainerCreating",
        ),
        (
            {"phase": "Running", "containerStatuses": [_cs({"running": {"startedAt": rfc3339(1)}}, True)]},
            "1/1",
            "Running",
        ),
        (
            {"phase": "Pending", "containerStatuses": [_cs({"waiting": {"reason": "ErrImagePull"}})]},
            "0/1",
            "ErrImagePull",
        ),
        (
            {"phase": "Pending", "containerStatuses": [_cs({"waiting": {"reason": "ImagePullBackOff"}})]},
            "0/1",
            "ImagePullBackOff",
        ),
        (
            {"phase": "Running", "containerStatuses": [_cs({"terminated": {"reason": "OOMKilled", "exitCode": 137}})]},
            "0/1",
            "OOMKilled",
        ),
        (
            {"phase": "Succeeded", "containerStatuses": [_cs({"terminated": {"reason": "Completed", "exitCode": 0}})]},
            "0/1",
            "Completed",
        ),
        ({"phase": "Running", "containerStatuses": [_cs({"terminated": {"exitCode": 2}})]}, "0/1", "ExitCode:2"),
        (
            {"phase": "Running", "containerStatuses": [_cs({"terminated": {"exitCode": 0, "signal": 9}})]},
            "0/1",
            "Signal:9",
        ),
        ({"phase": "Failed", "reason": "Evicted"}, "0/1", "Evicted"),
    ],
)
def test_pod_status(status: dict, ready: str, reason: str) -> None:
    row = row_for("pods", _pod(status), 100)
    assert row[1:3] == [ready, reason]


def test_pod_init_containers() -> None:
    spec = {"initContainers": [{"name": "i"}], "containers": [{"name": "c"}]}
    st = {"phase": "Pending", "initContainerStatuses": [_cs({"waiting": {"reason": "PodInitializing"}}, name="i")]}
    assert row_for("pods", _pod(st, spec), 5)[2] == "Init:0/1"
    st["initContainerStatuses"] = [_cs({"waiting": {"reason": "CrashLoopBackOff"}}, name="i", restarts=2)]
    assert row_for("pods", _pod(st, spec), 5)[2:4] == ["Init:CrashLoopBackOff", "2"]
    st["initContainerStatuses"] = [_cs({"terminated": {"exitCode": 1}}, name="i")]
    assert row_for("pods", _pod(st, spec), 5)[2] == "Init:ExitCode:1"
    st["initContainerStatuses"] = [_cs({"terminated": {"exitCode": 1, "reason": "Error"}}, name="i")]
    assert row_for("pods", _pod(st, spec), 5)[2] == "Init:Error"


def test_sidecar_counts_in_ready() -> None:
    spec = {"initContainers": [{"name": "s", "restartPolicy": "Always"}], "containers": [{"name": "c"}]}
    st = {
        "phase": "Running",
        "conditions": [{"type": "Initialized", "status": "True"}],
        "initContainerStatuses": [_cs({"running": {}}, True, name="s") | {"started": True}],
        "containerStatuses": [_cs({"running": {}}, True)],
    }
    assert row_for("pods", _pod(st, spec), 5)[1:3] == ["2/2", "Running"]


def test_crashloop_restarts_ago() -> None:
    st = {
        "phase": "Running",
        "containerStatuses": [
            _cs(
                {"waiting": {"reason": "CrashLoopBackOff"}},
                restarts=3,
                last={"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": rfc3339(55)}},
            )
        ],
    }
    assert row_for("pods", _pod(st), 100) == ["p", "0/1", "CrashLoopBackOff", "3 (45s ago)", "100s"]


def test_terminating_and_node_lost() -> None:
    running = {"phase": "Running", "containerStatuses": [_cs({"running": {}}, True)]}
    assert row_for("pods", _pod(running, deletionTimestamp=rfc3339(50)), 60)[2] == "Terminating"
    lost = dict(running, reason="NodeLost")
    assert row_for("pods", _pod(lost, deletionTimestamp=rfc3339(50)), 60)[2] == "Unknown"
    done = {"phase": "Succeeded", "containerStatuses": [_cs({"terminated": {"reason": "Completed"}})]}
    assert row_for("pods", _pod(done, deletionTimestamp=rfc3339(50)), 60)[2] == "Completed"


def test_pod_wide() -> None:
    st = {"phase": "Running", "podIPs": [{"ip": "10.244.1.5"}], "containerStatuses": [_cs({"running": {}}, True)]}
    pod = _pod(st, {"containers": [{"name": "c"}], "nodeName": "node01"})
    assert row_for("pods", pod, 30, wide=True)[5:] == ["10.244.1.5", "node01", "<none>", "<none>"]
    assert row_for("pods", _pod({"phase": "Pending"}), 30, wide=True)[5:] == ["<none>"] * 4
    assert columns_for("pods", True) == [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED NODE",
        "READINESS GATES",
    ]


def _node(ready: str | None, unschedulable: bool = False, labels: dict | None = None) -> dict:
    conds = [{"type": "Ready", "status": ready}] if ready else []
    return {
        "metadata": {"name": "n1", "creationTimestamp": rfc3339(0), "labels": labels or {}},
        "spec": {"unschedulable": unschedulable},
        "status": {
            "conditions": conds,
            "addresses": [{"type": "InternalIP", "address": "172.18.0.3"}],
            "nodeInfo": {"kubeletVersion": "v1.37.1", "osImage": "Ubuntu"},
        },
    }


def test_node_rows() -> None:
    assert row_for("nodes", _node("True"), 60) == ["n1", "Ready", "<none>", "60s", "v1.37.1"]
    assert row_for("nodes", _node("Unknown"), 60)[1] == "NotReady"
    assert row_for("nodes", _node(None), 60)[1] == "Unknown"
    assert row_for("nodes", _node("True", True), 60)[1] == "Ready,SchedulingDisabled"
    roles = {
        "node-role.kubernetes.io/worker": "",
        "node-role.kubernetes.io/control-plane": "",
        "kubernetes.io/role": "gpu",
    }
    assert row_for("nodes", _node("True", labels=roles), 60)[2] == "control-plane,gpu,worker"
    assert row_for("nodes", _node("True"), 60, wide=True)[5:] == [
        "172.18.0.3",
        "<none>",
        "Ubuntu",
        "<unknown>",
        "<unknown>",
    ]


def _svc(spec: dict, status: dict | None = None) -> dict:
    return {"metadata": {"name": "s", "creationTimestamp": rfc3339(0)}, "spec": spec, "status": status or {}}


def test_service_rows() -> None:
    np = _svc(
        {
            "type": "NodePort",
            "clusterIPs": ["10.96.0.20"],
            "selector": {"app": "web"},
            "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}],
        }
    )
    assert row_for("services", np, 5, wide=True) == [
        "s",
        "NodePort",
        "10.96.0.20",
        "<none>",
        "80:30080/TCP",
        "5s",
        "app=web",
    ]
    lb = _svc(
        {
            "type": "LoadBalancer",
            "clusterIPs": ["10.96.0.21"],
            "ports": [{"port": 443, "protocol": "TCP", "nodePort": 31000}],
        }
    )
    assert row_for("services", lb, 5)[3] == "<pending>"
    lb["status"] = {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}, {"ip": "203.0.113.11"}]}}
    assert row_for("services", lb, 5)[3] == "203.0.113.10,..."
    assert row_for("services", lb, 5, wide=True)[3] == "203.0.113.10,203.0.113.11"
    en = _svc({"type": "ExternalName", "externalName": "db.example.com"})
    assert row_for("services", en, 5)[2:5] == ["<none>", "db.example.com", "<none>"]
    headless = _svc({"type": "ClusterIP", "clusterIPs": ["None"], "ports": [{"port": 53, "protocol": "UDP"}]})
    assert row_for("services", headless, 5)[2:5] == ["None", "<none>", "53/UDP"]


def test_workload_rows() -> None:
    d = {
        "metadata": {"name": "web", "creationTimestamp": rfc3339(0)},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}, {"name": "side", "image": "busybox"}]}
            },
        },
        "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2},
    }
    assert row_for("deployments", d, 200, wide=True) == [
        "web",
        "2/3",
        "3",
        "2",
        "3m20s",
        "nginx,side",
        "nginx:1.25,busybox",
        "app=web",
    ]
    assert row_for("deployments", {**d, "status": {}}, 5) == ["web", "0/3", "0", "0", "5s"]
    rs = {**d, "kind": "ReplicaSet", "status": {"replicas": 3, "readyReplicas": 1}}
    assert row_for("replicasets", rs, 5) == ["web", "3", "3", "1", "5s"]
    sts = {**d, "status": {"readyReplicas": 1}}
    assert row_for("statefulsets", sts, 5) == ["web", "1/3", "5s"]
    ds = {
        "metadata": {"name": "kp", "creationTimestamp": rfc3339(0)},
        "spec": {"template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"}}}},
        "status": {
            "desiredNumberScheduled": 3,
            "currentNumberScheduled": 3,
            "numberReady": 2,
            "updatedNumberScheduled": 3,
            "numberAvailable": 2,
        },
    }
    assert row_for("daemonsets", ds, 5) == ["kp", "3", "3", "2", "3", "2", "kubernetes.io/os=linux", "5s"]


def test_job_and_cronjob_rows() -> None:
    job = {
        "metadata": {"name": "pi", "creationTimestamp": rfc3339(0)},
        "spec": {"completions": 1, "parallelism": 1},
        "status": {
            "succeeded": 1,
            "startTime": rfc3339(0),
            "completionTime": rfc3339(12),
            "conditions": [{"type": "Complete", "status": "True"}],
        },
    }
    assert columns_for("jobs") == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert row_for("jobs", job, 100) == ["pi", "Complete", "1/1", "12s", "100s"]
    running = {**job, "spec": {"parallelism": 2}, "status": {"startTime": rfc3339(0)}}
    assert row_for("jobs", running, 30) == ["pi", "Running", "0/1 of 2", "30s", "30s"]
    assert row_for("jobs", {**job, "status": {}}, 30)[1:4] == ["Running", "0/1", ""]
    cj = {
        "metadata": {"name": "c", "creationTimestamp": rfc3339(0)},
        "spec": {"schedule": "*/1 * * * *", "suspend": False},
        "status": {},
    }
    assert columns_for("cronjobs") == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]
    assert row_for("cronjobs", cj, 61) == ["c", "*/1 * * * *", "<none>", "False", "0", "<none>", "61s"]


def test_config_and_rbac_rows() -> None:
    cm = {"metadata": {"name": "cfg", "creationTimestamp": rfc3339(0)}, "data": {"a": "1", "b": "2"}}
    assert row_for("configmaps", cm, 9) == ["cfg", "2", "9s"]
    sec = {"metadata": {"name": "s", "creationTimestamp": rfc3339(0)}, "type": "Opaque", "data": {"k": "dg=="}}
    assert row_for("secrets", sec, 9) == ["s", "Opaque", "1", "9s"]
    rb = {
        "metadata": {"name": "rb", "creationTimestamp": rfc3339(0)},
        "roleRef": {"kind": "ClusterRole", "name": "view"},
        "subjects": [
            {"kind": "User", "name": "bob"},
            {"kind": "User", "name": "amy"},
            {"kind": "ServiceAccount", "name": "sa", "namespace": "dev"},
        ],
    }
    assert row_for("rolebindings", rb, 9, wide=True) == ["rb", "ClusterRole/view", "9s", "bob, amy", "", "dev/sa"]
    assert columns_for("roles") == ["NAME", "CREATED AT"]
    assert row_for("roles", rb, 9) == ["rb", "2026-01-01T00:00:00Z"]
    rq = {
        "metadata": {"name": "q", "creationTimestamp": rfc3339(0)},
        "status": {
            "hard": {"pods": "10", "requests.cpu": "1", "limits.memory": "1Gi"},
            "used": {"pods": "2", "requests.cpu": "200m"},
        },
    }
    assert row_for("resourcequotas", rq, 9) == ["q", "9s", "pods: 2/10, requests.cpu: 200m/1", "limits.memory: 0/1Gi"]
    pc = {"metadata": {"name": "high", "creationTimestamp": rfc3339(0)}, "value": 1000}
    assert row_for("priorityclasses", pc, 9) == ["high", "1000", "false", "9s", "PreemptLowerPriority"]


def test_endpoints_and_events() -> None:
    ep = {
        "metadata": {"name": "web", "creationTimestamp": rfc3339(0)},
        "subsets": [{"addresses": [{"ip": f"10.0.0.{i}"} for i in range(1, 6)], "ports": [{"port": 80}]}],
    }
    assert row_for("endpoints", ep, 1)[1] == "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more..."
    assert row_for("endpoints", {"metadata": {"name": "x"}}, 1)[1:] == ["<none>", "<unknown>"]
    ev = {
        "metadata": {"name": "nginx.1"},
        "type": "Normal",
        "reason": "Scheduled",
        "count": 1,
        "involvedObject": {"kind": "Pod", "name": "nginx"},
        "message": "Successfully assigned default/nginx to n1 ",
        "source": {"component": "default-scheduler"},
        "firstTimestamp": rfc3339(0),
        "lastTimestamp": rfc3339(5),
    }
    assert columns_for("events") == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert row_for("events", ev, 15) == [
        "10s",
        "Normal",
        "Scheduled",
        "pod/nginx",
        "Successfully assigned default/nginx to n1",
    ]
    assert row_for("events", ev, 15, wide=True)[4:] == [
        "",
        "default-scheduler",
        "Successfully assigned default/nginx to n1",
        "15s",
        "1",
        "nginx.1",
    ]


def test_generic_fallback() -> None:
    assert columns_for("widgets") == ["NAME", "AGE"]
    assert row_for("widgets", {"metadata": {"name": "w", "creationTimestamp": rfc3339(0)}}, 3) == ["w", "3s"]


def test_render_table_padding() -> None:
    text = render_table(
        ["NAME", "READY", "STATUS"], [["nginx", "1/1", "Running"], ["a-much-longer-name", "0/1", "Pending"]]
    )
    assert text == (
        "NAME                 READY   STATUS\n"
        "nginx                1/1     Running\n"
        "a-much-longer-name   0/1     Pending\n"
    )


def test_namespace_column() -> None:
    head, rows = namespace_column(["NAME"], [["a"]], [{"metadata": {"namespace": "dev"}}])
    assert (head, rows) == (["NAMESPACE", "NAME"], [["dev", "a"]])
