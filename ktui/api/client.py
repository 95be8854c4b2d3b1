"""The API client every component, kubectl and the UI use: resources named as kubectl names them."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, Callable

from ktui.api import errors
from ktui.api.auth.attributes import RequestAttributes
from ktui.api.auth.forbidden import rules_review_status
from ktui.api.auth.user import UserInfo, authenticated
from ktui.api.reads import ListOptions
from ktui.api.registry import Resource, UnknownResource

if TYPE_CHECKING:
    from ktui.api.server import APIServer
    from ktui.api.watch import ApiWatch

__all__ = ["Client"]


def _dry(dry_run: bool | str | None) -> bool:
    return bool(dry_run) and dry_run not in ("none", "None")


class Client:
    """A connection to the API server as one identity.

    Resource arguments take any name kubectl accepts: ``pods``, ``pod``, ``po``, ``Pod``, ``deployments.apps``.
    Errors are raised as :class:`ktui.api.errors.ApiError` carrying the Status the server answered.
    """

    def __init__(
        self, server: "APIServer", user: UserInfo, warning_handler: Callable[[str], None] | None = None
    ) -> None:
        self.server = server
        self.user = user
        self.warning_handler = warning_handler
        """Receives each warning the server answers (``unknown field "spec.foo"``), as client-go's
        WarningHandler; None drops them."""

    def with_warning_handler(self, handler: Callable[[str], None] | None) -> "Client":
        """The same connection with warnings going to ``handler``."""
        return Client(self.server, self.user, handler)

    # ------------------------------------------------------------------ plumbing

    def resource(self, name: str) -> Resource:
        try:
            return self.server.registry.resolve(name)
        except UnknownResource:
            raise errors.ApiError(
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "message": f'the server doesn\'t have a resource type "{name}"',
                    "reason": "NotFound",
                    "details": {"kind": name},
                    "code": 404,
                }
            ) from None

    def _ns(self, r: Resource, namespace: str | None, obj: dict | None = None) -> str | None:
        if not r.namespaced:
            return None
        if namespace:
            return namespace
        if obj and (obj.get("metadata") or {}).get("namespace"):
            return obj["metadata"]["namespace"]
        return "default"

    def impersonate(self, user: str, groups: tuple[str, ...] | list[str] = ()) -> "Client":
        """A client acting as ``user`` (``--as``/``--as-group``); needs the ``impersonate`` verb."""
        authz = self.server.authorizer
        checks = [("users", user)] + [("groups", g) for g in groups]
        for resource, name in checks:
            attrs = RequestAttributes(user=self.user, verb="impersonate", resource=resource, name=name)
            authz.check(attrs)
        return Client(self.server, authenticated(user, tuple(groups)), self.warning_handler)

    # ------------------------------------------------------------------ verbs

    def get(
        self, resource: str, name: str, namespace: str | None = None, *, subresource: str = "", shared: bool = False
    ) -> dict:
        """Read one object: a copy of it, or with ``shared`` the stored object itself (no copy), which the
        caller must never change (for a component that only reads and compares)."""
        r = self.resource(resource)
        ns = self._ns(r, namespace)
        return self.server.get(self.user, r, ns, name, subresource, shared=shared)

    def list(
        self,
        resource: str,
        namespace: str | None = None,
        *,
        label_selector: str = "",
        field_selector: str = "",
        limit: int = 0,
        continue_token: str = "",
        resource_version: str = "",
    ) -> dict:
        """List objects; ``namespace=None`` lists across all namespaces."""
        r = self.resource(resource)
        opts = ListOptions(label_selector, field_selector, limit, continue_token, resource_version)
        return self.server.list(self.user, r, namespace, opts)

    def watch(
        self,
        resource: str,
        callback: Callable[[str, dict], None],
        namespace: str | None = None,
        *,
        label_selector: str = "",
        field_selector: str = "",
        resource_version: str = "",
    ) -> "ApiWatch":
        """Watch objects; ``callback(type, obj)`` runs on the simulation clock. ``.stop()`` ends it."""
        r = self.resource(resource)
        opts = ListOptions(label_selector, field_selector, resource_version=resource_version)
        return self.server.watch(self.user, r, namespace if r.namespaced else None, callback, opts)

    def create(
        self,
        resource: str,
        obj: dict,
        namespace: str | None = None,
        *,
        dry_run: bool | str = False,
        subresource: str = "",
        name: str = "",
        field_validation: str | None = None,
        shared: bool = False,
    ) -> dict:
        """Create ``obj``. ``field_validation``: ``Strict``, ``Warn`` (the server's default) or ``Ignore``
        for unknown fields; warnings go to :attr:`warning_handler`. ``shared``: the answer is the stored
        object itself, not a copy, and the caller never changes it (for callers that ignore the answer)."""
        r = self.resource(resource)
        ns = self._ns(r, namespace, obj)
        return self.server.create(
            self.user,
            r,
            ns,
            obj,
            dry_run=_dry(dry_run),
            subresource=subresource,
            parent_name=name,
            field_validation=field_validation,
            warn=self.warning_handler,
            shared=shared,
        )

    def update(
        self,
        resource: str,
        obj: dict,
        namespace: str | None = None,
        *,
        dry_run: bool | str = False,
        subresource: str = "",
        field_validation: str | None = None,
        shared: bool = False,
    ) -> dict:
        """Replace ``obj`` (or its ``subresource``). ``shared``: the answer is the stored object itself, not
        a copy, and the caller never changes it."""
        r = self.resource(resource)
        ns = self._ns(r, namespace, obj)
        return self.server.update(
            self.user,
            r,
            ns,
            obj,
            dry_run=_dry(dry_run),
            subresource=subresource,
            field_validation=field_validation,
            warn=self.warning_handler,
            shared=shared,
        )

    def patch(
        self,
        resource: str,
        name: str,
        patch: Any,
        namespace: str | None = None,
        *,
        patch_type: str = "strategic",
        dry_run: bool | str = False,
        subresource: str = "",
        field_validation: str | None = None,
    ) -> dict:
        """``patch_type`` is ``strategic`` (kubectl's default), ``merge`` or ``json``."""
        r = self.resource(resource)
        ns = self._ns(r, namespace)
        return self.server.patch(
            self.user,
            r,
            ns,
            name,
            patch,
            patch_type,
            dry_run=_dry(dry_run),
            subresource=subresource,
            field_validation=field_validation,
            warn=self.warning_handler,
        )

    def delete(
        self,
        resource: str,
        name: str,
        namespace: str | None = None,
        *,
        grace_period_seconds: int | None = None,
        propagation_policy: str | None = None,
        preconditions: dict | None = None,
        dry_run: bool | str = False,
    ) -> dict:
        r = self.resource(resource)
        ns = self._ns(r, namespace)
        return self.server.delete(
            self.user,
            r,
            ns,
            name,
            grace_period_seconds=grace_period_seconds,
            propagation_policy=propagation_policy,
            preconditions=preconditions,
            dry_run=_dry(dry_run),
        )

    def delete_collection(
        self,
        resource: str,
        namespace: str | None = None,
        *,
        label_selector: str = "",
        field_selector: str = "",
        **kwargs: Any,
    ) -> builtins.list[dict]:
        r = self.resource(resource)
        ns = self._ns(r, namespace)
        return self.server.delete_collection(self.user, r, ns, ListOptions(label_selector, field_selector), **kwargs)

    def log(self, name: str, namespace: str | None = None, **opts: Any) -> str:
        """pods/log: ``container=``, ``previous=``, ``tail_lines=``, ``timestamps=``."""
        r = self.resource("pods")
        return self.server.get(self.user, r, self._ns(r, namespace) or "default", name, "log", **opts)

    def can_i(
        self,
        verb: str,
        resource: str = "",
        namespace: str | None = None,
        name: str = "",
        subresource: str = "",
        non_resource_url: str = "",
    ) -> dict:
        """A SelfSubjectAccessReview's status: ``{"allowed": bool, "reason": ...}``."""
        if non_resource_url:
            attrs = RequestAttributes.non_resource(self.user, verb, non_resource_url)
        else:
            r = self.resource(resource)
            attrs = RequestAttributes(
                user=self.user,
                verb=verb,
                namespace=(namespace or "") if r.namespaced else "",
                api_group=r.group,
                api_version=r.version,
                resource=r.plural,
                subresource=subresource,
                name=name,
            )
        d = self.server.authorizer.decide(attrs)
        out: dict[str, Any] = {"allowed": d.allowed}
        if d.reason:
            out["reason"] = d.reason
        return out

    def metrics(
        self,
        resource: str,
        namespace: str | None = None,
        name: str = "",
        *,
        label_selector: str = "",
        field_selector: str = "",
    ) -> dict:
        """``metrics.k8s.io/v1beta1``: the NodeMetrics/PodMetrics (``resource`` ``nodes`` or ``pods``) named, or
        their list (see :func:`ktui.api.metrics.read_metrics`)."""
        from ktui.api.metrics import read_metrics

        return read_metrics(self.server, self.user, resource, namespace, name, label_selector, field_selector)

    def rules_review(self, namespace: str = "") -> dict:
        """A SelfSubjectRulesReview's status (``kubectl auth can-i --list``): the RBAC rules granted to this
        client's user in ``namespace``, cluster-wide rules included."""
        return rules_review_status(self.server.authorizer.rbac, self.user, namespace)
