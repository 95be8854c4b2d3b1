"""Typed decoding at the API boundary: every body is checked against the v1.37 schemas before admission.

kube-apiserver decodes a request body into the kind's Go struct before anything else looks at it. This
module does the same with checkers compiled once per type from :mod:`ktui.api.schemas`
(:mod:`ktui.api.decode_compile`, :mod:`ktui.api.decode_nodes`): wrong JSON types,
int32/int64 overflow, int-or-string, quantities, timestamps, base64 ``[]byte`` and maps of strings give
400 BadRequest with Go's messages, for example::

    Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field
    ObjectMeta.metadata.name of type string

Unknown fields are dropped; what else happens to them follows ``fieldValidation`` (see
:func:`decode_body`). ``null`` fields are left out, as Go leaves them at their zero value and the encoder
omits them.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Callable

from ktui.api import errors, limits
from ktui.api.decode_compile import node_for_definition
from ktui.api.decode_nodes import DecodeState, JSONObject
from ktui.api.gotypes import LongNumber, json_kind
from ktui.api.schemas import definition_for_kind

__all__ = [
    "FIELD_VALIDATION",
    "Warn",
    "decode_body",
    "decode_patched",
    "decode_sized",
    "field_validation_directive",
    "loads_body",
    "readable",
]

FIELD_VALIDATION = ("Ignore", "Warn", "Strict")
"""The values of the ``fieldValidation`` query parameter. Absent means ``Warn`` (kube-apiserver's default)."""

Warn = Callable[[str], None]
"""Receives one warning text (``unknown field "spec.foo"``); the HTTP layer sends each as a
``Warning: 299 - "<text>"`` header, kubectl prints ``Warning: <text>`` on stderr."""


def loads_body(text: str | bytes) -> Any:
    """Parse a JSON request body keeping what strict decoding needs: objects remember duplicated keys, so
    that :func:`decode_body` reports ``duplicate field "metadata.name"`` (an error under ``Strict``, a
    warning under ``Warn``) as kube-apiserver does; integers too long for Python's int stay numbers for the
    decoder. For the HTTP layer; raises ValueError on bad JSON."""
    return json.loads(text, object_pairs_hook=JSONObject, parse_int=_parse_int)


def _parse_int(text: str) -> int | LongNumber:
    return int(text) if len(text) <= 4000 else LongNumber(text)


def field_validation_directive(value: str | None, options: str = "CreateOptions") -> str:
    """The directive for a ``fieldValidation`` value (``options`` names the request's options kind:
    ``CreateOptions``, ``UpdateOptions`` or ``PatchOptions``); an unknown value is the 422 kube-apiserver
    answers: ``CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "x": ...``."""
    if value is None or value == "":
        return "Warn"
    if value not in FIELD_VALIDATION:
        raise errors.invalid(
            options,
            "",
            [errors.FieldError.not_supported("fieldValidation", value, ["", "Ignore", "Strict", "Warn"])],
            "meta.k8s.io",
        )
    return value


def _run(kind: str, api_version: str, body: Any) -> tuple[Any, DecodeState]:
    name = definition_for_kind(api_version, kind)
    st = DecodeState()
    if name is None:
        return body, st
    out = node_for_definition(name).decode(body, None, "", st)
    if kind == "Secret" and isinstance(out, dict) and "stringData" in out:
        _merge_string_data(out)
    return out, st


def _merge_string_data(secret: dict) -> None:
    """v1 -> internal conversion: ``stringData`` entries overwrite ``data`` (base64 of their UTF-8), and
    ``stringData`` itself is never stored or returned."""
    string_data = secret.pop("stringData")
    if string_data:
        data = dict(secret.get("data") or {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(value.encode("utf-8")).decode("ascii")
        secret["data"] = data


def readable(kind: str, api_version: str, obj: Any) -> bool:
    """Whether a stored object decodes as its kind (what the API hands to watchers and informers).

    An object written around the API (straight into the store) may not; readers then skip it, as
    client-go skips what it cannot decode, instead of failing on it.
    """
    if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
        return False
    _, st = _run(kind, api_version, obj)
    return st.fatal is None and st.error is None


def _version(api_version: str) -> str:
    return api_version.rsplit("/", 1)[-1]


def decode_body(
    kind: str, api_version: str, body: Any, field_validation: str | None = None, warn: Warn | None = None
) -> dict:
    """Decode a create/update body of ``kind`` as kube-apiserver does, returning a new, clean object.

    Args:
        kind: the kind the request's URL names (``Pod``).
        api_version: its group/version (``v1``, ``apps/v1``).
        body: the body as JSON data (any value: it is checked).
        field_validation: ``Strict`` (unknown fields are a 400), ``Warn`` (each is a warning; the default)
            or ``Ignore`` (dropped silently).
        warn: called with each warning text under ``Warn``.

    Returns:
        The decoded object: a new tree (the caller's is never changed), unknown fields and ``null`` fields
        left out, bare numbers in quantity fields in canonical form.

    Raises:
        ApiError: 400 BadRequest ``<Kind> in version "<v>" cannot be handled as a <Kind>: <Go's error>``,
            for a type error, a strict decoding error, or a body nested too deep; 413 for a body over 3 MiB.
    """
    return decode_sized(kind, api_version, body, field_validation, warn)[0]


def decode_sized(
    kind: str,
    api_version: str,
    body: Any,
    field_validation: str | None = None,
    warn: Warn | None = None,
    options: str = "CreateOptions",
    known: dict | None = None,
) -> tuple[dict, bool]:
    """:func:`decode_body`, also telling whether the object may be too large to store (then the server
    measures it exactly before writing; most objects are far below the limit and skip that).

    ``known``: a stored object the server decoded itself; the body's ``metadata`` and ``spec`` when they
    are that object's own (the same objects, as a client that read it without a copy sends them back) are
    kept as they are instead of being decoded again (they would decode to themselves, without an error or
    a warning), and so are the parts of its ``status`` that are the stored status's own; the object is then
    always measured before it is stored."""
    directive = field_validation_directive(field_validation, options)
    prefix = f'{kind} in version "{_version(api_version)}" cannot be handled as a {kind}: '
    _check_type_meta(body)
    kept: tuple[str, ...] = ()
    kept_status: tuple[str, ...] = ()
    if known is not None and type(body) is dict:
        kept = tuple(k for k in ("metadata", "spec") if body.get(k) is not None and body[k] is known.get(k))
        status, known_status = body.get("status"), known.get("status")
        if type(status) is dict and type(known_status) is dict and status is not known_status:
            # A status report (the kubelet's) names the stored status's unchanged parts, as they are.
            kept_status = tuple(k for k, v in status.items() if v is not None and known_status.get(k) is v)
    if kept or kept_status:
        rest = {k: v for k, v in body.items() if k not in kept}
        if kept_status:
            rest["status"] = {k: v for k, v in body["status"].items() if k not in kept_status}
        out, st = _run(kind, api_version, rest)
    else:
        out, st = _run(kind, api_version, body)
    message = st.fatal or st.error
    if message is not None:
        raise errors.bad_request(prefix + message)
    _strict(st, directive, warn, prefix)
    if kept_status:
        status, decoded = body["status"], out.get("status") or {}
        out["status"] = {
            k: status[k] if k in kept_status else decoded[k] for k in status if k in kept_status or k in decoded
        }
    if kept or kept_status:
        out = {k: body[k] if k in kept else out[k] for k in body if k in kept or k in out}
        return out, True
    large = st.weight > limits.MAX_STORED_BYTES
    if large:
        limits.check_body_bytes(limits.encoded_size(out))
    return out, large


def decode_patched(
    kind: str,
    api_version: str,
    patched: Any,
    patch_type: str,
    field_validation: str | None = None,
    warn: Warn | None = None,
    patch: Any = None,
) -> tuple[dict, bool]:
    """Decode the result of applying a patch, as kube-apiserver's patch handler does; also tells whether
    the object may be too large to store (see :func:`decode_sized`).

    A type error is a 422 whose one cause is ``patch: Invalid value: "<the patched object>": <Go's error>``
    (for a strategic merge patch: ``"map[<the patch>]": <the unstructured converter's error>``); strict
    decoding errors are a 400 ``strict decoding error: ...`` (no kind prefix), or warnings.
    """
    directive = field_validation_directive(field_validation, "PatchOptions")
    out, st = _run(kind, api_version, patched)
    message = st.fatal or st.error
    if message is not None:
        if patch_type == "strategic":
            # Converted from the patched map: the converter's words, and the patch itself is shown.
            shown, message = _go_map(patch), st.converter_error() or message
        else:
            shown = json.dumps(patched, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=str)
        raise errors.invalid("", "", [errors.FieldError.invalid("patch", shown, message)])
    _strict(st, directive, warn, "")
    return out, st.weight > limits.MAX_STORED_BYTES


def _check_type_meta(body: Any) -> None:
    """kube-apiserver first reads apiVersion and kind into an anonymous struct to find the type."""
    if not isinstance(body, dict):
        return
    for field in ("apiVersion", "kind"):
        value = body.get(field)
        if value is not None and not isinstance(value, str):
            raise errors.bad_request(
                f"couldn't get version/kind; json parse error: json: cannot unmarshal "
                f"{json_kind(value)} into Go struct field .{field} of type string"
            )


def _strict(st: DecodeState, directive: str, warn: Warn | None, prefix: str) -> None:
    if not st.strict or directive == "Ignore":
        return
    if directive == "Strict":
        raise errors.bad_request(prefix + "strict decoding error: " + ", ".join(st.strict))
    if warn is not None:
        for text in st.strict:
            warn(text)


def _go_map(value: Any) -> str:
    """Go's ``%+v`` of decoded JSON (``map[a:1 b:[x y]]``), as the strategic-merge patch error shows it."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_map(value[k])}" for k in sorted(value, key=str)) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(_go_map(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
