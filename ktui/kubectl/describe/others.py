"""``kubectl describe`` for deployments, replica sets, services, endpoints, namespaces and any other kind."""

from __future__ import annotations

from typing import Any

from ktui.api.labels import format_label_selector, label_selector_from_dict
from ktui.api.quantity import canonical_quantity
from ktui.kubectl.cells import format_labels
from ktui.kubectl.describe.base import Writer, annotations_multiline, labels_multiline, rfc1123z, smart_label
from ktui.kubectl.describe.pods import controller_of, pod_template

__all__ = ["describe_deployment", "describe_replicaset", "describe_daemonset", "describe_service", "describe_endpoints",
           "describe_namespace", "describe_generic", "rs_summary"]


def _head(w: Writer, obj: dict, namespaced: bool = True) -> None:
    md = obj.get("metadata") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    if namespaced:
        w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")


def rs_summary(rss: list[dict]) -> str:
    """``printReplicaSetsByLabels``: ``web-5d4f8 (3/3 replicas created)``, ``<none>``."""
    text = ", ".join(f"{r['metadata']['name']} ({(r.get('status') or {}).get('replicas', 0)}/"
                     f"{(r.get('spec') or {}).get('replicas', 0)} replicas created)" for r in rss)
    return text or "<none>"


def _conditions(w: Writer, conds: list[dict] | None) -> None:
    if conds:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in conds:
            w.write(1, f"{c.get('type')} \t{c.get('status')}\t{c.get('reason', '')}\n")


def describe_deployment(w: Writer, d: dict, old: list[dict], new: dict | None) -> None:
    md, spec, st = d.get("metadata") or {}, d.get("spec") or {}, d.get("status") or {}
    _head(w, d)
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | {st.get('updatedReplicas', 0)} updated | "
               f"{st.get('replicas', 0)} total | {st.get('availableReplicas', 0)} available | "
               f"{st.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    ru = strategy.get("rollingUpdate")
    if ru is not None:
        w.write(0, f"RollingUpdateStrategy:\t{ru.get('maxUnavailable', '25%')} max unavailable, "
                   f"{ru.get('maxSurge', '25%')} max surge\n")
    pod_template(w, spec.get("template"))
    _conditions(w, st.get("conditions"))
    w.write(0, f"OldReplicaSets:\t{rs_summary(old)}\n")
    w.write(0, f"NewReplicaSet:\t{rs_summary([new] if new else [])}\n")


def describe_replicaset(w: Writer, rs: dict, pods: list[dict]) -> None:
    md, spec, st = rs.get("metadata") or {}, rs.get("spec") or {}, rs.get("status") or {}
    _head(w, rs)
    rc = rs.get("kind") == "ReplicationController"
    sel = format_labels(spec.get("selector")) if rc else format_label_selector(spec.get("selector"))
    w.write(0, f"Selector:\t{sel}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    if controller_of(rs):
        w.write(0, f"Controlled By:\t{controller_of(rs)}\n")
    w.write(0, f"Replicas:\t{st.get('replicas', 0)} current / {spec.get('replicas', 1)} desired\n")
    phases = [(p.get("status") or {}).get("phase") for p in pods]
    w.write(0, f"Pods Status:\t{phases.count('Running')} Running / {phases.count('Pending')} Waiting / "
               f"{phases.count('Succeeded')} Succeeded / {phases.count('Failed')} Failed\n")
    pod_template(w, spec.get("template"))
    _conditions(w, st.get("conditions"))


def describe_daemonset(w: Writer, ds: dict, pods: list[dict]) -> None:
    """``describeDaemonSet``: selectors, the scheduling counts, pod phases and the pod template."""
    md, spec, st = ds.get("metadata") or {}, ds.get("spec") or {}, ds.get("status") or {}
    _head(w, ds)
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    node_selector = (((spec.get("template") or {}).get("spec") or {}).get("nodeSelector")) or {}
    w.write(0, f"Node-Selector:\t{format_labels(node_selector)}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Desired Number of Nodes Scheduled: {st.get('desiredNumberScheduled', 0)}\n")
    w.write(0, f"Current Number of Nodes Scheduled: {st.get('currentNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Up-to-date Pods: {st.get('updatedNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Available Pods: {st.get('numberAvailable', 0)}\n")
    w.write(0, f"Number of Nodes Misscheduled: {st.get('numberMisscheduled', 0)}\n")
    phases = [(p.get("status") or {}).get("phase") for p in pods]
    w.write(0, f"Pods Status:\t{phases.count('Running')} Running / {phases.count('Pending')} Waiting / "
               f"{phases.count('Succeeded')} Succeeded / {phases.count('Failed')} Failed\n")
    pod_template(w, spec.get("template"))


def format_endpoint_slices(slices: list[dict], port_name: str) -> str:
    """``formatEndpointSlices`` for one service port: ready ``ip:port`` (3 at most), ``<none>`` without slices."""
    if not slices:
        return "<none>"
    shown: list[str] = []
    more, count = False, 0
    for es in slices:
        for p in es.get("ports") or []:
            if (p.get("name") or "") != port_name:
                continue
            for e in es.get("endpoints") or []:
                if len(shown) == 3:
                    more = True
                ready = (e.get("conditions") or {}).get("ready")
                if not more and (ready is None or ready):
                    addr = (e.get("addresses") or [""])[0]
                    shown.append(f"[{addr}]:{p.get('port')}" if ":" in addr else f"{addr}:{p.get('port')}")
                count += 1
        if not es.get("ports"):
            for e in es.get("endpoints") or []:
                if len(shown) == 3:
                    more = True
                ready = (e.get("conditions") or {}).get("ready")
                if not more and (ready is None or ready):
                    shown.append((e.get("addresses") or [""])[0])
                count += 1
    text = ",".join(shown)
    return f"{text} + {count - 3} more..." if more else text


def describe_service(w: Writer, svc: dict, slices: list[dict]) -> None:
    md, spec, st = svc.get("metadata") or {}, svc.get("spec") or {}, svc.get("status") or {}
    _head(w, svc)
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type', 'ClusterIP')}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    ingress = (st.get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        w.write(0, f"LoadBalancer Ingress:\t{', '.join(i.get('ip') or i.get('hostname') or '' for i in ingress)}\n")
    for p in spec.get("ports") or []:
        name = p.get("name") or "<unset>"
        proto = p.get("protocol", "TCP")
        w.write(0, f"Port:\t{name}\t{p.get('port')}/{proto}\n")
        w.write(0, f"TargetPort:\t{p.get('targetPort', p.get('port'))}/{proto}\n")
        if p.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{p['nodePort']}/{proto}\n")
        w.write(0, f"Endpoints:\t{format_endpoint_slices(slices, p.get('name') or '')}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', 'None')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")


def describe_endpoints(w: Writer, ep: dict) -> None:
    md = ep.get("metadata") or {}
    _head(w, ep)
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, "Subsets:\n")
    for ss in ep.get("subsets") or []:
        w.write(1, f"Addresses:\t{','.join(a.get('ip', '') for a in ss.get('addresses') or []) or '<none>'}\n")
        w.write(1, "NotReadyAddresses:\t"
                   f"{','.join(a.get('ip', '') for a in ss.get('notReadyAddresses') or []) or '<none>'}\n")
        if ss.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for p in ss["ports"]:
                w.write(2, f"{p.get('name') or '<unset>'}\t{p.get('port')}\t{p.get('protocol', 'TCP')}\n")
        w.write(0, "\n")


def describe_namespace(w: Writer, ns: dict, quotas: list[dict], limit_ranges: list[dict]) -> None:
    md, st = ns.get("metadata") or {}, ns.get("status") or {}
    _head(w, ns, namespaced=False)
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Status:\t{st.get('phase', '')}\n")
    if st.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in st["conditions"]:
            w.write(1, f"{c.get('type')}\t{c.get('status')}\t{rfc1123z(c.get('lastTransitionTime'))}\t"
                       f"{c.get('reason', '')}\t{c.get('message', '')}\n")
    w.write(0, "\n")
    if not quotas:
        w.write(0, "No resource quota.\n")
    else:
        w.write(0, "Resource Quotas\n")
        for q in sorted(quotas, key=lambda q: q["metadata"]["name"]):
            qs = q.get("status") or {}
            w.write(1, f"Name:\t{q['metadata']['name']}\n")
            scopes = sorted((q.get("spec") or {}).get("scopes") or [])
            if scopes:
                w.write(1, f"Scopes:\t{', '.join(scopes)}\n")
            w.write(1, "Resource\tUsed\tHard\n")
            w.write(1, "--------\t---\t---\n")
            for name in sorted(qs.get("hard") or {}):
                used = canonical_quantity((qs.get("used") or {}).get(name, "0"))
                w.write(1, f"{name}\t{used}\t{canonical_quantity(qs['hard'][name])}\n")
    w.write(0, "\n")
    if not limit_ranges:
        w.write(0, "No LimitRange resource.\n")
        return
    w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\t"
               "Max Limit/Request Ratio\n")
    w.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")
    for lr in limit_ranges:
        for item in (lr.get("spec") or {}).get("limits") or []:
            keys = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")
            names = sorted({n for k in keys for n in (item.get(k) or {})})
            for n in names:
                vals = [canonical_quantity(item[k][n]) if n in (item.get(k) or {}) else "-" for k in keys]
                w.write(0, f" {item.get('type', '')}\t{n}\t" + "\t".join(vals) + "\n")


def _go_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "<nil>"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _unstructured(w: Writer, level: int, content: dict, prefix: str, skip: set[str]) -> None:
    for field in sorted(content):
        value = content[field]
        expr = f"{prefix}.{field}"
        if expr in skip:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _unstructured(w, level + 1, value, expr, skip)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _unstructured(w, level + 1, child, expr, skip)
                else:
                    w.write(level + 1, f"{_go_value(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{_go_value(value)}\n")


def describe_generic(w: Writer, obj: dict) -> None:
    """The generic describer: name, labels, annotations, then every other field by its smart label."""
    md = obj.get("metadata") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    _unstructured(w, 0, obj, "", {".metadata.managedFields", ".metadata.name", ".metadata.namespace",
                                  ".metadata.labels", ".metadata.annotations"})


def owned_by(obj: dict, owner_uid: str) -> bool:
    return any(r.get("controller") and r.get("uid") == owner_uid
               for r in (obj.get("metadata") or {}).get("ownerReferences") or [])


def selector_matches(selector: dict | None, labels: dict | None) -> bool:
    try:
        return label_selector_from_dict(selector).matches(labels or {})
    except ValueError:
        return False
