"""The API server's writes: create, update (or a Lease renewal's short path) and the store write after them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api import errors, limits
from ktui.api.auth.user import UserInfo
from ktui.api.decode import Warn, decode_sized
from ktui.api.forgetful import Forgetful
from ktui.api.object_rules import keep_system_meta, order_meta, order_top, unchanged
from ktui.api.objects import copy_json
from ktui.api.registry import Resource
from ktui.api.renewal import note_written, renew
from ktui.api.request_checks import RequestChecks
from ktui.api.store_events import StoreEvents
from ktui.api.strategy import prepare_for_create, prepare_for_status_update, prepare_for_update
from ktui.api.subresources import handler_for
from ktui.sim.timefmt import rfc3339
from ktui.store.errors import KeyExists, KeyNotFound, RevisionConflict

if TYPE_CHECKING:
    from ktui.sim.rng import SeededRandom

__all__ = ["Writes"]


class Writes(RequestChecks, StoreEvents):
    """The write part of :class:`ktui.api.server.APIServer` (which sets what is declared here)."""

    rng: "SeededRandom"
    requests: int

    def create(
        self,
        user: UserInfo,
        r: Resource,
        namespace: str | None,
        obj: dict,
        *,
        dry_run: bool = False,
        subresource: str = "",
        parent_name: str = "",
        field_validation: str | None = None,
        warn: Warn | None = None,
        shared: bool = False,
    ) -> dict:
        """Create an object (the answer is a copy of what was stored, or with ``shared`` the stored object,
        which the caller never changes). The body is decoded against the kind's v1.37 schema first (see
        :func:`ktui.api.decode.decode_body`): a wrongly typed body is a 400 and nothing else happens.

        ``field_validation`` is the ``fieldValidation`` parameter (``Strict``, ``Warn`` — the default when
        None — or ``Ignore``); under ``Warn`` each unknown field is passed to ``warn`` as
        ``unknown field "spec.foo"`` (the HTTP layer turns each into a ``Warning: 299 - "..."`` header).
        """
        self.requests += 1
        if subresource:
            ns = self.namespace_for(r, namespace)
            name = parent_name or obj.get("metadata", {}).get("name", "")
            handler = handler_for(r, subresource)
            if handler is None or handler.create is None:
                raise errors.not_found(f"{r.plural}/{subresource}", name, r.group)
            return handler.create(self, user, r, ns, name, obj, dry_run)
        if not isinstance(obj, dict):
            raise errors.bad_request("the body of the request was in an unknown format")
        obj, large = decode_sized(r.kind, r.api_version, obj, field_validation, warn)  # a new tree
        ns = self.namespace_for(r, namespace, obj)
        md = dict(obj.get("metadata") or {})
        obj["metadata"] = md
        obj["apiVersion"], obj["kind"] = r.api_version, r.kind
        if not md.get("name") and md.get("generateName"):
            md["name"] = md["generateName"] + self.rng.suffix()
        name = md.get("name", "")
        self.authorize(user, "create", r, ns, "")
        if r.namespaced:
            md["namespace"] = ns
        else:
            md.pop("namespace", None)
        from ktui.api.defaults import apply_defaults

        obj = apply_defaults(obj, copy=False)  # the decoded body is a fresh tree
        md = obj["metadata"]
        obj = prepare_for_create(r.kind, obj, r.has_status)
        if r.kind == "CertificateSigningRequest":
            from ktui.api.csr import prepare_csr_create

            obj = prepare_csr_create(obj, user)  # the requesting user, whatever the body said
        md = obj["metadata"]
        for k in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields"):
            md.pop(k, None)
        md["uid"] = self.rng.uid()
        md["creationTimestamp"] = rfc3339(self.kernel.now)
        if r.kind == "Job":
            from ktui.api.defaults import job_prepare_for_create

            job_prepare_for_create(obj, md["uid"])  # in place: the controller-uid selector and labels
        if r.kind not in (
            "Event",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "Namespace",
            "Node",
            "Endpoints",
            "EndpointSlice",
            "Lease",
            "Role",
            "ClusterRole",
            "RoleBinding",
            "ClusterRoleBinding",
            "LimitRange",
            "ResourceQuota",
            "PriorityClass",
            "ControllerRevision",
            "Binding",
            "CertificateSigningRequest",
        ):
            md["generation"] = 1
        obj = self.admit("CREATE", r, "", ns, name, obj, None, user, dry_run)  # type: ignore[assignment]
        self.validate(r, obj, None)
        if r.plural == "services" and self.allocator is not None:
            obj = self.allocator.allocate(obj, None, dry_run)
        self.validate_admission("CREATE", r, "", ns, name, obj, None, user, dry_run)
        key = r.key(ns, name)
        if self.store.get(key) is not None:
            raise errors.already_exists(r.plural, name, r.group)
        if dry_run:
            return copy_json(obj)
        obj["metadata"] = order_meta(obj["metadata"])
        obj["metadata"]["resourceVersion"] = self._next_rv()
        obj = order_top(obj)
        if large:
            limits.check_stored(obj, self._spec_sizes())
        self._trusted = obj
        try:
            self.store.create(key, obj)
        except KeyExists:
            raise errors.already_exists(r.plural, name, r.group)
        return obj if shared else copy_json(obj)

    def update(
        self,
        user: UserInfo,
        r: Resource,
        namespace: str | None,
        obj: dict,
        *,
        dry_run: bool = False,
        subresource: str = "",
        _verb: str = "update",
        field_validation: str | None = None,
        warn: Warn | None = None,
        _decoded: bool | None = None,
        shared: bool = False,
    ) -> dict:
        """Replace an object (or its ``status``/``scale``/``finalize`` subresource). The body is decoded
        first, as for :meth:`create` (``field_validation`` and ``warn`` mean the same); ``shared``: the
        answer is the stored object itself, which the caller never changes."""
        self.requests += 1
        if r.kind == "Lease" and not (subresource or dry_run or field_validation or _decoded is not None):
            renewed = renew(self, user, r, namespace, obj, shared)  # the full pipeline's outcome, sooner
            if renewed is not None:
                return renewed
        if not isinstance(obj, dict):
            raise errors.bad_request("the body of the request was in an unknown format")
        large = bool(_decoded)  # from patch: whether the patched object may be too large to store
        if _decoded is None:
            kind, version = ("Scale", "autoscaling/v1") if subresource == "scale" else (r.kind, r.api_version)
            known = self._stored_for_status(r, namespace, obj) if subresource == "status" else None
            obj, large = decode_sized(kind, version, obj, field_validation, warn, "UpdateOptions", known)
        obj = dict(obj)  # shallow: the status copy or apply_defaults below makes the deep copy
        ns = self.namespace_for(r, namespace, obj)
        md = obj.get("metadata") or {}
        name = md.get("name", "")
        if not name:
            raise errors.bad_request("name is required")
        handler = handler_for(r, subresource) if subresource else None
        if handler is not None and handler.update is not None:
            return handler.update(self, user, r, ns, name, obj, dry_run, _verb)
        self.authorize(user, _verb, r, ns, name, subresource)
        kv = self.store.get(r.key(ns, name))
        if kv is None:
            raise errors.not_found(r.plural, name, r.group)
        self._check_corrupt(r, kv.key)
        old = kv.value
        rv = md.get("resourceVersion")
        if rv and rv != old["metadata"].get("resourceVersion"):
            raise errors.conflict(r.plural, name, r.group)
        obj["apiVersion"], obj["kind"] = r.api_version, r.kind
        if subresource == "status":
            new = prepare_for_status_update(obj, old, fresh=True)  # the decoded status is this request's own
        elif subresource == "finalize" and r.kind == "Namespace":
            new = copy_json(old)
            new["spec"] = {
                **(new.get("spec") or {}),
                "finalizers": list((obj.get("spec") or {}).get("finalizers") or []),
            }
            if not new["spec"]["finalizers"]:
                new["spec"].pop("finalizers")
            new["metadata"]["resourceVersion"] = md.get("resourceVersion") or old["metadata"]["resourceVersion"]
        elif subresource:
            raise errors.not_found(r.plural, name, r.group)
        else:
            from ktui.api.defaults import apply_defaults

            new = apply_defaults(obj, copy=False)  # the decoded body is a fresh tree
            new["metadata"] = keep_system_meta(dict(new.get("metadata") or {}), old["metadata"])
            if r.namespaced:
                new["metadata"]["namespace"] = ns
            new = prepare_for_update(r.kind, new, old, r.has_status)
        new = self.admit("UPDATE", r, subresource, ns, name, new, old, user, dry_run)  # type: ignore[assignment]
        self.validate(r, new, old)
        if r.plural == "services" and self.allocator is not None and not subresource:
            new = self.allocator.allocate(new, old, dry_run)
        self.validate_admission("UPDATE", r, subresource, ns, name, new, old, user, dry_run)
        if dry_run:
            return copy_json(new)
        if unchanged(new, old):
            # a no-op update writes nothing and keeps the resourceVersion, as etcd3 storage
            return old if shared else copy_json(old)
        return self.store_update(r, ns, name, new, kv.mod_revision, large, copy=not shared)

    def _stored_for_status(self, r: Resource, namespace: str | None, body: Any) -> dict | None:
        """For a */status update: the stored object the body names, when this server wrote it (its parts
        that the body shares by identity decode to themselves and are not decoded again); else None."""
        md = body.get("metadata") if isinstance(body, dict) else None
        if not isinstance(md, dict) or handler_for(r, "status") is not None:
            return None
        name, ns = md.get("name"), (namespace or md.get("namespace") or "") if r.namespaced else ""
        if not isinstance(name, str) or not isinstance(ns, str) or not name:
            return None
        key = r.key(ns, name)
        kv = self.store.get(key)
        if kv is None or key in self._foreign or key in self._corrupt:
            return None
        return kv.value

    def store_update(
        self, r: Resource, ns: str, name: str, new: dict, expected_rev: int, large: bool = True, copy: bool = True
    ) -> dict:
        """Write ``new`` over the stored object if it is still at ``expected_rev`` (409 otherwise); the
        answer is a copy of what was stored, or (``copy`` False) the stored object itself."""
        new["metadata"] = order_meta(new["metadata"])
        md = new["metadata"]
        finalized = (
            bool(md.get("deletionTimestamp")) and not md.get("finalizers") and not md.get("deletionGracePeriodSeconds")
        )
        if r.kind == "Namespace":
            finalized = finalized and not (new.get("spec") or {}).get("finalizers")
        if finalized:
            # The last finalizer is gone: the object is removed now.
            try:
                self.store.delete(r.key(ns, name), expected_mod_revision=expected_rev)
            except RevisionConflict:
                raise errors.conflict(r.plural, name, r.group)
            return copy_json(new)
        md["resourceVersion"] = self._next_rv()
        new = order_top(new)
        parts = None
        if large:
            if r.kind == "Node":
                parts = self._stored_parts(r.key(ns, name))
                limits.check_stored(new, parts=parts)
            else:
                limits.check_stored(new, self._spec_sizes())
        self._trusted = new
        try:
            self.store.update(r.key(ns, name), new, expected_mod_revision=expected_rev)
        except RevisionConflict:
            raise errors.conflict(r.plural, name, r.group)
        except KeyNotFound:
            raise errors.not_found(r.plural, name, r.group)
        if parts is not None:
            limits.restamp(parts, new)  # the store shared its parts in place
        if r.kind == "Lease":
            note_written(self, r.key(ns, name), new)  # its next renewal may take the short path
        return copy_json(new) if copy else new

    def _stored_parts(self, key: str) -> dict[Any, tuple[Any, int]]:
        """The encoded sizes of the stored Node ``key``'s larger parts (``limits.stored_size``): a status
        update keeps most of them, which need not be measured again; bounded, left out of copies."""
        parts = self.__dict__.get("_parts")
        if parts is None or (len(parts) >= 16384 and key not in parts):
            parts = self._parts = Forgetful()
        known = parts.get(key)
        if known is None:
            known = parts[key] = {}
        return known

    def _spec_sizes(self) -> dict[int, tuple[Any, int]]:
        """The encoded sizes of stored specs this server measured, by identity (a */status update keeps the
        stored spec, whose size need not be measured again); bounded, and left out of copies and snapshots."""
        sizes = self.__dict__.get("_sizes")
        if sizes is None or len(sizes) >= 8192:
            sizes = self._sizes = Forgetful()
        return sizes
