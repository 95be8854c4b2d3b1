"""``kubectl create role``, ``clusterrole``, ``rolebinding`` and ``clusterrolebinding``."""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.kubectl.errors import ExitError, KubectlError
from ktui.kubectl.flags import Flag
from ktui.kubectl.generate import meta, one_name
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.submit import submit

__all__: list[str] = []


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
