"""PersistentVolumes and claims on the built-in cluster, as a learner meets them: ``ktui kubectl`` transcripts on the
simulated clock (the CKA exercises: a hostPath volume and a claim that binds to it, a pod that uses it, a claim
that stays Pending, a pod whose claim is missing, deletion held back while a pod uses the claim, local volumes
bound when their first consumer is scheduled, and the reclaim policies)."""

from __future__ import annotations

import pytest

from ktui import Cluster
from ktui.sim.timefmt import parse_rfc3339

VOLUMES = """\
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-log}
spec:
  capacity: {storage: 100Mi}
  accessModes: [ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: /pv/log}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim-log-1}
spec:
  accessModes: [ReadWriteMany]
  resources: {requests: {storage: 50Mi}}
"""

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: webapp}
spec:
  containers: [{name: c, image: nginx, volumeMounts: [{name: log, mountPath: /log}]}]
  volumes: [{name: log, persistentVolumeClaim: {claimName: %s}}]
"""

LOCAL = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: local-storage}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: local-pv}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: local-storage
  local: {path: /mnt/disks/vol1}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node02]}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: local-pvc}
spec:
  storageClassName: local-storage
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 500Mi}}
"""

NOT_HELPFUL = "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."


@pytest.fixture
def cluster(tmp_path) -> Cluster:
    c = Cluster.default(seed=3)
    c.files = tmp_path  # type: ignore[attr-defined]
    return c


def _apply(c: Cluster, text: str) -> str:
    path = c.files / f"m{len(list(c.files.iterdir()))}.yaml"  # type: ignore[attr-defined]
    path.write_text(text)
    out, err, code = c.kubectl(f"apply -f {path}")
    assert (err, code) == ("", 0), err
    return out


def _events(c: Cluster, name: str) -> list[tuple[str, str, str, int]]:
    evs = [e for e in c.api.list("events", "default")["items"] if e["involvedObject"]["name"] == name]
    evs.sort(key=lambda e: (e["firstTimestamp"], int(e["metadata"]["resourceVersion"])))
    return [(e["type"], e["reason"], e["message"], e["count"]) for e in evs]


def test_a_hostpath_volume_binds_its_claim_and_the_pod_using_it_runs(cluster):
    c = cluster
    assert _apply(c, VOLUMES) == "persistentvolume/pv-log created\npersistentvolumeclaim/claim-log-1 created\n"
    c.advance(1)
    assert c.kubectl("get pv,pvc") == (
        "NAME                      CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM                 "
        "STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE\n"
        "persistentvolume/pv-log   100Mi      RWX            Retain           Bound    default/claim-log-1   "
        "               <unset>                          1s\n"
        "\n"
        "NAME                                STATUS   VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   "
        "VOLUMEATTRIBUTESCLASS   AGE\n"
        "persistentvolumeclaim/claim-log-1   Bound    pv-log   100Mi      RWX                           "
        "<unset>                 1s\n",
        "",
        0,
    )
    claim = c.api.get("persistentvolumeclaims", "claim-log-1")
    assert claim["metadata"]["annotations"] == {
        "kubectl.kubernetes.io/last-applied-configuration": claim["metadata"]["annotations"][
            "kubectl.kubernetes.io/last-applied-configuration"
        ],
        "pv.kubernetes.io/bind-completed": "yes",
        "pv.kubernetes.io/bound-by-controller": "yes",
    }
    assert claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    assert claim["status"] == {"phase": "Bound", "accessModes": ["ReadWriteMany"], "capacity": {"storage": "100Mi"}}
    pv = c.api.get("persistentvolumes", "pv-log")
    assert pv["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
    assert pv["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"] and pv["status"]["phase"] == "Bound"
    assert _events(c, "claim-log-1") == []  # bound at once: the volume was made Available first

    _apply(c, POD % "claim-log-1")
    c.advance(15)
    assert c.api.get("pods", "webapp")["status"]["phase"] == "Running"
    assert "Used By:       webapp\n" in c.kubectl("describe pvc claim-log-1")[0]


def test_deleting_a_claim_in_use_leaves_it_terminating_until_the_pod_is_gone(cluster):
    c = cluster
    _apply(c, VOLUMES)
    _apply(c, POD % "claim-log-1")
    c.advance(15)
    assert c.kubectl("delete pvc claim-log-1 --wait=false") == (
        'persistentvolumeclaim "claim-log-1" deleted from default namespace\n',
        "",
        0,
    )
    c.advance(60)
    out = c.kubectl("get pvc")[0]
    assert out.splitlines()[1].split()[:3] == ["claim-log-1", "Terminating", "pv-log"]
    assert c.kubectl("get pv pv-log -o jsonpath={.status.phase}")[0] == "Bound"
    c.kubectl("delete pod webapp --wait=false")
    c.advance(40)
    assert c.kubectl("get pvc") == ("", "No resources found in default namespace.\n", 0)
    row = c.kubectl("get pv")[0].splitlines()[1].split()
    assert row[:6] == ["pv-log", "100Mi", "RWX", "Retain", "Released", "default/claim-log-1"]


def test_a_claim_without_a_matching_volume_stays_pending_and_says_why_every_sync(cluster):
    c = cluster
    _apply(c, VOLUMES.replace("50Mi", "5Gi"))
    c.advance(60)
    assert c.kubectl("get pvc claim-log-1")[0].splitlines()[1].split()[:2] == ["claim-log-1", "Pending"]
    [(type_, reason, message, count)] = _events(c, "claim-log-1")
    assert (type_, reason, message) == (
        "Normal",
        "FailedBinding",
        "no persistent volumes available for this claim and no storage class is set",
    )
    assert count == 5  # at once, then every pvclaimbinder-sync-period (15s)
    assert c.kubectl("describe pvc claim-log-1")[0].endswith(
        "  Normal  FailedBinding  0s (x5 over 60s)  persistentvolume-controller  no persistent volumes available "
        "for this claim and no storage class is set\n"
    )


def test_a_pod_whose_claim_is_missing_or_unbound_is_not_scheduled(cluster):
    c = cluster
    _apply(c, POD % "nowhere")
    c.advance(1)
    [(type_, reason, message, _)] = _events(c, "webapp")
    assert (type_, reason, message) == (
        "Warning",
        "FailedScheduling",
        f'0/3 nodes are available: persistentvolumeclaim "nowhere" not found. {NOT_HELPFUL}',
    )
    _apply(c, VOLUMES.replace("claim-log-1", "nowhere").replace("50Mi", "5Gi"))
    c.advance(1)
    assert _events(c, "webapp")[-1][2] == (
        f"0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. {NOT_HELPFUL}"
    )
    pod = c.api.get("pods", "webapp")
    assert "nodeName" not in pod["spec"]
    assert pod["status"]["conditions"][0]["reason"] == "Unschedulable"


def test_a_local_volume_is_bound_when_its_first_consumer_is_scheduled(cluster):
    c = cluster
    _apply(c, LOCAL)
    c.advance(20)
    assert c.kubectl("get pvc local-pvc")[0].splitlines()[1].split()[:3] == ["local-pvc", "Pending", "local-storage"]
    assert _events(c, "local-pvc") == [
        ("Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding", 2)
    ]
    created = c.now
    _apply(c, POD % "local-pvc")
    c.advance(10)
    pod = c.api.get("pods", "webapp")
    assert pod["spec"]["nodeName"] == "node02"  # the only node the volume's affinity allows
    assert pod["status"]["phase"] == "Running"
    pv = c.api.get("persistentvolumes", "local-pv")
    assert pv["spec"]["claimRef"]["name"] == "local-pvc" and pv["status"]["phase"] == "Bound"
    assert pv["metadata"]["annotations"] == {
        "kubectl.kubernetes.io/last-applied-configuration": pv["metadata"]["annotations"][
            "kubectl.kubernetes.io/last-applied-configuration"
        ],
        "pv.kubernetes.io/bound-by-controller": "yes",
    }
    scheduled = next(e for e in c.api.list("events", "default")["items"] if e["reason"] == "Scheduled")
    assert parse_rfc3339(scheduled["firstTimestamp"]) - created == 1  # PreBind checked the binding after 1s


def test_a_local_volume_on_a_tainted_node_leaves_the_pod_pending_with_both_reasons(cluster):
    c = cluster
    _apply(c, LOCAL.replace("node02", "controlplane"))
    _apply(c, POD % "local-pvc")
    c.advance(2)
    assert _events(c, "webapp")[-1][2] == (
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
        "2 node(s) didn't find available persistent volumes to bind. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )
    assert _events(c, "local-pvc")[-1][:2] == ("Normal", "WaitForPodScheduled")
    assert _events(c, "local-pvc")[-1][2] == "waiting for pod webapp to be scheduled"


@pytest.mark.parametrize(
    ("path", "phase", "message"),
    [
        ("/tmp/scratch", None, None),
        ("/mnt/data", "Failed", "host_path deleter only supports /tmp/.+ but received provided /mnt/data"),
    ],
)
def test_the_delete_reclaim_policy_deletes_what_its_plugin_can(cluster, path, phase, message):
    c = cluster
    _apply(c, VOLUMES.replace("Retain", "Delete").replace("/pv/log", path))
    c.advance(1)
    c.kubectl("delete pvc claim-log-1")
    c.advance(5)
    if phase is None:
        assert c.kubectl("get pv") == ("", "No resources found\n", 0)
        return
    pv = c.api.get("persistentvolumes", "pv-log")
    assert (pv["status"]["phase"], pv["status"]["message"]) == (phase, message)
    assert _events(c, "pv-log") == [("Warning", "VolumeFailedDelete", message, 1)]


EXTERNAL = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: standard}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  storageClassName: standard
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
"""


def test_a_claim_for_a_provisioner_that_never_runs_times_the_pods_prebind_out(cluster):
    """ktui runs no provisioner: the scheduler picks a node, the claim waits for the external provisioner, and
    after the 10 minutes of ``bindTimeoutSeconds`` the pod's binding cycle fails."""
    c = cluster
    _apply(c, EXTERNAL)
    _apply(c, POD % "data")
    c.advance(30)
    claim = c.api.get("persistentvolumeclaims", "data")
    annotations = claim["metadata"]["annotations"]
    assert annotations["volume.kubernetes.io/selected-node"] in ("node01", "node02")
    assert annotations["volume.kubernetes.io/storage-provisioner"] == "rancher.io/local-path"
    assert ("Normal", "ExternalProvisioning") in [e[:2] for e in _events(c, "data")]
    assert "nodeName" not in c.api.get("pods", "webapp")["spec"]
    assert [e for e in _events(c, "webapp") if e[1] == "FailedScheduling"] == []
    c.advance(600)
    assert (
        "Warning",
        "FailedScheduling",
        'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded',
        1,
    ) in _events(c, "webapp")
    assert "nodeName" not in c.api.get("pods", "webapp")["spec"]


def test_a_bound_volume_deleted_stays_terminating_until_its_claim_lets_go(cluster):
    c = cluster
    _apply(c, VOLUMES)
    c.advance(1)
    assert c.kubectl("delete pv pv-log --wait=false") == ('persistentvolume "pv-log" deleted\n', "", 0)
    c.advance(30)
    row = c.kubectl("get pv")[0].splitlines()[1].split()
    assert row[:6] == ["pv-log", "100Mi", "RWX", "Retain", "Terminating", "default/claim-log-1"]
    assert c.kubectl("get pvc claim-log-1")[0].splitlines()[1].split()[:3] == ["claim-log-1", "Bound", "pv-log"]
    c.kubectl("delete pvc claim-log-1")
    c.advance(5)
    assert c.kubectl("get pv") == ("", "No resources found\n", 0)
