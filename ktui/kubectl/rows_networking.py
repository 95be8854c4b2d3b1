"""Row cells of ``kubectl get`` for networking.k8s.io/v1 and discovery.k8s.io/v1 (pure).

Same contract as :mod:`ktui.kubectl.rows_core`: ``fn(obj, now, wide) -> cells``.
"""

from __future__ import annotations

from ktui.api.labels import format_label_selector
from ktui.kubectl.cells import created, load_balancer_ips, meta_of, spec_of, status_of

__all__ = []


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
    return [
        meta_of(es).get("name", ""),
        es.get("addressType", ""),
        port_text,
        _list_with_more(addrs, more, count),
        created(es, now),
    ]


def ingress_row(ing: dict, now: float, wide: bool) -> list[str]:
    spec = spec_of(ing)
    hosts = [r.get("host") or "*" for r in spec.get("rules") or []]
    host_text = ",".join(hosts[:3]) + (f" + {len(hosts) - 3} more..." if len(hosts) > 3 else "") if hosts else "*"
    address = load_balancer_ips(status_of(ing).get("loadBalancer"), wide)
    ports = "80, 443" if spec.get("tls") else "80"
    return [
        meta_of(ing).get("name", ""),
        spec.get("ingressClassName") or "<none>",
        host_text,
        address,
        ports,
        created(ing, now),
    ]


def ingressclass_row(ic: dict, now: float, wide: bool) -> list[str]:
    params = spec_of(ic).get("parameters")
    text = "<none>"
    if params:
        group = params.get("apiGroup") or ""
        text = (
            f"{params.get('kind', '')}.{group}/{params.get('name', '')}"
            if group
            else f"{params.get('kind', '')}/{params.get('name', '')}"
        )
    return [meta_of(ic).get("name", ""), spec_of(ic).get("controller", ""), text, created(ic, now)]


def networkpolicy_row(np: dict, now: float, wide: bool) -> list[str]:
    return [meta_of(np).get("name", ""), format_label_selector(spec_of(np).get("podSelector")), created(np, now)]
