"""``kubectl create`` subcommands for services, RBAC objects and ingresses (the rest of ``cmd_create``)."""

from __future__ import annotations

import re
from typing import Any

from ktui.api.errors import ApiError
from ktui.kubectl.errors import ExitError, KubectlError
from ktui.kubectl.flags import Flag
from ktui.kubectl.generate import meta, one_name
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.submit import submit

__all__: list[str] = []

# ---------------------------------------------------------------------------- services


def _parse_port(text: str) -> int:
    if not re.fullmatch(r"\d+", text):
        raise KubectlError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    return int(text)


def _service(inv: Invocation, kind: str) -> None:
    name = one_name(inv)
    tcp = inv.opts.get("tcp", [])
    if kind in ("ClusterIP", "NodePort", "LoadBalancer") and not tcp and inv.opts.get("clusterip") != "None":
        raise KubectlError("at least one tcp port specifier must be provided")
    if kind == "ExternalName" and not inv.opts.get("external-name"):
        raise KubectlError('required flag(s) "external-name" not set')
    ports = []
    for spec in tcp:
        port_text, _, target_text = spec.partition(":")
        port = _parse_port(port_text)
        target: int | str = port
        if target_text:
            target = int(target_text) if re.fullmatch(r"\d+", target_text) else target_text
        p: dict[str, Any] = {"name": spec.replace(":", "-"), "protocol": "TCP", "port": port, "targetPort": target}
        if inv.opts.get("node-port", 0):
            p["nodePort"] = inv.opts["node-port"]
        ports.append(p)
    labels = {"app": name}
    spec_: dict[str, Any] = {}
    if ports:
        spec_["ports"] = ports
    spec_["selector"] = dict(labels)
    if inv.opts.get("clusterip"):
        spec_["clusterIP"] = inv.opts["clusterip"]
    spec_["type"] = kind
    if kind == "ExternalName":
        spec_["externalName"] = inv.opts["external-name"]
    obj = {"kind": "Service", "apiVersion": "v1", "metadata": meta(inv, name, labels), "spec": spec_,
           "status": {"loadBalancer": {}}}
    submit(inv, "services", obj, failed=f"failed to create {kind} service: ")


@command("create service clusterip")
def create_service_clusterip(inv: Invocation) -> None:
    _service(inv, "ClusterIP")


@command("create service nodeport")
def create_service_nodeport(inv: Invocation) -> None:
    _service(inv, "NodePort")


@command("create service loadbalancer")
def create_service_loadbalancer(inv: Invocation) -> None:
    _service(inv, "LoadBalancer")


@command("create service externalname", required=("external-name",))
def create_service_externalname(inv: Invocation) -> None:
    _service(inv, "ExternalName")


# ---------------------------------------------------------------------------- RBAC

_STANDARD_VERBS = {"*", "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "use",
                   "bind", "impersonate", "escalate", "approve", "sign", "attest", "proxy"}


def _rules(inv: Invocation, cluster: bool) -> list[dict]:
    verbs = inv.opts.get("verb", [])
    resources = inv.opts.get("resource", [])
    urls = inv.opts.get("non-resource-url", [])
    if not verbs:
        raise KubectlError("at least one verb must be specified")
    if not resources and not (cluster and urls):
        raise KubectlError("at least one resource must be specified")
    for v in verbs:
        if v not in _STANDARD_VERBS:
            inv.warn(f"Warning: '{v}' is not a standard resource verb")
    groups: dict[str, list[str]] = {}
    for spec in resources:
        base, _, sub = spec.partition("/")
        try:
            r = inv.client.resource(base)
        except ApiError:
            inv.err.append(f'the server doesn\'t have a resource type "{base.split(".")[0]}"\n')
            raise ExitError(1) from None
        groups.setdefault(r.group, []).append(r.plural + (f"/{sub}" if sub else ""))
    rules = []
    for group in sorted(groups):
        rule: dict[str, Any] = {"verbs": list(verbs), "apiGroups": [group], "resources": groups[group]}
        if inv.opts.get("resource-name"):
            rule["resourceNames"] = list(inv.opts["resource-name"])
        rules.append(rule)
    if urls:
        rules.append({"verbs": list(verbs), "nonResourceURLs": list(urls)})
    return rules


@command("create role")
def create_role(inv: Invocation) -> None:
    name = one_name(inv)
    obj = {"kind": "Role", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": meta(inv, name),
           "rules": _rules(inv, False)}
    submit(inv, "roles", obj)


@command("create clusterrole", flags=(Flag("aggregation-rule", "", "map", None),))
def create_clusterrole(inv: Invocation) -> None:
    name = one_name(inv)
    aggregation = inv.opts.get("aggregation-rule") or {}
    obj: dict[str, Any] = {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1",
                           "metadata": {"name": name}}
    if aggregation:
        if any(inv.opts.get(f) for f in ("verb", "resource", "resource-name", "non-resource-url")):
            raise KubectlError("aggregation rule must be specified without nonResourceURLs, verbs, resources or "
                               "resourceNames")
        obj["rules"] = None
        obj["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": dict(aggregation)}]}
    else:
        obj["rules"] = _rules(inv, True)
    submit(inv, "clusterroles", obj)


def _subjects(inv: Invocation) -> list[dict]:
    subjects: list[dict] = []
    for user in inv.opts.get("user", []):
        subjects.append({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": user})
    for group in inv.opts.get("group", []):
        subjects.append({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": group})
    for sa in inv.opts.get("serviceaccount", []):
        ns, sep, sa_name = sa.partition(":")
        if not sep or not ns or not sa_name:
            raise KubectlError("serviceaccount must be <namespace>:<name>")
        subjects.append({"kind": "ServiceAccount", "name": sa_name, "namespace": ns})
    return subjects


def _binding(inv: Invocation, kind: str) -> dict:
    name = one_name(inv)
    role, cluster_role = inv.opts.get("role", ""), inv.opts.get("clusterrole", "")
    if kind == "RoleBinding" and bool(role) == bool(cluster_role):
        raise KubectlError("exactly one of clusterrole or role must be specified")
    if kind == "ClusterRoleBinding" and not cluster_role:
        raise KubectlError('required flag(s) "clusterrole" not set')
    obj: dict[str, Any] = {"kind": kind, "apiVersion": "rbac.authorization.k8s.io/v1",
                           "metadata": meta(inv, name, namespaced=kind == "RoleBinding")}
    subjects = _subjects(inv)
    if subjects:
        obj["subjects"] = subjects
    obj["roleRef"] = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role" if role else "ClusterRole",
                      "name": role or cluster_role}
    return obj


@command("create rolebinding")
def create_rolebinding(inv: Invocation) -> None:
    submit(inv, "rolebindings", _binding(inv, "RoleBinding"), failed="failed to create rolebinding: ")


@command("create clusterrolebinding")
def create_clusterrolebinding(inv: Invocation) -> None:
    submit(inv, "clusterrolebindings", _binding(inv, "ClusterRoleBinding"),
           failed="failed to create clusterrolebinding: ")


# ---------------------------------------------------------------------------- ingress

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
