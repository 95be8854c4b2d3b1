"""Deployment controller: hashes and fenceposts, rolling updates within bounds, Recreate, rollback, history."""

from __future__ import annotations

import copy

import pytest

from ktui.components.controllers import deployment_math as dm
from ktui.components.controllers.deployment import DeploymentController
from ktui.components.controllers.replicaset import ReplicaSetController

from tests.components.controllers.conftest import Rig, template


def deployment(name: str, replicas: int, image: str = "nginx:1.25", strategy: dict | None = None, **spec) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": template({"app": name}, image),
            **({"strategy": strategy} if strategy else {}),
            **spec,
        },
    }


# ---------------------------------------------------------------- pure functions


def test_fnv32a_and_safe_encoding() -> None:
    assert dm.fnv32a(b"") == 0x811C9DC5
    assert dm.fnv32a(b"a") == 0xE40C292C
    assert dm.safe_encode_string("0123456789") == "45678952bcdf"[:0] + "456789bcdf"


def test_hash_is_deterministic_and_collision_count_changes_it() -> None:
    t = template({"app": "web"})
    h = dm.compute_hash(t)
    assert h == dm.compute_hash(template({"app": "web"}))
    assert set(h) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert dm.compute_hash(t, 1) != h
    assert dm.compute_hash(template({"app": "web"}, "nginx:2")) != h


def test_fenceposts_round_surge_up_and_unavailable_down() -> None:
    assert dm.resolve_fenceposts("25%", "25%", 10) == (3, 2)
    assert dm.resolve_fenceposts("25%", "25%", 1) == (1, 0)
    assert dm.resolve_fenceposts(0, "10%", 5) == (0, 1)  # both zero: unavailable becomes 1
    assert dm.resolve_fenceposts(2, 0, 5) == (2, 0)
    d = deployment(
        "web", 4, strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "50%", "maxUnavailable": "50%"}}
    )
    assert (dm.max_surge(d), dm.max_unavailable(d)) == (2, 2)
    r = deployment("web", 4, strategy={"type": "Recreate"})
    assert (dm.max_surge(r), dm.max_unavailable(r)) == (0, 0)


def test_new_rs_replicas_respects_surge() -> None:
    d = deployment("web", 4, strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
    old = {"spec": {"replicas": 4}}
    new = {"spec": {"replicas": 0}}
    assert dm.new_rs_new_replicas(d, [old, new], new) == 1
    old["spec"]["replicas"] = 3
    new["spec"]["replicas"] = 1
    assert dm.new_rs_new_replicas(d, [old, new], new) == 2


def test_revision_annotations_and_history() -> None:
    d = deployment(
        "web", 3, strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    )
    d["metadata"]["annotations"] = {"team": "a", "kubectl.kubernetes.io/last-applied-configuration": "{}"}
    rs = {"metadata": {}}
    assert dm.set_new_rs_annotations(d, rs, 1, exists=False)
    assert rs["metadata"]["annotations"] == {
        "team": "a",
        dm.REVISION_ANNOTATION: "1",
        dm.DESIRED_REPLICAS_ANNOTATION: "3",
        dm.MAX_REPLICAS_ANNOTATION: "4",
    }
    assert dm.set_new_rs_annotations(d, rs, 4, exists=True)
    assert rs["metadata"]["annotations"][dm.REVISION_ANNOTATION] == "4"
    assert rs["metadata"]["annotations"][dm.REVISION_HISTORY_ANNOTATION] == "1"
    assert not dm.set_new_rs_annotations(d, rs, 3, exists=True)


def test_proportional_share() -> None:
    d = deployment("web", 20, strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 0}})
    rs = {"metadata": {"annotations": {dm.MAX_REPLICAS_ANNOTATION: "13"}}, "spec": {"replicas": 5}}
    # 5 of a max of 13 becomes round(5 * 23 / 13) = 9: four more.
    assert dm.proportion(rs, d, 10, 0) == 4
    assert dm.proportion(rs, d, 3, 0) == 3


# ---------------------------------------------------------------- the controller


@pytest.fixture
def rig() -> Rig:
    return Rig(ReplicaSetController, DeploymentController)


def _sets(rig: Rig, name: str = "web") -> list[dict]:
    return sorted(
        rig.client.list("replicasets", "default", label_selector=f"app={name}")["items"],
        key=lambda rs: int(rs["metadata"]["annotations"][dm.REVISION_ANNOTATION]),
    )


def _converge(rig: Rig, steps: int = 60) -> None:
    """Step the clock, becoming the kubelet: one pending pod turns Running and Ready per step."""
    for _ in range(steps):
        rig.settle(1)
        pending = [p for p in rig.pods() if (p.get("status") or {}).get("phase") != "Running"]
        if pending:
            rig.set_pod_phase(sorted(pending, key=lambda p: p["metadata"]["name"])[0])


def test_creates_replicaset_named_by_hash(rig: Rig) -> None:
    d = rig.client.create("deployments", deployment("web", 3))
    rig.settle()
    (rs,) = _sets(rig)
    h = dm.compute_hash(d["spec"]["template"])
    assert rs["metadata"]["name"] == f"web-{h}"
    assert rs["metadata"]["labels"] == {"app": "web", "pod-template-hash": h}
    assert rs["spec"]["selector"] == {"matchLabels": {"app": "web", "pod-template-hash": h}}
    assert rs["metadata"]["annotations"] == {
        dm.REVISION_ANNOTATION: "1",
        dm.DESIRED_REPLICAS_ANNOTATION: "3",
        dm.MAX_REPLICAS_ANNOTATION: "4",
    }
    assert rs["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    assert [e["message"] for e in rig.events("ScalingReplicaSet")] == [f"Scaled up replica set web-{h} from 0 to 3"]
    _converge(rig, 5)
    got = rig.client.get("deployments", "web")
    assert got["metadata"]["annotations"][dm.REVISION_ANNOTATION] == "1"
    st = got["status"]
    assert (st["replicas"], st["updatedReplicas"], st["readyReplicas"], st["availableReplicas"]) == (3, 3, 3, 3)
    conds = {c["type"]: c for c in st["conditions"]}
    assert conds["Available"]["reason"] == "MinimumReplicasAvailable"
    assert conds["Available"]["message"] == "Deployment has minimum availability."
    assert conds["Progressing"]["reason"] == "NewReplicaSetAvailable"
    assert conds["Progressing"]["message"] == f'ReplicaSet "web-{h}" has successfully progressed.'


@pytest.mark.parametrize("surge,unavailable", [(1, 1), ("25%", "25%"), (0, 1), (2, 0)])
def test_rolling_update_stays_within_bounds(rig: Rig, surge, unavailable) -> None:
    replicas = 4
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}
    rig.client.create("deployments", deployment("web", replicas, strategy=strategy))
    _converge(rig, 8)
    max_surge, max_unavail = dm.resolve_fenceposts(surge, unavailable, replicas)
    seen: dict[str, dict] = {}
    pods: dict[str, dict] = {}
    violations: list[str] = []

    def on_rs(etype: str, rs: dict) -> None:
        if etype == "DELETED":
            seen.pop(rs["metadata"]["name"], None)
        else:
            seen[rs["metadata"]["name"]] = rs
        total = sum(r["spec"]["replicas"] for r in seen.values())
        if total > replicas + max_surge:
            violations.append(f"{total} replicas wanted")

    def on_pod(etype: str, pod: dict) -> None:
        if etype == "DELETED" or pod["metadata"].get("deletionTimestamp"):
            pods.pop(pod["metadata"]["name"], None)
        else:
            pods[pod["metadata"]["name"]] = pod
        ready = sum(
            1
            for p in pods.values()
            if any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions") or [])
        )
        if ready < replicas - max_unavail:
            violations.append(f"only {ready} ready")
        if len(pods) > replicas + max_surge:
            violations.append(f"{len(pods)} pods")

    rs_list = rig.client.list("replicasets", "default")
    seen.update({rs["metadata"]["name"]: rs for rs in rs_list["items"]})
    pod_list = rig.client.list("pods", "default")
    pods.update({p["metadata"]["name"]: p for p in pod_list["items"]})
    rig.client.watch("replicasets", on_rs, "default", resource_version=rs_list["metadata"]["resourceVersion"])
    rig.client.watch("pods", on_pod, "default", resource_version=pod_list["metadata"]["resourceVersion"])
    d = rig.client.get("deployments", "web")
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
    rig.client.update("deployments", d)
    _converge(rig, 30)
    assert violations == []
    old, new = _sets(rig)
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (0, replicas)
    assert new["metadata"]["annotations"][dm.REVISION_ANNOTATION] == "2"
    assert all(p["spec"]["containers"][0]["image"] == "nginx:1.26" for p in rig.pods("app=web"))
    st = rig.client.get("deployments", "web")["status"]
    assert (st["replicas"], st["updatedReplicas"], st["availableReplicas"]) == (replicas, replicas, replicas)
    messages = [e["message"] for e in rig.events("ScalingReplicaSet")]
    assert any(m.startswith(f"Scaled down replica set {old['metadata']['name']} from") for m in messages)


def test_recreate_scales_old_to_zero_before_new(rig: Rig) -> None:
    rig.client.create("deployments", deployment("web", 3, strategy={"type": "Recreate"}))
    _converge(rig, 5)
    order: list[tuple[str, int]] = []
    rig.client.watch(
        "replicasets", lambda t, rs: order.append((rs["metadata"]["name"], rs["spec"]["replicas"])), "default"
    )
    d = rig.client.get("deployments", "web")
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
    rig.client.update("deployments", d)
    _converge(rig, 10)
    old, new = _sets(rig)
    first_new = next(i for i, (n, r) in enumerate(order) if n == new["metadata"]["name"] and r > 0)
    old_zero = next(i for i, (n, r) in enumerate(order) if n == old["metadata"]["name"] and r == 0)
    assert old_zero < first_new
    assert new["spec"]["replicas"] == 3
    assert len(rig.pods("app=web")) == 3


def test_rollback_makes_old_replicaset_new_again(rig: Rig) -> None:
    rig.client.create("deployments", deployment("web", 2))
    _converge(rig, 4)
    d = rig.client.get("deployments", "web")
    first_template = copy.deepcopy(d["spec"]["template"])
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
    rig.client.update("deployments", d)
    _converge(rig, 10)
    rs1, rs2 = _sets(rig)
    # kubectl rollout undo: the template of revision 1, without its pod-template-hash label.
    d = rig.client.get("deployments", "web")
    d["spec"]["template"] = first_template
    rig.client.update("deployments", d)
    _converge(rig, 10)
    by_name = {rs["metadata"]["name"]: rs for rs in _sets(rig)}
    assert len(by_name) == 2
    back = by_name[rs1["metadata"]["name"]]
    assert back["metadata"]["annotations"][dm.REVISION_ANNOTATION] == "3"
    assert back["metadata"]["annotations"][dm.REVISION_HISTORY_ANNOTATION] == "1"
    assert back["spec"]["replicas"] == 2 and by_name[rs2["metadata"]["name"]]["spec"]["replicas"] == 0
    assert rig.client.get("deployments", "web")["metadata"]["annotations"][dm.REVISION_ANNOTATION] == "3"


def test_revision_history_limit_cleans_up(rig: Rig) -> None:
    rig.client.create("deployments", deployment("web", 1, revisionHistoryLimit=1))
    _converge(rig, 3)
    for tag in ("1.26", "1.27", "1.28"):
        d = rig.client.get("deployments", "web")
        d["spec"]["template"]["spec"]["containers"][0]["image"] = f"nginx:{tag}"
        rig.client.update("deployments", d)
        _converge(rig, 6)
    revisions = [rs["metadata"]["annotations"][dm.REVISION_ANNOTATION] for rs in _sets(rig)]
    assert revisions == ["3", "4"]


def test_scaling_and_paused(rig: Rig) -> None:
    rig.client.create("deployments", deployment("web", 2))
    _converge(rig, 4)
    d = rig.client.get("deployments", "web")
    d["spec"]["paused"] = True
    d["spec"]["replicas"] = 5
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
    rig.client.update("deployments", d)
    _converge(rig, 8)
    (rs,) = _sets(rig)  # paused: no new ReplicaSet, but scaling still happens
    assert rs["spec"]["replicas"] == 5
    cond = {c["type"]: c for c in rig.client.get("deployments", "web")["status"]["conditions"]}["Progressing"]
    assert (cond["status"], cond["reason"], cond["message"]) == ("Unknown", "DeploymentPaused", "Deployment is paused")
    assert "Scaled up replica set " + rs["metadata"]["name"] + " from 2 to 5" in [
        e["message"] for e in rig.events("ScalingReplicaSet")
    ]


def test_progress_deadline_exceeded(rig: Rig) -> None:
    rig.client.create("deployments", deployment("web", 2, progressDeadlineSeconds=30))
    rig.settle(45)  # no kubelet: pods never become ready
    rig.settle(5)
    cond = {c["type"]: c for c in rig.client.get("deployments", "web")["status"]["conditions"]}["Progressing"]
    assert (cond["status"], cond["reason"]) == ("False", "ProgressDeadlineExceeded")
    assert cond["message"].endswith("has timed out progressing.")
