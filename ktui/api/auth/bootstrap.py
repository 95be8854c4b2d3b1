"""The default ClusterRoles and ClusterRoleBindings a v1.37 kube-apiserver creates at start-up.

Follows plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go. The aggregated roles (``admin``,
``edit``, ``view``) are returned with the rules the ClusterRole aggregation controller gives them.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable

from ktui.api.auth import user as u

__all__ = [
    "API_VERSION",
    "AUTOUPDATE_ANNOTATION",
    "BOOTSTRAP_LABEL",
    "aggregate_cluster_roles",
    "bootstrap_objects",
    "node_rules",
    "rule",
]

API_VERSION = "rbac.authorization.k8s.io/v1"
RBAC_GROUP = "rbac.authorization.k8s.io"
BOOTSTRAP_LABEL = ("kubernetes.io/bootstrapping", "rbac-defaults")
AUTOUPDATE_ANNOTATION = ("rbac.authorization.kubernetes.io/autoupdate", "true")

READ = ("get", "list", "watch")
WRITE = ("create", "update", "patch", "delete", "deletecollection")
READ_WRITE = READ + WRITE
READ_UPDATE = ("get", "list", "watch", "update", "patch")

CORE = ""
APPS = "apps"
AUTHN = "authentication.k8s.io"
AUTHZ = "authorization.k8s.io"
AUTOSCALING = "autoscaling"
BATCH = "batch"
CERTIFICATES = "certificates.k8s.io"
COORDINATION = "coordination.k8s.io"
DISCOVERY = "discovery.k8s.io"
EVENTS = "events.k8s.io"
EXTENSIONS = "extensions"
NETWORKING = "networking.k8s.io"
POLICY = "policy"
RESOURCE = "resource.k8s.io"
STORAGE = "storage.k8s.io"

AGG_ADMIN = "rbac.authorization.k8s.io/aggregate-to-admin"
AGG_EDIT = "rbac.authorization.k8s.io/aggregate-to-edit"
AGG_VIEW = "rbac.authorization.k8s.io/aggregate-to-view"


def rule(
    verbs: Iterable[str],
    groups: Iterable[str] = (),
    resources: Iterable[str] = (),
    names: Iterable[str] = (),
    urls: Iterable[str] = (),
) -> dict[str, Any]:
    """A PolicyRule in JSON field order (verbs, apiGroups, resources, resourceNames, nonResourceURLs)."""
    out: dict[str, Any] = {"verbs": list(verbs)}
    if urls:
        out["nonResourceURLs"] = list(urls)
        return out
    out["apiGroups"] = list(groups)
    out["resources"] = list(resources)
    if names:
        out["resourceNames"] = list(names)
    return out


def _events_rule() -> dict[str, Any]:
    return rule(("create", "update", "patch"), (CORE, EVENTS), ("events",))


def node_rules() -> list[dict[str, Any]]:
    """The rules of ``system:node``, which the Node authorizer grants to kubelets."""
    return [
        rule(("create",), (AUTHN,), ("tokenreviews",)),
        rule(("create",), (AUTHZ,), ("subjectaccessreviews", "localsubjectaccessreviews")),
        rule(READ, (CORE,), ("services",)),
        rule(("create", "get", "list", "watch"), (CORE,), ("nodes",)),
        rule(("update", "patch"), (CORE,), ("nodes/status",)),
        rule(("update", "patch"), (CORE,), ("nodes",)),
        rule(("create", "update", "patch"), (CORE,), ("events",)),
        rule(READ, (CORE,), ("pods",)),
        rule(("create", "delete"), (CORE,), ("pods",)),
        rule(("update", "patch"), (CORE,), ("pods/status",)),
        rule(("create",), (CORE,), ("pods/eviction",)),
        rule(READ, (CORE,), ("secrets", "configmaps")),
        rule(("get",), (CORE,), ("persistentvolumeclaims", "persistentvolumes")),
        rule(("get",), (CORE,), ("endpoints",)),
        rule(("create", "get", "list", "watch"), (CERTIFICATES,), ("certificatesigningrequests",)),
        rule(("get", "create", "update", "patch", "delete"), (COORDINATION,), ("leases",)),
        rule(("get",), (STORAGE,), ("volumeattachments",)),
        rule(("create",), (CORE,), ("serviceaccounts/token",)),
        rule(("get", "update", "patch"), (CORE,), ("persistentvolumeclaims/status",)),
        rule(("get", "watch", "list"), (STORAGE,), ("csidrivers",)),
        rule(("get", "create", "update", "patch", "delete"), (STORAGE,), ("csinodes",)),
        rule(("get", "list", "watch"), ("node.k8s.io",), ("runtimeclasses",)),
        rule(("get",), (RESOURCE,), ("resourceclaims",)),
        rule(READ_WRITE, (RESOURCE,), ("resourceslices",)),
    ]


def _aggregate_to_admin() -> list[dict[str, Any]]:
    return [
        rule(("create",), (AUTHZ,), ("localsubjectaccessreviews",)),
        rule(READ_WRITE, (RBAC_GROUP,), ("roles", "rolebindings")),
    ]


def _aggregate_to_edit() -> list[dict[str, Any]]:
    return [
        rule(
            READ, (CORE,), ("pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy")
        ),
        rule(("impersonate",), (CORE,), ("serviceaccounts",)),
        rule(WRITE, (CORE,), ("pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward")),
        rule(("create",), (CORE,), ("pods/eviction",)),
        rule(
            WRITE,
            (CORE,),
            (
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/proxy",
                "persistentvolumeclaims",
                "configmaps",
                "secrets",
                "events",
            ),
        ),
        rule(("create",), (CORE,), ("serviceaccounts/token",)),
        rule(
            WRITE,
            (APPS,),
            (
                "statefulsets",
                "statefulsets/scale",
                "daemonsets",
                "deployments",
                "deployments/scale",
                "deployments/rollback",
                "replicasets",
                "replicasets/scale",
            ),
        ),
        rule(WRITE, (AUTOSCALING,), ("horizontalpodautoscalers",)),
        rule(WRITE, (BATCH,), ("jobs", "cronjobs")),
        rule(
            WRITE,
            (EXTENSIONS,),
            (
                "daemonsets",
                "deployments",
                "deployments/scale",
                "deployments/rollback",
                "ingresses",
                "replicasets",
                "replicasets/scale",
                "replicationcontrollers/scale",
                "networkpolicies",
            ),
        ),
        rule(WRITE, (POLICY,), ("poddisruptionbudgets",)),
        rule(WRITE, (NETWORKING,), ("networkpolicies", "ingresses")),
    ]


def _aggregate_to_view() -> list[dict[str, Any]]:
    return [
        rule(
            READ,
            (CORE,),
            (
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "configmaps",
            ),
        ),
        rule(
            READ,
            (CORE,),
            (
                "limitranges",
                "resourcequotas",
                "bindings",
                "events",
                "pods/status",
                "resourcequotas/status",
                "namespaces/status",
                "replicationcontrollers/status",
                "pods/log",
            ),
        ),
        rule(READ, (CORE,), ("namespaces",)),
        rule(READ, (DISCOVERY,), ("endpointslices",)),
        rule(
            READ,
            (APPS,),
            (
                "controllerrevisions",
                "statefulsets",
                "statefulsets/status",
                "statefulsets/scale",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/status",
                "deployments/scale",
                "replicasets",
                "replicasets/status",
                "replicasets/scale",
            ),
        ),
        rule(READ, (AUTOSCALING,), ("horizontalpodautoscalers", "horizontalpodautoscalers/status")),
        rule(READ, (BATCH,), ("jobs", "cronjobs", "cronjobs/status", "jobs/status")),
        rule(
            READ,
            (EXTENSIONS,),
            (
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "ingresses",
                "ingresses/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "replicationcontrollers/scale",
                "networkpolicies",
            ),
        ),
        rule(READ, (POLICY,), ("poddisruptionbudgets", "poddisruptionbudgets/status")),
        rule(READ, (NETWORKING,), ("networkpolicies", "ingresses", "ingresses/status")),
    ]


def _kube_scheduler() -> list[dict[str, Any]]:
    return [
        _events_rule(),
        rule(("create",), (COORDINATION,), ("leases",)),
        rule(("get", "update"), (COORDINATION,), ("leases",), names=("kube-scheduler",)),
        rule(READ, (CORE,), ("nodes",)),
        rule(("get", "list", "watch", "delete"), (CORE,), ("pods",)),
        rule(("create",), (CORE,), ("pods/binding", "bindings")),
        rule(("patch", "update"), (CORE,), ("pods/status",)),
        rule(READ, (CORE,), ("services", "replicationcontrollers")),
        rule(READ, (APPS, EXTENSIONS), ("replicasets",)),
        rule(READ, (APPS,), ("statefulsets",)),
        rule(READ, (POLICY,), ("poddisruptionbudgets",)),
        rule(READ, (CORE,), ("persistentvolumeclaims", "persistentvolumes")),
        rule(("create",), (AUTHN,), ("tokenreviews",)),
        rule(("create",), (AUTHZ,), ("subjectaccessreviews",)),
        rule(READ, (STORAGE,), ("csinodes",)),
        rule(READ, (CORE,), ("namespaces",)),
        rule(READ, (STORAGE,), ("csidrivers",)),
        rule(READ, (STORAGE,), ("csistoragecapacities",)),
        rule(READ, (RESOURCE,), ("resourceclaims", "deviceclasses")),
        rule(READ_UPDATE, (RESOURCE,), ("resourceclaims/status",)),
        rule(READ, (RESOURCE,), ("resourceslices",)),
    ]


def _kube_controller_manager() -> list[dict[str, Any]]:
    return [
        _events_rule(),
        rule(("create",), (COORDINATION,), ("leases",)),
        rule(("get", "update"), (COORDINATION,), ("leases",), names=("kube-controller-manager",)),
        rule(("create",), (CORE,), ("secrets", "serviceaccounts")),
        rule(("delete",), (CORE,), ("secrets",)),
        rule(("get",), (CORE,), ("namespaces", "secrets", "serviceaccounts", "configmaps")),
        rule(("update",), (CORE,), ("secrets", "serviceaccounts")),
        rule(("create",), (AUTHN,), ("tokenreviews",)),
        rule(("create",), (AUTHZ,), ("subjectaccessreviews",)),
        rule(("list", "watch"), ("*",), ("*",)),
        rule(("create",), (CORE,), ("serviceaccounts/token",)),
    ]


def _node_proxier() -> list[dict[str, Any]]:
    return [
        rule(("list", "watch"), (CORE,), ("services", "endpoints")),
        rule(("get", "list", "watch"), (CORE,), ("nodes",)),
        _events_rule(),
        rule(("list", "watch"), (DISCOVERY,), ("endpointslices",)),
    ]


def _cluster_roles() -> list[dict[str, Any]]:
    """The default ClusterRoles, aggregated."""
    health = ("/livez", "/readyz", "/healthz")
    # (name, extra labels, label this role aggregates from or None, rules)
    specs: list[tuple[str, dict[str, str], str | None, list[dict[str, Any]]]] = [
        ("cluster-admin", {}, None, [rule(("*",), ("*",), ("*",)), rule(("*",), urls=("*",))]),
        (
            "system:discovery",
            {},
            None,
            [
                rule(
                    ("get",),
                    urls=(*health, "/version", "/version/", "/openapi", "/openapi/*")
                    + ("/api", "/api/*", "/apis", "/apis/*"),
                )
            ],
        ),
        (
            "system:monitoring",
            {},
            None,
            [rule(("get",), urls=("/metrics", *health, "/livez/*", "/readyz/*", "/healthz/*"))],
        ),
        (
            "system:basic-user",
            {},
            None,
            [
                rule(("create",), (AUTHZ,), ("selfsubjectaccessreviews", "selfsubjectrulesreviews")),
                rule(("create",), (AUTHN,), ("selfsubjectreviews",)),
            ],
        ),
        ("system:public-info-viewer", {}, None, [rule(("get",), urls=(*health, "/version", "/version/"))]),
        ("admin", {}, AGG_ADMIN, []),
        ("edit", {AGG_ADMIN: "true"}, AGG_EDIT, []),
        ("view", {AGG_EDIT: "true"}, AGG_VIEW, []),
        ("system:aggregate-to-admin", {AGG_ADMIN: "true"}, None, _aggregate_to_admin()),
        ("system:aggregate-to-edit", {AGG_EDIT: "true"}, None, _aggregate_to_edit()),
        ("system:aggregate-to-view", {AGG_VIEW: "true"}, None, _aggregate_to_view()),
        ("system:node", {}, None, node_rules()),
        ("system:kube-controller-manager", {}, None, _kube_controller_manager()),
        ("system:kube-dns", {}, None, [rule(("list", "watch"), (CORE,), ("endpoints", "services"))]),
        (
            "system:volume-scheduler",
            {},
            None,
            [
                rule(READ_UPDATE, (CORE,), ("persistentvolumes",)),
                rule(READ, (STORAGE,), ("storageclasses",)),
                rule(READ_UPDATE, (CORE,), ("persistentvolumeclaims",)),
            ],
        ),
        (
            "system:service-account-issuer-discovery",
            {},
            None,
            [rule(("get",), urls=("/.well-known/openid-configuration", "/openid/v1/jwks"))],
        ),
        ("system:node-proxier", {}, None, _node_proxier()),
        ("system:kube-scheduler", {}, None, _kube_scheduler()),
    ]
    roles = []
    for name, labels, aggregate_label, rules in specs:
        role: dict[str, Any] = {
            "apiVersion": API_VERSION,
            "kind": "ClusterRole",
            "metadata": {"name": name, **_default_metadata(labels)},
        }
        if aggregate_label is not None:
            role["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {aggregate_label: "true"}}]}
        role["rules"] = rules
        roles.append(role)
    return aggregate_cluster_roles(roles)


def _default_metadata(labels: dict[str, str]) -> dict[str, Any]:
    all_labels = dict(labels)
    all_labels[BOOTSTRAP_LABEL[0]] = BOOTSTRAP_LABEL[1]
    return {
        "annotations": {AUTOUPDATE_ANNOTATION[0]: AUTOUPDATE_ANNOTATION[1]},
        "labels": dict(sorted(all_labels.items())),
    }


def _subject(kind: str, name: str, namespace: str = "") -> dict[str, str]:
    if kind == "ServiceAccount":
        return {"kind": kind, "name": name, "namespace": namespace}
    return {"kind": kind, "apiGroup": RBAC_GROUP, "name": name}


def _cluster_role_bindings() -> list[dict[str, Any]]:
    specs: list[tuple[str, list[dict[str, str]]]] = [
        ("cluster-admin", [_subject("Group", u.SYSTEM_MASTERS)]),
        ("system:monitoring", [_subject("Group", "system:monitoring")]),
        ("system:discovery", [_subject("Group", u.ALL_AUTHENTICATED)]),
        ("system:basic-user", [_subject("Group", u.ALL_AUTHENTICATED)]),
        (
            "system:public-info-viewer",
            [_subject("Group", u.ALL_AUTHENTICATED), _subject("Group", u.ALL_UNAUTHENTICATED)],
        ),
        ("system:node-proxier", [_subject("User", u.KUBE_PROXY)]),
        ("system:kube-controller-manager", [_subject("User", u.KUBE_CONTROLLER_MANAGER)]),
        ("system:kube-dns", [_subject("ServiceAccount", "kube-dns", "kube-system")]),
        ("system:kube-scheduler", [_subject("User", u.KUBE_SCHEDULER)]),
        ("system:volume-scheduler", [_subject("User", u.KUBE_SCHEDULER)]),
        # Kept with no subjects since 1.7: the Node authorizer grants kubelets these rules.
        ("system:node", []),
        ("system:service-account-issuer-discovery", [_subject("Group", u.SERVICE_ACCOUNTS_GROUP)]),
    ]
    out = []
    for name, subjects in specs:
        binding: dict[str, Any] = {
            "apiVersion": API_VERSION,
            "kind": "ClusterRoleBinding",
            "metadata": {"name": name, **_default_metadata({})},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": name},
        }
        if subjects:
            binding["subjects"] = subjects
        out.append(binding)
    return out


def _selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def aggregate_cluster_roles(cluster_roles: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill the rules of every ClusterRole with an ``aggregationRule``, to the controller's steady state.

    As the clusterrole-aggregation controller does: the roles matched by any selector (never the role
    itself), sorted by name, contribute their rules in order, each rule once. Repeated until nothing
    changes, so an aggregated role that aggregates another sees its full rules.

    Args:
        cluster_roles: ClusterRole objects; not modified.

    Returns:
        Copies of the roles, in the same order, with aggregated rules filled in.
    """
    roles = [copy.deepcopy(r) for r in cluster_roles]
    for _ in range(len(roles) + 1):
        changed = False
        for role in roles:
            agg = role.get("aggregationRule")
            if not agg:
                continue
            selectors = agg.get("clusterRoleSelectors") or []
            name = role["metadata"]["name"]
            sources = sorted(
                (
                    other
                    for other in roles
                    if other["metadata"]["name"] != name
                    and any(_selector_matches(s, other["metadata"].get("labels") or {}) for s in selectors)
                ),
                key=lambda r: r["metadata"]["name"],
            )
            rules: list[dict[str, Any]] = []
            for source in sources:
                for r in source.get("rules") or []:
                    if r not in rules:
                        rules.append(copy.deepcopy(r))
            if rules != (role.get("rules") or []):
                role["rules"] = rules
                changed = True
        if not changed:
            break
    return roles


def bootstrap_objects() -> list[dict[str, Any]]:
    """The default ClusterRoles then ClusterRoleBindings, fresh copies each call, ready to be created."""
    return _cluster_roles() + _cluster_role_bindings()
