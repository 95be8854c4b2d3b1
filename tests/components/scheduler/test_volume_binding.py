"""The VolumeBinding plugin's decisions as pure functions: PreFilter's rejections and Skip, Filter's reasons per
node (node affinity of bound volumes, WaitForFirstConsumer claims matched or provisioned), PreBind's writes."""

from ktui.components.scheduler.volumebinding import (
    ERR_BIND_CONFLICT,
    ERR_NODE_CONFLICT,
    ERR_PV_NOT_EXIST,
    ERR_UNBOUND_IMMEDIATE,
    bindings_for,
    filter_node,
    prefilter,
    prefilter_fit_error,
)


class Lister:
    """``get(key)``/``list()`` over objects, as the scheduler's informers answer."""

    def __init__(self, *objs: dict) -> None:
        self.cache = {
            (f"{o['metadata']['namespace']}/" if o["metadata"].get("namespace") else "") + o["metadata"]["name"]: o
            for o in objs
        }

    def get(self, key: str) -> dict | None:
        return self.cache.get(key)

    def list(self) -> list[dict]:
        return list(self.cache.values())


def _pod(*claims: str) -> dict:
    return {
        "metadata": {"name": "app", "namespace": "default"},
        "spec": {"volumes": [{"name": c, "persistentVolumeClaim": {"claimName": c}} for c in claims]},
    }


def _claim(name: str, cls: str = "", volume: str = "", **md) -> dict:
    annotations = {"pv.kubernetes.io/bind-completed": "yes"} if volume else {}
    spec: dict = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    if cls:
        spec["storageClassName"] = cls
    if volume:
        spec["volumeName"] = volume
    return {
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "annotations": annotations, **md},
        "spec": spec,
        "status": {"phase": "Bound" if volume else "Pending"},
    }


def _pv(name: str, node: str = "", cls: str = "local") -> dict:
    spec: dict = {
        "capacity": {"storage": "2Gi"},
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": cls,
        "local": {"path": "/mnt"},
    }
    if node:
        term = {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}
        spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [term]}}
    return {"metadata": {"name": name}, "spec": spec, "status": {"phase": "Available"}}


def _node(name: str) -> dict:
    return {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}}


CLASSES = Lister(
    {
        "metadata": {"name": "local"},
        "provisioner": "kubernetes.io/no-provisioner",
        "volumeBindingMode": "WaitForFirstConsumer",
    },
    {"metadata": {"name": "csi"}, "provisioner": "ebs.csi.aws.com", "volumeBindingMode": "WaitForFirstConsumer"},
    {"metadata": {"name": "now"}, "provisioner": "ebs.csi.aws.com", "volumeBindingMode": "Immediate"},
)


def test_prefilter_skips_pods_without_claims_and_rejects_missing_deleted_lost_and_unbound_immediate_claims():
    assert prefilter(_pod(), Lister(), Lister(), CLASSES) == (None, "")
    claims = Lister(
        _claim("gone-soon", deletionTimestamp="2026-01-01T00:00:00Z"),
        {**_claim("lost", volume="pv-x"), "status": {"phase": "Lost"}},
        _claim("plain"),
        _claim("immediate", cls="now"),
    )
    assert prefilter(_pod("nope"), claims, Lister(), CLASSES) == (None, 'persistentvolumeclaim "nope" not found')
    assert (
        prefilter(_pod("gone-soon"), claims, Lister(), CLASSES)[1]
        == 'persistentvolumeclaim "gone-soon" is being deleted'
    )
    assert prefilter(_pod("lost"), claims, Lister(), CLASSES)[1] == (
        'persistentvolumeclaim "lost" bound to non-existent persistentvolume "pv-x"'
    )
    assert prefilter(_pod("plain"), claims, Lister(), CLASSES)[1] == ERR_UNBOUND_IMMEDIATE
    assert prefilter(_pod("immediate"), claims, Lister(), CLASSES)[1] == ERR_UNBOUND_IMMEDIATE
    assert prefilter_fit_error(3, ERR_UNBOUND_IMMEDIATE, "preemption: x") == (
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: x"
    )


def test_filter_checks_bound_volumes_node_affinity_and_that_they_exist():
    state, _ = prefilter(_pod("a"), Lister(_claim("a", volume="pv-a")), Lister(_pv("pv-a", "node01")), CLASSES)
    assert filter_node(state, _node("node01")) == []
    assert filter_node(state, _node("node02")) == [ERR_NODE_CONFLICT]
    state, _ = prefilter(_pod("a"), Lister(_claim("a", volume="pv-a")), Lister(), CLASSES)
    assert filter_node(state, _node("node01")) == [ERR_PV_NOT_EXIST]


def test_filter_finds_a_local_volume_for_a_delayed_claim_or_a_provisioner_to_make_one():
    claims = Lister(_claim("local", cls="local"), _claim("csi", cls="csi"))
    volumes = Lister(_pv("pv-1", "node01"))
    state, why = prefilter(_pod("local"), claims, volumes, CLASSES)
    assert why == ""
    assert filter_node(state, _node("node01")) == []
    assert filter_node(state, _node("node02")) == [ERR_BIND_CONFLICT]
    state, _ = prefilter(_pod("csi"), claims, volumes, CLASSES)
    assert filter_node(state, _node("node02")) == []  # the external provisioner may make one anywhere


def test_prebind_writes_the_claim_ref_or_the_selected_node():
    claims = Lister(_claim("local", cls="local"), _claim("csi", cls="csi"))
    state, _ = prefilter(_pod("local", "csi"), claims, Lister(_pv("pv-1", "node01")), CLASSES)
    writes = bindings_for(state, _node("node01"))
    assert [(r, o["metadata"]["name"]) for r, o in writes] == [
        ("persistentvolumes", "pv-1"),
        ("persistentvolumeclaims", "csi"),
    ]
    pv, claim = writes[0][1], writes[1][1]
    assert pv["spec"]["claimRef"]["name"] == "local" and pv["spec"]["claimRef"]["uid"] == "uid-local"
    assert pv["metadata"]["annotations"] == {"pv.kubernetes.io/bound-by-controller": "yes"}
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == "node01"
