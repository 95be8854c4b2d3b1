"""Workload controllers at the reconcile(key) level: ReplicationController, DaemonSet, StatefulSet, Job and
CronJob on the recording fake client — seeded caches, one direct call, the recorded writes."""

from ktui.components.controllers.cronjob import CronJobController
from ktui.components.controllers.daemonset import DaemonSetController
from ktui.components.controllers.job import JobController
from ktui.components.controllers.replicaset import ReplicationControllerController
from ktui.components.controllers.statefulset import StatefulSetController

TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


def _ref(kind: str, name: str, api_version: str = "apps/v1") -> dict:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": name,
        "uid": f"uid-{name}",
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _node(name: str, **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": spec,
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    }


# ------------------------------------------------------------------------------------------ ReplicationController


def test_replication_controller_creates_a_pod_owned_by_the_rc_then_writes_its_status(fake_client, start_controller):
    fake_client.seed(
        "replicationcontrollers",
        {
            "apiVersion": "v1",
            "kind": "ReplicationController",
            "metadata": {"name": "web", "namespace": "default", "generation": 2},
            "spec": {"replicas": 1, "selector": {"app": "web"}, "template": TEMPLATE},
        },
    )
    rc = start_controller(ReplicationControllerController)
    rc.reconcile("default/web")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [
        ("create", "pods", "web-00002"),
        ("update", "replicationcontrollers/status", "web"),
    ]
    md = writes[0].obj["metadata"]
    assert md["generateName"] == "web-" and md["labels"] == {"app": "web"}
    assert md["ownerReferences"] == [_ref("ReplicationController", "web", "v1")]
    assert writes[1].obj["status"]["observedGeneration"] == 2
    assert fake_client.events() == [("Normal", "SuccessfulCreate")]
    assert fake_client.event_messages() == ["Created pod: web-00002"]


def test_replication_controller_selector_is_an_equality_map_and_a_non_matching_pod_is_not_adopted(
    fake_client, start_controller
):
    fake_client.seed(
        "replicationcontrollers",
        {
            "apiVersion": "v1",
            "kind": "ReplicationController",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "replicas": 1,
                "selector": {"app": "web", "tier": "fe"},
                "template": {**TEMPLATE, "metadata": {"labels": {"app": "web", "tier": "fe"}}},
            },
        },
    )
    fake_client.seed(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "stray", "namespace": "default", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        },
    )
    rc = start_controller(ReplicationControllerController)
    rc.reconcile("default/web")
    assert [a.short[:2] for a in fake_client.writes()] == [
        ("create", "pods"),
        ("update", "replicationcontrollers/status"),
    ]
    assert fake_client.stored("pods", "stray", "default")["metadata"].get("ownerReferences") is None


# ------------------------------------------------------------------------------------------ DaemonSet


def _daemonset(**spec) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": "kube-system", "generation": 1},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": TEMPLATE, **spec},
    }


def test_daemonset_records_a_revision_and_creates_one_pod_per_eligible_node(fake_client, start_controller):
    fake_client.seed("daemonsets", _daemonset())
    fake_client.seed(
        "nodes",
        _node("node01"),
        _node("node02"),
        _node("controlplane", taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]),
    )
    dsc = start_controller(DaemonSetController)
    dsc.reconcile("kube-system/agent")
    writes = fake_client.writes()
    assert [a.short[:2] for a in writes] == [
        ("create", "controllerrevisions"),
        ("create", "pods"),
        ("create", "pods"),
        ("update", "daemonsets/status"),
    ]
    revision = writes[0].obj
    assert revision["revision"] == 1 and revision["metadata"]["ownerReferences"] == [_ref("DaemonSet", "agent")]
    hash_ = revision["metadata"]["labels"]["controller-revision-hash"]
    assert revision["metadata"]["name"] == f"agent-{hash_}"
    targets = []
    for a in writes[1:3]:
        spec = a.obj["spec"]
        term = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        assert len(term) == 1 and term[0]["matchFields"][0]["key"] == "metadata.name"
        targets += term[0]["matchFields"][0]["values"]
        assert a.obj["metadata"]["labels"]["controller-revision-hash"] == hash_
        assert a.obj["metadata"]["ownerReferences"] == [_ref("DaemonSet", "agent")]
    assert targets == ["node01", "node02"]  # the tainted control plane is not eligible
    status = writes[3].obj["status"]
    assert (status["desiredNumberScheduled"], status["currentNumberScheduled"], status["numberUnavailable"]) == (
        2,
        0,
        2,
    )
    assert fake_client.events() == [("Normal", "SuccessfulCreate")] * 2


def test_daemonset_deletes_a_failed_daemon_pod_and_says_so(fake_client, start_controller):
    fake_client.seed("daemonsets", _daemonset())
    fake_client.seed("nodes", _node("node01"))
    dsc = start_controller(DaemonSetController)
    dsc.reconcile("kube-system/agent")  # records the revision; the pod it creates is never seen by the cache
    fake_client.seed(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "agent-x",
                "namespace": "kube-system",
                "labels": {"app": "web"},
                "ownerReferences": [_ref("DaemonSet", "agent")],
            },
            "spec": {"nodeName": "node01", "containers": [{"name": "c", "image": "nginx"}]},
            "status": {"phase": "Failed"},
        },
    )
    fresh = start_controller(DaemonSetController)
    fake_client.actions.clear()
    fresh.reconcile("kube-system/agent")
    deletes = [a.short for a in fake_client.writes() if a.verb == "delete"]
    assert deletes == [("delete", "pods", "agent-x")]
    assert ("Warning", "FailedDaemonPod") in fake_client.events()
    assert (
        "Found failed daemon pod kube-system/agent-x on node node01, will try to kill it"
        in fake_client.event_messages()
    )


# ------------------------------------------------------------------------------------------ StatefulSet


def _statefulset(replicas: int, **spec) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "default", "generation": 1},
        "spec": {
            "replicas": replicas,
            "serviceName": "db",
            "selector": {"matchLabels": {"app": "web"}},
            "template": TEMPLATE,
            **spec,
        },
    }


def test_statefulset_ordered_ready_creates_only_ordinal_zero_first(fake_client, start_controller):
    fake_client.seed("statefulsets", _statefulset(3))
    ssc = start_controller(StatefulSetController)
    ssc.reconcile("default/db")
    writes = fake_client.writes()
    assert [a.short for a in writes][1:] == [("create", "pods", "db-0"), ("update", "statefulsets/status", "db")]
    assert writes[0].short[:2] == ("create", "controllerrevisions")
    pod = writes[1].obj
    assert pod["spec"]["hostname"] == "db-0" and pod["spec"]["subdomain"] == "db"
    assert pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "db-0"
    assert pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "0"
    assert fake_client.event_messages() == ["create Pod db-0 in StatefulSet db successful"]


def test_statefulset_parallel_creates_every_missing_ordinal_with_its_claims(fake_client, start_controller):
    claim = {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    fake_client.seed("statefulsets", _statefulset(2, podManagementPolicy="Parallel", volumeClaimTemplates=[claim]))
    ssc = start_controller(StatefulSetController)
    ssc.reconcile("default/db")
    assert [a.short for a in fake_client.writes()][1:] == [
        ("create", "persistentvolumeclaims", "data-db-0"),
        ("create", "pods", "db-0"),
        ("create", "persistentvolumeclaims", "data-db-1"),
        ("create", "pods", "db-1"),
        ("update", "statefulsets/status", "db"),
    ]
    assert fake_client.stored("persistentvolumeclaims", "data-db-1", "default")["metadata"]["labels"] == {"app": "web"}


# ------------------------------------------------------------------------------------------ Job

TRACKING = "batch.kubernetes.io/job-tracking"


def _job(**spec) -> dict:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "pi", "namespace": "default"},
        "spec": {
            "template": {
                "metadata": {"labels": {"job-name": "pi"}},
                "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "perl"}]},
            },
            **spec,
        },
    }


def test_job_creates_pods_up_to_parallelism_with_the_tracking_finalizer(fake_client, start_controller):
    fake_client.seed("jobs", _job(parallelism=2, completions=3))
    jc = start_controller(JobController, now=30)
    jc.reconcile("default/pi")
    writes = fake_client.writes()
    assert [a.short[:2] for a in writes] == [("create", "pods"), ("create", "pods"), ("update", "jobs/status")]
    for a in writes[:2]:
        md = a.obj["metadata"]
        assert md["generateName"] == "pi-" and md["finalizers"] == [TRACKING]
        assert md["ownerReferences"] == [_ref("Job", "pi", "batch/v1")]
    assert writes[2].obj["status"] == {
        "startTime": "2026-01-01T00:00:30Z",
        "active": 2,
        "ready": 0,
        "terminating": 0,
        "uncountedTerminatedPods": {},
    }
    assert fake_client.events() == [("Normal", "SuccessfulCreate")] * 2


def test_job_counts_a_succeeded_pod_once_removes_its_finalizer_and_completes(fake_client, start_controller):
    fake_client.seed("jobs", _job(completions=1))
    fake_client.seed(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "pi-abc",
                "namespace": "default",
                "finalizers": [TRACKING],
                "ownerReferences": [_ref("Job", "pi", "batch/v1")],
            },
            "spec": {"containers": [{"name": "c", "image": "perl"}]},
            "status": {"phase": "Succeeded"},
        },
    )
    jc = start_controller(JobController, now=12)
    jc.reconcile("default/pi")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("update", "pods", "pi-abc"), ("update", "jobs/status", "pi")]
    assert "finalizers" not in writes[0].obj["metadata"] or writes[0].obj["metadata"]["finalizers"] == []
    status = writes[1].obj["status"]
    assert status["succeeded"] == 1 and status["completionTime"] == "2026-01-01T00:00:12Z"
    assert [(c["type"], c["reason"]) for c in status["conditions"]] == [
        ("SuccessCriteriaMet", "CompletionsReached"),
        ("Complete", "CompletionsReached"),
    ]
    assert fake_client.events() == [("Normal", "Completed")]


# ------------------------------------------------------------------------------------------ CronJob


def _cronjob(**spec) -> dict:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "hello", "namespace": "default", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {
            "schedule": "*/1 * * * *",
            "jobTemplate": {"metadata": {"labels": {"team": "a"}}, "spec": _job()["spec"]},
            **spec,
        },
    }


def test_cronjob_creates_the_job_of_the_last_schedule_time_and_records_it_active(fake_client, start_controller):
    fake_client.seed("cronjobs", _cronjob())
    cjc = start_controller(CronJobController, now=75)
    cjc.reconcile("default/hello")
    writes = fake_client.writes()
    # 2026-01-01T00:01:00Z is 29,453,761 minutes after the Unix epoch
    assert [a.short for a in writes] == [("create", "jobs", "hello-29453761"), ("update", "cronjobs/status", "hello")]
    job = writes[0].obj
    assert job["metadata"]["labels"] == {"team": "a"}
    assert job["metadata"]["annotations"] == {"batch.kubernetes.io/cronjob-scheduled-timestamp": "2026-01-01T00:01:00Z"}
    assert job["metadata"]["ownerReferences"] == [_ref("CronJob", "hello", "batch/v1")]
    status = writes[1].obj["status"]
    assert status["lastScheduleTime"] == "2026-01-01T00:01:00Z"
    assert [(a["kind"], a["name"]) for a in status["active"]] == [("Job", "hello-29453761")]
    assert fake_client.event_messages() == ["Created job hello-29453761"]


def test_cronjob_forbid_does_not_start_a_second_job_while_one_runs(fake_client, start_controller):
    fake_client.seed("cronjobs", _cronjob(concurrencyPolicy="Forbid"))
    fake_client.seed(
        "jobs",
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "name": "hello-29453760",
                "namespace": "default",
                "ownerReferences": [_ref("CronJob", "hello", "batch/v1")],
            },
            "spec": {},
            "status": {"active": 1},
        },
    )
    cjc = start_controller(CronJobController, now=75)
    cjc.reconcile("default/hello")
    assert [a.short for a in fake_client.writes()] == [("update", "cronjobs/status", "hello")]
    assert ("Normal", "JobAlreadyActive") in fake_client.events()
    assert ("Warning", "UnexpectedJob") in fake_client.events()  # a running job the controller had not recorded


def test_cronjob_with_an_invalid_schedule_creates_nothing_and_warns(fake_client, start_controller):
    fake_client.seed("cronjobs", _cronjob(schedule="every minute"))
    cjc = start_controller(CronJobController, now=75)
    cjc.reconcile("default/hello")
    assert fake_client.writes() == []
    assert fake_client.events() == [("Warning", "InvalidSchedule")]
