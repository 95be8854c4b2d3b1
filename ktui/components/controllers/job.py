"""The Job controller: run pods to ``completions``, ``parallelism`` at a time, within ``backoffLimit``.

As ``pkg/controller/job`` with pod tracking by finalizer: every pod carries
``batch.kubernetes.io/job-tracking``; a finished pod is counted in ``status.succeeded``/``failed`` and its
finalizer removed. Failed pods are replaced after an exponential backoff (10s doubling to 6m). When enough
pods succeed the Job gets ``SuccessCriteriaMet`` and then, once no pod is left running, ``Complete``; past
the backoff limit (or ``activeDeadlineSeconds``) it gets ``FailureTarget``, its pods are deleted and then it
is ``Failed``. ``completionMode: Indexed`` gives each pod a completion index.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.api.objects import copy_json, key_of
from ktui.components.base import Controller
from ktui.components.controllers.pods import (
    controller_ref,
    controller_ref_of,
    is_pod_ready,
    pod_from_template,
    pod_name_prefix,
    slow_start_batches,
)
from ktui.components.controllers.replicaset import by_controller_uid
from ktui.sim.timefmt import parse_rfc3339, rfc3339

__all__ = ["JobController", "backoff_delay", "format_indexes", "parse_indexes", "TRACKING_FINALIZER"]

TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
INDEX_KEY = "batch.kubernetes.io/job-completion-index"
BACKOFF_BASE = 10.0
BACKOFF_MAX = 360.0
_STATUS_ORDER = (
    "conditions",
    "startTime",
    "completionTime",
    "active",
    "succeeded",
    "failed",
    "terminating",
    "completedIndexes",
    "failedIndexes",
    "uncountedTerminatedPods",
    "ready",
)


def backoff_delay(failures: int) -> float:
    """Delay before replacing a pod after ``failures`` consecutive failures: 10s, 20s, 40s... at most 6m."""
    if failures <= 0:
        return 0.0
    return min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (failures - 1))


def parse_indexes(text: str) -> set[int]:
    """``"0-2,5"`` → {0, 1, 2, 5}."""
    out: set[int] = set()
    for part in filter(None, (text or "").split(",")):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def format_indexes(indexes: set[int]) -> str:
    """{0, 1, 2, 5} → ``"0-2,5"`` (the ``completedIndexes`` format)."""
    runs: list[str] = []
    for i in sorted(indexes):
        if runs and int(runs[-1].split("-")[-1]) == i - 1:
            runs[-1] = f"{runs[-1].split('-')[0]}-{i}"
        else:
            runs.append(str(i))
    return ",".join(runs)


def _phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase", "")


def _condition(ctype: str, reason: str, message: str, now: float) -> dict:
    ts = rfc3339(now)
    return {
        "type": ctype,
        "status": "True",
        "lastProbeTime": ts,
        "lastTransitionTime": ts,
        "reason": reason,
        "message": message,
    }


def _has(status: dict, ctype: str) -> dict | None:
    return next((c for c in status.get("conditions") or [] if c["type"] == ctype and c["status"] == "True"), None)


class JobController(Controller):
    """The ``job`` controller of kube-controller-manager."""

    name = "job-controller"

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.counted: dict[str, set[str]] = {}
        """Per Job, UIDs of finished pods already counted (their finalizer removal may not be seen yet)."""
        self.backoff: dict[str, tuple[int, float]] = {}
        """Per Job: consecutive pod failures and when the last was seen."""
        self.jobs = self.informer("jobs")
        self.jobs.add_handler(self.enqueue, self._on_job_update, self._on_job_delete)
        self.pods = self.informer("pods")
        self.pods.add_indexer("controller-uid", by_controller_uid)
        self.pods.add_handler(self._on_pod, self._on_pod_update, self._on_pod)

    def _on_job_update(self, old: dict, new: dict) -> None:
        self.enqueue(new)

    def _on_job_delete(self, job: dict) -> None:
        self.counted.pop(key_of(job), None)
        self.backoff.pop(key_of(job), None)

    def _on_pod(self, pod: dict) -> None:
        ref = controller_ref_of(pod)
        if ref and ref.get("kind") == "Job":
            job = self.jobs.get(f"{pod['metadata'].get('namespace', '')}/{ref.get('name', '')}")
            if job is not None and job["metadata"].get("uid") == ref.get("uid"):
                self.enqueue(job)

    def _on_pod_update(self, old: dict, new: dict) -> None:
        self._on_pod(new)

    # ------------------------------------------------------------------ reconcile

    def reconcile(self, key: str) -> None:
        cached = self.jobs.get(key)
        if cached is None:
            return
        job = copy_json(cached)
        status = job.setdefault("status", {})
        now = self.ctx.now
        pods = sorted(self.pods.by_index("controller-uid", job["metadata"]["uid"]), key=key_of)
        finished = _has(status, "Complete") or _has(status, "Failed")
        self._count_finished(job, pods)
        if finished:
            self._write(job, cached)
            return
        status.setdefault("startTime", rfc3339(now))
        active = [
            p for p in pods if _phase(p) not in ("Succeeded", "Failed") and not p["metadata"].get("deletionTimestamp")
        ]
        terminating = [
            p for p in pods if p["metadata"].get("deletionTimestamp") and _phase(p) not in ("Succeeded", "Failed")
        ]
        target = _has(status, "FailureTarget") or _has(status, "SuccessCriteriaMet")
        if target is None:
            target = self._finish_condition(job, now)
            if target is not None:
                status["conditions"] = (status.get("conditions") or []) + [target]
        if target is not None:
            for pod in active:
                self._delete(job, pod)
            if not active and not terminating:
                final = "Failed" if target["type"] == "FailureTarget" else "Complete"
                status["conditions"].append(_condition(final, target["reason"], target["message"], now))
                if final == "Complete":
                    status["completionTime"] = rfc3339(now)
                    self.recorder.event(job, "Normal", "Completed", "Job completed")
                else:
                    self.recorder.event(job, "Warning", target["reason"], target["message"])
            active = []
        else:
            active = self._manage(job, active)
        status["active"] = len(active)
        status["ready"] = sum(1 for p in active if is_pod_ready(p))
        status["terminating"] = len(terminating)
        status["uncountedTerminatedPods"] = {}
        self._write(job, cached)

    def _count_finished(self, job: dict, pods: list[dict]) -> None:
        """Count finished pods once and remove their tracking finalizer."""
        status, key = job["status"], key_of(job)
        counted = self.counted.setdefault(key, set())
        indexed = job["spec"].get("completionMode") == "Indexed"
        done = parse_indexes(status.get("completedIndexes", ""))
        for pod in pods:
            fins = pod["metadata"].get("finalizers") or []
            phase = _phase(pod)
            gone = pod["metadata"].get("deletionTimestamp") and phase not in ("Succeeded", "Failed")
            if TRACKING_FINALIZER not in fins or (phase not in ("Succeeded", "Failed") and not gone):
                continue
            uid = pod["metadata"]["uid"]
            if uid not in counted:
                counted.add(uid)
                if phase == "Succeeded":
                    status["succeeded"] = int(status.get("succeeded", 0)) + 1
                    if indexed:
                        done.add(int((pod["metadata"].get("annotations") or {}).get(INDEX_KEY, 0)))
                    self.backoff.pop(key, None)
                else:
                    status["failed"] = int(status.get("failed", 0)) + 1
                    n, _ = self.backoff.get(key, (0, 0.0))
                    self.backoff[key] = (n + 1, self.ctx.now)
            new = copy_json(pod)
            new["metadata"]["finalizers"] = [f for f in fins if f != TRACKING_FINALIZER]
            try:
                self.client.update("pods", new)
            except ApiError as e:
                if e.code != 404:
                    raise
        if indexed:
            status["completedIndexes"] = format_indexes(done)

    def _finish_condition(self, job: dict, now: float) -> dict | None:
        spec, status = job["spec"], job["status"]
        if int(status.get("failed", 0)) > int(spec.get("backoffLimit", 6)):
            return _condition(
                "FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now
            )
        deadline = spec.get("activeDeadlineSeconds")
        if deadline is not None and status.get("startTime"):
            if parse_rfc3339(status["startTime"]) + int(deadline) <= now:
                return _condition(
                    "FailureTarget", "DeadlineExceeded", "Job was active longer than specified deadline", now
                )
        completions = spec.get("completions")
        succeeded = int(status.get("succeeded", 0))
        if (completions is not None and succeeded >= int(completions)) or (completions is None and succeeded > 0):
            return _condition(
                "SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods", now
            )
        return None

    def _manage(self, job: dict, active: list[dict]) -> list[dict]:
        """Create or delete pods towards parallelism and the remaining completions (``manageJob``)."""
        spec, status, key = job["spec"], job["status"], key_of(job)
        parallelism = int(spec.get("parallelism", 1))
        completions = spec.get("completions")
        succeeded = int(status.get("succeeded", 0))
        if completions is None:
            want = parallelism if succeeded == 0 else 0
        else:
            want = max(0, min(parallelism, int(completions) - succeeded))
        if len(active) > want:
            extra = active[want - len(active) :] if want else list(active)
            for pod in extra:
                self._delete(job, pod)
            return active[:want]
        if len(active) == want or spec.get("suspend"):
            return active
        failures, last = self.backoff.get(key, (0, 0.0))
        wait = last + backoff_delay(failures) - self.ctx.now
        if failures and wait > 0:
            self.queue.add_after(key, wait)
            return active
        indexes = self._free_indexes(job, active) if spec.get("completionMode") == "Indexed" else None
        n = want - len(active) if indexes is None else min(want - len(active), len(indexes))
        ref = controller_ref(job, "batch/v1", "Job")
        made = list(active)
        for batch in slow_start_batches(n):
            for _ in range(batch):
                pod = self._new_pod(job, ref, indexes.pop(0) if indexes else None)
                try:
                    created = self.client.create("pods", pod)
                except ApiError as e:
                    self.recorder.event(job, "Warning", "FailedCreate", f"Error creating: {e.message}")
                    return made
                made.append(created)
                self.recorder.event(job, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")
        return made

    def _free_indexes(self, job: dict, active: list[dict]) -> list[int]:
        done = parse_indexes(job["status"].get("completedIndexes", ""))
        running = {int((p["metadata"].get("annotations") or {}).get(INDEX_KEY, -1)) for p in active}
        return [i for i in range(int(job["spec"].get("completions") or 0)) if i not in done and i not in running]

    def _new_pod(self, job: dict, ref: dict, index: int | None) -> dict:
        name = job["metadata"]["name"]
        prefix = pod_name_prefix(name) if index is None else pod_name_prefix(f"{name}-{index}")
        pod = pod_from_template(
            job["spec"].get("template") or {}, job["metadata"].get("namespace", "default"), ref, generate_name=prefix
        )
        md = pod["metadata"]
        md["finalizers"] = list(md.get("finalizers") or []) + [TRACKING_FINALIZER]
        if index is not None:
            md["annotations"] = {**(md.get("annotations") or {}), INDEX_KEY: str(index)}
            md["labels"] = {**(md.get("labels") or {}), INDEX_KEY: str(index)}
            pod["spec"].setdefault("hostname", f"{name}-{index}")
        return pod

    def _delete(self, job: dict, pod: dict) -> None:
        try:
            self.client.delete("pods", pod["metadata"]["name"], pod["metadata"].get("namespace"))
        except ApiError as e:
            if e.code != 404:
                self.recorder.event(job, "Warning", "FailedDelete", f"Error deleting: {e.message}")
                raise
            return
        self.recorder.event(job, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")

    def _write(self, job: dict, cached: dict) -> None:
        status: dict[str, Any] = {}
        for k in _STATUS_ORDER:
            v = job["status"].get(k)
            if v is None or (k in ("active", "succeeded", "failed") and v == 0) or (k == "completedIndexes" and not v):
                continue
            status[k] = v
        if status != (cached.get("status") or {}):
            job["status"] = status
            self.client.update("jobs", job, subresource="status")
