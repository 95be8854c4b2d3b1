"""Job controller: completions and parallelism, finalizer tracking, backoff, backoffLimit, Indexed mode."""

from __future__ import annotations

import pytest

from ktui.components.controllers.job import (
    TRACKING_FINALIZER,
    JobController,
    backoff_delay,
    format_indexes,
    parse_indexes,
)

from tests.components.controllers.conftest import Rig


def job(name: str = "pi", **spec) -> dict:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl"}]}},
            **spec,
        },
    }


def test_backoff_and_indexes() -> None:
    assert [backoff_delay(n) for n in range(0, 8)] == [0, 10, 20, 40, 80, 160, 320, 360]
    assert format_indexes({0, 1, 2, 5, 7, 8}) == "0-2,5,7-8"
    assert parse_indexes("0-2,5,7-8") == {0, 1, 2, 5, 7, 8}
    assert parse_indexes("") == set()


@pytest.fixture
def rig() -> Rig:
    return Rig(JobController)


def _active(rig: Rig) -> list[dict]:
    return sorted(
        (p for p in rig.pods("job-name=pi") if p["status"].get("phase") not in ("Succeeded", "Failed")),
        key=lambda p: p["metadata"]["name"],
    )


def test_completes_with_parallelism(rig: Rig) -> None:
    created = rig.client.create("jobs", job(completions=3, parallelism=2))
    rig.settle(1)
    pods = _active(rig)
    assert len(pods) == 2
    p = pods[0]
    assert p["metadata"]["finalizers"] == [TRACKING_FINALIZER]
    labels = p["metadata"]["labels"]
    assert labels["batch.kubernetes.io/job-name"] == "pi" and labels["job-name"] == "pi"
    assert labels["batch.kubernetes.io/controller-uid"] == created["metadata"]["uid"]
    assert p["metadata"]["ownerReferences"][0]["kind"] == "Job"
    st = rig.client.get("jobs", "pi")["status"]
    assert st["active"] == 2 and st["ready"] == 0 and st["uncountedTerminatedPods"] == {}
    assert st["startTime"] == "2026-01-01T00:00:00Z"
    for _ in range(4):
        for pod in _active(rig):
            rig.set_pod_phase(pod, "Succeeded", ready=False)
            break
        rig.settle(1)
    st = rig.client.get("jobs", "pi")["status"]
    assert st["succeeded"] == 3 and "active" not in st
    types = [c["type"] for c in st["conditions"]]
    assert types == ["SuccessCriteriaMet", "Complete"]
    assert st["conditions"][1]["reason"] == "CompletionsReached"
    assert st["completionTime"]
    assert [e["message"] for e in rig.events("Completed")] == ["Job completed"]
    assert len(rig.events("SuccessfulCreate")) == 3
    assert all(TRACKING_FINALIZER not in (p["metadata"].get("finalizers") or []) for p in rig.pods("job-name=pi"))


def test_backoff_limit_exceeded_with_backoff_delays(rig: Rig) -> None:
    rig.client.create("jobs", job(backoffLimit=2))
    created_at: list[float] = []
    for _ in range(3):
        rig.settle(0.5)
        while not _active(rig):
            rig.settle(1)
        created_at.append(rig.kernel.now)
        rig.set_pod_phase(_active(rig)[0], "Failed", ready=False)
    rig.settle(1)
    assert created_at[1] - created_at[0] >= 10 and created_at[2] - created_at[1] >= 20
    st = rig.client.get("jobs", "pi")["status"]
    assert st["failed"] == 3
    conds = {c["type"]: c for c in st["conditions"]}
    assert set(conds) == {"FailureTarget", "Failed"}
    assert (conds["Failed"]["reason"], conds["Failed"]["message"]) == (
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
    )
    assert [e["type"] for e in rig.events("BackoffLimitExceeded")] == ["Warning"]


def test_indexed_job(rig: Rig) -> None:
    rig.client.create("jobs", job(completions=3, parallelism=3, completionMode="Indexed"))
    rig.settle(1)
    pods = _active(rig)
    indexes = sorted(p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] for p in pods)
    assert indexes == ["0", "1", "2"]
    assert {p["metadata"]["name"].rsplit("-", 1)[0] for p in pods} == {"pi-0", "pi-1", "pi-2"}
    for p in pods:
        rig.set_pod_phase(p, "Succeeded", ready=False)
    rig.settle(1)
    st = rig.client.get("jobs", "pi")["status"]
    assert st["completedIndexes"] == "0-2" and st["succeeded"] == 3
