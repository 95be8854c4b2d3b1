"""The API server's checks of a request: authorization, its namespace, the admission phases and field validation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api import errors
from ktui.api.admission.base import AdmissionChain, AdmissionRequest
from ktui.api.auth.attributes import RequestAttributes
from ktui.api.auth.user import UserInfo
from ktui.api.cluster_reader import AdmissionReader
from ktui.api.forgetful import Forgetful
from ktui.api.registry import Resource

if TYPE_CHECKING:
    from ktui.sim.kernel import Kernel

__all__ = ["RequestChecks"]

_OWN = ("metadata", "status")
"""The members of a Node that its checks compare separately (metadata) or never read (status)."""


def _same_members(a: dict, b: Any, skip: str) -> bool:
    """Whether the dicts ``a`` and ``b`` have the same keys with the very same values, ``skip`` aside."""
    if type(b) is not dict or len(a) != len(b):
        return False
    missing = _OWN  # no member's value is this tuple
    for key, value in a.items():
        if b.get(key, missing) is not value and key != skip:
            return False
    return True


class RequestChecks(AdmissionReader):
    """The checks part of :class:`ktui.api.server.APIServer` (which sets what is declared here); admission
    plugins read the cluster through it (:class:`ktui.api.cluster_reader.AdmissionReader`)."""

    kernel: "Kernel"
    authorizer: Any
    admission: list[Any]
    _admission_chain: AdmissionChain
    _valid_specs: dict[int, Any]

    def authorize(
        self, user: UserInfo, verb: str, r: Resource, namespace: str, name: str = "", subresource: str = ""
    ) -> None:
        """Raise Forbidden unless ``user`` may ``verb`` the resource (or its ``subresource``)."""
        quick = getattr(self.authorizer, "allows_node", None)  # a kubelet's usual requests
        if quick is not None and quick(user, verb, r.group, r.plural, subresource, name):
            return
        attrs = RequestAttributes(
            user=user,
            verb=verb,
            namespace=namespace if r.namespaced else "",
            api_group=r.group,
            api_version=r.version,
            resource=r.plural,
            subresource=subresource,
            name=name,
        )
        self.authorizer.check(attrs)

    def namespace_for(self, r: Resource, namespace: str | None, obj: dict | None = None) -> str:
        """The request's namespace ("" for cluster-scoped kinds); 400 when missing or contradicting ``obj``."""
        if not r.namespaced:
            return ""
        obj_ns = (obj or {}).get("metadata", {}).get("namespace") if obj else None
        if obj_ns and namespace and obj_ns != namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        ns = namespace or obj_ns or ""
        if not ns:
            raise errors.bad_request(
                "an empty namespace may not be set during creation" if obj else "namespace is required"
            )
        return ns

    def admit(
        self,
        op: str,
        r: Resource,
        sub: str,
        ns: str,
        name: str,
        obj: dict | None,
        old: dict | None,
        user: UserInfo,
        dry_run: bool,
    ) -> dict | None:
        """Run the mutating admission phase; returns the (possibly changed) object."""
        plugins = self.admission_for(op, r, sub)
        if not plugins:
            return obj
        req = AdmissionRequest(op, r, sub, ns, name, obj, old, user, dry_run, self, self.kernel.now)
        for plugin in plugins:
            plugin.admit(req)
        return req.obj

    def validate_admission(
        self,
        op: str,
        r: Resource,
        sub: str,
        ns: str,
        name: str,
        obj: dict | None,
        old: dict | None,
        user: UserInfo,
        dry_run: bool,
    ) -> None:
        """Run the validating admission phase (raises ApiError on a denial)."""
        plugins = self.admission_for(op, r, sub)
        if not plugins:
            return
        req = AdmissionRequest(op, r, sub, ns, name, obj, old, user, dry_run, self, self.kernel.now)
        for plugin in plugins:
            plugin.validate(req)

    def admission_for(self, op: str, r: Resource, sub: str) -> tuple[Any, ...]:
        """The plugins of the admission chain that handle ``op`` on ``r`` (``sub``), in order: the others
        would do nothing for such a request, and are not called."""
        chain = self.__dict__.get("_admission_chain")
        if chain is None:  # also a server saved before there was one
            chain = self._admission_chain = AdmissionChain()
        return chain.plugins(self.admission, op, r, sub)

    def validate(self, r: Resource, obj: dict, old: dict | None) -> None:
        """Field validation of a create (``old`` None) or an update; 422 Invalid on errors."""
        from ktui.api.validation import validate_create, validate_update

        spec = obj.get("spec") if r.kind == "Pod" else None
        node = r.kind == "Node" and type(obj.get("metadata")) is dict
        if node and old is not None and self._node_valid_before(obj, old):
            return
        if old is None:
            errs = validate_create(obj)
        else:
            errs = validate_update(obj, old, spec is not None and self._valid_specs.get(id(spec)) is spec)
        if errs:
            raise errors.invalid(r.kind, obj.get("metadata", {}).get("name", ""), errs, r.group)
        if node:
            valid = self.__dict__.get("_valid_nodes")
            if valid is None or len(valid) >= 16384:
                valid = self._valid_nodes = Forgetful()
            valid[obj["metadata"].get("name")] = (obj["metadata"], {k: v for k, v in obj.items() if k not in _OWN})
        if spec is not None:
            if len(self._valid_specs) >= 8192:
                self._valid_specs.clear()
            self._valid_specs[id(spec)] = spec  # kept alive here, so its id names no other object

    def _node_valid_before(self, obj: dict, old: dict) -> bool:
        """Whether the Node ``obj`` is valid as an update of ``old`` because this server found it so before:
        its metadata is ``old``'s (the very values, but the resourceVersion), and its metadata and all but
        its status are the very values of a Node this server validated without an error. A Node's checks
        read its metadata (and the stored one's) and its spec, never its status; an update with the stored
        metadata can fail only where the metadata alone fails, which it did not."""
        valid = self.__dict__.get("_valid_nodes")
        md = obj["metadata"]
        known = valid.get(md.get("name")) if valid is not None else None
        if known is None or not _same_members(md, old.get("metadata"), "resourceVersion"):
            return False
        return _same_members(md, known[0], "resourceVersion") and _same_members(
            {k: v for k, v in obj.items() if k not in _OWN}, known[1], ""
        )

    def bound_spec(self, old: dict | None, new: dict | None) -> None:
        """``new`` is the stored spec ``old`` with ``nodeName`` set (a Binding): when ``old`` passed the spec
        checks, so does ``new`` if the node name is a valid one (the only check ``nodeName`` enters, alone),
        and a */status update that keeps it need not run them again."""
        from ktui.api.validation.names import name_is_dns_subdomain

        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        before: dict = old
        after: dict = new
        valid = self._valid_specs
        if valid.get(id(before)) is not old or valid.get(id(after)) is new:
            return
        if before.get("nodeName") or len(after) != len(before) + ("nodeName" not in before):
            return
        node = after.get("nodeName")
        if type(node) is not str or name_is_dns_subdomain(node):
            return
        if any(v is not before.get(k) for k, v in after.items() if k != "nodeName"):
            return
        if len(valid) >= 8192:
            valid.clear()
        valid[id(after)] = after
