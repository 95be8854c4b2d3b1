"""Row cells of ``kubectl get`` for each kind, as v1.37's ``printers.go`` computes them (pure functions).

Every function takes ``(obj, now, wide)`` and returns the row's cells as strings; see
:mod:`ktui.kubectl.tables` for the columns they fill.
"""

from __future__ import annotations

from typing import Any

from ktui.api.labels import format_label_selector, selector_from_set
from ktui.sim.timefmt import parse_rfc3339

__all__ = ["format_labels", "pod_status_reason", "pod_ready", "pod_restarts"]

NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
NODE_LABEL_ROLE = "kubernetes.io/role"
LOAD_BALANCER_WIDTH = 16


def _age(ts: str | None, now: float) -> str:
    from ktui.kubectl.tables import age

    return age(ts, now)


def _md(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _spec(obj: dict) -> dict:
    return obj.get("spec") or {}


def _status(obj: dict) -> dict:
    return obj.get("status") or {}


def _created(obj: dict, now: float) -> str:
    return _age(_md(obj).get("creationTimestamp"), now)


def format_labels(labels: dict | None) -> str:
    """``labels.FormatLabels``: ``a=1,b=2`` sorted by key, ``<none>`` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def _selector_text(selector: dict | None) -> str:
    """``metav1.LabelSelectorAsSelector(sel).String()`` (empty for an empty selector)."""
    text = format_label_selector(selector)
    return "" if text == "<none>" else text


def _containers(template_spec: dict) -> tuple[str, str]:
    cs = template_spec.get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def _template_spec(obj: dict) -> dict:
    return ((_spec(obj).get("template") or {}).get("spec")) or {}


# ----------------------------------------------------------------------------------------------- pods

def _is_restartable_init(c: dict | None) -> bool:
    return bool(c) and c.get("restartPolicy") == "Always"  # type: ignore[union-attr]


def _condition_true(conditions: list[dict] | None, type_: str) -> bool:
    return any(c.get("type") == type_ and c.get("status") == "True" for c in conditions or [])


def _pod_summary(pod: dict) -> tuple[str, int, int, int, float | None]:
    """printPod's core: (reason, ready containers, total containers, restarts, last restart time)."""
    spec, status, md = _spec(pod), _status(pod), _md(pod)
    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}
    total = len(spec.get("containers") or []) + sum(1 for c in init_specs.values() if _is_restartable_init(c))
    ready = restarts = sidecar_restarts = 0
    last: float | None = None
    sidecar_last: float | None = None

    def finished_at(cs: dict) -> float | None:
        term = (cs.get("lastState") or {}).get("terminated")
        return parse_rfc3339(term["finishedAt"]) if term and term.get("finishedAt") else None

    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for i, cs in enumerate(init_statuses):
        restarts += int(cs.get("restartCount", 0))
        t = finished_at(cs)
        if t is not None and (last is None or t > last):
            last = t
        sidecar = _is_restartable_init(init_specs.get(cs.get("name")))
        if sidecar:
            sidecar_restarts += int(cs.get("restartCount", 0))
            if t is not None and (sidecar_last is None or t > sidecar_last):
                sidecar_last = t
        state = cs.get("state") or {}
        term, waiting = state.get("terminated"), state.get("waiting")
        if term and term.get("exitCode", 0) == 0:
            continue
        if sidecar and cs.get("started"):
            ready += 1 if cs.get("ready") else 0
            continue
        if term:
            if term.get("reason"):
                reason = "Init:" + term["reason"]
            elif term.get("signal"):
                reason = f"Init:Signal:{term['signal']}"
            else:
                reason = f"Init:ExitCode:{term.get('exitCode', 0)}"
        elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break
    if not initializing or _condition_true(status.get("conditions"), "Initialized"):
        restarts, last = sidecar_restarts, sidecar_last
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount", 0))
            t = finished_at(cs)
            if t is not None and (last is None or t > last):
                last = t
            state = cs.get("state") or {}
            waiting, term = state.get("waiting"), state.get("terminated")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
            elif term and term.get("reason"):
                reason = term["reason"]
            elif term:
                reason = f"Signal:{term['signal']}" if term.get("signal") else f"ExitCode:{term.get('exitCode', 0)}"
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if any(c.get("type") == "Ready" for c in status.get("conditions") or []) \
                else "NotReady"
    if md.get("deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif md.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return reason, ready, total, restarts, last


def pod_status_reason(pod: dict) -> str:
    """The STATUS cell: ``Running``, ``Init:0/1``, ``CrashLoopBackOff``, ``Terminating``, ``Completed``..."""
    return _pod_summary(pod)[0]


def pod_ready(pod: dict) -> str:
    """The READY cell: ``1/2``."""
    _, ready, total, _, _ = _pod_summary(pod)
    return f"{ready}/{total}"


def pod_restarts(pod: dict, now: float) -> str:
    """The RESTARTS cell: ``0`` or ``3 (45s ago)``."""
    _, _, _, restarts, last = _pod_summary(pod)
    if restarts and last is not None:
        from ktui.kubectl.tables import human_duration

        return f"{restarts} ({human_duration(now - last)} ago)"
    return str(restarts)


def pod_row(pod: dict, now: float, wide: bool) -> list[str]:
    reason, ready, total, _, _ = _pod_summary(pod)
    cells = [_md(pod).get("name", ""), f"{ready}/{total}", reason, pod_restarts(pod, now), _created(pod, now)]
    if wide:
        spec, status = _spec(pod), _status(pod)
        ips = status.get("podIPs") or []
        ip = (ips[0].get("ip") if ips else "") or "<none>"
        gates = spec.get("readinessGates") or []
        gate_text = "<none>"
        if gates:
            conds = {c.get("type"): c.get("status") for c in reversed(status.get("conditions") or [])}
            true = sum(1 for g in gates if conds.get(g.get("conditionType")) == "True")
            gate_text = f"{true}/{len(gates)}"
        cells += [ip, spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>", gate_text]
    return cells


# ----------------------------------------------------------------------------------------------- nodes

def node_roles(node: dict) -> list[str]:
    """``findNodeRoles``: ``node-role.kubernetes.io/<role>`` labels and ``kubernetes.io/role``, sorted."""
    roles = set()
    for k, v in (_md(node).get("labels") or {}).items():
        if k.startswith(NODE_ROLE_PREFIX) and k[len(NODE_ROLE_PREFIX):]:
            roles.add(k[len(NODE_ROLE_PREFIX):])
        elif k == NODE_LABEL_ROLE and v:
            roles.add(v)
    return sorted(roles)


def node_status(node: dict) -> str:
    """The STATUS cell: ``Ready``, ``NotReady``, ``Unknown``, with ``,SchedulingDisabled`` when cordoned."""
    status = []
    for c in _status(node).get("conditions") or []:
        if c.get("type") == "Ready":
            status = ["Ready" if c.get("status") == "True" else "NotReady"]
    if not status:
        status = ["Unknown"]
    if _spec(node).get("unschedulable"):
        status.append("SchedulingDisabled")
    return ",".join(status)


def _node_address(node: dict, kind: str) -> str:
    for a in _status(node).get("addresses") or []:
        if a.get("type") == kind:
            return a.get("address", "")
    return "<none>"


def node_row(node: dict, now: float, wide: bool) -> list[str]:
    info = _status(node).get("nodeInfo") or {}
    cells = [_md(node).get("name", ""), node_status(node), ",".join(node_roles(node)) or "<none>",
             _created(node, now), info.get("kubeletVersion", "")]
    if wide:
        cells += [_node_address(node, "InternalIP"), _node_address(node, "ExternalIP"),
                  info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
                  info.get("containerRuntimeVersion") or "<unknown>"]
    return cells


# ----------------------------------------------------------------------------------------------- services

def load_balancer_ips(lb: dict | None, wide: bool) -> str:
    """``loadBalancerStatusStringer``: ingress IPs/hostnames, cut to 13 characters + ``...`` unless wide."""
    ips = [i.get("ip") or i.get("hostname") or "" for i in (lb or {}).get("ingress") or []]
    text = ",".join(i for i in ips if i)
    if not wide and len(text) > LOAD_BALANCER_WIDTH:
        text = text[:LOAD_BALANCER_WIDTH - 3] + "..."
    return text


def service_external_ip(svc: dict, wide: bool) -> str:
    spec = _spec(svc)
    external = spec.get("externalIPs") or []
    kind = spec.get("type", "ClusterIP")
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if kind == "LoadBalancer":
        lb = load_balancer_ips(_status(svc).get("loadBalancer"), wide)
        if external:
            return ",".join(([*lb.split(",")] if lb else []) + external)
        return lb or "<pending>"
    if kind == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def service_ports(ports: list[dict] | None) -> str:
    """``makePortString``: ``80/TCP``, ``80:30080/TCP``, joined by commas."""
    out = []
    for p in ports or []:
        proto = p.get("protocol", "TCP")
        out.append(f"{p.get('port')}:{p['nodePort']}/{proto}" if p.get("nodePort") else f"{p.get('port')}/{proto}")
    return ",".join(out)


def service_row(svc: dict, now: float, wide: bool) -> list[str]:
    spec = _spec(svc)
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    cells = [_md(svc).get("name", ""), spec.get("type", "ClusterIP"), ips[0] if ips else "<none>",
             service_external_ip(svc, wide), service_ports(spec.get("ports")) or "<none>", _created(svc, now)]
    if wide:
        cells.append(format_labels(spec.get("selector")))
    return cells


# ----------------------------------------------------------------------------------------------- workloads

def _n(value: Any) -> str:
    return str(int(value or 0))


def deployment_row(d: dict, now: float, wide: bool) -> list[str]:
    spec, st = _spec(d), _status(d)
    cells = [_md(d).get("name", ""), f"{_n(st.get('readyReplicas'))}/{_n(spec.get('replicas'))}",
             _n(st.get("updatedReplicas")), _n(st.get("availableReplicas")), _created(d, now)]
    if wide:
        cells += [*_containers(_template_spec(d)), _selector_text(spec.get("selector"))]
    return cells


def replicaset_row(rs: dict, now: float, wide: bool) -> list[str]:
    spec, st = _spec(rs), _status(rs)
    cells = [_md(rs).get("name", ""), _n(spec.get("replicas")), _n(st.get("replicas")),
             _n(st.get("readyReplicas")), _created(rs, now)]
    if wide:
        if rs.get("kind") == "ReplicationController":
            selector = str(selector_from_set(spec.get("selector")))
        else:
            selector = _selector_text(spec.get("selector"))
        cells += [*_containers(_template_spec(rs)), selector]
    return cells


def daemonset_row(ds: dict, now: float, wide: bool) -> list[str]:
    st = _status(ds)
    cells = [_md(ds).get("name", ""), _n(st.get("desiredNumberScheduled")), _n(st.get("currentNumberScheduled")),
             _n(st.get("numberReady")), _n(st.get("updatedNumberScheduled")), _n(st.get("numberAvailable")),
             format_labels(_template_spec(ds).get("nodeSelector")), _created(ds, now)]
    if wide:
        cells += [*_containers(_template_spec(ds)), _selector_text(_spec(ds).get("selector"))]
    return cells


def statefulset_row(ss: dict, now: float, wide: bool) -> list[str]:
    cells = [_md(ss).get("name", ""), f"{_n(_status(ss).get('readyReplicas'))}/{_n(_spec(ss).get('replicas'))}",
             _created(ss, now)]
    if wide:
        cells += [*_containers(_template_spec(ss))]
    return cells


def job_status(job: dict) -> str:
    """The STATUS cell of a Job: Complete, Failed, Terminating, Suspended, FailureTarget, ..., Running."""
    conds = _status(job).get("conditions")
    for cond, text in (("Complete", "Complete"), ("Failed", "Failed")):
        if _condition_true(conds, cond):
            return text
    if _md(job).get("deletionTimestamp"):
        return "Terminating"
    for cond in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if _condition_true(conds, cond):
            return cond
    return "Running"


def job_row(job: dict, now: float, wide: bool) -> list[str]:
    from ktui.kubectl.tables import human_duration

    spec, st = _spec(job), _status(job)
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
    cells = [_md(job).get("name", ""), job_status(job), completions, duration, _created(job, now)]
    if wide:
        cells += [*_containers(_template_spec(job)), _selector_text(spec.get("selector"))]
    return cells


def cronjob_row(cj: dict, now: float, wide: bool) -> list[str]:
    spec, st = _spec(cj), _status(cj)
    suspend = spec.get("suspend")
    last = _age(st["lastScheduleTime"], now) if st.get("lastScheduleTime") else "<none>"
    cells = [_md(cj).get("name", ""), spec.get("schedule", ""), spec.get("timeZone") or "<none>",
             "<unset>" if suspend is None else ("True" if suspend else "False"), str(len(st.get("active") or [])),
             last, _created(cj, now)]
    if wide:
        job_tpl = (spec.get("jobTemplate") or {}).get("spec") or {}
        tpl = ((job_tpl.get("template") or {}).get("spec")) or {}
        cells += [*_containers(tpl), _selector_text(job_tpl.get("selector"))]
    return cells
