"""Defaults for batch/v1 kinds: Job and CronJob (pkg/apis/batch/v1/defaults.go), plus the Job registry step.

The pod template's ``restartPolicy`` is defaulted like any PodSpec (to ``Always``), not to ``Never``: a Job
sent without one is then rejected by validation (``Unsupported value: "Always"``), exactly as on a real
cluster; ``kubectl create job`` sends ``Never`` itself. A CronJob's ``jobTemplate.spec`` only gets the pod
template defaults: ``SetDefaults_Job`` takes a whole Job, so completions/backoffLimit stay unset there.
"""

from __future__ import annotations

from typing import Any

from ktui.api.defaults.podspec import default_pod_template, put

__all__ = ["default_cron_job", "default_job", "job_prepare_for_create"]

Obj = dict[str, Any]
MAX_INT32 = 2**31 - 1


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    return spec


def default_job(job: Obj) -> None:
    """Default a Job in place.

    parallelism/completions 1 when both are unset, backoffLimit 6 (MaxInt32 with backoffLimitPerIndex),
    manualSelector false, completionMode NonIndexed, suspend false, podReplacementPolicy TerminatingOrFailed
    (Failed with a podFailurePolicy), metadata.labels from the template labels when the Job has none.
    """
    spec = _spec(job)
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["parallelism"] = 1
        spec["completions"] = 1
    put(spec, "parallelism", 1)
    policy = spec.get("podFailurePolicy")
    if isinstance(policy, dict):
        for rule in policy.get("rules") or []:
            for pattern in (rule.get("onPodConditions") or []) if isinstance(rule, dict) else []:
                if isinstance(pattern, dict):
                    put(pattern, "status", "True")
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = MAX_INT32 if spec.get("backoffLimitPerIndex") is not None else 6
    if spec.get("manualSelector") is None:
        spec["manualSelector"] = False
    template = spec.get("template")
    if isinstance(template, dict):
        labels = (template.get("metadata") or {}).get("labels")
        meta = job.setdefault("metadata", {})
        if labels is not None and not meta.get("labels"):
            meta["labels"] = dict(labels)
        default_pod_template(template)
    put(spec, "completionMode", "NonIndexed")
    if spec.get("suspend") is None:
        spec["suspend"] = False
    put(spec, "podReplacementPolicy", "Failed" if policy is not None else "TerminatingOrFailed")


def default_cron_job(cron: Obj) -> None:
    """Default a CronJob: concurrencyPolicy Allow, suspend false, history limits 3 and 1."""
    spec = _spec(cron)
    put(spec, "concurrencyPolicy", "Allow")
    if spec.get("suspend") is None:
        spec["suspend"] = False
    job_template = spec.get("jobTemplate")
    if isinstance(job_template, dict) and isinstance(job_template.get("spec"), dict):
        if "template" in job_template["spec"]:
            default_pod_template(job_template["spec"]["template"])
    put(spec, "successfulJobsHistoryLimit", 3)
    put(spec, "failedJobsHistoryLimit", 1)


def job_prepare_for_create(job: Obj, uid: str) -> None:
    """The Job registry's ``PrepareForCreate`` selector generation (run before validation, after the UID is set).

    Unless ``spec.manualSelector`` is true, sets ``spec.selector`` to match the controller UID and adds the
    ``batch.kubernetes.io/controller-uid``, ``batch.kubernetes.io/job-name``, ``controller-uid`` and
    ``job-name`` labels to the pod template; a Job with no labels of its own then reads back with them.
    """
    spec = _spec(job)
    if spec.get("manualSelector") is True:
        return
    name = (job.get("metadata") or {}).get("name", "")
    template = spec.setdefault("template", {})
    meta = template.get("metadata")
    if not isinstance(meta, dict):
        meta = template["metadata"] = {}
    labels = meta.get("labels")
    if not isinstance(labels, dict):
        labels = meta["labels"] = {}
    labels.setdefault("batch.kubernetes.io/controller-uid", uid)
    labels.setdefault("batch.kubernetes.io/job-name", name)
    labels.setdefault("controller-uid", uid)
    labels.setdefault("job-name", name)
    spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    # Defaulting runs again whenever the stored Job is decoded, so a Job without labels reads back with
    # the template's (now generated) labels.
    job_meta = job.setdefault("metadata", {})
    if not job_meta.get("labels"):
        job_meta["labels"] = dict(labels)
