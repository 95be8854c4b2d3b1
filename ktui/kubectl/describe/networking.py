"""``kubectl describe ingress``: address, class, default backend, TLS, rules with each backend's endpoints."""

from __future__ import annotations

from typing import Any

from ktui.kubectl.describe.base import Writer, annotations_multiline, labels_multiline
from ktui.kubectl.describe.services import format_endpoint_slices

__all__ = ["describe_ingress", "service_backend_text"]


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
            slices = list(client.list("endpointslices", ns, label_selector=f"kubernetes.io/service-name={name}")
                          .get("items") or [])
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
    addresses = sorted({i.get("ip") or i.get("hostname") for i in (st.get("loadBalancer") or {}).get("ingress") or []
                        if i.get("ip") or i.get("hostname")})
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
