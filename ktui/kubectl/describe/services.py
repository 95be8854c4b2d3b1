"""``kubectl describe`` for services (their endpoints from EndpointSlices) and Endpoints."""

from __future__ import annotations

from ktui.kubectl.cells import format_labels
from ktui.kubectl.describe.base import (
    Writer,
    annotations_multiline,
    labels_multiline,
    name_and_namespace,
)

__all__ = ["describe_service", "describe_endpoints", "format_endpoint_slices"]


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
    name_and_namespace(w, svc)
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
    name_and_namespace(w, ep)
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, "Subsets:\n")
    for ss in ep.get("subsets") or []:
        w.write(1, f"Addresses:\t{','.join(a.get('ip', '') for a in ss.get('addresses') or []) or '<none>'}\n")
        w.write(
            1,
            f"NotReadyAddresses:\t{','.join(a.get('ip', '') for a in ss.get('notReadyAddresses') or []) or '<none>'}\n",
        )
        if ss.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for p in ss["ports"]:
                w.write(2, f"{p.get('name') or '<unset>'}\t{p.get('port')}\t{p.get('protocol', 'TCP')}\n")
        w.write(0, "\n")
