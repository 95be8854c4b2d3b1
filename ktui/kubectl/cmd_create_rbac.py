"""``kubectl create role``, ``clusterrole``, ``rolebinding`` and ``clusterrolebinding``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ktui.api.errors import ApiError
from ktui.api.metrics import GROUP as METRICS_GROUP, METRICS_RESOURCES, metrics_available
from ktui.api.registry import Resource
from ktui.kubectl.errors import ExitError, KubectlError
from ktui.kubectl.flags import Flag, ParsedArgs
from ktui.kubectl.generate import meta_for, one_name
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.submit import submit

__all__ = ["RoleOptions", "role_for", "clusterrole_for", "BindingOptions", "rolebinding_for", "clusterrolebinding_for"]


_STANDARD_VERBS = {
    "*",
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "escalate",
    "approve",
    "sign",
    "attest",
    "proxy",
}


def _check_rules(verbs: Sequence[str], resources: Sequence[Any], urls: Sequence[str], cluster: bool) -> None:
    if not verbs:
        raise KubectlError("at least one verb must be specified")
    if not resources and not (cluster and urls):
        raise KubectlError("at least one resource must be specified")


_AGGREGATION_CONFLICT = "aggregation rule must be specified without nonResourceURLs, verbs, resources or resourceNames"


@dataclass(frozen=True)
class RoleOptions:
    """What ``kubectl create role|clusterrole``'s flags say, the resources already resolved by discovery."""

    verbs: tuple[str, ...] = ()
    resources: tuple[tuple[str, str], ...] = ()
    """``--resource`` as discovery resolved it: (API group, plural or plural/subresource)."""
    resource_names: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()
    aggregation_rule: Mapping[str, str] = field(default_factory=dict)
    """``create clusterrole --aggregation-rule``: the labels of the aggregated cluster roles."""
    namespace: str = ""

    @classmethod
    def from_flags(cls, inv: Invocation, cluster: bool = False) -> "RoleOptions":
        """The options of ``kubectl create role|clusterrole NAME``: warns of non-standard verbs and resolves
        each ``--resource`` with the server's discovery (so it takes the invocation, not only its flags).

        Raises:
            KubectlError: with kubectl's message for missing verbs or resources, or an aggregation rule with
                rules.
            ExitError: for a resource type the server doesn't have (its message already written).
        """
        opts = inv.opts
        verbs, names = tuple(opts.get("verb", [])), tuple(opts.get("resource-name") or ())
        specs, urls = opts.get("resource", []), tuple(opts.get("non-resource-url", []))
        aggregation = (opts.get("aggregation-rule") or {}) if cluster else {}
        if aggregation:
            if verbs or specs or names or urls:
                raise KubectlError(_AGGREGATION_CONFLICT)
            return cls(aggregation_rule=dict(aggregation))
        _check_rules(verbs, specs, urls, cluster)
        for v in verbs:
            if v not in _STANDARD_VERBS:
                inv.warn(f"Warning: '{v}' is not a standard resource verb")
        resources = []
        for spec in specs:
            base, _, sub = spec.partition("/")
            try:
                r = _discovered(inv, base)
            except ApiError:
                plural, _, group = base.partition(".")
                where = f' in group "{group}"' if group else ""
                inv.err.append(f'the server doesn\'t have a resource type "{plural}"{where}\n')
                raise ExitError(1) from None
            resources.append((r.group, r.plural + (f"/{sub}" if sub else "")))
        return cls(
            verbs=verbs,
            resources=tuple(resources),
            resource_names=names,
            non_resource_urls=urls,
            namespace=opts.get("namespace") or "",
        )


def _discovered(inv: Invocation, base: str) -> Resource:
    """``RESTMapper.ResourceFor``: a registered resource, or one of metrics.k8s.io (``pods.metrics.k8s.io``) while
    metrics-server serves it (its APIService is in discovery only then).

    Raises:
        ApiError: discovery has no such resource.
    """
    try:
        return inv.client.resource(base)
    except ApiError:
        plural, _, group = base.partition(".")
        if group == METRICS_GROUP and metrics_available(inv.env.client):
            found = next((m for m in METRICS_RESOURCES if plural in (m.plural, m.kind.lower())), None)
            if found is not None:
                return found
        raise


def _rules(options: RoleOptions, cluster: bool) -> list[dict]:
    o = options
    _check_rules(o.verbs, o.resources, o.non_resource_urls, cluster)
    groups: dict[str, list[str]] = {}
    for group, resource in o.resources:
        groups.setdefault(group, []).append(resource)
    rules = []
    for group in sorted(groups):
        rule: dict[str, Any] = {"verbs": list(o.verbs), "apiGroups": [group], "resources": groups[group]}
        if o.resource_names:
            rule["resourceNames"] = list(o.resource_names)
        rules.append(rule)
    if o.non_resource_urls:
        rules.append({"verbs": list(o.verbs), "nonResourceURLs": list(o.non_resource_urls)})
    return rules


def role_for(name: str, options: RoleOptions) -> dict:
    """The Role ``kubectl create role NAME`` builds: one rule per API group, in group order; pure.

    Raises:
        KubectlError: with kubectl's message for missing verbs or resources.
    """
    return {
        "kind": "Role",
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": meta_for(name, options.namespace),
        "rules": _rules(options, False),
    }


def clusterrole_for(name: str, options: RoleOptions) -> dict:
    """The ClusterRole ``kubectl create clusterrole NAME`` builds, with rules or an aggregation rule; pure.

    Raises:
        KubectlError: with kubectl's message for missing verbs or resources, or an aggregation rule with rules.
    """
    o = options
    obj: dict[str, Any] = {
        "kind": "ClusterRole",
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": {"name": name},
    }
    if o.aggregation_rule:
        if o.verbs or o.resources or o.resource_names or o.non_resource_urls:
            raise KubectlError(_AGGREGATION_CONFLICT)
        obj["rules"] = None
        obj["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": dict(o.aggregation_rule)}]}
    else:
        obj["rules"] = _rules(o, True)
    return obj


@command("create role")
def create_role(inv: Invocation) -> None:
    name = one_name(inv)
    submit(inv, "roles", role_for(name, RoleOptions.from_flags(inv)))


@command("create clusterrole", flags=(Flag("aggregation-rule", "", "map", None),))
def create_clusterrole(inv: Invocation) -> None:
    name = one_name(inv)
    submit(inv, "clusterroles", clusterrole_for(name, RoleOptions.from_flags(inv, cluster=True)))


@dataclass(frozen=True)
class BindingOptions:
    """What ``kubectl create rolebinding|clusterrolebinding``'s flags say about the binding."""

    role: str = ""
    cluster_role: str = ""
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    service_accounts: tuple[str, ...] = ()
    """``--serviceaccount`` as given: ``NAMESPACE:NAME``."""
    namespace: str = ""

    @classmethod
    def from_flags(cls, opts: ParsedArgs) -> "BindingOptions":
        """The options of a parsed ``kubectl create rolebinding|clusterrolebinding NAME`` command line."""
        return cls(
            role=opts.get("role", "") or "",
            cluster_role=opts.get("clusterrole", "") or "",
            users=tuple(opts.get("user", [])),
            groups=tuple(opts.get("group", [])),
            service_accounts=tuple(opts.get("serviceaccount", [])),
            namespace=opts.get("namespace") or "",
        )


def _subjects(options: BindingOptions) -> list[dict]:
    subjects: list[dict] = []
    for user in options.users:
        subjects.append({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": user})
    for group in options.groups:
        subjects.append({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": group})
    for sa in options.service_accounts:
        ns, sep, sa_name = sa.partition(":")
        if not sep or not ns or not sa_name:
            raise KubectlError("serviceaccount must be <namespace>:<name>")
        subjects.append({"kind": "ServiceAccount", "name": sa_name, "namespace": ns})
    return subjects


def _binding(name: str, options: BindingOptions, kind: str) -> dict:
    role, cluster_role = options.role, options.cluster_role
    if kind == "RoleBinding" and bool(role) == bool(cluster_role):
        raise KubectlError("exactly one of clusterrole or role must be specified")
    if kind == "ClusterRoleBinding" and not cluster_role:
        raise KubectlError('required flag(s) "clusterrole" not set')
    obj: dict[str, Any] = {
        "kind": kind,
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": meta_for(name, options.namespace if kind == "RoleBinding" else ""),
    }
    subjects = _subjects(options)
    if subjects:
        obj["subjects"] = subjects
    obj["roleRef"] = {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role" if role else "ClusterRole",
        "name": role or cluster_role,
    }
    return obj


def rolebinding_for(name: str, options: BindingOptions) -> dict:
    """The RoleBinding ``kubectl create rolebinding NAME`` builds: pure.

    Raises:
        KubectlError: with kubectl's message unless exactly one of role and cluster role is given, or for a bad
            service account.
    """
    return _binding(name, options, "RoleBinding")


def clusterrolebinding_for(name: str, options: BindingOptions) -> dict:
    """The ClusterRoleBinding ``kubectl create clusterrolebinding NAME`` builds (cluster-scoped): pure.

    Raises:
        KubectlError: with kubectl's message without a cluster role, or for a bad service account.
    """
    return _binding(name, options, "ClusterRoleBinding")


@command("create rolebinding")
def create_rolebinding(inv: Invocation) -> None:
    name = one_name(inv)
    submit(
        inv,
        "rolebindings",
        rolebinding_for(name, BindingOptions.from_flags(inv.opts)),
        failed="failed to create rolebinding: ",
    )


@command("create clusterrolebinding")
def create_clusterrolebinding(inv: Invocation) -> None:
    name = one_name(inv)
    submit(
        inv,
        "clusterrolebindings",
        clusterrolebinding_for(name, BindingOptions.from_flags(inv.opts)),
        failed="failed to create clusterrolebinding: ",
    )
