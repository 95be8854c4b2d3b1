"""The admission plugin interface: mutate, then validate, each seeing one request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ktui.api.auth.user import UserInfo
    from ktui.api.registry import Resource

__all__ = ["AdmissionRequest", "AdmissionPlugin", "ClusterReader"]


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
    """One plugin. ``admit`` may change ``req.obj`` (mutating phase); ``validate`` only raises ApiError."""

    name: str

    def admit(self, req: AdmissionRequest) -> None: ...

    def validate(self, req: AdmissionRequest) -> None: ...
