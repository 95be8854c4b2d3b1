"""Authenticated identities: ``UserInfo`` and the well-known users and groups the apiserver knows.

Mirrors k8s.io/apiserver/pkg/authentication/user and .../serviceaccount: what an authenticator hands to
authorization after the group adder has appended ``system:authenticated``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

__all__ = [
    "ALL_AUTHENTICATED",
    "ALL_UNAUTHENTICATED",
    "ANONYMOUS",
    "KUBE_CONTROLLER_MANAGER",
    "KUBE_PROXY",
    "KUBE_SCHEDULER",
    "NODES_GROUP",
    "NODE_USER_PREFIX",
    "SERVICE_ACCOUNTS_GROUP",
    "SERVICE_ACCOUNT_PREFIX",
    "SYSTEM_MASTERS",
    "UserInfo",
    "anonymous",
    "authenticated",
    "node_user",
    "service_account",
    "service_account_groups",
    "service_account_username",
    "split_service_account",
]

SYSTEM_MASTERS = "system:masters"
ALL_AUTHENTICATED = "system:authenticated"
ALL_UNAUTHENTICATED = "system:unauthenticated"
ANONYMOUS = "system:anonymous"
NODES_GROUP = "system:nodes"
NODE_USER_PREFIX = "system:node:"
SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
KUBE_PROXY = "system:kube-proxy"
KUBE_SCHEDULER = "system:kube-scheduler"
KUBE_CONTROLLER_MANAGER = "system:kube-controller-manager"


@dataclass(frozen=True)
class UserInfo:
    """Who is making a request, as ``user.Info``.

    ``extra`` is kept out of equality and hashing so a ``UserInfo`` can key a cache.
    """

    name: str
    """The username, e.g. ``jane`` or ``system:serviceaccount:dev:default``."""
    groups: tuple[str, ...] = ()
    """Group names in the order the authenticator produced them."""
    uid: str = ""
    """An opaque unique id, empty when the authenticator gives none."""
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    """Extra attributes (``authentication.kubernetes.io/...``)."""

    def in_group(self, group: str) -> bool:
        """Whether the user belongs to ``group``."""
        return group in self.groups


def _with_authenticated(groups: Iterable[str]) -> tuple[str, ...]:
    out = tuple(groups)
    if ALL_AUTHENTICATED not in out:
        out += (ALL_AUTHENTICATED,)
    return out


def authenticated(name: str, groups: Iterable[str] = (), uid: str = "") -> UserInfo:
    """A user as an authenticator plus ``AuthenticatedGroupAdder`` give it: ``system:authenticated`` appended.

    A service-account username gets its fixed groups first, as the token authenticator gives them.
    """
    split = split_service_account(name)
    if split is not None and not tuple(groups):
        groups = service_account_groups(split[0])
    return UserInfo(name, _with_authenticated(groups), uid)


def anonymous() -> UserInfo:
    """The anonymous user: ``system:anonymous`` in ``system:unauthenticated``."""
    return UserInfo(ANONYMOUS, (ALL_UNAUTHENTICATED,))


def service_account_username(namespace: str, name: str) -> str:
    """``system:serviceaccount:<namespace>:<name>``."""
    return f"{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}"


def service_account_groups(namespace: str) -> tuple[str, ...]:
    """The groups every service account of ``namespace`` is in (without ``system:authenticated``)."""
    return (SERVICE_ACCOUNTS_GROUP, f"{SERVICE_ACCOUNTS_GROUP}:{namespace}")


def service_account(namespace: str, name: str, uid: str = "") -> UserInfo:
    """The user a service-account token authenticates as."""
    return UserInfo(
        service_account_username(namespace, name), _with_authenticated(service_account_groups(namespace)), uid
    )


def split_service_account(username: str) -> tuple[str, str] | None:
    """``(namespace, name)`` of a service-account username, or None if it is not one."""
    if not username.startswith(SERVICE_ACCOUNT_PREFIX):
        return None
    namespace, sep, name = username[len(SERVICE_ACCOUNT_PREFIX) :].partition(":")
    if not sep or not namespace or not name or ":" in name:
        return None
    return namespace, name


def node_user(node_name: str) -> UserInfo:
    """The kubelet of ``node_name``: ``system:node:<name>`` in ``system:nodes``."""
    return UserInfo(f"{NODE_USER_PREFIX}{node_name}", (NODES_GROUP, ALL_AUTHENTICATED))
