"""Authentication identities and authorization (RBAC) for the simulated kube-apiserver."""

from ktui.api.auth.attributes import RequestAttributes
from ktui.api.auth.authz import Authorizer
from ktui.api.auth.bootstrap import aggregate_cluster_roles, bootstrap_objects
from ktui.api.auth.forbidden import (
    Decide,
    Impersonation,
    access_review_status,
    can_i,
    forbidden_error,
    forbidden_message,
    impersonation_allowed,
    rules_review_status,
)
from ktui.api.auth.rbac import Decision, RbacIndex, authorize, rule_allows, rules_allow
from ktui.api.auth.user import UserInfo, anonymous, authenticated, node_user, service_account

__all__ = [
    "Authorizer",
    "Decide",
    "Decision",
    "Impersonation",
    "RbacIndex",
    "RequestAttributes",
    "UserInfo",
    "access_review_status",
    "aggregate_cluster_roles",
    "anonymous",
    "authenticated",
    "authorize",
    "bootstrap_objects",
    "can_i",
    "forbidden_error",
    "forbidden_message",
    "impersonation_allowed",
    "node_user",
    "rule_allows",
    "rules_allow",
    "rules_review_status",
    "service_account",
]
