"""The admission plugin interface: mutate, then validate, each seeing one request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ktui.api.auth.user import UserInfo
    from ktui.api.registry import Resource

__all__ = ["AdmissionChain", "AdmissionRequest", "AdmissionPlugin", "ClusterReader", "handles"]


class ClusterReader(Protocol):
    """Read access for admission plugins (the real ones use informer listers): no authz, no copies."""

    def get_object(self, resource: str, namespace: str | None, name: str) -> dict | None: ...

    def list_objects(self, resource: str, namespace: str | None = None) -> list[dict]: ...

    def write_status(self, resource: str, obj: dict) -> dict:
        """Store a status change made by the API server itself (e.g. quota usage)."""
        ...


@dataclass
class AdmissionRequest:
    """What one admission plugin sees of a request."""

    operation: str
    """CREATE, UPDATE, DELETE or CONNECT."""
    resource: "Resource"
    subresource: str
    namespace: str
    name: str
    obj: dict | None
    """The object being written (a private copy the plugin may change in ``admit``)."""
    old: dict | None
    user: "UserInfo"
    dry_run: bool
    reader: ClusterReader
    now: float
    """Simulated seconds."""
    extra: dict[str, Any] = field(default_factory=dict)


class AdmissionPlugin(Protocol):
    """One plugin. ``admit`` may change ``req.obj`` (mutating phase); ``validate`` only raises ApiError.

    ``handles`` says which requests the plugin acts on at all, as ``admission.Handler.Handles`` does for the
    operation (narrowed here to the resource and subresource too): for any other request both ``admit`` and
    ``validate`` do nothing, and the chain does not call them (:class:`AdmissionChain`)."""

    name: str

    def handles(self, operation: str, resource: "Resource", subresource: str) -> bool: ...

    def admit(self, req: AdmissionRequest) -> None: ...

    def validate(self, req: AdmissionRequest) -> None: ...


def handles(plugin: Any, operation: str, resource: "Resource", subresource: str) -> bool:
    """Whether ``plugin`` may act on such a request; a plugin that does not say (no ``handles``) acts on all."""
    declared = getattr(plugin, "handles", None)
    return True if declared is None else bool(declared(operation, resource, subresource))


class AdmissionChain:
    """The plugins of an admission chain that handle each kind of request (operation, resource,
    subresource), in the chain's order, worked out once per kind of request.

    A cache of the chain it was last asked about: asked about another chain (a list with other plugins, or
    the same list changed), it starts afresh. A copy or a saved server starts empty.
    """

    def __init__(self) -> None:
        self._of: list[Any] = []
        self._by: dict[tuple, tuple[Any, ...]] = {}

    def __deepcopy__(self, memo: dict) -> "AdmissionChain":
        return AdmissionChain()

    def __reduce__(self) -> tuple:
        return (AdmissionChain, ())

    def plugins(self, chain: list[Any], operation: str, resource: "Resource", subresource: str) -> tuple[Any, ...]:
        """The plugins of ``chain`` that handle ``operation`` on ``resource`` (``subresource``), in order."""
        if self._of != chain:  # plugins compare by identity: a cheap check that this is the chain cached
            self._of = list(chain)
            self._by = {}
        key = (operation, subresource, resource.plural, resource.group, resource.kind, resource.namespaced)
        found = self._by.get(key)
        if found is None:
            found = self._by[key] = tuple(p for p in chain if handles(p, operation, resource, subresource))
        return found
