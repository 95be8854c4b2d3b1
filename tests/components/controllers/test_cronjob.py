"""CronJob controller and cron parser: next times, Jobs at the right simulated times, policies, history."""

from __future__ import annotations

import pytest

from ktui.components.controllers.cron import CronError, parse_schedule
from ktui.components.controllers.cronjob import CronJobController, job_name, most_recent_schedule_time

from tests.components.controllers.conftest import Rig


def cronjob(name: str = "tick", schedule: str = "*/5 * * * *", **spec) -> dict:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name},
        "spec": {
            "schedule": schedule,
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {"restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox"}]}
                    }
                }
            },
            **spec,
        },
    }


# ---------------------------------------------------------------- the parser


@pytest.mark.parametrize(
    "spec,after,expected",
    [
        ("*/5 * * * *", 0, 300),
        ("*/5 * * * *", 300, 600),
        ("0 * * * *", 0, 3600),
        ("@hourly", 59, 3600),
        ("@daily", 0, 86400),
        ("30 2 * * *", 0, 2 * 3600 + 1800),
        ("0 9 * * mon-fri", 9 * 3600, 86400 + 9 * 3600),  # Thu 1 Jan 2026 -> Fri 2 Jan
        ("0 0 * * sun", 0, 3 * 86400),  # first Sunday is 4 Jan 2026
        ("0 0 1 feb *", 0, 31 * 86400),
        ("0 0 13 * fri", 0, 86400),  # both day fields restricted: either matches (Fri 2 Jan)
        ("TZ=Europe/Berlin 0 9 * * *", 0, 8 * 3600),
        ("@every 90s", 10, 100),
    ],
)
def test_next_after(spec: str, after: float, expected: float) -> None:
    assert parse_schedule(spec).next_after(after) == expected


def test_time_zone_field_and_errors() -> None:
    assert parse_schedule("0 9 * * *", "America/New_York").next_after(0) == 14 * 3600
    for bad in ("* * * *", "61 * * * *", "* * * * 7", "@sometimes", "*/0 * * * *", "TZ=Nowhere/City * * * * *"):
        with pytest.raises(CronError):
            parse_schedule(bad)


def test_most_recent_schedule_time_and_names() -> None:
    s = parse_schedule("*/5 * * * *")
    assert most_recent_schedule_time(s, 0, 299) == (None, 0)
    assert most_recent_schedule_time(s, 0, 1000) == (900, 3)
    assert job_name("tick", 300) == f"tick-{(1767225600 + 300) // 60}"


# ---------------------------------------------------------------- the controller


@pytest.fixture
def rig() -> Rig:
    return Rig(CronJobController)


def _jobs(rig: Rig) -> list[dict]:
    return sorted(rig.client.list("jobs", "default")["items"], key=lambda j: j["metadata"]["name"])


def _finish(rig: Rig, job: dict, kind: str = "Complete") -> None:
    now = "2026-01-01T00:00:00Z"
    job = rig.client.get("jobs", job["metadata"]["name"])
    job["status"] = {
        "conditions": [{"type": kind, "status": "True", "lastTransitionTime": now}],
        "startTime": job["metadata"]["creationTimestamp"],
        "completionTime": now,
        "succeeded" if kind == "Complete" else "failed": 1,
    }
    rig.client.update("jobs", job, subresource="status")


def test_creates_jobs_at_schedule_times(rig: Rig) -> None:
    cj = rig.client.create("cronjobs", cronjob())
    rig.settle(299)
    assert _jobs(rig) == []
    rig.settle(2)
    (job,) = _jobs(rig)
    assert job["metadata"]["name"] == job_name("tick", 300)
    assert job["metadata"]["ownerReferences"][0]["uid"] == cj["metadata"]["uid"]
    assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] == "2026-01-01T00:05:00Z"
    st = rig.client.get("cronjobs", "tick")["status"]
    assert st["lastScheduleTime"] == "2026-01-01T00:05:00Z"
    assert [a["name"] for a in st["active"]] == [job["metadata"]["name"]]
    assert [e["message"] for e in rig.events("SuccessfulCreate")] == [f"Created job {job['metadata']['name']}"]
    _finish(rig, job)
    rig.settle(1)
    st = rig.client.get("cronjobs", "tick")["status"]
    assert "active" not in st and st["lastSuccessfulTime"] == "2026-01-01T00:00:00Z"
    assert [e["message"] for e in rig.events("SawCompletedJob")] == [
        f"Saw completed job: {job['metadata']['name']}, condition: Complete"
    ]
    rig.settle(300)
    assert [j["metadata"]["name"] for j in _jobs(rig)] == [job_name("tick", 300), job_name("tick", 600)]


def test_forbid_skips_while_running(rig: Rig) -> None:
    rig.client.create("cronjobs", cronjob(concurrencyPolicy="Forbid"))
    rig.settle(601)
    assert len(_jobs(rig)) == 1
    assert rig.events("JobAlreadyActive")


def test_replace_deletes_running_job(rig: Rig) -> None:
    rig.client.create("cronjobs", cronjob(concurrencyPolicy="Replace"))
    rig.settle(601)
    assert [j["metadata"]["name"] for j in _jobs(rig)] == [job_name("tick", 600)]
    assert [e["message"] for e in rig.events("SuccessfulDelete")] == [f"Deleted job {job_name('tick', 300)}"]


def test_history_limit(rig: Rig) -> None:
    rig.client.create("cronjobs", cronjob(successfulJobsHistoryLimit=1))
    for _ in range(3):
        rig.settle(300)
        for j in _jobs(rig):
            if not (j.get("status") or {}).get("conditions"):
                _finish(rig, j)
        rig.settle(1)
    assert [j["metadata"]["name"] for j in _jobs(rig)] == [job_name("tick", 900)]


def test_suspended_creates_nothing(rig: Rig) -> None:
    rig.client.create("cronjobs", cronjob(suspend=True))
    rig.settle(1000)
    assert _jobs(rig) == []
