"""The CronJob controller: Jobs at the scheduled simulated times, with concurrency policy and history limits.

As ``pkg/controller/cronjob`` (v2): each sync reconciles ``status.active`` with the Jobs the CronJob owns
(``SawCompletedJob``, ``lastSuccessfulTime``), finds the most recent unmet schedule time (within
``startingDeadlineSeconds``), applies ``concurrencyPolicy`` (Allow, Forbid, Replace), creates the Job
``<cronjob>-<scheduled time in minutes since the Unix epoch>``, deletes finished Jobs beyond the history
limits, and requeues itself for the next schedule time.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ktui.api.errors import ApiError
from ktui.api.objects import copy_json, key_of
from ktui.components.base import Controller
from ktui.components.controllers.cron import CronError, Schedule, parse_schedule
from ktui.components.controllers.pods import controller_ref, controller_ref_of
from ktui.components.controllers.replicaset import by_controller_uid
from ktui.sim.timefmt import EPOCH, parse_rfc3339, rfc3339

__all__ = ["CronJobController", "job_name", "most_recent_schedule_time"]

EPOCH_UNIX = int(EPOCH.timestamp())
SCHEDULED_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"
MAX_MISSED = 100


def job_name(cronjob_name: str, scheduled: float) -> str:
    """``<name>-<minutes since the Unix epoch>`` for a scheduled simulated time."""
    return f"{cronjob_name}-{(EPOCH_UNIX + int(scheduled)) // 60}"


def most_recent_schedule_time(sched: Schedule, earliest: float, now: float) -> tuple[float | None, int]:
    """The latest activation in (``earliest``, ``now``] and how many were missed (``mostRecentScheduleTime``)."""
    t = sched.next_after(earliest)
    if t is None or t > now:
        return None, 0
    last, missed = t, 1
    while True:
        nxt = sched.next_after(last)
        if nxt is None or nxt > now:
            return last, missed
        last, missed = nxt, missed + 1


def _finished(job: dict) -> str | None:
    for c in (job.get("status") or {}).get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return c["type"]
    return None


class CronJobController(Controller):
    """The ``cronjob`` controller of kube-controller-manager."""

    name = "cronjob-controller"

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.cronjobs = self.informer("cronjobs")
        self.cronjobs.add_handler(self.enqueue, self._on_update, None)
        self.jobs = self.informer("jobs")
        self.jobs.add_indexer("controller-uid", by_controller_uid)
        self.jobs.add_handler(self._on_job, self._on_job_update, self._on_job)

    def _on_update(self, old: dict, new: dict) -> None:
        self.enqueue(new)

    def _on_job(self, job: dict) -> None:
        ref = controller_ref_of(job)
        if ref and ref.get("kind") == "CronJob":
            cj = self.cronjobs.get(f"{job['metadata'].get('namespace', '')}/{ref.get('name', '')}")
            if cj is not None and cj["metadata"].get("uid") == ref.get("uid"):
                self.enqueue(cj)

    def _on_job_update(self, old: dict, new: dict) -> None:
        self._on_job(new)

    # ------------------------------------------------------------------ reconcile

    def reconcile(self, key: str) -> None:
        cached = self.cronjobs.get(key)
        if cached is None:
            return
        cj = copy_json(cached)
        status = cj.setdefault("status", {})
        jobs = sorted(self.jobs.by_index("controller-uid", cj["metadata"]["uid"]), key=key_of)
        self._sync_active(cj, jobs)
        self._schedule(cj)
        self._cleanup(cj, jobs)
        out: dict[str, Any] = {}
        if status.get("active"):
            out["active"] = status["active"]
        for k in ("lastScheduleTime", "lastSuccessfulTime"):
            if status.get(k):
                out[k] = status[k]
        if out != (cached.get("status") or {}):
            cj["status"] = out
            self.client.update("cronjobs", cj, subresource="status")

    def _sync_active(self, cj: dict, jobs: list[dict]) -> None:
        status = cj["status"]
        active = list(status.get("active") or [])
        uids = {a.get("uid") for a in active}
        for job in jobs:
            uid, name = job["metadata"]["uid"], job["metadata"]["name"]
            done = _finished(job)
            if uid not in uids and not done:
                if not any(a.get("name") == name for a in active):
                    self.recorder.event(
                        cj,
                        "Warning",
                        "UnexpectedJob",
                        f"Saw a job that the controller did not create or forgot: {name}",
                    )
                    active.append(self._ref(job))
            elif uid in uids and done:
                active = [a for a in active if a.get("uid") != uid]
                self.recorder.event(cj, "Normal", "SawCompletedJob", f"Saw completed job: {name}, condition: {done}")
            if done == "Complete":
                done_at = (job.get("status") or {}).get("completionTime")
                last = status.get("lastSuccessfulTime")
                if done_at and (not last or parse_rfc3339(done_at) > parse_rfc3339(last)):
                    status["lastSuccessfulTime"] = done_at
        known = {j["metadata"]["uid"] for j in jobs}
        for ref in list(active):
            if ref.get("uid") in known:
                continue
            try:
                self.client.get("jobs", ref["name"], ref.get("namespace"))
            except ApiError as e:
                if e.code == 404:
                    self.recorder.event(cj, "Normal", "MissingJob", f"Active job went missing: {ref['name']}")
                    active.remove(ref)
        status["active"] = active

    def _schedule(self, cj: dict) -> None:
        spec, status, md = cj.get("spec") or {}, cj["status"], cj["metadata"]
        if md.get("deletionTimestamp"):
            return
        schedule = spec.get("schedule", "")
        if "TZ" in schedule:
            self.recorder.event(
                cj,
                "Warning",
                "UnsupportedSchedule",
                f'CRON_TZ or TZ used in schedule "{schedule}" is not officially supported, see '
                "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details",
            )
        try:
            sched = parse_schedule(schedule, spec.get("timeZone"))
        except CronError as e:
            self.recorder.event(cj, "Warning", "InvalidSchedule", f"invalid schedule: {schedule} : {e}")
            return
        if spec.get("suspend"):
            return
        now = self.ctx.now
        earliest = parse_rfc3339(status.get("lastScheduleTime") or md["creationTimestamp"])
        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None:
            earliest = max(earliest, now - int(deadline))
        scheduled, missed = most_recent_schedule_time(sched, earliest, now)
        self._requeue(cj, sched)
        if scheduled is None:
            return
        if missed > MAX_MISSED:
            self.recorder.event(
                cj,
                "Warning",
                "TooManyMissedTimes",
                f"too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds "
                "or check clock skew",
            )
        if deadline is not None and scheduled + int(deadline) < now:
            self.recorder.event(
                cj, "Warning", "MissSchedule", f"Missed scheduled time to start a job: {self._zoned(scheduled, sched)}"
            )
            return
        name = job_name(md["name"], scheduled)
        active = status["active"]
        if any(a.get("name") == name for a in active):
            return
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and active:
            self.recorder.event(
                cj,
                "Normal",
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
            )
            return
        if policy == "Replace":
            for ref in list(active):
                self._delete_job(cj, ref["name"])
                active.remove(ref)
        job = self._job_from_template(cj, name, scheduled, sched)
        try:
            created = self.client.create("jobs", job)
        except ApiError as e:
            if e.reason != "AlreadyExists":
                self.recorder.event(cj, "Warning", "FailedCreate", f"Error creating job: {e.message}")
                raise
            created = self.client.get("jobs", name, md.get("namespace"))
            if (controller_ref_of(created) or {}).get("uid") != md["uid"]:
                return
        else:
            self.recorder.event(cj, "Normal", "SuccessfulCreate", f"Created job {name}")
        active.append(self._ref(created))
        status["lastScheduleTime"] = rfc3339(scheduled)

    def _requeue(self, cj: dict, sched: Schedule) -> None:
        nxt = sched.next_after(self.ctx.now)
        if nxt is not None:
            self.queue.add_after(key_of(cj), nxt - self.ctx.now + 0.1)

    @staticmethod
    def _zoned(t: float, sched: Schedule) -> str:
        from zoneinfo import ZoneInfo

        local = (EPOCH + _dt.timedelta(seconds=int(t))).astimezone(ZoneInfo(sched.zone))
        text = local.isoformat()
        return text.replace("+00:00", "Z") if sched.zone == "UTC" else text

    def _job_from_template(self, cj: dict, name: str, scheduled: float, sched: Schedule) -> dict:
        """``getJobFromTemplate2``: the jobTemplate's labels, annotations and spec, owned by the CronJob."""
        tpl = (cj.get("spec") or {}).get("jobTemplate") or {}
        tmd = tpl.get("metadata") or {}
        md: dict[str, Any] = {"name": name, "namespace": cj["metadata"].get("namespace", "default")}
        if tmd.get("labels"):
            md["labels"] = dict(tmd["labels"])
        md["annotations"] = {**(tmd.get("annotations") or {}), SCHEDULED_ANNOTATION: self._zoned(scheduled, sched)}
        md["ownerReferences"] = [controller_ref(cj, "batch/v1", "CronJob")]
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": md, "spec": copy_json(tpl.get("spec") or {})}

    @staticmethod
    def _ref(job: dict) -> dict:
        md = job["metadata"]
        return {
            "kind": "Job",
            "namespace": md.get("namespace", ""),
            "name": md["name"],
            "uid": md["uid"],
            "apiVersion": "batch/v1",
            "resourceVersion": md.get("resourceVersion", ""),
        }

    def _delete_job(self, cj: dict, name: str) -> None:
        try:
            self.client.delete("jobs", name, cj["metadata"].get("namespace"), propagation_policy="Background")
        except ApiError as e:
            if e.code != 404:
                self.recorder.event(cj, "Warning", "FailedDelete", f"Deleted job: {e.message}")
                raise
            return
        self.recorder.event(cj, "Normal", "SuccessfulDelete", f"Deleted job {name}")

    def _cleanup(self, cj: dict, jobs: list[dict]) -> None:
        """Delete the oldest finished Jobs beyond successful/failedJobsHistoryLimit."""
        spec = cj.get("spec") or {}

        def started(j: dict) -> tuple[float, str]:
            st = (j.get("status") or {}).get("startTime") or j["metadata"].get("creationTimestamp")
            return (parse_rfc3339(st) if st else 0.0, j["metadata"]["name"])

        for kind, field in (("Complete", "successfulJobsHistoryLimit"), ("Failed", "failedJobsHistoryLimit")):
            limit = spec.get(field)
            if limit is None:
                continue
            done = sorted(
                (j for j in jobs if _finished(j) == kind and not j["metadata"].get("deletionTimestamp")), key=started
            )
            for j in done[: max(0, len(done) - int(limit))]:
                self._delete_job(cj, j["metadata"]["name"])
