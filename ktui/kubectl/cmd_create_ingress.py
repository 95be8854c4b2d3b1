"""``kubectl create ingress``: rules, default backend, classes and TLS as kubectl 1.37 builds them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ktui.kubectl.errors import KubectlError
from ktui.kubectl.flags import ParsedArgs
from ktui.kubectl.generate import meta_for, one_name
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.submit import submit

__all__ = ["IngressOptions", "ingress_for"]


_RULE = re.compile(
    r"^(?P<host>[\w*\-.]*)(?P<path>/.*)=(?P<service>[^:]+):(?P<port>[\w\-]+)"
    r"(?P<tls>,tls=?(?P<secret>[\w\-]+)?)?$"
)


def _backend(service: str, port: str) -> dict:
    return {"service": {"name": service, "port": {"number": int(port)} if port.isdigit() else {"name": port}}}


@dataclass(frozen=True)
class IngressOptions:
    """What ``kubectl create ingress``'s flags say about the Ingress."""

    rules: tuple[str, ...] = ()
    """``--rule`` specs as given: ``host/path=svcname:svcport[,tls[=secret]]``."""
    default_backend: str = ""
    """``--default-backend`` as given: ``svcname:svcport``."""
    ingress_class: str = ""
    annotations: tuple[str, ...] = ()
    """``--annotation`` as given: ``key=value``."""
    namespace: str = ""

    @classmethod
    def from_flags(cls, opts: ParsedArgs) -> "IngressOptions":
        """The options of a parsed ``kubectl create ingress NAME`` command line."""
        return cls(
            rules=tuple(opts.get("rule", [])),
            default_backend=opts.get("default-backend") or "",
            ingress_class=opts.get("class") or "",
            annotations=tuple(opts.get("annotation", [])),
            namespace=opts.get("namespace") or "",
        )


def ingress_for(name: str, options: IngressOptions) -> dict:
    """The Ingress ``kubectl create ingress NAME`` builds (``CreateIngressOptions.createIngress``): pure.

    Raises:
        KubectlError: with kubectl's message for neither rules nor default backend, or a malformed rule.
    """
    o = options
    if not o.rules and not o.default_backend:
        raise KubectlError(
            "not enough information provided: every ingress has to either specify a default-backend "
            "(which catches all traffic) or a list of rules (which catch specific paths)"
        )
    annotations = {}
    for a in o.annotations:
        key, _, value = a.partition("=")
        annotations[key] = value
    tls: list[dict] = []
    rules: list[dict] = []
    for spec in o.rules:
        m = _RULE.match(spec)
        if not m:
            raise KubectlError(
                f"rule {spec} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"
            )
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
    if o.ingress_class:
        spec_["ingressClassName"] = o.ingress_class
    if o.default_backend:
        service, _, port = o.default_backend.partition(":")
        spec_["defaultBackend"] = _backend(service, port)
    if tls:
        spec_["tls"] = tls
    if rules:
        spec_["rules"] = rules
    return {
        "kind": "Ingress",
        "apiVersion": "networking.k8s.io/v1",
        "metadata": meta_for(name, o.namespace, None, annotations),
        "spec": spec_,
        "status": {"loadBalancer": {}},
    }


@command("create ingress")
def create_ingress(inv: Invocation) -> None:
    name = one_name(inv)
    submit(
        inv, "ingresses", ingress_for(name, IngressOptions.from_flags(inv.opts)), failed="failed to create ingress: "
    )
