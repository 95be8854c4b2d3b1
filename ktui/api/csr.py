"""CertificateSigningRequest strategies: who asked (set on create), and the ``/status`` and ``/approval`` paths.

As pkg/registry/certificates/certificates/strategy.go: a create records the requesting user in
``spec.username``, ``uid``, ``groups`` and ``extra`` (whatever the client sent) and starts with an empty
status; a main-resource update changes metadata only; ``/status`` may change everything in the status but
the Approved and Denied conditions, ``/approval`` only the conditions. Each is validated by
:func:`ktui.api.validation.certificates.validate_csr_update` with the options of its path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api import errors
from ktui.api.object_rules import unchanged
from ktui.api.objects import copy_json
from ktui.api.validation.certificates import validate_csr_update
from ktui.sim.timefmt import rfc3339

if TYPE_CHECKING:
    from ktui.api.auth.user import UserInfo
    from ktui.api.registry import Resource

ParentStorage = Any
"""The API server as a subresource handler sees it (:class:`ktui.api.subresources.ParentStorage`)."""

__all__ = ["prepare_csr_create", "prepare_csr_update", "get_csr", "update_csr"]

_SPEC_ORDER = ("request", "signerName", "expirationSeconds", "usages", "username", "uid", "groups", "extra")
_CONDITION_ORDER = ("type", "status", "reason", "message", "lastUpdateTime", "lastTransitionTime")


def prepare_csr_create(obj: dict, user: "UserInfo") -> dict:
    """``PrepareForCreate``: the requesting user replaces whatever identity the body named; status is emptied."""
    spec = {k: v for k, v in (obj.get("spec") or {}).items() if k not in ("username", "uid", "groups", "extra")}
    spec["username"] = user.name
    if user.uid:
        spec["uid"] = user.uid
    if user.groups:
        spec["groups"] = list(user.groups)
    if user.extra:
        spec["extra"] = {k: list(v) for k, v in sorted(user.extra.items())}
    obj["spec"] = {k: spec[k] for k in _SPEC_ORDER if k in spec} | {
        k: v for k, v in spec.items() if k not in _SPEC_ORDER
    }
    obj["status"] = {}
    return obj


def prepare_csr_update(new: dict, old: dict) -> dict:
    """``PrepareForUpdate``: spec and status stay as stored (they change only through subresources)."""
    new["spec"] = copy_json(old.get("spec") or {})
    new["status"] = copy_json(old.get("status") or {})
    return new


def _conditions(body: dict, old: dict, now: float) -> list[dict]:
    """The body's conditions with ``status`` defaulted to True and missing times set (``populateConditionTimestamps``)."""
    stamp = rfc3339(now)
    olds = [c for c in (old.get("status") or {}).get("conditions") or [] if isinstance(c, dict)]
    out = []
    for c in (body.get("status") or {}).get("conditions") or []:
        c = dict(c) if isinstance(c, dict) else {}
        if not c.get("status"):
            c["status"] = "True"
        if not c.get("lastUpdateTime"):
            c["lastUpdateTime"] = stamp
        if not c.get("lastTransitionTime"):
            same = next(
                (
                    o["lastTransitionTime"]
                    for o in olds
                    if o.get("type") == c.get("type") and o.get("status") == c["status"] and o.get("lastTransitionTime")
                ),
                stamp,
            )
            c["lastTransitionTime"] = same
        out.append(
            {k: c[k] for k in _CONDITION_ORDER if k in c} | {k: v for k, v in c.items() if k not in _CONDITION_ORDER}
        )
    return out


def _approval(body: dict, old: dict, now: float) -> dict:
    new = copy_json(old)
    status = dict(new.get("status") or {})
    conditions = _conditions(body, old, now)
    if conditions:
        status["conditions"] = conditions
    else:
        status.pop("conditions", None)
    new["status"] = {k: status[k] for k in ("conditions", "certificate") if k in status}
    return new


def _status(body: dict, old: dict, now: float) -> dict:
    new = copy_json(old)
    status = {k: copy_json(v) for k, v in (body.get("status") or {}).items()}
    conditions = _conditions(body, old, now)
    for ctype in ("Approved", "Denied"):  # preserveConditionInstances: the stored ones, where counts agree
        was = [c for c in (old.get("status") or {}).get("conditions") or [] if c.get("type") == ctype]
        at = [i for i, c in enumerate(conditions) if c.get("type") == ctype]
        if len(was) == len(at):
            for i, c in zip(at, was):
                conditions[i] = copy_json(c)
    if conditions:
        status["conditions"] = conditions
    else:
        status.pop("conditions", None)
    new["status"] = {k: status[k] for k in ("conditions", "certificate") if k in status} | {
        k: v for k, v in status.items() if k not in ("conditions", "certificate")
    }
    return new


def get_csr(host: ParentStorage, user: "UserInfo", r: "Resource", ns: str, name: str, _sub: str = "", **_: Any) -> dict:
    """GET of ``/approval`` or ``/status``: the whole object."""
    host.authorize(user, "get", r, "", name, _sub)
    kv = host.stored(r, "", name)
    if kv is None:
        raise errors.not_found(r.plural, name, r.group)
    return copy_json(kv.value)


def update_csr(
    sub: str,
    host: ParentStorage,
    user: "UserInfo",
    r: "Resource",
    name: str,
    body: dict,
    dry_run: bool,
    verb: str = "update",
) -> dict:
    """PUT (or PATCH) ``certificatesigningrequests/NAME/approval`` (``sub`` "approval": only the conditions
    change) or ``/status`` (the certificate and the other conditions)."""
    host.authorize(user, verb, r, "", name, sub)
    kv = host.stored(r, "", name)
    if kv is None:
        raise errors.not_found(r.plural, name, r.group)
    old = kv.value
    rv = (body.get("metadata") or {}).get("resourceVersion")
    if rv and rv != old["metadata"].get("resourceVersion"):
        raise errors.conflict(r.plural, name, r.group)
    new = (_approval if sub == "approval" else _status)(body, old, host.now)
    new = host.admit("UPDATE", r, sub, "", name, new, old, user, dry_run) or new
    errs = validate_csr_update(new, old, sub)
    if errs:
        raise errors.invalid(r.kind, name, errs, r.group)
    host.validate_admission("UPDATE", r, sub, "", name, new, old, user, dry_run)
    if dry_run or unchanged(new, old):
        return copy_json(new if dry_run else old)
    return host.store_update(r, "", name, new, kv.mod_revision)
