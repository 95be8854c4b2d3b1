"""The attributes of one request that authorization decides on, as ``authorizer.AttributesRecord``."""

from __future__ import annotations

from dataclasses import dataclass

from ktui.api.auth.user import UserInfo

__all__ = ["RequestAttributes"]


@dataclass(frozen=True)
class RequestAttributes:
    """What a request asks to do: who, which verb, on what.

    A resource request names a resource (plural, e.g. ``pods``) and optionally a subresource (``log``),
    an object name and a namespace; a non-resource request names a URL ``path`` instead.
    """

    user: UserInfo
    """The requesting user."""
    verb: str
    """The API verb: get, list, watch, create, update, patch, delete, deletecollection, impersonate..."""
    namespace: str = ""
    """The namespace, empty for cluster-scoped resources and cluster-wide lists."""
    api_group: str = ""
    """The API group, empty for the core group."""
    api_version: str = ""
    """The API version of the request (not used by RBAC)."""
    resource: str = ""
    """The plural resource name."""
    subresource: str = ""
    """The subresource (``log``, ``status``, ``scale``...), or empty."""
    name: str = ""
    """The object name, empty for list, watch-all, and create without a name."""
    resource_request: bool = True
    """False for non-resource URLs such as ``/healthz``."""
    path: str = ""
    """The request path, which RBAC matches only for non-resource requests."""

    @classmethod
    def non_resource(cls, user: UserInfo, verb: str, path: str) -> "RequestAttributes":
        """A request for a non-resource URL such as ``/version``."""
        return cls(user=user, verb=verb, resource_request=False, path=path)

    @property
    def combined_resource(self) -> str:
        """``resource`` or ``resource/subresource``, as RBAC matches it."""
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource
