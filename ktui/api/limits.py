"""Bounded work at the API: request body size, stored object size, and nesting depth.

kube-apiserver refuses a request body over 3 MiB (413, ``Request entity too large: limit is 3145728``) and
etcd a stored value over 1.5 MiB (``etcdserver: request is too large``). Go's JSON decoder stops at 10,000
levels of nesting; ktui stops much earlier (:data:`MAX_DEPTH`), because Python's own recursion (copies,
snapshots, encoders) cannot follow that far, and no real object nests deeper than a few dozen levels.
Every check here is iterative, so it cannot itself overflow the stack.
"""

from __future__ import annotations

import json
from typing import Any

from ktui.api import errors

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "MAX_STORED_BYTES",
    "body_too_large",
    "check_body_bytes",
    "check_depth",
    "check_request_shape",
    "check_stored",
    "depth_exceeds",
    "encoded_size",
    "restamp",
    "stored_size",
]

MAX_BODY_BYTES = 3 * 1024 * 1024
"""kube-apiserver's limit on a request body (``--max-request-body-bytes`` default): 3 MiB."""

MAX_STORED_BYTES = 1536 * 1024
"""etcd's ``--max-request-bytes`` default: 1.5 MiB for one stored value."""

MAX_DEPTH = 200
"""Nesting depth ktui accepts in a body (Go's decoder: 10,000)."""


def depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests dicts/lists more than ``limit`` levels deep (iterative, stops early)."""
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            if d > limit:
                return True
            stack.extend((x, d + 1) for x in v.values() if isinstance(x, (dict, list, tuple)))
        elif isinstance(v, (list, tuple)):
            if d > limit:
                return True
            stack.extend((x, d + 1) for x in v if isinstance(x, (dict, list, tuple)))
    return False


def check_depth(value: Any, kind: str = "", version: str = "") -> None:
    """Raise a 400 BadRequest when ``value`` nests deeper than :data:`MAX_DEPTH`.

    The message has kube-apiserver's decode-error shape (``Pod in version "v1" cannot be handled as a Pod:
    ...``) around the JSON decoder's ``exceeded max depth``.
    """
    if depth_exceeds(value):
        why = f"json: exceeded max depth of {MAX_DEPTH}"
        if kind:
            raise errors.bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: {why}')
        raise errors.bad_request(why)


def body_too_large() -> errors.ApiError:
    """The 413 kube-apiserver answers for a body over :data:`MAX_BODY_BYTES` (for the HTTP layer)."""
    return errors.ApiError(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": f"Request entity too large: limit is {MAX_BODY_BYTES}",
            "reason": "RequestEntityTooLarge",
            "code": 413,
        }
    )


def check_body_bytes(length: int) -> None:
    """Raise the 413 when a request body of ``length`` bytes is over the limit (the HTTP layer calls this
    with Content-Length before reading, and with the bytes read)."""
    if length > MAX_BODY_BYTES:
        raise body_too_large()


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str)
"""What ``json.dumps(obj, separators=(",", ":"), ensure_ascii=False, default=str)`` encodes with (it keeps
no state between calls), made once."""


def encoded_size(obj: Any) -> int:
    """The size of ``obj`` as compact JSON, in bytes (what ktui counts against the storage limit)."""
    text = _ENCODER.encode(obj)
    return len(text) if text.isascii() else len(text.encode("utf-8"))


_KEY_SIZES: dict[str, int] = {}
"""The encoded size of a key with its quotes and colon (``"name":``), by key."""


def _key_size(key: str) -> int:
    size = _KEY_SIZES.get(key)
    if size is None:
        size = len(json.dumps(key, ensure_ascii=False).encode("utf-8")) + 1
        if len(_KEY_SIZES) < 4096:
            _KEY_SIZES[key] = size
    return size


_MISSING = object()


def _changed_size(obj: dict, last: dict, parts: dict[Any, tuple[Any, int]], path: tuple = ()) -> int | None:
    """How much larger ``obj`` encodes than ``last`` (the same keys, most values the very same), measuring
    only the values that are not (one level down in ``metadata``, ``spec`` and ``status``); None when the
    keys differ. The values measured are left in ``parts`` by path, where the next call finds them."""
    if len(obj) != len(last):
        return None
    delta = 0
    for key, value in obj.items():
        before = last.get(key, _MISSING)
        if before is value:
            continue
        if before is _MISSING:
            return None
        if type(value) is dict and type(before) is dict and key in ("metadata", "spec", "status"):
            fits = all(type(k) is str for k in value)
            inner = _changed_size(value, before, parts, (key,)) if fits else None
            if inner is None:
                return None
            delta += inner
            continue
        was = parts.get(path + (key,))
        old = was[1] if was is not None and was[0] is before else encoded_size(before)
        delta += _remember(parts, path + (key,), value) - old
    return delta


def _remember(parts: dict[Any, tuple[Any, int]], key: tuple, value: Any) -> int:
    size = encoded_size(value)
    parts[key] = (value, size)
    return size


def stored_size(obj: Any, parts: dict[Any, tuple[Any, int]]) -> int:
    """``encoded_size(obj)``, exactly, from the size of the object last measured with ``parts`` (one
    object's memory; a stored value never changes): only the values of ``obj`` that are not the very values
    of that one are measured (for an API object, one level down in ``metadata``, ``spec`` and ``status``)."""
    last = parts.get(())
    size: int | None = None
    if last is not None and type(obj) is dict and all(type(k) is str for k in obj):
        changed = _changed_size(obj, last[0], parts)
        if changed is not None:
            size = last[1] + changed
    if size is None:
        parts.clear()
        size = encoded_size(obj)
    parts[()] = (obj, size)
    return size


def restamp(parts: dict[Any, tuple[Any, int]], stored: Any) -> None:
    """After ``stored`` (the object last measured with ``parts``) was stored: the store's sharing pass
    points its parts at equal canonical objects (of the same encoding), so the sizes measured are those of
    the parts now found at the same paths."""
    last = parts.get(())
    if last is None or last[0] is not stored:
        return
    for path, (value, size) in list(parts.items()):
        if not path:
            continue
        at: Any = stored
        for key in path:
            at = at.get(key, _MISSING) if type(at) is dict else _MISSING
        if at is not value and at is not _MISSING:
            parts[path] = (at, size)


def check_stored(
    obj: Any, sizes: dict[int, tuple[Any, int]] | None = None, parts: dict[Any, tuple[Any, int]] | None = None
) -> None:
    """Raise etcd's ``request is too large`` (a 500 with no reason, as kube-apiserver passes it on) when
    ``obj`` would not fit in one stored value.

    ``sizes``: the encoded sizes of stored specs by identity (``id(spec): (spec, size)``; a stored value
    never changes), where the size of ``obj``'s ``spec`` is found or left; the rest is measured.
    ``parts``: instead, the sizes of the parts of this object's stored version (see :func:`stored_size`)."""
    if parts is not None:
        size = stored_size(obj, parts)
    else:
        spec = obj.get("spec") if sizes is not None and type(obj) is dict and len(obj) > 1 else None
        if type(spec) is dict:
            known = sizes.get(id(spec))  # type: ignore[union-attr]
            if known is not None and known[0] is spec:
                spec_size = known[1]
            else:
                spec_size = encoded_size(spec)
                sizes[id(spec)] = (spec, spec_size)  # type: ignore[index]
            # {"a":...,"spec":{...}} is the rest, a comma, "spec": and the spec (key order changes no size)
            size = encoded_size({k: v for k, v in obj.items() if k != "spec"}) + len(',"spec":') + spec_size
        else:
            size = encoded_size(obj)
    if size > MAX_STORED_BYTES:
        raise errors.ApiError(
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": "etcdserver: request is too large",
                "code": 500,
            }
        )


def check_request_shape(args: tuple, kwargs: dict, registry: Any = None) -> None:
    """Refuse a mutating call whose body the server would refuse for its depth or size, before anything
    copies it (``ktui.cluster`` records calls in history by deep copy).

    Args:
        args: the positional arguments of a Client call (``resource, body, ...``).
        kwargs: its keyword arguments.
        registry: resolves ``args[0]`` to a kind for the message (optional).
    """
    bodies = [a for a in (*args, *kwargs.values()) if isinstance(a, (dict, list, tuple))]
    if not bodies:
        return
    kind = version = ""
    if depth_exceeds(bodies, MAX_DEPTH + 1):
        if registry is not None and args and isinstance(args[0], str):
            try:
                r = registry.resolve(args[0])
                kind, version = r.kind, r.version
            except Exception:  # an unknown resource: the server says so after this
                pass
        for body in bodies:
            check_depth(body, kind, version)
    for body in bodies:
        check_body_bytes(encoded_size(body))
