"""StorageObjectInUseProtection: a new claim gets ``kubernetes.io/pvc-protection``, a new volume
``kubernetes.io/pv-protection``; updates and other kinds are left alone."""

from ktui import Cluster
from ktui.api.admission.storage_protection import StorageObjectInUseProtection

from tests.api.admission.conftest import pod, request


def _claim(**md) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data", "namespace": "default", **md},
    }


def _admit(resource: str, obj: dict, **kw) -> dict:
    req = request(resource, obj, **kw)
    StorageObjectInUseProtection().admit(req)
    StorageObjectInUseProtection().validate(req)
    return req.obj


def test_new_claims_and_volumes_get_their_finalizer_once():
    assert _admit("persistentvolumeclaims", _claim())["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    kept = _admit("persistentvolumeclaims", _claim(finalizers=["example.com/x", "kubernetes.io/pvc-protection"]))
    assert kept["metadata"]["finalizers"] == ["example.com/x", "kubernetes.io/pvc-protection"]
    pv = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "disk"}}
    assert _admit("persistentvolumes", pv, namespace="")["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]


def test_updates_status_writes_and_other_kinds_are_left_alone():
    assert "finalizers" not in _admit("persistentvolumeclaims", _claim(), operation="UPDATE", old=_claim())["metadata"]
    assert "finalizers" not in _admit("persistentvolumeclaims", _claim(), subresource="status")["metadata"]
    assert "finalizers" not in _admit("pods", pod())["metadata"]


def test_the_api_server_runs_it_on_create():
    c = Cluster.default(seed=0)
    c.api.create(
        "persistentvolumeclaims",
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        },
        "default",
    )
    assert c.api.get("persistentvolumeclaims", "data")["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]


def test_default_storage_class_names_the_newest_default_class_for_claims_that_name_none():
    from ktui.api.admission.default_storage_class import DefaultStorageClass

    from tests.api.admission.conftest import Reader

    def sc(name: str, created: str, default: str = "true") -> tuple[str, dict]:
        md = {
            "name": name,
            "creationTimestamp": created,
            "annotations": {"storageclass.kubernetes.io/is-default-class": default},
        }
        return ("storageclasses", {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": md})

    reader = Reader(
        sc("old", "2026-01-01T00:00:00Z"), sc("new", "2026-01-02T00:00:00Z"), sc("off", "2026-01-03T00:00:00Z", "false")
    )

    def admitted(claim: dict, reader: Reader = reader) -> dict:
        req = request("persistentvolumeclaims", claim, reader)
        DefaultStorageClass().admit(req)
        return req.obj["spec"]

    assert admitted({**_claim(), "spec": {}}) == {"storageClassName": "new"}
    assert admitted({**_claim(), "spec": {"storageClassName": ""}}) == {"storageClassName": ""}
    beta = _claim(annotations={"volume.beta.kubernetes.io/storage-class": "x"})
    assert admitted({**beta, "spec": {}}) == {}
    assert admitted({**_claim(), "spec": {}}, Reader()) == {}
