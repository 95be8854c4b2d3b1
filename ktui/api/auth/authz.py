"""The authorization stage: RBAC over an index the API server keeps current from its own writes."""

from __future__ import annotations

from ktui.api.auth.attributes import RequestAttributes
from ktui.api.auth.rbac import Decision, RbacIndex, node_allows
from ktui.api.auth.user import UserInfo

__all__ = ["Authorizer"]


class Authorizer:
    """``check`` raises the real 403 when RBAC (with the ``system:masters`` bypass) denies a request."""

    def __init__(self) -> None:
        self.rbac = RbacIndex()
        """Roles and bindings by subject; the API server adds and removes them as they are stored."""

    def decide(self, attrs: RequestAttributes) -> Decision:
        return self.rbac.authorize(attrs)

    def allows_node(
        self, user: UserInfo, verb: str, api_group: str, resource: str, subresource: str, name: str
    ) -> bool:
        """True when the Node authorizer allows this kubelet request (then :meth:`check` would too); False
        when the full check must decide."""
        return node_allows(user, verb, api_group, resource, subresource, name)

    def check(self, attrs: RequestAttributes) -> None:
        if not self.rbac.authorize(attrs).allowed:
            from ktui.api.auth.forbidden import forbidden_error

            raise forbidden_error(attrs)
