"""The API server's patch: a json, merge or strategic patch of the stored object, written as an update."""

from __future__ import annotations

from typing import Any

from ktui.api import errors, limits
from ktui.api.auth.user import UserInfo
from ktui.api.decode import Warn, decode_patched
from ktui.api.object_rules import STRATEGIC_KINDS
from ktui.api.objects import copy_json
from ktui.api.registry import Resource
from ktui.api.subresources import handler_for
from ktui.api.writes import Writes

__all__ = ["Patching"]


class Patching(Writes):
    """The patch part of :class:`ktui.api.server.APIServer`."""

    def patch(
        self,
        user: UserInfo,
        r: Resource,
        namespace: str | None,
        name: str,
        patch: Any,
        patch_type: str,
        *,
        dry_run: bool = False,
        subresource: str = "",
        field_validation: str | None = None,
        warn: Warn | None = None,
    ) -> dict:
        """Apply a ``json``, ``merge`` or ``strategic`` patch to the stored object, then update it.

        The patched object is decoded as kube-apiserver's patch handler does (a type error is a 422 on
        ``patch``; unknown fields follow ``field_validation``, warnings go to ``warn``)."""
        from ktui.api.patch import PatchError, apply_json_patch, apply_merge_patch, apply_strategic_merge_patch

        ns = self.namespace_for(r, namespace)
        self.authorize(user, "patch", r, ns, name, subresource)
        limits.check_depth(patch, r.kind, r.version)  # before the patch code walks it
        handler = handler_for(r, subresource) if subresource else None
        if handler is not None and handler.update is not None and handler.get is not None:
            current = handler.get(self, user, r, ns, name)
        else:
            kv = self.store.get(r.key(ns, name))
            if kv is None:
                raise errors.not_found(r.plural, name, r.group)
            self._check_corrupt(r, kv.key)
            current = copy_json(kv.value)
        try:
            if patch_type == "json":
                patched = apply_json_patch(current, patch)
            elif patch_type == "merge":
                patched = apply_merge_patch(current, patch)
            elif patch_type == "strategic":
                if r.kind not in STRATEGIC_KINDS:
                    raise errors.ApiError(
                        {
                            "kind": "Status",
                            "apiVersion": "v1",
                            "metadata": {},
                            "status": "Failure",
                            "message": "the body of the request was in an unknown format - accepted media types include: "
                            "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
                            "reason": "UnsupportedMediaType",
                            "code": 415,
                        }
                    )
                patched = apply_strategic_merge_patch(current, patch, r.kind)
            else:
                raise errors.bad_request(f"unknown patch type {patch_type!r}")
        except PatchError as e:
            raise errors.ApiError(
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "message": str(e),
                    "reason": getattr(e, "reason", "BadRequest"),
                    "code": getattr(e, "code", 400),
                }
            ) from None
        if not isinstance(patched, dict):
            raise errors.bad_request("the patch did not produce an object")
        kind, version = ("Scale", "autoscaling/v1") if subresource == "scale" else (r.kind, r.api_version)
        patched, large = decode_patched(kind, version, patched, patch_type, field_validation, warn, patch)
        patched.setdefault("metadata", {})
        if patched["metadata"].get("name") != name:
            raise errors.bad_request("the name of the object and the name in the request do not match")
        if subresource != "scale":
            patched["metadata"].setdefault("resourceVersion", current["metadata"]["resourceVersion"])
        return self.update(
            user, r, ns, patched, dry_run=dry_run, subresource=subresource, _verb="patch", _decoded=large
        )
