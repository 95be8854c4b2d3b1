"""Row cells of ``kubectl get`` for the workload API groups: apps/v1, batch/v1 and autoscaling/v2 (pure).

Same contract as :mod:`ktui.kubectl.rows_core`: ``fn(obj, now, wide) -> cells``.
"""

from __future__ import annotations

from ktui.api.labels import selector_from_set
from ktui.api.objects import condition_is_true
from ktui.api.quantity import canonical_quantity
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


UNKNOWN = "<unknown>"


def _q(value: object) -> str:
    return canonical_quantity(str(value))


def _hpa_metric(spec: dict, current: dict | None) -> str:
    """One metric of ``formatHPAMetrics``: ``cpu: 45%/80%``, ``<unknown>/10``, ``1/5 (avg)``."""
    kind = spec.get("type")
    now = current or {}
    if kind in ("External", "Object"):
        key = kind.lower()
        target, cur = (spec.get(key) or {}).get("target") or {}, now.get(key)
        if target.get("averageValue") is not None:
            avg = (cur.get("current") or {}).get("averageValue") if cur else None
            shown = _q(avg) if avg is not None else UNKNOWN
            return f"{shown}/{_q(target['averageValue'])} (avg)"
        shown = _q((cur.get("current") or {}).get("value") or "0") if cur else UNKNOWN
        return f"{shown}/{_q(target.get('value') or '0')}"
    if kind == "Pods":
        target, cur = (spec.get("pods") or {}).get("target") or {}, now.get("pods")
        shown = _q((cur.get("current") or {}).get("averageValue") or "0") if cur else UNKNOWN
        return f"{shown}/{_q(target.get('averageValue') or '0')}"
    if kind in ("Resource", "ContainerResource"):
        key = "resource" if kind == "Resource" else "containerResource"
        source, cur = spec.get(key) or {}, now.get(key)
        target = source.get("target") or {}
        if target.get("averageValue") is not None:
            shown = _q((cur.get("current") or {}).get("averageValue") or "0") if cur else UNKNOWN
            return f"{source.get('name', '')}: {shown}/{_q(target['averageValue'])}"
        util = (cur.get("current") or {}).get("averageUtilization") if cur else None
        shown = f"{util}%" if util is not None else UNKNOWN
        goal = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
        return f"{source.get('name', '')}: {shown}/{goal}"
    return "<unknown type>"


def hpa_row(hpa: dict, now: float, wide: bool) -> list[str]:
    """``printHorizontalPodAutoscaler``: TARGETS as ``formatHPAMetrics`` (two metrics, then ``+ N more...``)."""
    spec, st = spec_of(hpa), status_of(hpa)
    ref = spec.get("scaleTargetRef") or {}
    metrics, current = spec.get("metrics") or [], st.get("currentMetrics") or []
    targets = [_hpa_metric(m, current[i] if i < len(current) else None) for i, m in enumerate(metrics)]
    shown = ", ".join(targets[:2]) + (f" + {len(targets) - 2} more..." if len(targets) > 2 else "")
    return [
        meta_of(hpa).get("name", ""),
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        shown or "<none>",
        str(spec["minReplicas"]) if spec.get("minReplicas") is not None else "<unset>",
        str(spec.get("maxReplicas", 0)),
        str(st.get("currentReplicas", 0)),
        created(hpa, now),
    ]
