"""Row cells of ``kubectl get`` for the core/v1 kinds (pods, nodes, services, events, configuration...) and leases.

Every row function takes ``(obj, now, wide)`` and returns the row's cells as strings, as v1.37's
``printers.go`` computes them; :mod:`ktui.kubectl.tables` names the columns they fill.
"""

from __future__ import annotations

from ktui.api.objects import condition_is_true
from ktui.api.quantity import canonical_quantity
from ktui.kubectl.cells import (
    age,
    containers,
    created,
    format_labels,
    human_duration,
    load_balancer_ips,
    meta_of,
    spec_of,
    status_of,
)
from ktui.sim.timefmt import parse_rfc3339

__all__ = [
    "pod_status_reason",
    "pod_ready_cell",
    "pod_restarts",
    "node_roles",
    "node_status",
    "service_ports",
    "format_endpoints",
    "resource_quota_cells",
]

NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
NODE_LABEL_ROLE = "kubernetes.io/role"


def generic_row(obj: dict, now: float, wide: bool) -> list[str]:
    return [meta_of(obj).get("name", ""), created(obj, now)]


def created_at_row(obj: dict, now: float, wide: bool) -> list[str]:
    """Kinds whose second column is CREATED AT, the RFC 3339 creation time (roles, limit ranges)."""
    return [meta_of(obj).get("name", ""), meta_of(obj).get("creationTimestamp", "")]


# ------------------------------------------------------------------------------------------- pods


def _is_restartable_init(c: dict | None) -> bool:
    return bool(c) and c.get("restartPolicy") == "Always"  # type: ignore[union-attr]


def _pod_summary(pod: dict) -> tuple[str, int, int, int, float | None]:
    """printPod's core: (reason, ready containers, total containers, restarts, last restart time)."""
    spec, status, md = spec_of(pod), status_of(pod), meta_of(pod)
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
    if not initializing or condition_is_true(status.get("conditions"), "Initialized"):
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
            reason = "Running" if any(c.get("type") == "Ready" for c in status.get("conditions") or []) else "NotReady"
    if md.get("deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif md.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return reason, ready, total, restarts, last


def pod_status_reason(pod: dict) -> str:
    """The STATUS cell: ``Running``, ``Init:0/1``, ``CrashLoopBackOff``, ``Terminating``, ``Completed``..."""
    return _pod_summary(pod)[0]


def pod_ready_cell(pod: dict) -> str:
    """The READY cell: ``1/2``."""
    _, ready, total, _, _ = _pod_summary(pod)
    return f"{ready}/{total}"


def pod_restarts(pod: dict, now: float) -> str:
    """The RESTARTS cell: ``0`` or ``3 (45s ago)``."""
    _, _, _, restarts, last = _pod_summary(pod)
    if restarts and last is not None:
        return f"{restarts} ({human_duration(now - last)} ago)"
    return str(restarts)


def pod_row(pod: dict, now: float, wide: bool) -> list[str]:
    reason, ready, total, _, _ = _pod_summary(pod)
    cells = [meta_of(pod).get("name", ""), f"{ready}/{total}", reason, pod_restarts(pod, now), created(pod, now)]
    if wide:
        spec, status = spec_of(pod), status_of(pod)
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


# ------------------------------------------------------------------------------------------ nodes


def node_roles(node: dict) -> list[str]:
    """``findNodeRoles``: ``node-role.kubernetes.io/<role>`` labels and ``kubernetes.io/role``, sorted."""
    roles = set()
    for k, v in (meta_of(node).get("labels") or {}).items():
        if k.startswith(NODE_ROLE_PREFIX) and k[len(NODE_ROLE_PREFIX) :]:
            roles.add(k[len(NODE_ROLE_PREFIX) :])
        elif k == NODE_LABEL_ROLE and v:
            roles.add(v)
    return sorted(roles)


def node_status(node: dict) -> str:
    """The STATUS cell: ``Ready``, ``NotReady``, ``Unknown``, with ``,SchedulingDisabled`` when cordoned."""
    status = []
    for c in status_of(node).get("conditions") or []:
        if c.get("type") == "Ready":
            status = ["Ready" if c.get("status") == "True" else "NotReady"]
    if not status:
        status = ["Unknown"]
    if spec_of(node).get("unschedulable"):
        status.append("SchedulingDisabled")
    return ",".join(status)


def _node_address(node: dict, kind: str) -> str:
    for a in status_of(node).get("addresses") or []:
        if a.get("type") == kind:
            return a.get("address", "")
    return "<none>"


def node_row(node: dict, now: float, wide: bool) -> list[str]:
    info = status_of(node).get("nodeInfo") or {}
    cells = [
        meta_of(node).get("name", ""),
        node_status(node),
        ",".join(node_roles(node)) or "<none>",
        created(node, now),
        info.get("kubeletVersion", ""),
    ]
    if wide:
        cells += [
            _node_address(node, "InternalIP"),
            _node_address(node, "ExternalIP"),
            info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>",
        ]
    return cells


# --------------------------------------------------------------------------------------- services


def service_external_ip(svc: dict, wide: bool) -> str:
    spec = spec_of(svc)
    external = spec.get("externalIPs") or []
    kind = spec.get("type", "ClusterIP")
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if kind == "LoadBalancer":
        lb = load_balancer_ips(status_of(svc).get("loadBalancer"), wide)
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
    spec = spec_of(svc)
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    cells = [
        meta_of(svc).get("name", ""),
        spec.get("type", "ClusterIP"),
        ips[0] if ips else "<none>",
        service_external_ip(svc, wide),
        service_ports(spec.get("ports")) or "<none>",
        created(svc, now),
    ]
    if wide:
        cells.append(format_labels(spec.get("selector")))
    return cells


def format_endpoints(ep: dict) -> str:
    """``formatEndpoints``: up to 3 ``ip:port``, then `` + N more...``; ``<none>`` without subsets."""
    subsets = ep.get("subsets") or []
    if not subsets:
        return "<none>"
    shown: list[str] = []
    more, count = False, 0
    for ss in subsets:
        addrs = ss.get("addresses") or []
        ports = ss.get("ports") or []
        if not ports:
            count += len(addrs)
            for a in addrs:
                if len(shown) == 3:
                    more = True
                    break
                shown.append(a.get("ip", ""))
            continue
        for p in ports:
            count += len(addrs)
            for a in addrs:
                if len(shown) == 3:
                    more = True
                    break
                ip = a.get("ip", "")
                shown.append(f"[{ip}]:{p.get('port')}" if ":" in ip else f"{ip}:{p.get('port')}")
    text = ",".join(shown)
    return f"{text} + {count - 3} more..." if more else text


def endpoints_row(ep: dict, now: float, wide: bool) -> list[str]:
    return [meta_of(ep).get("name", ""), format_endpoints(ep), created(ep, now)]


# -------------------------------------------------------------- namespaces, events, configuration


def namespace_row(ns: dict, now: float, wide: bool) -> list[str]:
    return [meta_of(ns).get("name", ""), status_of(ns).get("phase", ""), created(ns, now)]


def event_row(ev: dict, now: float, wide: bool) -> list[str]:
    first = ev.get("firstTimestamp") or ev.get("eventTime")
    last = ev.get("lastTimestamp") or ev.get("eventTime")
    inv = ev.get("involvedObject") or {}
    kind = (inv.get("kind") or "").lower()
    target = f"{kind}/{inv['name']}" if inv.get("name") else kind
    cells = [age(last, now), ev.get("type", ""), ev.get("reason", ""), target]
    if not wide:
        return cells + [(ev.get("message") or "").strip()]
    src = ev.get("source") or {}
    component = src.get("component") or ev.get("reportingComponent") or ""
    host = src.get("host") or ev.get("reportingInstance") or ""
    source = f"{component}, {host}" if host else component
    return cells + [
        inv.get("fieldPath", ""),
        source,
        (ev.get("message") or "").strip(),
        age(first, now),
        str(ev.get("count") or 0),
        meta_of(ev).get("name", ""),
    ]


def configmap_row(cm: dict, now: float, wide: bool) -> list[str]:
    n = len(cm.get("data") or {}) + len(cm.get("binaryData") or {})
    return [meta_of(cm).get("name", ""), str(n), created(cm, now)]


def secret_row(s: dict, now: float, wide: bool) -> list[str]:
    n = len(s.get("data") or {}) + len(s.get("stringData") or {})
    return [meta_of(s).get("name", ""), s.get("type", "Opaque"), str(n), created(s, now)]


def serviceaccount_row(sa: dict, now: float, wide: bool) -> list[str]:
    return [meta_of(sa).get("name", ""), str(len(sa.get("secrets") or [])), created(sa, now)]


def resource_quota_cells(rq: dict) -> tuple[str, str]:
    """REQUEST and LIMIT: ``name: used/hard`` for each resource in ``status.hard``, ``limits.*`` in LIMIT."""
    hard = status_of(rq).get("hard") or {}
    used = status_of(rq).get("used") or {}
    request: list[str] = []
    limit: list[str] = []
    for name in sorted(hard):
        text = f"{name}: {canonical_quantity(used.get(name, '0'))}/{canonical_quantity(hard[name])}"
        (limit if name.split(".")[0] == "limits" and "." in name else request).append(text)
    return ", ".join(request), ", ".join(limit)


def resourcequota_row(rq: dict, now: float, wide: bool) -> list[str]:
    return [meta_of(rq).get("name", ""), created(rq, now), *resource_quota_cells(rq)]


def podtemplate_row(pt: dict, now: float, wide: bool) -> list[str]:
    tpl = pt.get("template") or {}
    return [
        meta_of(pt).get("name", ""),
        *containers(tpl.get("spec") or {}),
        format_labels((tpl.get("metadata") or {}).get("labels")),
    ]


def componentstatus_row(cs: dict, now: float, wide: bool) -> list[str]:
    conds = cs.get("conditions") or []
    status, message, error = "Unknown", "", ""
    for c in conds:
        if c.get("type") == "Healthy":
            status = "Healthy" if c.get("status") == "True" else "Unhealthy"
            message, error = c.get("message", ""), c.get("error", "")
    return [meta_of(cs).get("name", ""), status, message, error]


# ---------------------------------------------------------------------------- coordination.k8s.io


def lease_row(lease: dict, now: float, wide: bool) -> list[str]:
    return [meta_of(lease).get("name", ""), spec_of(lease).get("holderIdentity") or "", created(lease, now)]
