"""Row cells of ``kubectl get`` for the workload API groups: apps/v1, batch/v1 and autoscaling/v2 (pure).

Same contract as :mod:`ktui.kubectl.rows_core`: ``fn(obj, now, wide) -> cells``.
"""

from __future__ import annotations

from ktui.api.labels import selector_from_set
from ktui.api.objects import condition_is_true
from ktui.kubectl.cells import (
    age,
    containers,
    created,
    format_labels,
    human_duration,
    meta_of,
    number,
    selector_text,
    spec_of,
    status_of,
    template_spec,
)
from ktui.sim.timefmt import parse_rfc3339

__all__ = ["job_status"]


# ------------------------------------------------------------------------------------------- apps


def deployment_row(d: dict, now: float, wide: bool) -> list[str]:
    spec, st = spec_of(d), status_of(d)
    cells = [
        meta_of(d).get("name", ""),
        f"{number(st.get('readyReplicas'))}/{number(spec.get('replicas'))}",
        number(st.get("updatedReplicas")),
        number(st.get("availableReplicas")),
        created(d, now),
    ]
    if wide:
        cells += [*containers(template_spec(d)), selector_text(spec.get("selector"))]
    return cells


def replicaset_row(rs: dict, now: float, wide: bool) -> list[str]:
    spec, st = spec_of(rs), status_of(rs)
    cells = [
        meta_of(rs).get("name", ""),
        number(spec.get("replicas")),
        number(st.get("replicas")),
        number(st.get("readyReplicas")),
        created(rs, now),
    ]
    if wide:
        if rs.get("kind") == "ReplicationController":
            selector = str(selector_from_set(spec.get("selector")))
        else:
            selector = selector_text(spec.get("selector"))
        cells += [*containers(template_spec(rs)), selector]
    return cells


def daemonset_row(ds: dict, now: float, wide: bool) -> list[str]:
    st = status_of(ds)
    cells = [
        meta_of(ds).get("name", ""),
        number(st.get("desiredNumberScheduled")),
        number(st.get("currentNumberScheduled")),
        number(st.get("numberReady")),
        number(st.get("updatedNumberScheduled")),
        number(st.get("numberAvailable")),
        format_labels(template_spec(ds).get("nodeSelector")),
        created(ds, now),
    ]
    if wide:
        cells += [*containers(template_spec(ds)), selector_text(spec_of(ds).get("selector"))]
    return cells


def statefulset_row(ss: dict, now: float, wide: bool) -> list[str]:
    cells = [
        meta_of(ss).get("name", ""),
        f"{number(status_of(ss).get('readyReplicas'))}/{number(spec_of(ss).get('replicas'))}",
        created(ss, now),
    ]
    if wide:
        cells += [*containers(template_spec(ss))]
    return cells


def controllerrevision_row(cr: dict, now: float, wide: bool) -> list[str]:
    owner = next((o for o in meta_of(cr).get("ownerReferences") or [] if o.get("controller")), None)
    controller = "<none>"
    if owner:
        group = owner.get("apiVersion", "").rsplit("/", 1)[0] if "/" in owner.get("apiVersion", "") else ""
        controller = (
            f"{owner['kind'].lower()}.{group}/{owner['name']}" if group else f"{owner['kind'].lower()}/{owner['name']}"
        )
    return [meta_of(cr).get("name", ""), controller, str(cr.get("revision", 0)), created(cr, now)]


# ------------------------------------------------------------------------------------------ batch


def job_status(job: dict) -> str:
    """The STATUS cell of a Job: Complete, Failed, Terminating, Suspended, FailureTarget, ..., Running."""
    conds = status_of(job).get("conditions")
    for cond, text in (("Complete", "Complete"), ("Failed", "Failed")):
        if condition_is_true(conds, cond):
            return text
    if meta_of(job).get("deletionTimestamp"):
        return "Terminating"
    for cond in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if condition_is_true(conds, cond):
            return cond
    return "Running"


def job_row(job: dict, now: float, wide: bool) -> list[str]:
    spec, st = spec_of(job), status_of(job)
    succeeded = int(st.get("succeeded") or 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif int(spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    duration = ""
    if st.get("startTime"):
        end = parse_rfc3339(st["completionTime"]) if st.get("completionTime") else now
        duration = human_duration(end - parse_rfc3339(st["startTime"]))
    cells = [meta_of(job).get("name", ""), job_status(job), completions, duration, created(job, now)]
    if wide:
        cells += [*containers(template_spec(job)), selector_text(spec.get("selector"))]
    return cells


def cronjob_row(cj: dict, now: float, wide: bool) -> list[str]:
    spec, st = spec_of(cj), status_of(cj)
    suspend = spec.get("suspend")
    last = age(st["lastScheduleTime"], now) if st.get("lastScheduleTime") else "<none>"
    cells = [
        meta_of(cj).get("name", ""),
        spec.get("schedule", ""),
        spec.get("timeZone") or "<none>",
        "<unset>" if suspend is None else ("True" if suspend else "False"),
        str(len(st.get("active") or [])),
        last,
        created(cj, now),
    ]
    if wide:
        job_tpl = (spec.get("jobTemplate") or {}).get("spec") or {}
        tpl = ((job_tpl.get("template") or {}).get("spec")) or {}
        cells += [*containers(tpl), selector_text(job_tpl.get("selector"))]
    return cells


# ------------------------------------------------------------------------------------ autoscaling


def hpa_row(hpa: dict, now: float, wide: bool) -> list[str]:
    spec, st = spec_of(hpa), status_of(hpa)
    ref = spec.get("scaleTargetRef") or {}
    targets = []
    for m in spec.get("metrics") or []:
        res = m.get("resource") or {}
        target = res.get("target") or {}
        if m.get("type") == "Resource" and target.get("averageUtilization") is not None:
            targets.append(f"{res.get('name')}: <unknown>/{target['averageUtilization']}%")
    return [
        meta_of(hpa).get("name", ""),
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        ", ".join(targets) or "<none>",
        str(spec.get("minReplicas", 1)),
        str(spec.get("maxReplicas", 0)),
        str(st.get("currentReplicas", 0)),
        created(hpa, now),
    ]
