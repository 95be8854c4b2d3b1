"""Row cells of ``kubectl get`` for the configuration, networking, RBAC, policy and storage kinds (pure).

Same contract as :mod:`ktui.kubectl.table_rows`: ``fn(obj, now, wide) -> cells``.
"""

from __future__ import annotations

from ktui.api.labels import format_label_selector
from ktui.api.quantity import canonical_quantity
from ktui.kubectl.table_rows import _age, _containers, _created, _md, _spec, _status, format_labels, load_balancer_ips

__all__ = ["format_endpoints", "resource_quota_cells", "access_modes"]


def generic_row(obj: dict, now: float, wide: bool) -> list[str]:
    return [_md(obj).get("name", ""), _created(obj, now)]


def created_at_row(obj: dict, now: float, wide: bool) -> list[str]:
    """Kinds whose second column is CREATED AT, the RFC 3339 creation time (roles, limit ranges)."""
    return [_md(obj).get("name", ""), _md(obj).get("creationTimestamp", "")]


def namespace_row(ns: dict, now: float, wide: bool) -> list[str]:
    return [_md(ns).get("name", ""), _status(ns).get("phase", ""), _created(ns, now)]


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
    return [_md(ep).get("name", ""), format_endpoints(ep), _created(ep, now)]


def _list_with_more(items: list[str], more: bool, count: int) -> str:
    text = ",".join(items)
    if more:
        return f"{text} + {count - 3} more..."
    return text or "<unset>"


def endpointslice_row(es: dict, now: float, wide: bool) -> list[str]:
    ports: list[str] = []
    more, count = False, 0
    for p in es.get("ports") or []:
        if len(ports) < 3:
            ports.append(str(p["port"]) if p.get("port") is not None else (p.get("name") or "<unset>"))
        else:
            more = True
        count += 1
    port_text = _list_with_more(ports, more, count)
    addrs: list[str] = []
    more, count = False, 0
    for e in es.get("endpoints") or []:
        for a in e.get("addresses") or []:
            if len(addrs) < 3:
                addrs.append(a)
            else:
                more = True
            count += 1
    return [_md(es).get("name", ""), es.get("addressType", ""), port_text, _list_with_more(addrs, more, count),
            _created(es, now)]


def event_row(ev: dict, now: float, wide: bool) -> list[str]:
    first = ev.get("firstTimestamp") or ev.get("eventTime")
    last = ev.get("lastTimestamp") or ev.get("eventTime")
    inv = ev.get("involvedObject") or {}
    kind = (inv.get("kind") or "").lower()
    target = f"{kind}/{inv['name']}" if inv.get("name") else kind
    cells = [_age(last, now), ev.get("type", ""), ev.get("reason", ""), target]
    if not wide:
        return cells + [(ev.get("message") or "").strip()]
    src = ev.get("source") or {}
    component = src.get("component") or ev.get("reportingComponent") or ""
    host = src.get("host") or ev.get("reportingInstance") or ""
    source = f"{component}, {host}" if host else component
    return cells + [inv.get("fieldPath", ""), source, (ev.get("message") or "").strip(), _age(first, now),
                    str(ev.get("count") or 0), _md(ev).get("name", "")]


def configmap_row(cm: dict, now: float, wide: bool) -> list[str]:
    n = len(cm.get("data") or {}) + len(cm.get("binaryData") or {})
    return [_md(cm).get("name", ""), str(n), _created(cm, now)]


def secret_row(s: dict, now: float, wide: bool) -> list[str]:
    n = len(s.get("data") or {}) + len(s.get("stringData") or {})
    return [_md(s).get("name", ""), s.get("type", "Opaque"), str(n), _created(s, now)]


def serviceaccount_row(sa: dict, now: float, wide: bool) -> list[str]:
    return [_md(sa).get("name", ""), str(len(sa.get("secrets") or [])), _created(sa, now)]


def resource_quota_cells(rq: dict) -> tuple[str, str]:
    """REQUEST and LIMIT: ``name: used/hard`` for each resource in ``status.hard``, ``limits.*`` in LIMIT."""
    hard = _status(rq).get("hard") or {}
    used = _status(rq).get("used") or {}
    request: list[str] = []
    limit: list[str] = []
    for name in sorted(hard):
        text = f"{name}: {canonical_quantity(used.get(name, '0'))}/{canonical_quantity(hard[name])}"
        (limit if name.split(".")[0] == "limits" and "." in name else request).append(text)
    return ", ".join(request), ", ".join(limit)


def resourcequota_row(rq: dict, now: float, wide: bool) -> list[str]:
    return [_md(rq).get("name", ""), _created(rq, now), *resource_quota_cells(rq)]


def _subjects(subjects: list[dict] | None) -> tuple[str, str, str]:
    users, groups, sas = [], [], []
    for s in subjects or []:
        if s.get("kind") == "User":
            users.append(s.get("name", ""))
        elif s.get("kind") == "Group":
            groups.append(s.get("name", ""))
        elif s.get("kind") == "ServiceAccount":
            sas.append(f"{s.get('namespace', '')}/{s.get('name', '')}")
    return ", ".join(users), ", ".join(groups), ", ".join(sas)


def rolebinding_row(rb: dict, now: float, wide: bool) -> list[str]:
    ref = rb.get("roleRef") or {}
    cells = [_md(rb).get("name", ""), f"{ref.get('kind', '')}/{ref.get('name', '')}", _created(rb, now)]
    if wide:
        cells += list(_subjects(rb.get("subjects")))
    return cells


def priorityclass_row(pc: dict, now: float, wide: bool) -> list[str]:
    return [_md(pc).get("name", ""), str(pc.get("value", 0)), "true" if pc.get("globalDefault") else "false",
            _created(pc, now), pc.get("preemptionPolicy") or "PreemptLowerPriority"]


def pdb_row(pdb: dict, now: float, wide: bool) -> list[str]:
    spec = _spec(pdb)
    min_a = spec.get("minAvailable")
    max_u = spec.get("maxUnavailable")
    return [_md(pdb).get("name", ""), "N/A" if min_a is None else str(min_a), "N/A" if max_u is None else str(max_u),
            str(int(_status(pdb).get("disruptionsAllowed") or 0)), _created(pdb, now)]


def ingress_row(ing: dict, now: float, wide: bool) -> list[str]:
    spec = _spec(ing)
    hosts = [r.get("host") or "*" for r in spec.get("rules") or []]
    host_text = ",".join(hosts[:3]) + (f" + {len(hosts) - 3} more..." if len(hosts) > 3 else "") if hosts else "*"
    address = load_balancer_ips(_status(ing).get("loadBalancer"), wide)
    ports = "80, 443" if spec.get("tls") else "80"
    return [_md(ing).get("name", ""), spec.get("ingressClassName") or "<none>", host_text, address, ports,
            _created(ing, now)]


def ingressclass_row(ic: dict, now: float, wide: bool) -> list[str]:
    params = _spec(ic).get("parameters")
    text = "<none>"
    if params:
        group = params.get("apiGroup") or ""
        text = f"{params.get('kind', '')}.{group}/{params.get('name', '')}" if group else \
            f"{params.get('kind', '')}/{params.get('name', '')}"
    return [_md(ic).get("name", ""), _spec(ic).get("controller", ""), text, _created(ic, now)]


def lease_row(lease: dict, now: float, wide: bool) -> list[str]:
    return [_md(lease).get("name", ""), _spec(lease).get("holderIdentity") or "", _created(lease, now)]


def access_modes(modes: list[str] | None) -> str:
    """``GetAccessModesAsString``: RWO, ROX, RWX, RWOP in that order."""
    short = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
    return ",".join(short[m] for m in short if m in (modes or []))


def pvc_row(pvc: dict, now: float, wide: bool) -> list[str]:
    spec, st = _spec(pvc), _status(pvc)
    phase = "Terminating" if _md(pvc).get("deletionTimestamp") else st.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(st.get("accessModes"))
        capacity = (st.get("capacity") or {}).get("storage", "")
    sc = spec.get("storageClassName")
    if sc is None:
        sc = (_md(pvc).get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class", "")
    cells = [_md(pvc).get("name", ""), phase, spec.get("volumeName", ""), capacity, modes, sc,
             spec.get("volumeAttributesClassName") or "<unset>", _created(pvc, now)]
    if wide:
        cells.append(spec.get("volumeMode") or "<unset>")
    return cells


def pv_row(pv: dict, now: float, wide: bool) -> list[str]:
    spec, st = _spec(pv), _status(pv)
    ref = spec.get("claimRef") or {}
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""
    phase = "Terminating" if _md(pv).get("deletionTimestamp") else st.get("phase", "")
    cells = [_md(pv).get("name", ""), (spec.get("capacity") or {}).get("storage", ""),
             access_modes(spec.get("accessModes")), spec.get("persistentVolumeReclaimPolicy", ""), phase, claim,
             spec.get("storageClassName", ""), spec.get("volumeAttributesClassName") or "<unset>",
             st.get("reason", ""), _created(pv, now)]
    if wide:
        cells.append(spec.get("volumeMode") or "<unset>")
    return cells


def storageclass_row(sc: dict, now: float, wide: bool) -> list[str]:
    ann = _md(sc).get("annotations") or {}
    name = _md(sc).get("name", "")
    if "true" in (ann.get("storageclass.kubernetes.io/is-default-class"),
                  ann.get("storageclass.beta.kubernetes.io/is-default-class")):
        name += " (default)"
    return [name, sc.get("provisioner", ""), sc.get("reclaimPolicy") or "Delete",
            sc.get("volumeBindingMode") or "Immediate", "true" if sc.get("allowVolumeExpansion") else "false",
            _created(sc, now)]


def hpa_row(hpa: dict, now: float, wide: bool) -> list[str]:
    spec, st = _spec(hpa), _status(hpa)
    ref = spec.get("scaleTargetRef") or {}
    targets = []
    for m in spec.get("metrics") or []:
        res = m.get("resource") or {}
        target = res.get("target") or {}
        if m.get("type") == "Resource" and target.get("averageUtilization") is not None:
            targets.append(f"{res.get('name')}: <unknown>/{target['averageUtilization']}%")
    return [_md(hpa).get("name", ""), f"{ref.get('kind', '')}/{ref.get('name', '')}",
            ", ".join(targets) or "<none>", str(spec.get("minReplicas", 1)), str(spec.get("maxReplicas", 0)),
            str(st.get("currentReplicas", 0)), _created(hpa, now)]


def networkpolicy_row(np: dict, now: float, wide: bool) -> list[str]:
    return [_md(np).get("name", ""), format_label_selector(_spec(np).get("podSelector")), _created(np, now)]


def controllerrevision_row(cr: dict, now: float, wide: bool) -> list[str]:
    owner = next((o for o in _md(cr).get("ownerReferences") or [] if o.get("controller")), None)
    controller = "<none>"
    if owner:
        group = owner.get("apiVersion", "").rsplit("/", 1)[0] if "/" in owner.get("apiVersion", "") else ""
        controller = f"{owner['kind'].lower()}.{group}/{owner['name']}" if group else \
            f"{owner['kind'].lower()}/{owner['name']}"
    return [_md(cr).get("name", ""), controller, str(cr.get("revision", 0)), _created(cr, now)]


def podtemplate_row(pt: dict, now: float, wide: bool) -> list[str]:
    tpl = pt.get("template") or {}
    return [_md(pt).get("name", ""), *_containers(tpl.get("spec") or {}),
            format_labels((tpl.get("metadata") or {}).get("labels"))]


def runtimeclass_row(rc: dict, now: float, wide: bool) -> list[str]:
    return [_md(rc).get("name", ""), rc.get("handler", ""), _created(rc, now)]


def componentstatus_row(cs: dict, now: float, wide: bool) -> list[str]:
    conds = cs.get("conditions") or []
    status, message, error = "Unknown", "", ""
    for c in conds:
        if c.get("type") == "Healthy":
            status = "Healthy" if c.get("status") == "True" else "Unhealthy"
            message, error = c.get("message", ""), c.get("error", "")
    return [_md(cs).get("name", ""), status, message, error]
