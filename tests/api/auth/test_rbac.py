"""Tests for RBAC authorization, forbidden messages, reviews, impersonation and the bootstrap policy."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from ktui.api.auth import (
    RbacIndex,
    RequestAttributes,
    UserInfo,
    authenticated,
    authorize,
    bootstrap_objects,
    can_i,
    forbidden_error,
    impersonation_allowed,
    node_user,
    rules_review_status,
    service_account,
)
from ktui.api.auth.bootstrap import aggregate_cluster_roles, rule
from ktui.api.auth.user import anonymous, split_service_account

RBAC = "rbac.authorization.k8s.io"
JANE = authenticated("jane")


def role(name: str, namespace: str, *rules: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Role", "metadata": {"name": name, "namespace": namespace}, "rules": list(rules)}


def cluster_role(name: str, *rules: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "ClusterRole", "metadata": {"name": name}, "rules": list(rules)}


def subject(kind: str, name: str, namespace: str = "") -> dict[str, Any]:
    if kind == "ServiceAccount":
        return {"kind": kind, "name": name, **({"namespace": namespace} if namespace else {})}
    return {"kind": kind, "apiGroup": RBAC, "name": name}


def role_binding(name: str, namespace: str, ref_kind: str, ref: str, *subjects: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": namespace},
        "roleRef": {"apiGroup": RBAC, "kind": ref_kind, "name": ref},
        "subjects": list(subjects),
    }


def cluster_role_binding(name: str, ref: str, *subjects: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": ref},
        "subjects": list(subjects),
    }


def req(user: UserInfo, verb: str, resource: str, namespace: str = "", **kw: Any) -> RequestAttributes:
    return RequestAttributes(user=user, verb=verb, resource=resource, namespace=namespace, **kw)


def check(objects: list[dict[str, Any]], attrs: RequestAttributes):
    """Decide with the brute-force evaluation and the index, asserting they agree."""
    kinds = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
    brute = authorize(attrs, *([o for o in objects if o["kind"] == k] for k in kinds))
    indexed = RbacIndex(objects).authorize(attrs)
    assert brute == indexed
    return brute


POD_READER = role("pod-reader", "dev", rule(("get", "list", "watch"), ("",), ("pods",)))


# Subjects ----------------------------------------------------------------------


def test_user_subject_allowed_in_its_namespace_only():
    objs = [POD_READER, role_binding("read-pods", "dev", "Role", "pod-reader", subject("User", "jane"))]
    d = check(objs, req(JANE, "list", "pods", "dev"))
    assert d.allowed
    assert d.reason == 'RBAC: allowed by RoleBinding "read-pods/dev" of Role "pod-reader" to User "jane"'
    assert not check(objs, req(JANE, "list", "pods", "prod")).allowed
    assert not check(objs, req(JANE, "list", "pods")).allowed  # cluster-wide list
    assert not check(objs, req(JANE, "delete", "pods", "dev", name="web")).allowed
    assert not check(objs, req(authenticated("bob"), "list", "pods", "dev")).allowed


def test_group_subject():
    objs = [POD_READER, role_binding("rb", "dev", "Role", "pod-reader", subject("Group", "devs"))]
    assert check(objs, req(authenticated("jane", ["devs"]), "get", "pods", "dev", name="x")).allowed
    assert not check(objs, req(JANE, "get", "pods", "dev", name="x")).allowed


def test_service_account_subject_namespace_defaults_to_binding():
    objs = [POD_READER, role_binding("rb", "dev", "Role", "pod-reader", subject("ServiceAccount", "builder"))]
    d = check(objs, req(service_account("dev", "builder"), "list", "pods", "dev"))
    assert d.allowed
    assert d.reason.endswith('to ServiceAccount "builder/dev"')
    assert not check(objs, req(service_account("prod", "builder"), "list", "pods", "dev")).allowed


def test_service_account_subject_in_cluster_binding_needs_namespace():
    cr = cluster_role("reader", rule(("list",), ("",), ("pods",)))
    no_ns = [cr, cluster_role_binding("crb", "reader", subject("ServiceAccount", "builder"))]
    assert not check(no_ns, req(service_account("dev", "builder"), "list", "pods", "dev")).allowed
    with_ns = [cr, cluster_role_binding("crb", "reader", subject("ServiceAccount", "builder", "dev"))]
    assert check(with_ns, req(service_account("dev", "builder"), "list", "pods", "other")).allowed


def test_service_account_groups_grant():
    cr = cluster_role("reader", rule(("list",), ("",), ("pods",)))
    objs = [cr, cluster_role_binding("all-sa-dev", "reader", subject("Group", "system:serviceaccounts:dev"))]
    assert check(objs, req(service_account("dev", "x"), "list", "pods")).allowed
    assert not check(objs, req(service_account("prod", "x"), "list", "pods")).allowed


def test_cluster_role_via_role_binding_is_namespaced():
    cr = cluster_role("secret-reader", rule(("get",), ("",), ("secrets",)))
    objs = [cr, role_binding("rb", "dev", "ClusterRole", "secret-reader", subject("User", "jane"))]
    d = check(objs, req(JANE, "get", "secrets", "dev", name="s"))
    assert d.reason == 'RBAC: allowed by RoleBinding "rb/dev" of ClusterRole "secret-reader" to User "jane"'
    assert not check(objs, req(JANE, "get", "secrets", "prod", name="s")).allowed


def test_role_binding_cannot_reach_role_of_other_namespace():
    objs = [POD_READER, role_binding("rb", "prod", "Role", "pod-reader", subject("User", "jane"))]
    d = check(objs, req(JANE, "list", "pods", "prod"))
    assert not d.allowed
    assert d.reason == 'RBAC: role.rbac.authorization.k8s.io "pod-reader" not found'


def test_missing_roles_are_aggregated_in_reason():
    objs = [
        cluster_role_binding("a", "gone", subject("User", "jane")),
        cluster_role_binding("b", "gone2", subject("User", "jane")),
    ]
    d = check(objs, req(JANE, "list", "pods", "dev"))
    assert d.reason == (
        'RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, '
        'clusterrole.rbac.authorization.k8s.io "gone2" not found]'
    )


def test_cluster_role_binding_grants_everywhere():
    objs = [
        cluster_role("node-reader", rule(("get", "list"), ("",), ("nodes",))),
        cluster_role_binding("nr", "node-reader", subject("User", "jane")),
    ]
    assert check(objs, req(JANE, "list", "nodes")).allowed
    assert check(objs, req(JANE, "get", "nodes", name="n1")).allowed


# Rules -------------------------------------------------------------------------


def test_resource_names_only_match_named_requests():
    cr = cluster_role("one", rule(("get", "update", "list", "create"), ("",), ("configmaps",), names=("app",)))
    objs = [cr, role_binding("rb", "dev", "ClusterRole", "one", subject("User", "jane"))]
    assert check(objs, req(JANE, "get", "configmaps", "dev", name="app")).allowed
    assert check(objs, req(JANE, "update", "configmaps", "dev", name="app")).allowed
    assert not check(objs, req(JANE, "get", "configmaps", "dev", name="other")).allowed
    assert not check(objs, req(JANE, "list", "configmaps", "dev")).allowed
    assert not check(objs, req(JANE, "create", "configmaps", "dev")).allowed


def test_subresources_are_separate():
    cr = cluster_role("logs", rule(("get",), ("",), ("pods/log",)))
    objs = [cr, role_binding("rb", "dev", "ClusterRole", "logs", subject("User", "jane"))]
    assert check(objs, req(JANE, "get", "pods", "dev", name="web", subresource="log")).allowed
    assert not check(objs, req(JANE, "get", "pods", "dev", name="web")).allowed
    assert not check(objs, req(JANE, "get", "pods", "dev", name="web", subresource="exec")).allowed


def test_pods_rule_does_not_cover_subresources():
    objs = [POD_READER, role_binding("rb", "dev", "Role", "pod-reader", subject("User", "jane"))]
    assert not check(objs, req(JANE, "get", "pods", "dev", name="web", subresource="log")).allowed


def test_star_slash_subresource_wildcard():
    cr = cluster_role("scaler", rule(("update", "get"), ("*",), ("*/scale",)))
    objs = [cr, role_binding("rb", "dev", "ClusterRole", "scaler", subject("User", "jane"))]
    scale = req(JANE, "update", "deployments", "dev", api_group="apps", name="d", subresource="scale")
    assert check(objs, scale).allowed
    assert check(objs, req(JANE, "get", "replicasets", "dev", api_group="apps", name="r", subresource="scale")).allowed
    assert not check(objs, req(JANE, "update", "deployments", "dev", api_group="apps", name="d")).allowed
    assert not check(objs, req(JANE, "update", "pods", "dev", name="p", subresource="status")).allowed


def test_wildcards_for_verbs_groups_resources():
    objs = [
        cluster_role("all-apps", rule(("*",), ("apps",), ("*",))),
        cluster_role_binding("c", "all-apps", subject("User", "jane")),
    ]
    assert check(objs, req(JANE, "deletecollection", "deployments", "dev", api_group="apps")).allowed
    assert check(objs, req(JANE, "get", "deployments", "dev", api_group="apps", name="d", subresource="status")).allowed
    assert not check(objs, req(JANE, "get", "pods", "dev", name="p")).allowed


def test_api_group_must_match():
    cr = cluster_role("deploys", rule(("list",), ("apps",), ("deployments",)))
    objs = [cr, cluster_role_binding("c", "deploys", subject("User", "jane"))]
    assert check(objs, req(JANE, "list", "deployments", api_group="apps")).allowed
    assert not check(objs, req(JANE, "list", "deployments", api_group="extensions")).allowed


def test_non_resource_urls():
    objs = [
        cluster_role("logs", rule(("get",), urls=("/logs", "/logs/*", "/healthz"))),
        cluster_role_binding("c", "logs", subject("User", "jane")),
    ]
    nr = RequestAttributes.non_resource
    assert check(objs, nr(JANE, "get", "/logs")).allowed
    assert check(objs, nr(JANE, "get", "/logs/kube-apiserver.log")).allowed
    assert check(objs, nr(JANE, "get", "/healthz")).allowed
    assert not check(objs, nr(JANE, "get", "/healthz/etcd")).allowed
    assert not check(objs, nr(JANE, "post", "/logs")).allowed
    # A resource rule never grants a non-resource URL, nor a URL rule a resource.
    assert not check(objs, req(JANE, "get", "logs")).allowed


def test_role_binding_to_role_with_same_name_in_other_namespace():
    objs = [
        role("r", "dev", rule(("get",), ("",), ("pods",))),
        role("r", "prod", rule(("delete",), ("",), ("pods",))),
        role_binding("rb", "prod", "Role", "r", subject("User", "jane")),
    ]
    assert check(objs, req(JANE, "delete", "pods", "prod", name="p")).allowed
    assert not check(objs, req(JANE, "get", "pods", "prod", name="p")).allowed


def test_no_bindings_denies_with_empty_reason():
    d = check([], req(JANE, "list", "pods", "dev"))
    assert not d.allowed and d.reason == ""


# Privileged groups and nodes -----------------------------------------------------


def test_system_masters_always_allowed():
    admin = authenticated("kubernetes-admin", ["system:masters"])
    d = check([], req(admin, "delete", "nodes", name="n1"))
    assert d.allowed and d.reason == ""
    assert check([], RequestAttributes.non_resource(admin, "get", "/anything")).allowed


def test_kubelet_gets_node_rules_without_binding():
    kubelet = node_user("node-1")
    assert check([], req(kubelet, "update", "nodes", name="node-1", subresource="status")).allowed
    assert check([], req(kubelet, "get", "secrets", "dev", name="s")).allowed
    assert not check([], req(kubelet, "delete", "nodes", name="node-2")).allowed
    assert not check([], req(kubelet, "create", "deployments", "dev", api_group="apps")).allowed


# Forbidden messages ------------------------------------------------------------


def test_forbidden_list_in_namespace():
    err = forbidden_error(req(JANE, "list", "pods", "dev"))
    assert err.code == 403 and err.reason == "Forbidden"
    assert err.message == (
        'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "dev"'
    )
    assert err.status["details"] == {"kind": "pods"}


def test_forbidden_get_named():
    err = forbidden_error(req(JANE, "get", "pods", "dev", name="web"))
    assert err.message == (
        'pods "web" is forbidden: User "jane" cannot get resource "pods" in API group "" in the namespace "dev"'
    )
    assert err.status["details"] == {"name": "web", "kind": "pods"}


def test_forbidden_cluster_scope():
    err = forbidden_error(req(JANE, "list", "nodes"))
    assert err.message == (
        'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope'
    )


def test_forbidden_subresource_and_group():
    err = forbidden_error(req(JANE, "get", "pods", "dev", name="web", subresource="log"))
    assert err.message == (
        'pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "dev"'
    )
    err = forbidden_error(req(JANE, "create", "deployments", "dev", api_group="apps"))
    assert err.message == (
        'deployments.apps is forbidden: User "jane" cannot create resource "deployments" '
        'in API group "apps" in the namespace "dev"'
    )
    assert err.status["details"] == {"group": "apps", "kind": "deployments"}


def test_forbidden_service_account():
    err = forbidden_error(req(service_account("dev", "default"), "list", "secrets", "dev"))
    assert err.message == (
        'secrets is forbidden: User "system:serviceaccount:dev:default" cannot list resource "secrets" '
        'in API group "" in the namespace "dev"'
    )


def test_forbidden_non_resource_and_reason():
    err = forbidden_error(RequestAttributes.non_resource(JANE, "get", "/metrics"))
    assert err.message == 'forbidden: User "jane" cannot get path "/metrics"'
    err = forbidden_error(req(JANE, "list", "pods", "dev"), 'RBAC: role.rbac.authorization.k8s.io "x" not found')
    assert err.message.endswith('in the namespace "dev": RBAC: role.rbac.authorization.k8s.io "x" not found')


# Users -------------------------------------------------------------------------


def test_authenticated_groups():
    assert authenticated("jane", ["devs"]).groups == ("devs", "system:authenticated")
    sa = service_account("dev", "default")
    assert sa.name == "system:serviceaccount:dev:default"
    assert sa.groups == ("system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated")
    assert authenticated("system:serviceaccount:dev:default") == sa
    assert anonymous().groups == ("system:unauthenticated",)
    assert split_service_account("system:serviceaccount:dev:x") == ("dev", "x")
    assert split_service_account("system:serviceaccount:dev") is None


# Bootstrap policy ----------------------------------------------------------------


@pytest.fixture(scope="module")
def bootstrap_index() -> RbacIndex:
    return RbacIndex(bootstrap_objects())


def _bind(index: RbacIndex, cluster_role_name: str, user: str = "jane", ns: str = "dev") -> None:
    index.add(role_binding(f"{user}-{cluster_role_name}", ns, "ClusterRole", cluster_role_name, subject("User", user)))


def test_bootstrap_metadata():
    objs = bootstrap_objects()
    names = {(o["kind"], o["metadata"]["name"]) for o in objs}
    for name in (
        "cluster-admin",
        "admin",
        "edit",
        "view",
        "system:basic-user",
        "system:discovery",
        "system:public-info-viewer",
        "system:kube-scheduler",
        "system:kube-controller-manager",
        "system:node",
        "system:node-proxier",
    ):
        assert ("ClusterRole", name) in names
    for o in objs:
        assert o["apiVersion"] == "rbac.authorization.k8s.io/v1"
        assert o["metadata"]["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults"
        assert o["metadata"]["annotations"] == {"rbac.authorization.kubernetes.io/autoupdate": "true"}
    edit = next(o for o in objs if o["metadata"]["name"] == "edit" and o["kind"] == "ClusterRole")
    assert edit["metadata"]["labels"]["rbac.authorization.k8s.io/aggregate-to-admin"] == "true"
    assert bootstrap_objects() == objs  # deterministic, fresh copies


def test_bootstrap_cluster_admin_binding_and_can_i():
    index = RbacIndex(bootstrap_objects())
    # A user who is not in system:masters but bound to cluster-admin gets an RBAC reason.
    index.add(cluster_role_binding("ops", "cluster-admin", subject("Group", "ops")))
    status = can_i(index, authenticated("bob", ["ops"]), "*", "*")
    assert status == {
        "allowed": True,
        "reason": 'RBAC: allowed by ClusterRoleBinding "ops" of ClusterRole "cluster-admin" to Group "ops"',
    }
    masters = authenticated("kubernetes-admin", ["system:masters"])
    assert can_i(index, masters, "create", "pods", namespace="dev") == {"allowed": True}
    # The privileged-group authorizer needs no binding at all and gives no reason.
    assert authorize(req(UserInfo("x", ("system:masters",)), "get", "pods"), [], [], [], []).allowed
    crbs = {o["metadata"]["name"]: o for o in bootstrap_objects() if o["kind"] == "ClusterRoleBinding"}
    crb = crbs["cluster-admin"]
    assert crb["subjects"] == [{"kind": "Group", "apiGroup": RBAC, "name": "system:masters"}]


def test_view_cannot_read_secrets(bootstrap_index):
    _bind(bootstrap_index, "view", "viewer")
    viewer = authenticated("viewer")
    assert bootstrap_index.authorize(req(viewer, "list", "pods", "dev")).allowed
    assert bootstrap_index.authorize(req(viewer, "get", "pods", "dev", name="p", subresource="log")).allowed
    assert bootstrap_index.authorize(req(viewer, "list", "deployments", "dev", api_group="apps")).allowed
    assert not bootstrap_index.authorize(req(viewer, "get", "secrets", "dev", name="s")).allowed
    assert not bootstrap_index.authorize(req(viewer, "list", "secrets", "dev")).allowed
    assert not bootstrap_index.authorize(req(viewer, "create", "pods", "dev")).allowed
    assert not bootstrap_index.authorize(req(viewer, "create", "pods", "dev", name="p", subresource="exec")).allowed
    assert not bootstrap_index.authorize(req(viewer, "list", "pods", "prod")).allowed


def test_edit_can_create_deployments(bootstrap_index):
    _bind(bootstrap_index, "edit", "editor")
    editor = authenticated("editor")
    for verb in ("create", "update", "patch", "delete", "get", "list", "watch"):
        assert bootstrap_index.authorize(req(editor, verb, "deployments", "dev", api_group="apps")).allowed
    scale = req(editor, "update", "deployments", "dev", api_group="apps", subresource="scale")
    assert bootstrap_index.authorize(scale).allowed
    assert bootstrap_index.authorize(req(editor, "get", "secrets", "dev", name="s")).allowed
    assert bootstrap_index.authorize(req(editor, "create", "pods", "dev", name="p", subresource="exec")).allowed
    assert not bootstrap_index.authorize(req(editor, "create", "rolebindings", "dev", api_group=RBAC)).allowed
    assert not bootstrap_index.authorize(req(editor, "create", "resourcequotas", "dev")).allowed


def test_admin_can_create_rolebindings(bootstrap_index):
    _bind(bootstrap_index, "admin", "owner")
    owner = authenticated("owner")
    d = bootstrap_index.authorize(req(owner, "create", "rolebindings", "dev", api_group=RBAC))
    assert d.allowed
    assert d.reason == 'RBAC: allowed by RoleBinding "owner-admin/dev" of ClusterRole "admin" to User "owner"'
    assert bootstrap_index.authorize(req(owner, "create", "deployments", "dev", api_group="apps")).allowed
    assert bootstrap_index.authorize(req(owner, "list", "secrets", "dev")).allowed
    assert not bootstrap_index.authorize(req(owner, "create", "clusterrolebindings", api_group=RBAC)).allowed
    assert not bootstrap_index.authorize(req(owner, "list", "nodes")).allowed


def test_aggregation_order_and_dedup():
    objs = bootstrap_objects()
    by_name = {o["metadata"]["name"]: o for o in objs if o["kind"] == "ClusterRole"}
    view, edit, admin = by_name["view"]["rules"], by_name["edit"]["rules"], by_name["admin"]["rules"]
    assert view == by_name["system:aggregate-to-view"]["rules"]
    assert edit == by_name["system:aggregate-to-edit"]["rules"] + view
    assert admin == edit + by_name["system:aggregate-to-admin"]["rules"]
    extra = cluster_role("a-extra", rule(("get",), ("example.com",), ("widgets",)), view[0])
    extra["metadata"]["labels"] = {"rbac.authorization.k8s.io/aggregate-to-view": "true"}
    again = {o["metadata"]["name"]: o for o in aggregate_cluster_roles([*objs, extra]) if o["kind"] == "ClusterRole"}
    assert again["view"]["rules"][0] == rule(("get",), ("example.com",), ("widgets",))
    assert len(again["view"]["rules"]) == len(view) + 1
    assert rule(("get",), ("example.com",), ("widgets",)) in again["admin"]["rules"]


def test_discovery_and_basic_user(bootstrap_index):
    assert can_i(bootstrap_index, JANE, "get", path="/version")["allowed"]
    assert can_i(bootstrap_index, JANE, "get", path="/apis/apps/v1")["allowed"]
    assert can_i(bootstrap_index, anonymous(), "get", path="/healthz")["allowed"]
    assert not can_i(bootstrap_index, anonymous(), "get", path="/apis")["allowed"]
    status = can_i(bootstrap_index, JANE, "create", "selfsubjectaccessreviews", group="authorization.k8s.io")
    assert status["reason"] == (
        'RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" '
        'to Group "system:authenticated"'
    )
    assert can_i(bootstrap_index, authenticated("nobody"), "list", "pods", namespace="dev") == {"allowed": False}


def test_components(bootstrap_index):
    sched = authenticated("system:kube-scheduler")
    assert bootstrap_index.authorize(req(sched, "create", "pods", "dev", name="p", subresource="binding")).allowed
    lease = {"api_group": "coordination.k8s.io"}
    own_lease = req(sched, "update", "leases", "kube-system", name="kube-scheduler", **lease)
    assert bootstrap_index.authorize(own_lease).allowed
    assert not bootstrap_index.authorize(req(sched, "update", "leases", "kube-system", name="other", **lease)).allowed
    assert not bootstrap_index.authorize(req(sched, "create", "pods", "dev")).allowed
    kcm = authenticated("system:kube-controller-manager")
    assert bootstrap_index.authorize(req(kcm, "watch", "deployments", api_group="apps")).allowed
    proxy = authenticated("system:kube-proxy")
    assert bootstrap_index.authorize(req(proxy, "watch", "endpointslices", api_group="discovery.k8s.io")).allowed
    assert not bootstrap_index.authorize(req(proxy, "get", "secrets", "dev", name="s")).allowed
    dns = service_account("kube-system", "kube-dns")
    assert bootstrap_index.authorize(req(dns, "watch", "services")).allowed


def test_rules_review(bootstrap_index):
    _bind(bootstrap_index, "view", "lister")
    status = rules_review_status(bootstrap_index, authenticated("lister"), "dev")
    assert {
        "verbs": ["create"],
        "apiGroups": ["authorization.k8s.io"],
        "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
    } in status["resourceRules"]
    assert any("pods/log" in r["resources"] for r in status["resourceRules"])
    assert any("/version" in r["nonResourceURLs"] for r in status["nonResourceRules"])
    assert status["incomplete"] is False


# Impersonation -----------------------------------------------------------------


def test_impersonation():
    index = RbacIndex(bootstrap_objects())
    index.add(
        cluster_role(
            "impersonator",
            rule(("impersonate",), ("",), ("users",), names=("bob",)),
            rule(("impersonate",), ("",), ("groups",), names=("devs",)),
        )
    )
    index.add(cluster_role_binding("imp", "impersonator", subject("User", "jane")))
    ok = impersonation_allowed(JANE, "bob", ["devs"], authorizer=index)
    assert ok.allowed and ok.user == UserInfo("bob", ("devs", "system:authenticated"))
    denied = impersonation_allowed(JANE, "alice", authorizer=index)
    assert not denied.allowed
    assert forbidden_error(denied.denied).message == (
        'users "alice" is forbidden: User "jane" cannot impersonate resource "users" '
        'in API group "" at the cluster scope'
    )
    bad_group = impersonation_allowed(JANE, "bob", ["system:masters"], authorizer=index)
    assert bad_group.denied.resource == "groups" and bad_group.denied.name == "system:masters"
    # edit lets a user impersonate service accounts of its namespace, who get their fixed groups.
    _bind(index, "edit", "jane", "dev")
    sa = impersonation_allowed(JANE, "system:serviceaccount:dev:ci", authorizer=index)
    assert sa.allowed and sa.user == service_account("dev", "ci")
    other = impersonation_allowed(JANE, "system:serviceaccount:prod:ci", authorizer=index)
    assert forbidden_error(other.denied).message == (
        'serviceaccounts "ci" is forbidden: User "jane" cannot impersonate resource "serviceaccounts" '
        'in API group "" in the namespace "prod"'
    )


# Index maintenance ---------------------------------------------------------------


def test_index_add_replace_remove():
    index = RbacIndex()
    rb = role_binding("rb", "dev", "Role", "pod-reader", subject("User", "jane"))
    index.add(POD_READER)
    index.add(rb)
    assert index.authorize(req(JANE, "list", "pods", "dev")).allowed
    # MODIFIED: the binding now names bob; jane loses access.
    index.apply_event("MODIFIED", role_binding("rb", "dev", "Role", "pod-reader", subject("User", "bob")))
    assert not index.authorize(req(JANE, "list", "pods", "dev")).allowed
    assert index.authorize(req(authenticated("bob"), "list", "pods", "dev")).allowed
    index.apply_event("DELETED", POD_READER)
    d = index.authorize(req(authenticated("bob"), "list", "pods", "dev"))
    assert not d.allowed and "not found" in d.reason
    index.remove(rb)
    assert index.authorize(req(authenticated("bob"), "list", "pods", "dev")) == authorize(
        req(authenticated("bob"), "list", "pods", "dev"), [], [], [], []
    )
    index.remove(rb)  # absent: no error


# Index versus brute force ------------------------------------------------------

NAMESPACES = ["dev", "prod"]
USERS = ["jane", "bob", "system:serviceaccount:dev:ci", "system:serviceaccount:prod:ci"]
GROUPS = ["devs", "ops", "system:serviceaccounts:dev", "system:masters"]
VERBS = ["get", "list", "create", "delete", "*"]
RESOURCES = ["pods", "pods/log", "secrets", "deployments", "*", "*/scale", "deployments/scale"]

subjects_st = st.one_of(
    st.builds(lambda n: subject("User", n), st.sampled_from(USERS)),
    st.builds(lambda n: subject("Group", n), st.sampled_from(GROUPS)),
    st.builds(
        lambda n, ns: subject("ServiceAccount", n, ns),
        st.sampled_from(["ci", "default"]),
        st.sampled_from(["", *NAMESPACES]),
    ),
)
rules_st = st.builds(
    lambda verbs, groups, res, names: rule(verbs, groups, res, names=names),
    st.lists(st.sampled_from(VERBS), min_size=1, max_size=2),
    st.lists(st.sampled_from(["", "apps", "*"]), min_size=1, max_size=2),
    st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2),
    st.lists(st.sampled_from(["a", "b"]), max_size=1),
)
role_names = st.sampled_from(["r1", "r2", "r3"])


@st.composite
def worlds(draw):
    objs: list[dict[str, Any]] = []
    for name in draw(st.sets(role_names, max_size=3)):
        objs.append(cluster_role(name, *draw(st.lists(rules_st, max_size=3))))
    for ns in NAMESPACES:
        for name in draw(st.sets(role_names, max_size=2)):
            objs.append(role(name, ns, *draw(st.lists(rules_st, max_size=3))))
    for i in range(draw(st.integers(0, 4))):
        objs.append(cluster_role_binding(f"crb{i}", draw(role_names), *draw(st.lists(subjects_st, max_size=3))))
    for i in range(draw(st.integers(0, 6))):
        ns, ref_kind = draw(st.sampled_from(NAMESPACES)), draw(st.sampled_from(["Role", "ClusterRole"]))
        objs.append(role_binding(f"rb{i}", ns, ref_kind, draw(role_names), *draw(st.lists(subjects_st, max_size=3))))
    return objs


@st.composite
def requests(draw):
    name = draw(st.sampled_from(USERS))
    user = authenticated(name, draw(st.lists(st.sampled_from(GROUPS), max_size=2, unique=True)))
    resource = draw(st.sampled_from(["pods", "secrets", "deployments"]))
    return RequestAttributes(
        user=user,
        verb=draw(st.sampled_from(["get", "list", "create", "delete", "update"])),
        namespace=draw(st.sampled_from(["", *NAMESPACES])),
        api_group=draw(st.sampled_from(["", "apps"])),
        resource=resource,
        subresource=draw(st.sampled_from(["", "log", "scale"])),
        name=draw(st.sampled_from(["", "a", "b"])),
    )


@settings(max_examples=300, deadline=None)
@given(worlds(), st.lists(requests(), min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_index_agrees_with_brute_force(objs, reqs, rnd):
    index = RbacIndex()
    shuffled = list(objs)
    rnd.shuffle(shuffled)
    for o in shuffled:
        index.add(o)
    for attrs in reqs:
        assert index.authorize(attrs) == check(objs, attrs)
    # Remove half, the index must still agree with a scan of what is left.
    removed, kept = shuffled[::2], shuffled[1::2]
    for o in removed:
        index.remove(o)
    for attrs in reqs:
        assert index.authorize(attrs) == check(kept, attrs)
