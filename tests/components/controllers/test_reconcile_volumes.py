"""The volume controllers at the reconcile(key) level on the recording fake client: the PersistentVolume binder
(binding, pre-binding, no match, WaitForFirstConsumer, provisioning refused, reclaim) and the pvc/pv protection
controllers (the finalizer removed only once nothing uses the object)."""

from ktui.components.controllers.persistentvolume import PersistentVolumeController
from ktui.components.controllers.volume_protection import PVCProtectionController, PVProtectionController


def _pv(name: str, size: str = "1Gi", modes=("ReadWriteOnce",), phase: str = "Available", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name, "finalizers": ["kubernetes.io/pv-protection"]},
        "spec": {
            "capacity": {"storage": size},
            "accessModes": list(modes),
            "persistentVolumeReclaimPolicy": "Retain",
            "volumeMode": "Filesystem",
            "hostPath": {"path": f"/data/{name}"},
            **spec,
        },
        "status": {"phase": phase},
    }


def _pvc(name: str, size: str = "500Mi", modes=("ReadWriteOnce",), md: dict | None = None, **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": name,
            "namespace": "default",
            "finalizers": ["kubernetes.io/pvc-protection"],
            **(md or {}),
        },
        "spec": {
            "accessModes": list(modes),
            "resources": {"requests": {"storage": size}},
            "volumeMode": "Filesystem",
            **spec,
        },
        "status": {"phase": "Pending"},
    }


def _class(name: str, provisioner: str, mode: str = "Immediate", default: bool = False) -> dict:
    md: dict = {"name": name}
    if default:
        md["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": md,
        "provisioner": provisioner,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": mode,
    }


def _pod(name: str, claim: str, node: str = "") -> dict:
    spec: dict = {
        "containers": [{"name": "c", "image": "nginx"}],
        "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": claim}}],
    }
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


# ------------------------------------------------------------------------------------------ binding


def test_binder_binds_a_claim_to_the_smallest_volume_that_fits(fake_client, start_controller):
    fake_client.seed("persistentvolumes", _pv("big", "10Gi"), _pv("small", "1Gi"), _pv("tiny", "100Mi"))
    fake_client.seed("persistentvolumeclaims", _pvc("data"))
    pvc = start_controller(PersistentVolumeController)
    pvc.reconcile("claim:default/data")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [
        ("update", "persistentvolumes", "small"),
        ("update", "persistentvolumes/status", "small"),
        ("update", "persistentvolumeclaims", "data"),
        ("update", "persistentvolumeclaims/status", "data"),
    ]
    pv, pv_status, claim, claim_status = (a.obj for a in writes)
    assert pv["spec"]["claimRef"] == {
        "kind": "PersistentVolumeClaim",
        "namespace": "default",
        "name": "data",
        "uid": "uid-data",
        "apiVersion": "v1",
        "resourceVersion": "4",
    }
    assert pv["metadata"]["annotations"] == {"pv.kubernetes.io/bound-by-controller": "yes"}
    assert pv_status["status"] == {"phase": "Bound"}
    assert claim["spec"]["volumeName"] == "small"
    assert claim["metadata"]["annotations"] == {
        "pv.kubernetes.io/bound-by-controller": "yes",
        "pv.kubernetes.io/bind-completed": "yes",
    }
    assert claim_status["status"] == {
        "phase": "Bound",
        "accessModes": ["ReadWriteOnce"],
        "capacity": {"storage": "1Gi"},
    }
    assert fake_client.events() == []


def test_binder_matches_class_selector_and_access_modes_and_prefers_fewer_modes(fake_client, start_controller):
    fake_client.seed(
        "persistentvolumes",
        _pv("other-class", "1Gi", storageClassName="fast"),
        _pv("unlabelled", "1Gi"),
        _pv("many-modes", "1Gi", modes=("ReadWriteOnce", "ReadOnlyMany")),
        _pv("rwx", "5Gi", modes=("ReadWriteMany",)),
    )
    fake_client.seed(
        "persistentvolumes", {**_pv("labelled", "2Gi"), "metadata": {"name": "labelled", "labels": {"tier": "db"}}}
    )
    fake_client.seed(
        "persistentvolumeclaims",
        _pvc("picky", selector={"matchLabels": {"tier": "db"}}),
        _pvc("plain"),
        _pvc("shared", modes=("ReadWriteMany",)),
    )
    pvc = start_controller(PersistentVolumeController)
    for name in ("picky", "plain", "shared"):
        pvc.reconcile(f"claim:default/{name}")
    bound = {
        a.name: a.obj["spec"]["volumeName"] for a in fake_client.writes() if a.short[1] == "persistentvolumeclaims"
    }
    assert bound == {"picky": "labelled", "plain": "unlabelled", "shared": "rwx"}


def test_binder_honours_volume_name_and_claim_ref_prebinding(fake_client, start_controller):
    fake_client.seed(
        "persistentvolumes",
        _pv("exact", "1Gi"),
        _pv("reserved", "5Gi", claimRef={"namespace": "default", "name": "wants-reserved"}),
        _pv("too-small", "100Mi"),
    )
    fake_client.seed(
        "persistentvolumeclaims",
        _pvc("named", volumeName="exact"),
        _pvc("wants-reserved"),
        _pvc("named-small", volumeName="too-small"),
    )
    pvc = start_controller(PersistentVolumeController)
    for name in ("named", "wants-reserved", "named-small"):
        pvc.reconcile(f"claim:default/{name}")
    by_claim = {a.name: a for a in fake_client.writes() if a.short[1] == "persistentvolumeclaims"}
    assert by_claim["named"].obj["metadata"]["annotations"] == {"pv.kubernetes.io/bind-completed": "yes"}
    assert by_claim["wants-reserved"].obj["spec"]["volumeName"] == "reserved"
    reserved = fake_client.stored("persistentvolumes", "reserved")
    assert reserved["spec"]["claimRef"]["uid"] == "uid-wants-reserved"
    assert "annotations" not in reserved["metadata"]  # pre-bound by the user: not bound-by-controller
    assert "named-small" not in by_claim
    assert fake_client.event_messages() == ['Cannot bind to requested volume "too-small": requested PV is too small']


def test_binder_says_why_a_claim_stays_pending(fake_client, start_controller):
    fake_client.seed(
        "storageclasses",
        _class("local", "kubernetes.io/no-provisioner", "WaitForFirstConsumer"),
        _class("manual", "kubernetes.io/no-provisioner"),
        _class("ebs", "ebs.csi.aws.com"),
    )
    fake_client.seed(
        "persistentvolumeclaims",
        _pvc("none"),
        _pvc("later", storageClassName="local"),
        _pvc("used-later", storageClassName="local"),
        _pvc("missing", storageClassName="nope"),
        _pvc("manual", storageClassName="manual"),
        _pvc("cloud", storageClassName="ebs"),
    )
    fake_client.seed("pods", _pod("app", "used-later"))
    pvc = start_controller(PersistentVolumeController)
    for name in ("none", "later", "used-later", "missing", "manual", "cloud"):
        pvc.reconcile(f"claim:default/{name}")
    events = [a.obj for a in fake_client.actions if a.resource == "events"]
    assert [(e["involvedObject"]["name"], e["type"], e["reason"], e["message"]) for e in events] == [
        (
            "none",
            "Normal",
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set",
        ),
        ("later", "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding"),
        ("used-later", "Normal", "WaitForPodScheduled", "waiting for pod app to be scheduled"),
        ("missing", "Warning", "ProvisioningFailed", 'storageclass.storage.k8s.io "nope" not found'),
        ("manual", "Warning", "ProvisioningFailed", "no volume plugin matched name: kubernetes.io/no-provisioner"),
        (
            "cloud",
            "Normal",
            "ExternalProvisioning",
            "Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by "
            "the system administrator. If volume creation is delayed, please verify that the provisioner is running "
            "and correctly registered.",
        ),
    ]
    assert {e["source"]["component"] for e in events} == {"persistentvolume-controller"}
    [annotated] = fake_client.writes()
    assert annotated.short == ("update", "persistentvolumeclaims", "cloud")
    assert annotated.obj["metadata"]["annotations"] == {
        "volume.beta.kubernetes.io/storage-provisioner": "ebs.csi.aws.com",
        "volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com",
    }


def test_binder_gives_a_classless_claim_the_default_class(fake_client, start_controller):
    fake_client.seed("storageclasses", _class("standard", "rancher.io/local-path", "WaitForFirstConsumer", True))
    fake_client.seed("persistentvolumeclaims", _pvc("data"), _pvc("explicit-none", storageClassName=""))
    pvc = start_controller(PersistentVolumeController)
    pvc.reconcile("claim:default/data")
    pvc.reconcile("claim:default/explicit-none")
    [write] = fake_client.writes()
    assert write.short == ("update", "persistentvolumeclaims", "data")
    assert write.obj["spec"]["storageClassName"] == "standard"
    assert fake_client.events() == [("Normal", "FailedBinding")]  # the claim that asked for no class


def test_binder_marks_a_volume_available_then_released_when_its_claim_is_gone(fake_client, start_controller):
    bound_ref = {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "gone", "uid": "uid-gone"}
    fake_client.seed(
        "persistentvolumes",
        _pv("new", phase="Pending"),
        _pv("kept", phase="Bound", claimRef=bound_ref),
        {
            **_pv("scratch", phase="Bound", claimRef=bound_ref),
            "spec": {
                **_pv("scratch")["spec"],
                "claimRef": bound_ref,
                "persistentVolumeReclaimPolicy": "Delete",
                "hostPath": {"path": "/tmp/scratch"},
            },
        },
        {
            **_pv("data", phase="Bound"),
            "spec": {**_pv("data")["spec"], "claimRef": bound_ref, "persistentVolumeReclaimPolicy": "Delete"},
        },
    )
    pvc = start_controller(PersistentVolumeController)
    for name in ("new", "kept", "scratch", "data"):
        pvc.reconcile(f"volume:{name}")
    writes = [(a.verb, a.short[1], a.name, (a.obj or {}).get("status")) for a in fake_client.writes()]
    assert writes == [
        ("update", "persistentvolumes/status", "new", {"phase": "Available"}),
        ("update", "persistentvolumes/status", "kept", {"phase": "Released"}),
        ("update", "persistentvolumes/status", "scratch", {"phase": "Released"}),
        ("delete", "persistentvolumes", "scratch", None),
        ("update", "persistentvolumes/status", "data", {"phase": "Released"}),
        (
            "update",
            "persistentvolumes/status",
            "data",
            {"phase": "Failed", "message": "host_path deleter only supports /tmp/.+ but received provided /data/data"},
        ),
    ]
    assert fake_client.events() == [("Warning", "VolumeFailedDelete")]


def test_binder_marks_a_bound_claim_lost_when_its_volume_is_gone(fake_client, start_controller):
    claim = _pvc("orphan", volumeName="vanished", md={"annotations": {"pv.kubernetes.io/bind-completed": "yes"}})
    claim["status"] = {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}
    fake_client.seed("persistentvolumeclaims", claim)
    pvc = start_controller(PersistentVolumeController)
    pvc.reconcile("claim:default/orphan")
    [write] = fake_client.writes()
    assert write.obj["status"] == {"phase": "Lost"}
    assert fake_client.event_messages() == ["Bound claim has lost its PersistentVolume. Data on the volume is lost!"]


# ------------------------------------------------------------------------------------------ protection


def _deleting(obj: dict) -> dict:
    obj["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return obj


def test_pvc_protection_keeps_the_finalizer_while_a_scheduled_pod_uses_the_claim(fake_client, start_controller):
    fake_client.seed(
        "persistentvolumeclaims", _deleting(_pvc("used")), _deleting(_pvc("free")), _pvc("old", md={"finalizers": []})
    )
    fake_client.seed("pods", _pod("user", "used", node="node01"), _pod("waiting", "free"))
    ctl = start_controller(PVCProtectionController)
    for name in ("used", "free", "old"):
        ctl.reconcile(f"default/{name}")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [
        ("update", "persistentvolumeclaims", "free"),
        ("update", "persistentvolumeclaims", "old"),
    ]
    assert "finalizers" not in writes[0].obj["metadata"]
    assert writes[1].obj["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]


def test_pv_protection_removes_the_finalizer_only_when_the_volume_is_not_bound(fake_client, start_controller):
    fake_client.seed(
        "persistentvolumes", _deleting(_pv("bound", phase="Bound")), _deleting(_pv("released", phase="Released"))
    )
    ctl = start_controller(PVProtectionController)
    ctl.reconcile("bound")
    ctl.reconcile("released")
    [write] = fake_client.writes()
    assert write.short == ("update", "persistentvolumes", "released") and "finalizers" not in write.obj["metadata"]


def test_binder_fails_a_recycle_of_a_volume_without_a_recycler_plugin(fake_client, start_controller):
    ref = {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "gone", "uid": "uid-gone"}
    local = _pv(
        "local", phase="Released", claimRef=ref, local={"path": "/mnt"}, persistentVolumeReclaimPolicy="Recycle"
    )
    del local["spec"]["hostPath"]
    fake_client.seed("persistentvolumes", local)
    pvc = start_controller(PersistentVolumeController)
    pvc.reconcile("volume:local")
    [write] = fake_client.writes()
    assert write.obj["status"] == {"phase": "Failed", "message": "No recycler plugin found for the volume!"}
    assert fake_client.events() == [("Warning", "VolumeFailedRecycle")]
