"""kubectl's own describers: jobs, cron jobs, quotas, priority classes, PDBs, secrets, ingresses, stateful sets,
limit ranges, PVCs, PVs, autoscalers and certificate signing requests."""

from __future__ import annotations

import base64

import pytest

from ktui import Cluster
from ktui.kubectl.describe import describe
from ktui.kubectl.describe.base import Writer
from ktui.kubectl.describe.batch import cap_indexes, describe_cronjob, describe_job
from ktui.kubectl.describe.policy import describe_pdb, describe_resourcequota
from ktui.kubectl.errors import KubectlError

_TEMPLATE = {
    "metadata": {"labels": {"app": "t"}},
    "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]},
}
_POD_TEMPLATE = (
    "Pod Template:\n  Labels:  app=t\n  Containers:\n   c:\n    Image:         busybox\n"
    "    Port:          <none>\n    Host Port:     <none>\n    Environment:   <none>\n"
    "    Mounts:        <none>\n  Volumes:         <none>\n  Node-Selectors:  <none>\n"
    "  Tolerations:     <none>\n"
)


def _text(fn, obj: dict) -> str:
    w = Writer()
    fn(w, obj)
    return w.text()


def test_an_indexed_job_that_finished() -> None:
    job = {
        "kind": "Job",
        "metadata": {"name": "idx", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "t"}},
            "parallelism": 2,
            "completions": 3,
            "completionMode": "Indexed",
            "suspend": False,
            "backoffLimit": 6,
            "ttlSecondsAfterFinished": 60,
            "activeDeadlineSeconds": 900,
            "template": _TEMPLATE,
        },
        "status": {
            "startTime": "2026-01-01T00:01:00Z",
            "completionTime": "2026-01-01T00:03:05Z",
            "succeeded": 3,
            "ready": 0,
            "completedIndexes": "0-2",
        },
    }
    assert _text(describe_job, job) == (
        "Name:                        idx\nNamespace:                   default\nSelector:                    app=t\n"
        "Labels:                      <none>\nAnnotations:                 <none>\nParallelism:                 2\n"
        "Completions:                 3\nCompletion Mode:             Indexed\nSuspend:                     false\n"
        "Backoff Limit:               6\nTTL Seconds After Finished:  60\n"
        "Start Time:                  Thu, 01 Jan 2026 00:01:00 +0000\n"
        "Completed At:                Thu, 01 Jan 2026 00:03:05 +0000\nDuration:                    2m5s\n"
        "Active Deadline Seconds:     900s\nPods Statuses:               0 Active (0 Ready) / 3 Succeeded / 0 Failed\n"
        "Completed Indexes:           0-2\n" + _POD_TEMPLATE
    )


def test_a_job_without_ready_count_or_completions() -> None:
    job = {"metadata": {"name": "j", "namespace": "ns"}, "spec": {"template": _TEMPLATE}, "status": {"active": 1}}
    text = _text(describe_job, job)
    assert "Selector:       \n" in text and "Completions:    <unset>\n" in text
    assert "Pods Statuses:  1 Active / 0 Succeeded / 0 Failed\n" in text
    assert "Parallelism" not in text and "Start Time" not in text


def test_completed_indexes_are_cut_after_fifty_characters() -> None:
    indexes = ",".join(str(i) for i in range(0, 60, 2))
    assert cap_indexes(indexes) == indexes[: indexes.index(",", 50) + 1] + "..."
    assert cap_indexes("1,3") == "1,3" and cap_indexes("") == "<none>"


def test_a_cron_job_with_unset_fields_and_active_jobs() -> None:
    cj = {
        "metadata": {"name": "tick", "namespace": "default"},
        "spec": {
            "schedule": "*/5 * * * *",
            "concurrencyPolicy": "Forbid",
            "suspend": True,
            "timeZone": "Etc/UTC",
            "startingDeadlineSeconds": 30,
            "jobTemplate": {"spec": {"template": _TEMPLATE}},
        },
        "status": {"lastScheduleTime": "2026-01-01T00:05:00Z", "active": [{"name": "tick-1"}, {"name": "tick-2"}]},
    }
    assert _text(describe_cronjob, cj) == (
        "Name:                          tick\nNamespace:                     default\n"
        "Labels:                        <none>\nAnnotations:                   <none>\n"
        "Schedule:                      */5 * * * *\nConcurrency Policy:            Forbid\n"
        "Suspend:                       True\nTime Zone:                     Etc/UTC\n"
        "Successful Job History Limit:  <unset>\nFailed Job History Limit:      <unset>\n"
        "Starting Deadline Seconds:     30s\nSelector:                      <unset>\n"
        "Parallelism:                   <unset>\nCompletions:                   <unset>\n"
        + _POD_TEMPLATE.replace("Tolerations:     <none>\n", "Tolerations:       <none>\n")
        .replace("Volumes:         <none>\n", "Volumes:           <none>\n")
        .replace("Node-Selectors:  <none>\n", "Node-Selectors:    <none>\n")
        .replace(
            "    Image:         busybox\n    Port:          <none>\n    Host Port:     <none>\n"
            "    Environment:   <none>\n    Mounts:        <none>\n",
            "    Image:           busybox\n    Port:            <none>\n    Host Port:       <none>\n"
            "    Environment:     <none>\n    Mounts:          <none>\n",
        )
        + "Last Schedule Time:  Thu, 01 Jan 2026 00:05:00 +0000\nActive Jobs:         tick-1, tick-2\n"
    )


def test_a_quota_with_scopes_prints_used_in_the_hard_format() -> None:
    quota = {
        "metadata": {"name": "q", "namespace": "default"},
        "spec": {"scopes": ["NotTerminating", "BestEffort"]},
        "status": {
            "hard": {"pods": "10", "limits.memory": "1G", "requests.memory": "1Gi"},
            "used": {"pods": "2", "limits.memory": "512Mi", "requests.memory": "0"},
        },
    }
    assert _text(describe_resourcequota, quota) == (
        "Name:       q\nNamespace:  default\nScopes:     BestEffort, NotTerminating\n"
        " * Matches all pods that do not have resource requirements set. These pods have a best effort quality of "
        "service.\n * Matches all pods that do not have an active deadline. These pods usually include long running "
        "pods whose container command is not expected to terminate.\n"
        "Resource         Used       Hard\n--------         ----       ----\n"
        "limits.memory    536870912  1G\npods             2          10\nrequests.memory  0          1Gi\n"
    )


def test_pdbs_print_min_available_or_max_unavailable() -> None:
    pdb = {
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"maxUnavailable": "50%", "selector": {"matchLabels": {"app": "web"}}},
        "status": {"disruptionsAllowed": 1, "currentHealthy": 2, "desiredHealthy": 1, "expectedPods": 2},
    }
    assert _text(describe_pdb, pdb) == (
        "Name:             p\nNamespace:        default\nMax unavailable:  50%\nSelector:         app=web\n"
        "Status:\n    Allowed disruptions:  1\n    Current:              2\n    Desired:              1\n"
        "    Total:                2\n"
    )
    pdb["spec"] = {"minAvailable": 1}
    assert "Min available:  1\nSelector:       <unset>\n" in _text(describe_pdb, pdb)


def test_priority_class_and_secret_through_the_api(cluster: Cluster) -> None:
    pc = cluster.api.create(
        "priorityclasses",
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": "high", "annotations": {"b": "2", "a": "1"}},
            "value": 1000,
            "description": "important",
            "preemptionPolicy": "Never",
        },
    )
    assert describe(cluster.api, "priorityclasses", pc, cluster.now) == (
        "Name:              high\nValue:             1000\nGlobalDefault:     false\n"
        "PreemptionPolicy:  Never\nDescription:       important\nAnnotations:       a=1,b=2\n"
        "Events:            <none>\n"
    )
    token = base64.b64encode(b"abc.def").decode()
    secret = cluster.api.create(
        "secrets",
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": "s",
                "namespace": "default",
                "annotations": {"kubernetes.io/service-account.name": "robot"},
            },
            "type": "kubernetes.io/service-account-token",
            "data": {"token": token, "ca.crt": base64.b64encode(b"x" * 9).decode()},
        },
    )
    assert describe(cluster.api, "secrets", secret, cluster.now) == (
        "Name:         s\nNamespace:    default\nLabels:       <none>\n"
        "Annotations:  kubernetes.io/service-account.name: robot\n\n"
        "Type:  kubernetes.io/service-account-token\n\nData\n====\nca.crt:  9 bytes\ntoken:   abc.def\n"
    )


def test_an_ingress_shows_each_backend_with_its_endpoints_or_the_error(cluster: Cluster) -> None:
    cluster.api.create(
        "services",
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"ports": [{"name": "http", "port": 80}]},
        },
    )
    cluster.api.create(
        "endpointslices",
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "addressType": "IPv4",
            "metadata": {"name": "web-1", "namespace": "default", "labels": {"kubernetes.io/service-name": "web"}},
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            "endpoints": [
                {"addresses": ["10.0.0.5"], "conditions": {"ready": True}},
                {"addresses": ["10.0.0.6"], "conditions": {"ready": False}},
            ],
        },
    )
    ing = cluster.api.create(
        "ingresses",
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": "i", "namespace": "default"},
            "spec": {
                "tls": [{"hosts": ["a.io", "b.io"], "secretName": "cert"}, {"hosts": ["c.io"]}],
                "rules": [
                    {
                        "host": "a.io",
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": "web", "port": {"number": 80}}},
                                },
                                {
                                    "path": "/x",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": "nope", "port": {"name": "http"}}},
                                },
                            ]
                        },
                    }
                ],
            },
        },
    )
    assert describe(cluster.api, "ingresses", ing, cluster.now) == (
        "Name:             i\nLabels:           <none>\nNamespace:        default\nAddress:          \n"
        "Ingress Class:    <none>\nDefault backend:  <default>\nTLS:\n  cert terminates a.io,b.io\n  SNI routes c.io\n"
        "Rules:\n  Host        Path  Backends\n  ----        ----  --------\n  a.io        \n"
        "              /    web:80 (10.0.0.5:8080)\n"
        '              /x   nope:http (<error: services "nope" not found>)\n'
        "Annotations:  <none>\nEvents:       <none>\n"
    )


def test_storage_and_ingress_classes() -> None:
    from ktui.kubectl.describe.networking import describe_ingressclass
    from ktui.kubectl.describe.storage import describe_storageclass

    sc = {
        "metadata": {"name": "fast", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "example.com/disk",
        "parameters": {"type": "ssd"},
        "mountOptions": ["ro"],
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
        "allowedTopologies": [
            {"matchLabelExpressions": [{"key": "zone", "values": ["a", "b"]}, {"key": "disk", "values": ["ssd"]}]}
        ],
    }
    assert _text(describe_storageclass, sc) == (
        "Name:                  fast\nIsDefaultClass:        Yes\n"
        "Annotations:           storageclass.kubernetes.io/is-default-class=true\n"
        "Provisioner:           example.com/disk\nParameters:            type=ssd\nAllowVolumeExpansion:  <unset>\n"
        "MountOptions:\n  ro\nReclaimPolicy:      Delete\nVolumeBindingMode:  Immediate\nAllowedTopologies:  \n"
        "  Term 0:           zone in [a, b]\n                    disk in [ssd]\n"
    )
    ic = {
        "metadata": {"name": "nginx"},
        "spec": {"controller": "k8s.io/ingress-nginx", "parameters": {"kind": "Params", "name": "p"}},
    }
    assert _text(describe_ingressclass, ic) == (
        "Name:         nginx\nLabels:       <none>\nAnnotations:  <none>\nController:   k8s.io/ingress-nginx\n"
        "Parameters:\n  Kind:  Params\n  Name:  p\n"
    )


def test_a_network_policy_lists_its_rules() -> None:
    from ktui.kubectl.describe.networking import describe_networkpolicy

    np = {
        "metadata": {"name": "web-in", "namespace": "default", "creationTimestamp": "2026-01-01T00:01:02Z"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "web"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
                    "ports": [{"port": 8000, "endPort": 8080}],
                },
                {},
            ],
        },
    }
    assert _text(describe_networkpolicy, np) == (
        "Name:         web-in\nNamespace:    default\nCreated on:   2026-01-01 00:01:02 +0000 UTC\n"
        "Labels:       <none>\nAnnotations:  <none>\nSpec:\n  PodSelector:     app=web\n"
        "  Allowing ingress traffic:\n    To Port Range: 8000-8080/TCP\n    From:\n      IPBlock:\n"
        "        CIDR: 10.0.0.0/8\n        Except: 10.1.0.0/16\n    ----------\n"
        "    To Port: <any> (traffic allowed to all ports)\n    From: <any> (traffic not restricted by source)\n"
        "  Not affecting egress traffic\n  Policy Types: Ingress\n"
    )


def test_a_stateful_set_with_claim_templates_and_a_partition() -> None:
    from ktui.kubectl.describe.statefulsets import describe_statefulset

    sts = {
        "metadata": {"name": "db", "namespace": "default", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "t"}},
            "serviceName": "db",
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1, "maxUnavailable": 2}},
            "template": _TEMPLATE,
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data", "annotations": {"volume.beta.kubernetes.io/storage-class": "old"}},
                    "spec": {"storageClassName": "fast", "accessModes": ["ReadWriteOnce", "ReadOnlyMany"]},
                }
            ],
        },
        "status": {"replicas": 2},
    }
    pods = [{"status": {"phase": "Running"}}, {"status": {"phase": "Pending"}}]
    w = Writer()
    describe_statefulset(w, sts, pods)
    assert w.text() == (
        "Name:               db\nNamespace:          default\n"
        "CreationTimestamp:  Thu, 01 Jan 2026 00:00:00 +0000\nSelector:           app=t\n"
        "Labels:             <none>\nAnnotations:        <none>\nService Name:       db\n"
        "Replicas:           3 desired | 2 total\nUpdate Strategy:    RollingUpdate\n  Partition:        1\n"
        "  MaxUnavailable:   2\nPods Status:        1 Running / 1 Waiting / 0 Succeeded / 0 Failed\n"
        + _POD_TEMPLATE
        + "Volume Claims:\n  Name:          data\n  StorageClass:  old\n  Labels:        <none>\n"
        "  Annotations:   volume.beta.kubernetes.io/storage-class=old\n  Capacity:      <default>\n"
        "  Access Modes:  [ReadWriteOnce ReadOnlyMany]\n"
    )


def test_a_limit_range_lists_each_limit_resource_with_dashes_for_what_is_unset(cluster: Cluster) -> None:
    from ktui.kubectl.describe.namespaces import describe_limitrange

    lr = {
        "metadata": {"name": "limits", "namespace": "dev"},
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": {"cpu": "0.5"},
                    "defaultRequest": {"cpu": "100m"},
                    "max": {"memory": "1Gi"},
                    "maxLimitRequestRatio": {"cpu": "4"},
                },
                {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}},
            ]
        },
    }
    assert _text(describe_limitrange, lr) == (
        "Name:                  limits\nNamespace:             dev\n"
        "Type                   Resource  Min  Max  Default Request  Default Limit  Max Limit/Request Ratio\n"
        "----                   --------  ---  ---  ---------------  -------------  -----------------------\n"
        "Container              cpu       -    -    100m             500m           4\n"
        "Container              memory    -    1Gi  -                -              -\n"
        "PersistentVolumeClaim  storage   1Gi  -    -                -              -\n"
    )
    text = describe(cluster.api, "limitranges", lr, cluster.now)
    assert text.startswith("Name:") and "Events" not in text


def test_a_bound_claim_that_is_terminating_with_a_data_source_and_conditions() -> None:
    from ktui.kubectl.describe.volumes import describe_pvc, pods_using_claim

    pvc = {
        "metadata": {
            "name": "c",
            "namespace": "ns",
            "finalizers": ["kubernetes.io/pvc-protection"],
            "deletionTimestamp": "2026-01-01T00:00:00Z",
            "ownerReferences": [{"kind": "Pod", "uid": "u2"}],
        },
        "spec": {
            "volumeName": "pv1",
            "storageClassName": "fast",
            "volumeMode": "Filesystem",
            "dataSource": {"kind": "PersistentVolumeClaim", "name": "src"},
        },
        "status": {
            "phase": "Bound",
            "accessModes": ["ReadWriteMany", "ReadWriteOnce"],
            "capacity": {"storage": "1024Mi"},
            "conditions": [{"type": "Resizing", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}],
        },
    }
    pods = [
        {"metadata": {"name": "b", "uid": "u1"}, "spec": {"volumes": [{"persistentVolumeClaim": {"claimName": "c"}}]}},
        {"metadata": {"name": "a", "uid": "u2"}, "spec": {}},
        {"metadata": {"name": "z", "uid": "u3"}, "spec": {"volumes": [{"persistentVolumeClaim": {"claimName": "x"}}]}},
    ]
    w = Writer()
    describe_pvc(w, pvc, pods_using_claim(pvc, pods), 90.0)
    assert w.text() == (
        "Name:          c\nNamespace:     ns\nStorageClass:  fast\nStatus:        Terminating (lasts 90s)\n"
        "Volume:        pv1\nLabels:        <none>\nAnnotations:   <none>\n"
        "Finalizers:    [kubernetes.io/pvc-protection]\nCapacity:      1Gi\nAccess Modes:  RWO,RWX\n"
        "VolumeMode:    Filesystem\nDataSource:\n  Kind:   PersistentVolumeClaim\n  Name:   src\n"
        "Used By:  a\n          b\nConditions:\n"
        "  Type       Status  LastProbeTime                     LastTransitionTime                Reason  Message\n"
        "  ----       ------  -----------------                 ------------------                ------  -------\n"
        "  Resizing   True    Mon, 01 Jan 0001 00:00:00 +0000   Thu, 01 Jan 2026 00:00:00 +0000           \n"
    )


def test_a_csi_volume_bound_to_a_claim() -> None:
    from ktui.kubectl.describe.volumes import describe_pv

    pv = {
        "metadata": {"name": "pv1", "annotations": {"volume.beta.kubernetes.io/storage-class": "old"}},
        "spec": {
            "capacity": {"storage": "2Gi"},
            "accessModes": ["ReadWriteOncePod"],
            "storageClassName": "new",
            "persistentVolumeReclaimPolicy": "Delete",
            "claimRef": {"namespace": "ns", "name": "c"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": []}},
            "csi": {"driver": "d.example.com", "volumeHandle": "h1", "volumeAttributes": {"a": "1", "b": "2"}},
        },
        "status": {"phase": "Bound", "message": "ok"},
    }
    w = Writer()
    describe_pv(w, pv, 0.0)
    assert w.text() == (
        "Name:              pv1\nLabels:            <none>\n"
        "Annotations:       volume.beta.kubernetes.io/storage-class: old\nFinalizers:        []\n"
        "StorageClass:      old\nStatus:            Bound\nClaim:             ns/c\nReclaim Policy:    Delete\n"
        "Access Modes:      RWOP\nCapacity:          2Gi\nNode Affinity:     \n  Required Terms:  <none>\n"
        "Message:           ok\nSource:\n"
        "    Type:              CSI (a Container Storage Interface (CSI) volume source)\n"
        "    Driver:            d.example.com\n    FSType:            \n    VolumeHandle:      h1\n"
        "    ReadOnly:          false\n    VolumeAttributes:      a=1\n                           b=2\n"
    )


def test_an_autoscaler_with_current_metrics_and_conditions() -> None:
    from ktui.kubectl.describe.autoscaling import describe_hpa

    hpa = {
        "metadata": {"name": "web", "namespace": "default", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "web"},
            "minReplicas": 1,
            "maxReplicas": 4,
            "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}},
                {"type": "Resource", "resource": {"name": "memory", "target": {"averageValue": "1048576"}}},
                {
                    "type": "Object",
                    "object": {
                        "metric": {"name": "m"},
                        "describedObject": {"kind": "Ingress", "name": "i"},
                        "target": {"type": "AverageValue", "averageValue": "2"},
                    },
                },
                {"type": "Weird"},
            ],
        },
        "status": {
            "currentReplicas": 2,
            "desiredReplicas": 3,
            "currentMetrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "current": {"averageUtilization": 80, "averageValue": "0.2"}},
                },
                {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "2Mi"}}},
                {"type": "Object", "object": {"current": {"averageValue": "1500m"}}},
            ],
            "conditions": [
                {
                    "type": "AbleToScale",
                    "status": "True",
                    "reason": "ReadyForNewScale",
                    "message": "recommended size matches current size",
                }
            ],
        },
    }
    w = Writer()
    describe_hpa(w, hpa)
    assert w.text() == (
        "Name:                                                  web\n"
        "Namespace:                                             default\n"
        "Labels:                                                <none>\n"
        "Annotations:                                           <none>\n"
        "CreationTimestamp:                                     Thu, 01 Jan 2026 00:00:00 +0000\n"
        "Reference:                                             Deployment/web\n"
        "Metrics:                                               ( current / target )\n"
        "  resource cpu on pods  (as a percentage of request):  80% (200m) / <auto>\n"
        "  resource memory on pods:                             2Mi / 1048576\n"
        '  "m" on Ingress/i (target average value):             1500m / 2\n'
        '  <unknown metric type "Weird">\n'
        "Min replicas:     1\n"
        "Max replicas:     4\n"
        "Deployment pods:  2 current / 3 desired\n"
        "Conditions:\n"
        "  Type         Status  Reason            Message\n"
        "  ----         ------  ------            -------\n"
        "  AbleToScale  True    ReadyForNewScale  recommended size matches current size\n"
    )


def test_a_signing_request_status_and_a_request_that_is_no_pem(cluster: Cluster) -> None:
    from ktui.kubectl.describe.certificates import csr_status

    def status(types: list[str], cert: str = "") -> str:
        return csr_status({"status": {"conditions": [{"type": t} for t in types], "certificate": cert}})

    assert status([]) == "Pending" and status(["Approved"], "Y2VydA==") == "Approved,Issued"
    assert status(["Approved", "Denied", "Failed"]) == "Denied,Failed"
    bad = {"metadata": {"name": "bad"}, "spec": {"request": "aGVsbG8=", "signerName": "example.com/x"}}
    with pytest.raises(KubectlError) as e:
        describe(cluster.api, "certificatesigningrequests", bad, cluster.now)
    assert e.value.message == "Error parsing CSR: PEM block type must be CERTIFICATE REQUEST"
