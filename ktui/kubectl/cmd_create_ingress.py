"""``kubectl create ingress``: rules, default backend, classes and TLS as kubectl 1.37 builds them."""

from __future__ import annotations

import re
from typing import Any

from ktui.kubectl.errors import KubectlError
from ktui.kubectl.generate import meta, one_name
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.submit import submit

__all__: list[str] = []


_RULE = re.compile(r"^(?P<host>[\w*\-.]*)(?P<path>/.*)=(?P<service>[^:]+):(?P<port>[\w\-]+)"
                   r"(?P<tls>,tls=?(?P<secret>[\w\-]+)?)?$")


def _backend(service: str, port: str) -> dict:
    return {"service": {"name": service, "port": {"number": int(port)} if port.isdigit() else {"name": port}}}


@command("create ingress")
def create_ingress(inv: Invocation) -> None:
    name = one_name(inv)
    if not inv.opts.get("rule") and not inv.opts.get("default-backend"):
        raise KubectlError("not enough information provided: every ingress has to either specify a default-backend "
                           "(which catches all traffic) or a list of rules (which catch specific paths)")
    annotations = {}
    for a in inv.opts.get("annotation", []):
        key, _, value = a.partition("=")
        annotations[key] = value
    tls: list[dict] = []
    rules: list[dict] = []
    for spec in inv.opts.get("rule", []):
        m = _RULE.match(spec)
        if not m:
            raise KubectlError(f"rule {spec} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]")
        path, path_type = m["path"], "Exact"
        if path.endswith("*"):
            path, path_type = path[:-1], "Prefix"
        entry = {"path": path, "pathType": path_type, "backend": _backend(m["service"], m["port"])}
        host = m["host"]
        if m["tls"]:
            t: dict[str, Any] = {}
            if host:
                t["hosts"] = [host]
            if m["secret"]:
                t["secretName"] = m["secret"]
            tls.append(t)
        for rule in rules:
            if rule.get("host", "") == host:
                rule["http"]["paths"].append(entry)
                break
        else:
            rule = {"host": host} if host else {}
            rule["http"] = {"paths": [entry]}
            rules.append(rule)
    spec_: dict[str, Any] = {}
    if inv.opts.get("class"):
        spec_["ingressClassName"] = inv.opts["class"]
    if inv.opts.get("default-backend"):
        service, _, port = inv.opts["default-backend"].partition(":")
        spec_["defaultBackend"] = _backend(service, port)
    if tls:
        spec_["tls"] = tls
    if rules:
        spec_["rules"] = rules
    obj = {"kind": "Ingress", "apiVersion": "networking.k8s.io/v1", "metadata": meta(inv, name, None, annotations),
           "spec": spec_, "status": {"loadBalancer": {}}}
    submit(inv, "ingresses", obj, failed="failed to create ingress: ")
