"""``kubectl describe`` for ingresses (with their backends' endpoints), ingress classes and network policies."""

from __future__ import annotations

from typing import Any

from ktui.api.labels import format_label_selector
from ktui.kubectl.describe.base import Writer, annotations_multiline, labels_multiline, rfc1123z
from ktui.kubectl.describe.services import format_endpoint_slices

__all__ = ["describe_ingress", "describe_ingressclass", "describe_networkpolicy", "service_backend_text"]


def service_backend_text(backend: dict | None) -> str:
    """``serviceBackendStringer``: ``name:port`` (the port's number, or its name)."""
    if backend is None:
        return ""
    port = backend.get("port") or {}
    return f"{backend.get('name', '')}:{port.get('number') or port.get('name', '')}"


def _backend(client: Any, ns: str, backend: dict) -> str:
    """``describeBackendV1``: a service backend with its ready endpoints, or a resource backend."""
    svc_backend = backend.get("service")
    if svc_backend is not None:
        text = service_backend_text(svc_backend)
        name = svc_backend.get("name", "")
        try:
            slices = list(
                client.list("endpointslices", ns, label_selector=f"kubernetes.io/service-name={name}").get("items")
                or []
            )
            service = client.get("services", name, ns)
        except Exception as e:  # noqa: BLE001 - kubectl shows the error in place of the endpoints
            return f"{text} (<error: {getattr(e, 'message', None) or e}>)"
        want = svc_backend.get("port") or {}
        port_name = ""
        for sp in (service.get("spec") or {}).get("ports") or []:
            if want.get("number") and want["number"] == sp.get("port"):
                port_name = sp.get("name") or ""
            elif want.get("name") and want["name"] == sp.get("name"):
                port_name = sp.get("name") or ""
        return f"{text} ({format_endpoint_slices(slices, port_name)})"
    res = backend.get("resource")
    if res is not None:
        group = res.get("apiGroup")
        return f"APIGroup: {'<none>' if group is None else group}, Kind: {res.get('kind', '')}, Name: {res.get('name', '')}"
    return ""


def describe_ingress(w: Writer, ing: dict, client: Any) -> None:
    """``describeIngressV1``; the backends' endpoints are read through ``client``."""
    md, spec, st = ing.get("metadata") or {}, ing.get("spec") or {}, ing.get("status") or {}
    ns = md.get("namespace", "")
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    w.write(0, f"Namespace:\t{ns}\n")
    addresses = sorted(
        {
            i.get("ip") or i.get("hostname")
            for i in (st.get("loadBalancer") or {}).get("ingress") or []
            if i.get("ip") or i.get("hostname")
        }
    )
    w.write(0, f"Address:\t{','.join(addresses)}\n")
    class_name = spec.get("ingressClassName")
    w.write(0, f"Ingress Class:\t{'<none>' if class_name is None else class_name}\n")
    default = spec.get("defaultBackend")
    default_text = "<default>" if default is None else _backend(client, ns, default)
    w.write(0, f"Default backend:\t{default_text}\n")
    if spec.get("tls"):
        w.write(0, "TLS:\n")
        for t in spec["tls"]:
            hosts = ",".join(t.get("hosts") or [])
            if not t.get("secretName"):
                w.write(1, f"SNI routes {hosts}\n")
            else:
                w.write(1, f"{t['secretName']} terminates {hosts}\n")
    w.write(0, "Rules:\n  Host\tPath\tBackends\n")
    w.write(1, "----\t----\t--------\n")
    count = 0
    for rule in spec.get("rules") or []:
        if rule.get("http") is None:
            continue
        count += 1
        w.write(1, f"{rule.get('host') or '*'}\t\n")
        for path in (rule.get("http") or {}).get("paths") or []:
            w.write(2, f"\t{path.get('path', '')} \t{_backend(client, ns, path.get('backend') or {})}\n")
    if count == 0:
        w.write(1, f"*\t*\t{default_text}\n")
    annotations_multiline(w, "Annotations", md.get("annotations"))


def describe_ingressclass(w: Writer, ic: dict) -> None:
    """``describeIngressClassV1``: the controller and the parameters reference."""
    md, spec = ic.get("metadata") or {}, ic.get("spec") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Controller:\t{spec.get('controller', '')}\n")
    params = spec.get("parameters")
    if params is not None:
        w.write(0, "Parameters:\n")
        if params.get("apiGroup") is not None:
            w.write(1, f"APIGroup:\t{params['apiGroup']}\n")
        w.write(1, f"Kind:\t{params.get('kind', '')}\n")
        w.write(1, f"Name:\t{params.get('name', '')}\n")


def _go_time(ts: str | None) -> str:
    """Go's ``time.Time.String()`` of a timestamp in UTC: ``2026-01-01 00:01:00 +0000 UTC``."""
    text = rfc1123z(ts)  # Thu, 01 Jan 2026 00:01:00 +0000
    day, month, year, clock = text[5:7], text[8:11], text[12:16], text[17:25]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{year}-{months.index(month) + 1:02d}-{day} {clock} +0000 UTC"


def _peers(w: Writer, rules: list[dict], key: str, indent: str) -> None:
    """``printNetworkPolicySpecIngressFrom`` / ``...EgressTo``: ports, then the peers, rules split by a rule."""
    peer_title = "From" if key == "from" else "To"
    if not rules:
        what = "ingress" if key == "from" else "egress"
        w.write(0, f"{indent}<none> (Selected pods are isolated for {what} connectivity)\n")
        return
    for i, rule in enumerate(rules):
        if not rule.get("ports"):
            w.write(0, f"{indent}To Port: <any> (traffic allowed to all ports)\n")
        for port in rule.get("ports") or []:
            proto = port.get("protocol") or "TCP"
            number = "<nil>" if port.get("port") is None else port["port"]
            if port.get("endPort") is None:
                w.write(0, f"{indent}To Port: {number}/{proto}\n")
            else:
                w.write(0, f"{indent}To Port Range: {number}-{port['endPort']}/{proto}\n")
        peers = rule.get(key) or []
        if not peers:
            limit = "source" if key == "from" else "destination"
            w.write(0, f"{indent}{peer_title}: <any> (traffic not restricted by {limit})\n")
        for peer in peers:
            w.write(0, f"{indent}{peer_title}:\n")
            pods, nss, block = peer.get("podSelector"), peer.get("namespaceSelector"), peer.get("ipBlock")
            if nss is not None:
                w.write(1, f"{indent}NamespaceSelector: {format_label_selector(nss)}\n")
            if pods is not None:
                w.write(1, f"{indent}PodSelector: {format_label_selector(pods)}\n")
            if pods is None and nss is None and block is not None:
                w.write(1, f"{indent}IPBlock:\n")
                w.write(2, f"{indent}CIDR: {block.get('cidr', '')}\n")
                w.write(2, f"{indent}Except: {', '.join(block.get('except') or [])}\n")
        if i != len(rules) - 1:
            w.write(0, f"{indent}----------\n")


def describe_networkpolicy(w: Writer, np: dict) -> None:
    """``describeNetworkPolicy``: the pod selector, the ingress and egress rules, the policy types."""
    md, spec = np.get("metadata") or {}, np.get("spec") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.write(0, f"Created on:\t{_go_time(md.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, "Spec:\n")
    w.write(1, "PodSelector: ")
    selector = spec.get("podSelector") or {}
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        w.write(2, "<none> (Allowing the specific traffic to all pods in this namespace)\n")
    else:
        w.write(2, f"{format_label_selector(selector)}\n")
    types = spec.get("policyTypes")
    if "Ingress" in (types or []):
        w.write(1, "Allowing ingress traffic:\n")
        _peers(w, spec.get("ingress") or [], "from", "    ")
    else:
        w.write(1, "Not affecting ingress traffic\n")
    if "Egress" in (types or []):
        w.write(1, "Allowing egress traffic:\n")
        _peers(w, spec.get("egress") or [], "to", "    ")
    else:
        w.write(1, "Not affecting egress traffic\n")
    w.write(1, f"Policy Types: {', '.join(types) if types else '<none>'}\n")
