"""RFC 6902 JSON patch as kube-apiserver applies it (evanphx/json-patch.v4 v4.13), PatchError, JSON helpers.

Failure texts are those of the library (``detail``); the apiserver answers every failed operation with a
422 ``Invalid`` whose message is the generic ``the server rejected our request due to an error in our
request`` (``NewGenericServerResponse`` drops the library text), which is what ``str(error)`` gives.
"""

from __future__ import annotations

import copy
import re
from typing import Any

__all__ = ["PatchError", "apply_json_patch", "json_equal", "json_kind", "go_format", "REJECTED"]

REJECTED = "the server rejected our request due to an error in our request"
_MISSING = "missing value"
_INVALID_INDEX = "invalid index referenced"
_ABSENT = object()


class PatchError(Exception):
    """A patch that cannot be applied or computed.

    ``str(error)`` is the message the apiserver puts in its Status; ``code`` and ``reason`` are the Status
    code and reason; ``detail`` is the library's own text (what ``kubectl patch --local`` prints).
    """

    def __init__(self, message: str, *, code: int = 422, reason: str = "Invalid", detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        """The Status message."""
        self.code = code
        """The HTTP status code."""
        self.reason = reason
        """The Status reason (``Invalid``, ``BadRequest``, ``Conflict`` or ``""`` for an internal error)."""
        self.detail = detail if detail is not None else message
        """The underlying library error text."""


def json_equal(a: Any, b: Any) -> bool:
    """Structural JSON equality: booleans are not numbers, ``1 == 1.0``, order matters only in lists."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def go_format(value: Any) -> str:
    """``fmt.Sprintf("%v", value)`` of a decoded JSON value, as Go error texts and merge-key sorting use it."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_format(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_format(v) for v in value) + "]"
    return str(value)


def json_kind(value: Any) -> str:
    """The JSON type of a decoded value: map, slice, string, number, bool or nil."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "map", list: "slice", str: "string"}.get(type(value), type(value).__name__)  # type: ignore[call-overload]


class _OpError(Exception):
    """A library error; its text is the wrapped Go error chain."""


_INT = re.compile(r"^[+-]?[0-9]+$")


def _atoi(s: str) -> int:
    if not _INT.match(s):
        raise _OpError(f'strconv.Atoi: parsing "{s}": invalid syntax')
    return int(s)


def _decode(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _find(doc: Any, path: str) -> tuple[Any, str] | None:
    """The container holding the last token of ``path`` and that token, or None (findObject)."""
    split = path.split("/")
    if len(split) < 2:
        return None
    for part in split[1:-1]:
        try:
            nxt = _get(doc, _decode(part))
        except _OpError:
            return None
        if not isinstance(nxt, (dict, list)):
            return None
        doc = nxt
    return doc, _decode(split[-1])


def _index(ary: list, key: str, size: int) -> int:
    idx = _atoi(key)
    if idx >= size or idx < -size:
        raise _OpError(f"Unable to access invalid index: {idx}: {_INVALID_INDEX}")
    return idx + size if idx < 0 else idx


def _get(con: Any, key: str) -> Any:
    if isinstance(con, dict):
        return con.get(key)
    return con[_index(con, key, len(con))]


def _add(con: Any, key: str, value: Any) -> None:
    if isinstance(con, dict):
        con[key] = value
        return
    if key == "-":
        con.append(value)
        return
    try:
        idx = _atoi(key)
    except _OpError as e:
        raise _OpError(f"value was not a proper array index: '{key}': {e}") from None
    size = len(con) + 1
    if idx >= size or idx < -size:
        raise _OpError(f"Unable to access invalid index: {idx}: {_INVALID_INDEX}")
    con.insert(idx + size if idx < 0 else idx, value)


def _remove(con: Any, key: str) -> None:
    if isinstance(con, dict):
        if key not in con:
            raise _OpError(f"Unable to remove nonexistent key: {key}: {_MISSING}")
        del con[key]
        return
    del con[_index(con, key, len(con))]


def _field(op: dict, name: str, missing: str) -> str:
    value = op.get(name)
    if not isinstance(value, str):
        raise _OpError(missing)
    return value


def _path(op: dict, prefix: str, bare: bool = False) -> str:
    """The op's path; a missing one fails as ``<prefix> failed to decode path: ...``."""
    try:
        return _field(op, "path", f"operation missing path field: {_MISSING}")
    except _OpError as e:
        raise _OpError(f"{prefix} failed to decode path: {_MISSING if bare else e}") from None


def _from(op: dict, prefix: str) -> str:
    try:
        return _field(op, "from", f"operation, missing from field: {_MISSING}")
    except _OpError as e:
        raise _OpError(f"{prefix} failed to decode from: {e}") from None


def _op_add(doc: Any, op: dict) -> Any:
    path = _path(op, "add operation", bare=True)
    found = _find(doc, path)
    if found is None:
        raise _OpError(f'add operation does not apply: doc is missing path: "{path}": {_MISSING}')
    try:
        _add(*found, copy.deepcopy(op.get("value")))
    except _OpError as e:
        raise _OpError(f"error in add for path: '{path}': {e}") from None
    return doc


def _op_remove(doc: Any, op: dict) -> Any:
    path = _path(op, "remove operation", bare=True)
    found = _find(doc, path)
    if found is None:
        raise _OpError(f'remove operation does not apply: doc is missing path: "{path}": {_MISSING}')
    try:
        _remove(*found)
    except _OpError as e:
        raise _OpError(f"error in remove for path: '{path}': {e}") from None
    return doc


def _op_replace(doc: Any, op: dict) -> Any:
    path = _path(op, "replace operation")
    value = copy.deepcopy(op.get("value"))
    if path == "":
        if not isinstance(value, (dict, list)):
            raise _OpError("replace operation value must be object or array")
        return value
    found = _find(doc, path)
    if found is None:
        raise _OpError(f"replace operation does not apply: doc is missing path: {path}: {_MISSING}")
    con, key = found
    try:
        _get(con, key)
    except _OpError:
        raise _OpError(f"replace operation does not apply: doc is missing key: {path}: {_MISSING}") from None
    if isinstance(con, dict):
        con[key] = value  # v4 quirk: replacing an absent object member adds it
    else:
        con[_index(con, key, len(con))] = value
    return doc


def _op_move(doc: Any, op: dict) -> Any:
    source = _from(op, "move operation")
    found = _find(doc, source)
    if found is None:
        raise _OpError(f"move operation does not apply: doc is missing from path: {source}: {_MISSING}")
    con, key = found
    try:
        value = _get(con, key)
        _remove(con, key)
    except _OpError as e:
        raise _OpError(f"error in move for path: '{key}': {e}") from None
    path = _path(op, "move operation")
    found = _find(doc, path)
    if found is None:
        raise _OpError(f"move operation does not apply: doc is missing destination path: {path}: {_MISSING}")
    try:
        _add(*found, value)
    except _OpError as e:
        raise _OpError(f"error in move for path: '{path}': {e}") from None
    return doc


def _op_copy(doc: Any, op: dict) -> Any:
    source = _from(op, "copy operation")
    found = _find(doc, source)
    if found is None:
        raise _OpError(f"copy operation does not apply: doc is missing from path: {source}: {_MISSING}")
    try:
        value = _get(*found)
    except _OpError as e:
        raise _OpError(f"error in copy for from: '{source}': {e}") from None
    path = _path(op, "copy operation", bare=True)
    found = _find(doc, path)
    if found is None:
        raise _OpError(f"copy operation does not apply: doc is missing destination path: {path}: {_MISSING}")
    try:
        _add(*found, copy.deepcopy(value))
    except _OpError as e:
        raise _OpError(f"error while adding value during copy: {e}") from None
    return doc


def _op_test(doc: Any, op: dict) -> Any:
    path = _path(op, "test operation")
    failed = _OpError(f"testing value {path} failed: test failed")
    expected = op.get("value", _ABSENT)
    if path == "":
        if expected is _ABSENT or not json_equal(doc, expected):
            raise failed
        return doc
    found = _find(doc, path)
    if found is None:
        raise _OpError(f"test operation does not apply: is missing path: {path}: {_MISSING}")
    try:
        actual = _get(*found)
    except _OpError as e:
        raise _OpError(f"error in test for path: '{path}': {e}") from None
    if actual is None:
        if expected is None:
            return doc
        raise failed
    if expected is _ABSENT or not json_equal(actual, expected):
        raise failed
    return doc


_OPS = {
    "add": _op_add,
    "remove": _op_remove,
    "replace": _op_replace,
    "move": _op_move,
    "copy": _op_copy,
    "test": _op_test,
}


def apply_json_patch(obj: dict, ops: list[dict]) -> dict:
    """Apply an RFC 6902 patch to ``obj`` and return the new document; ``obj`` is never mutated.

    Operations run in order and the patch is all-or-nothing. As in evanphx/json-patch: ``-`` appends,
    negative indices count from the end, ``replace`` of an absent object member adds it, ``copy`` from an
    absent member copies ``null``, and ``test`` of an absent member passes only against ``null``.

    Raises:
        PatchError: a malformed patch (400 ``BadRequest``) or an operation that does not apply (422
            ``Invalid``, message ``the server rejected our request due to an error in our request``,
            library text in ``detail``).
    """
    if not isinstance(ops, list):
        detail = f"json: cannot unmarshal {type(ops).__name__} into Go value of type jsonpatch.Patch"
        raise PatchError(detail, code=400, reason="BadRequest")
    doc: Any = copy.deepcopy(obj)
    for op in ops:
        if not isinstance(op, dict):
            detail = f"json: cannot unmarshal {type(op).__name__} into Go value of type jsonpatch.Operation"
            raise PatchError(detail, code=400, reason="BadRequest")
        kind = op.get("op") if isinstance(op.get("op"), str) else "unknown"
        try:
            handler = _OPS.get(kind)  # type: ignore[arg-type]
            if handler is None:
                raise _OpError(f"Unexpected kind: {kind}")
            doc = handler(doc, op)
        except _OpError as e:
            raise PatchError(REJECTED, code=422, reason="Invalid", detail=str(e)) from None
    return doc
