"""What the API server tells a client about authorization: 403 errors, access reviews, impersonation.

The 403 follows responsewriters.Forbidden and forbiddenMessage (k8s.io/apiserver endpoints/handlers),
impersonation the WithImpersonation filter (k8s.io/apiserver endpoints/filters/impersonation.go).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from ktui.api.auth.attributes import RequestAttributes
from ktui.api.auth.rbac import Decision, RbacIndex
from ktui.api.auth.user import (
    ALL_AUTHENTICATED,
    ALL_UNAUTHENTICATED,
    ANONYMOUS,
    UserInfo,
    service_account_groups,
    split_service_account,
)
from ktui.api.errors import ApiError, forbidden

__all__ = [
    "Decide",
    "Impersonation",
    "access_review_status",
    "can_i",
    "forbidden_error",
    "forbidden_message",
    "impersonation_allowed",
    "rules_review_status",
]

_SANITIZE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _go_quote(s: str) -> str:
    """Go's ``%q`` for the printable strings names are made of."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def forbidden_message(attrs: RequestAttributes) -> str:
    """The sentence after ``is forbidden:``, as ``forbiddenMessage``.

    ``User "jane" cannot list resource "pods" in API group "" in the namespace "dev"``, ending
    ``at the cluster scope`` without a namespace, or ``User "jane" cannot get path "/metrics"``.
    """
    who = _go_quote(attrs.user.name)
    if not attrs.resource_request:
        return f"User {who} cannot {attrs.verb} path {_go_quote(attrs.path)}"
    head = (
        f"User {who} cannot {attrs.verb} resource {_go_quote(attrs.combined_resource)} "
        f"in API group {_go_quote(attrs.api_group)}"
    )
    if attrs.namespace:
        return f"{head} in the namespace {_go_quote(attrs.namespace)}"
    return f"{head} at the cluster scope"


def forbidden_error(attrs: RequestAttributes, reason: str = "") -> ApiError:
    """The 403 Forbidden the API server answers a denied request with.

    Args:
        attrs: the denied request.
        reason: the authorizer's reason, appended after ``: `` when not empty (RBAC gives one only
            when a binding's role could not be found).

    Returns:
        ``pods "web" is forbidden: User "jane" cannot get resource "pods" in API group "" in the
        namespace "dev"``; a non-resource request reads ``forbidden: User "jane" cannot get path "/x"``.
    """
    why = forbidden_message(attrs).translate(_SANITIZE)
    if reason:
        why = f"{why}: {reason}"
    if not attrs.resource_request or not attrs.resource:
        err = forbidden("", "", "", why)
        err.status["message"] = f"forbidden: {why}"
        err.status["details"] = {}
        err.args = (err.status["message"],)
        return err
    return forbidden(attrs.resource, attrs.name, attrs.api_group, why)


# Reviews and impersonation -------------------------------------------------------

Decide = Callable[[RequestAttributes], Decision]
"""A function that decides a request, e.g. ``RbacIndex.authorize`` or ``Authorizer.decide``."""


def _decide(authorizer: RbacIndex | Decide, attrs: RequestAttributes) -> Decision:
    return authorizer.authorize(attrs) if isinstance(authorizer, RbacIndex) else authorizer(attrs)


def access_review_status(decision: Decision) -> dict[str, Any]:
    """The ``status`` of a (Self)SubjectAccessReview for a decision: ``allowed`` and, if any, ``reason``."""
    status: dict[str, Any] = {"allowed": decision.allowed}
    if decision.reason:
        status["reason"] = decision.reason
    return status


def can_i(
    authorizer: RbacIndex | Decide,
    user: UserInfo,
    verb: str,
    resource: str = "",
    *,
    namespace: str = "",
    name: str = "",
    subresource: str = "",
    group: str = "",
    path: str = "",
) -> dict[str, Any]:
    """What ``kubectl auth can-i`` learns from a SelfSubjectAccessReview: its ``status``.

    Args:
        authorizer: an ``RbacIndex`` or a function deciding ``RequestAttributes``.
        user: the user asking about themselves.
        verb: the verb, ``*`` for any.
        resource: the plural resource; leave empty and give ``path`` for a non-resource URL.
        namespace: the namespace, empty for cluster scope.
        name: the object name, if one.
        subresource: the subresource, if one.
        group: the API group.
        path: a non-resource URL such as ``/logs``.

    Returns:
        ``{"allowed": bool}`` plus ``"reason"`` when the authorizer gave one.
    """
    if path and not resource:
        attrs = RequestAttributes.non_resource(user, verb, path)
    else:
        attrs = RequestAttributes(
            user=user,
            verb=verb,
            namespace=namespace,
            api_group=group,
            resource=resource,
            subresource=subresource,
            name=name,
        )
    return access_review_status(_decide(authorizer, attrs))


def rules_review_status(index: RbacIndex, user: UserInfo, namespace: str) -> dict[str, Any]:
    """The ``status`` of a SelfSubjectRulesReview (``kubectl auth can-i --list``), from RBAC alone."""
    resource_rules, non_resource_rules = [], []
    for r in index.rules_for(user, namespace):
        if r.get("resources"):
            entry = {"verbs": list(r.get("verbs") or []), "apiGroups": list(r.get("apiGroups") or [])}
            entry["resources"] = list(r["resources"])
            if r.get("resourceNames"):
                entry["resourceNames"] = list(r["resourceNames"])
            resource_rules.append(entry)
        if r.get("nonResourceURLs"):
            urls = list(r["nonResourceURLs"])
            non_resource_rules.append({"verbs": list(r.get("verbs") or []), "nonResourceURLs": urls})
    return {"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": False}


@dataclass(frozen=True)
class Impersonation:
    """The outcome of checking ``Impersonate-*`` headers."""

    allowed: bool
    """Whether every impersonation check passed."""
    user: UserInfo | None = None
    """The identity the request runs as when allowed."""
    denied: RequestAttributes | None = None
    """The ``impersonate`` check that failed, to build the 403 from (``forbidden_error``)."""
    reason: str = ""
    """The authorizer's reason for the failed check."""


def impersonation_allowed(
    user: UserInfo,
    target_user: str,
    target_groups: Iterable[str] = (),
    *,
    authorizer: RbacIndex | Decide,
    uid: str = "",
    extra: Mapping[str, Iterable[str]] | None = None,
) -> Impersonation:
    """Check the ``impersonate`` verb for each part of an impersonated identity, as the apiserver filter does.

    In order: the user (``serviceaccounts`` in its namespace for a service-account name, else ``users``),
    each group (``groups``), each extra value (``userextras/<key>`` in authentication.k8s.io) and the
    uid (``uids``). A service account impersonated without groups gets its fixed groups; everyone but
    ``system:anonymous`` gets ``system:authenticated`` unless a group says otherwise.

    Args:
        user: the requesting user.
        target_user: the ``Impersonate-User`` value.
        target_groups: the ``Impersonate-Group`` values.
        authorizer: an ``RbacIndex`` or a function deciding ``RequestAttributes``.
        uid: the ``Impersonate-Uid`` value.
        extra: the ``Impersonate-Extra-<key>`` values.

    Returns:
        The outcome; when allowed, ``user`` is the impersonated identity.
    """
    groups = list(target_groups)
    checks: list[RequestAttributes] = []
    sa = split_service_account(target_user)
    if sa is not None:
        checks.append(RequestAttributes(user, "impersonate", sa[0], "", "v1", "serviceaccounts", "", sa[1]))
        if not groups:
            groups = list(service_account_groups(sa[0]))
    else:
        checks.append(RequestAttributes(user, "impersonate", "", "", "v1", "users", "", target_user))
    for g in target_groups:
        checks.append(RequestAttributes(user, "impersonate", "", "", "v1", "groups", "", g))
    extras = {k: tuple(v) for k, v in (extra or {}).items()}
    for key, values in extras.items():
        for value in values:
            checks.append(
                RequestAttributes(user, "impersonate", "", "authentication.k8s.io", "v1", "userextras", key, value)
            )
    if uid:
        checks.append(RequestAttributes(user, "impersonate", "", "authentication.k8s.io", "v1", "uids", "", uid))
    for attrs in checks:
        decision = _decide(authorizer, attrs)
        if not decision.allowed:
            return Impersonation(False, None, attrs, decision.reason)
    if target_user != ANONYMOUS:
        if not any(g in (ALL_AUTHENTICATED, ALL_UNAUTHENTICATED) for g in groups):
            groups.append(ALL_AUTHENTICATED)
    elif ALL_UNAUTHENTICATED not in groups:
        groups.append(ALL_UNAUTHENTICATED)
    return Impersonation(True, UserInfo(target_user, tuple(groups), uid, extras))
