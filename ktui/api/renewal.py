"""A Lease renewal (an update that changes only ``spec.renewTime``) written without re-checking what did not change.

Every kubelet renews its node Lease every 10 s by updating the Lease it last wrote with a new renewTime, so at
5,000 nodes these are most of an idle cluster's writes. When the body is the stored Lease with only
``spec.renewTime`` changed, and the stored Lease was itself written through the full update pipeline (or this
path), the full pipeline's outcome is known without running it: decoding gives the body back (its fields are
the stored, already decoded ones and a valid time), defaulting adds nothing to a Lease, no admission plugin
of the API server's chain acts on a Lease update, and validation (ObjectMeta only, for Leases) passes because
the metadata is the stored one. What is still done is what depends on the request: authorization, the
resourceVersion, the write and its watch events. Anything else (another field changed, a wrongly typed
value, a Lease written around the API, dry run, a conflict) takes the full pipeline, which gives every error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ktui.api import limits
from ktui.api.gotypes import time_error
from ktui.api.objects import copy_json

if TYPE_CHECKING:
    from ktui.api.auth.user import UserInfo
    from ktui.api.registry import Resource
    from ktui.store.protocol import Store


class LeaseStorage(Protocol):
    """What the short path uses of :class:`ktui.api.server.APIServer` (which calls it; no import back)."""

    store: "Store"
    _corrupt: Any
    _trusted: Any
    _metadata_kept: Any
    _trusted_as: Any

    def authorize(
        self, user: "UserInfo", verb: str, r: "Resource", namespace: str, name: str = "", subresource: str = ""
    ) -> None: ...

    def _next_rv(self) -> str: ...

    def admission_for(self, op: str, r: "Resource", sub: str) -> tuple[Any, ...]: ...


__all__ = ["Renewals", "renew", "note_written", "same_json"]

_MAX_STORED = limits.MAX_STORED_BYTES // 2
"""Leases larger than this take the full pipeline (it measures the stored size; this path does not)."""
_MAX_TIME = 64
"""Longest renewTime this path takes (a bound on how much a renewal can grow the stored Lease)."""
_MISSING = object()


class Renewals:
    """Which stored Leases were written through the full update pipeline or :func:`renew` (so are known to be
    decodable, valid and ordered as the pipeline stores them), by store key.

    A cache: a copy or a saved world starts empty, and a Lease not in it takes the full pipeline once.
    """

    def __init__(self) -> None:
        self.known: dict[str, dict] = {}
        """The stored value of each key as last written by the API server's update path."""

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.known = {}

    def __deepcopy__(self, memo: dict) -> "Renewals":
        return Renewals()


def _renewals(server: "LeaseStorage") -> Renewals:
    rec = server.__dict__.get("_renewals")
    if rec is None:
        rec = server._renewals = Renewals()  # type: ignore[attr-defined]
    return rec


def note_written(server: "LeaseStorage", key: str, value: dict) -> None:
    """Remember that ``value`` was stored at ``key`` by the full update pipeline (called by the server)."""
    known = _renewals(server).known
    if limits.encoded_size(value) <= _MAX_STORED:
        known[key] = value
    else:
        known.pop(key, None)


def same_json(a: Any, b: Any) -> bool:
    """JSON equality that also tells types apart (``True`` is not ``1``, ``1.0`` is not ``1``). A copy of
    the stored object shares its strings and numbers, so most values are the same objects."""
    if a is b:
        return True
    t = type(a)
    if t is not type(b):
        return False
    if t is dict:
        if len(a) != len(b):
            return False
        for k, v in a.items():
            w = b.get(k, _MISSING)
            if v is not w and (w is _MISSING or not same_json(v, w)):
                return False
        return True
    if t is list:
        if len(a) != len(b):
            return False
        for v, w in zip(a, b):
            if v is not w and not same_json(v, w):
                return False
        return True
    return a == b


def renew(
    server: "LeaseStorage", user: "UserInfo", r: "Resource", namespace: str | None, obj: Any, shared: bool = False
) -> dict | None:
    """Write a Lease renewal as :meth:`APIServer.update` would, or return None when ``obj`` is not one this
    path may take (the caller then runs the full pipeline). Raises what the full pipeline would raise at
    authorization (the only check whose answer the body does not settle). The answer is a copy of what was
    stored, or with ``shared`` the stored object itself (never to be changed by the caller)."""
    if type(obj) is not dict or not namespace:
        return None
    md = obj.get("metadata")
    spec = obj.get("spec")
    if type(md) is not dict or type(spec) is not dict:
        return None
    name = md.get("name")
    if type(name) is not str or not name or md.get("namespace") != namespace:
        return None
    key = r.key(namespace, name)
    kv = server.store.get(key)
    if kv is None:
        return None
    old = kv.value
    if old is None:
        return None
    rec = server.__dict__.get("_renewals") or _renewals(server)
    if rec.known.get(key) is not old:  # written by the full pipeline, and nothing since
        return None
    assert old is not None  # (mypy: `is not` above narrows to the Optional it compares with)
    omd, ospec = old.get("metadata"), old.get("spec")
    if type(omd) is not dict or type(ospec) is not dict:
        return None
    if len(obj) != len(old) or len(spec) != len(ospec) or omd.get("deletionTimestamp") is not None:
        return None
    for k, v in obj.items():
        if k == "metadata" or k == "spec":
            continue
        ov = old.get(k, _MISSING)
        if type(v) is not str or type(ov) is not str or v != ov:
            return None
    renew_time = spec.get("renewTime")
    if type(renew_time) is not str or len(renew_time) > _MAX_TIME:
        return None
    old_time = ospec.get("renewTime", _MISSING)
    if old_time is _MISSING or renew_time == old_time:
        return None
    for k, v in spec.items():
        if k != "renewTime":
            ov = ospec.get(k, _MISSING)
            if type(v) is not type(ov) or v != ov:
                return None
    if md is not omd and not same_json(md, omd):
        return None
    if time_error(renew_time) is not None:
        return None
    if server._corrupt and key in server._corrupt:
        return None
    if server.admission_for("UPDATE", r, ""):  # a plugin that acts on Lease updates: the full pipeline
        return None
    server.authorize(user, "update", r, namespace, name, "")
    # The body's key order, the stored values (equal, checked above) where they are not the very same: the
    # new Lease shares every part with the stored one but its metadata and spec dicts, the new renewTime and
    # resourceVersion, so the store's sharing of equal parts has nothing to find and is skipped.
    new_spec = dict(spec)
    for k, v in new_spec.items():
        if k != "renewTime" and v is not ospec[k]:
            new_spec[k] = ospec[k]
    new = {**old, "metadata": {**omd, "resourceVersion": server._next_rv()}, "spec": new_spec}
    server._trusted = new
    server._metadata_kept = new  # its metadata is the stored one's but for the resourceVersion
    server._trusted_as = (new, r)  # what the store event of this write is (no lookup of the key's resource)
    server.store.update(key, new, expected_mod_revision=kv.mod_revision, share=False)
    rec.known[key] = new
    return new if shared else copy_json(new)
