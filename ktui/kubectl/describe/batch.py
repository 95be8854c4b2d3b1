"""``kubectl describe`` for the batch group: Jobs and CronJobs."""

from __future__ import annotations

from ktui.kubectl.cells import human_duration, selector_text
from ktui.kubectl.describe.base import (
    Writer,
    annotations_multiline,
    labels_multiline,
    name_and_namespace,
    rfc1123z,
)
from ktui.kubectl.describe.pods import controller_of, pod_template
from ktui.sim.timefmt import parse_rfc3339

__all__ = ["describe_job", "describe_cronjob", "cap_indexes"]


def _selector(selector: dict | None) -> str:
    """``LabelSelectorAsSelector(sel).String()``, or kubectl's note when the selector is invalid."""
    try:
        from ktui.api.labels import label_selector_from_dict

        label_selector_from_dict(selector)
    except ValueError as e:
        return f"Failed to get selector: {e}"
    return selector_text(selector)


def _bool_ptr(value: object) -> str:
    """``printBoolPtr``: ``True``/``False``, ``<unset>`` when nil."""
    if value is None:
        return "<unset>"
    return "True" if value else "False"


def _go_bool(value: object) -> str:
    return "true" if value else "false"


def cap_indexes(indexes: str | None, soft_limit: int = 50) -> str:
    """``capIndexesListOrNone``: the completed indexes, cut after the first comma past ``soft_limit``."""
    if not indexes:
        return "<none>"
    at = indexes.find(",", soft_limit)
    if at < 0 or len(indexes) <= soft_limit:
        return indexes
    return indexes[: at + 1] + "..."


def describe_job(w: Writer, job: dict) -> None:
    """``describeJob``: selector, the spec's counts and limits, start/completion times, pod counts, template."""
    md, spec, st = job.get("metadata") or {}, job.get("spec") or {}, job.get("status") or {}
    name_and_namespace(w, job)
    w.write(0, f"Selector:\t{_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    if controller_of(job):
        w.write(0, f"Controlled By:\t{controller_of(job)}\n")
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{spec['parallelism']}\n")
    completions = spec.get("completions")
    w.write(0, f"Completions:\t{'<unset>' if completions is None else completions}\n")
    if spec.get("completionMode") is not None:
        w.write(0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(0, f"Suspend:\t{_go_bool(spec['suspend'])}\n")
    if spec.get("backoffLimit") is not None:
        w.write(0, f"Backoff Limit:\t{spec['backoffLimit']}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        w.write(0, f"TTL Seconds After Finished:\t{spec['ttlSecondsAfterFinished']}\n")
    start, done = st.get("startTime"), st.get("completionTime")
    if start:
        w.write(0, f"Start Time:\t{rfc1123z(start)}\n")
    if done:
        w.write(0, f"Completed At:\t{rfc1123z(done)}\n")
    if start and done:
        w.write(0, f"Duration:\t{human_duration(parse_rfc3339(done) - parse_rfc3339(start))}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    active, ok, failed = st.get("active", 0), st.get("succeeded", 0), st.get("failed", 0)
    if st.get("ready") is None:
        w.write(0, f"Pods Statuses:\t{active} Active / {ok} Succeeded / {failed} Failed\n")
    else:
        w.write(0, f"Pods Statuses:\t{active} Active ({st['ready']} Ready) / {ok} Succeeded / {failed} Failed\n")
    if spec.get("completionMode") == "Indexed":
        w.write(0, f"Completed Indexes:\t{cap_indexes(st.get('completedIndexes'))}\n")
    pod_template(w, spec.get("template"))


def _unset(value: object, suffix: str = "") -> str:
    return "<unset>" if value is None else f"{value}{suffix}"


def _job_template(w: Writer, template: dict) -> None:
    """``describeJobTemplate``: the job template's selector, counts, deadline and pod template."""
    spec = template.get("spec") or {}
    selector = spec.get("selector")
    w.write(0, f"Selector:\t{'<unset>' if selector is None else _selector(selector)}\n")
    w.write(0, f"Parallelism:\t{_unset(spec.get('parallelism'))}\n")
    w.write(0, f"Completions:\t{_unset(spec.get('completions'))}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    pod_template(w, spec.get("template"))


def describe_cronjob(w: Writer, cj: dict) -> None:
    """``describeCronJob``: schedule and policies, the job template, last schedule time and active jobs."""
    md, spec, st = cj.get("metadata") or {}, cj.get("spec") or {}, cj.get("status") or {}
    name_and_namespace(w, cj)
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    w.write(0, f"Suspend:\t{_bool_ptr(spec.get('suspend'))}\n")
    w.write(0, f"Time Zone:\t{_unset(spec.get('timeZone'))}\n")
    w.write(0, f"Successful Job History Limit:\t{_unset(spec.get('successfulJobsHistoryLimit'))}\n")
    w.write(0, f"Failed Job History Limit:\t{_unset(spec.get('failedJobsHistoryLimit'))}\n")
    w.write(0, f"Starting Deadline Seconds:\t{_unset(spec.get('startingDeadlineSeconds'), 's')}\n")
    _job_template(w, spec.get("jobTemplate") or {})
    last = st.get("lastScheduleTime")
    w.write(0, f"Last Schedule Time:\t{rfc1123z(last) if last else '<unset>'}\n")
    names = ", ".join(ref.get("name", "") for ref in st.get("active") or [])
    w.write(0, f"Active Jobs:\t{names or '<none>'}\n")
