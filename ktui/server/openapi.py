"""The OpenAPI documents kube-apiserver serves (``/openapi/v2``, ``/openapi/v3``), converted from the v1.37 schemas.

The types come from :mod:`ktui.api.schemas` (the published v1.37 definitions as JSON Schema) and are turned
back into what the real server sends: swagger 2.0 with ``#/definitions/`` references for ``/openapi/v2``, and
one OpenAPI 3.0 document per group-version with ``#/components/schemas/`` references for ``/openapi/v3/...``.
The JSON Schema conversion made every optional field nullable (``["string", "null"]``), pinned ``apiVersion``
and ``kind`` with an ``enum`` and rewrote Quantity and IntOrString as ``oneOf``; all three are undone here, as
the real documents never mark these fields nullable. ``x-kubernetes-*`` extensions (group-version-kind, patch
strategy and merge key, list type and map keys, unions) are kept. The paths are made from ktui's registry, so
they list exactly the resources, verbs and subresources ktui serves. ``/openapi/v2`` is also given in the
protobuf form (gnostic's ``openapi.v2.Document``) that client-go's discovery client asks for: kubectl reads it for
``explain --output plaintext-openapiv2`` and whenever ``/openapi/v3`` fails. Every document is built once and cached.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from ktui.api import schemas
from ktui.api.registry import REGISTRY, Resource

__all__ = [
    "V2_PROTOBUF",
    "V2_PROTOBUF_CONTENT_TYPE",
    "v2_document",
    "v2_protobuf",
    "v3_index",
    "v3_document",
    "group_versions",
]

_V2_REF = "#/definitions/"
_V3_REF = "#/components/schemas/"
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_INFO = {"title": "Kubernetes", "version": "v1.37.1"}
_SECURITY = {
    "BearerToken": {
        "description": "Bearer Token authentication",
        "in": "header",
        "name": "authorization",
        "type": "apiKey",
    }
}
_META_TYPES = ("APIResourceList", "DeleteOptions", "Patch", "Status", "WatchEvent")

# The two types the JSON Schema conversion rewrote, as the real documents give them (v2, v3).
_SPECIAL: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": (
        {"type": "string"},
        {"oneOf": [{"type": "string"}, {"type": "number"}]},
    ),
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": (
        {"format": "int-or-string", "type": "string"},
        {"format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]},
    ),
}


def _schema(node: Any, v3: bool) -> Any:
    """One JSON Schema node as the OpenAPI document writes it."""
    if isinstance(node, list):
        return [_schema(n, v3) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref":
            out[key] = (_V3_REF if v3 else _V2_REF) + schemas.ref_name(value)
        elif key == "type" and isinstance(value, list):
            types = [t for t in value if t != "null"]
            out[key] = types[0] if len(types) == 1 else types
        elif key == "properties":
            out[key] = {name: _property(name, prop, v3) for name, prop in value.items()}
        elif key in ("items", "additionalProperties", "allOf", "oneOf", "anyOf", "not"):
            out[key] = _schema(value, v3)
        else:
            out[key] = value
    if v3 and "$ref" in out and len(out) > 1:
        out["allOf"] = [{"$ref": out.pop("$ref")}]
    return out


def _property(name: str, prop: dict[str, Any], v3: bool) -> Any:
    if name in ("apiVersion", "kind") and "enum" in prop:
        prop = {k: v for k, v in prop.items() if k != "enum"}
    return _schema(prop, v3)


def _definition(name: str, v3: bool) -> dict[str, Any]:
    source = schemas.definitions()[name]
    special = _SPECIAL.get(name)
    if special is not None:
        out = dict(special[1] if v3 else special[0])
        if "description" in source:
            out["description"] = source["description"]
        return out
    return _schema(source, v3)


def _refs(node: Any, into: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                into.add(schemas.ref_name(value))
            else:
                _refs(value, into)
    elif isinstance(node, list):
        for value in node:
            _refs(value, into)


def _closure(roots: set[str]) -> list[str]:
    """Every type reachable from ``roots`` through references, sorted."""
    defs = schemas.definitions()
    seen: set[str] = set()
    todo = [r for r in roots if r in defs]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found: set[str] = set()
        _refs(defs[name], found)
        todo.extend(n for n in found if n in defs and n not in seen)
    return sorted(seen)


@lru_cache(maxsize=1)
def group_versions() -> dict[str, tuple[Resource, ...]]:
    """The document path of each served group-version (``api/v1``, ``apis/apps/v1``) -> its resources."""
    out: dict[str, list[Resource]] = {}
    for r in REGISTRY:
        key = f"apis/{r.group}/{r.version}" if r.group else f"api/{r.version}"
        out.setdefault(key, []).append(r)
    return {k: tuple(v) for k, v in out.items()}


def _roots(resources: tuple[Resource, ...], ops: dict[str, Any]) -> set[str]:
    roots = {_META + t for t in _META_TYPES}
    for r in resources:
        kind = schemas.definition_for_kind(r.api_version, r.kind)
        if kind:
            roots.add(kind)
        listed = schemas.definition_for_kind(r.api_version, r.kind + "List")
        if listed:
            roots.add(listed)
    _refs(ops, roots)
    return roots


@lru_cache(maxsize=1)
def _parameters() -> dict[str, dict[str, Any]]:
    text = resources.files("ktui.server").joinpath("data", "openapi_parameters.json").read_text("utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


_LIST = (
    "allowWatchBookmarks",
    "continue",
    "fieldSelector",
    "labelSelector",
    "limit",
    "resourceVersion",
    "resourceVersionMatch",
    "sendInitialEvents",
    "timeoutSeconds",
    "watch",
)
_WRITE = ("dryRun", "fieldManager", "fieldValidation")
_DELETE = (
    "dryRun",
    "gracePeriodSeconds",
    "ignoreStoreReadErrorWithClusterBreakingPotential",
    "orphanDependents",
    "propagationPolicy",
)
_LOG = ("container", "follow", "previous", "sinceSeconds", "tailLines", "timestamps")
_PATCH_TYPES = (
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
)
_PRODUCES = ("application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "application/cbor")
# action -> (HTTP method, operationId verb, query parameters, status codes answered)
_ACTIONS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "list": ("get", "list", _LIST, ("200",)),
    "post": ("post", "create", _WRITE, ("200", "201", "202")),
    "deletecollection": ("delete", "delete", _DELETE + _LIST, ("200",)),
    "get": ("get", "read", (), ("200",)),
    "put": ("put", "replace", _WRITE, ("200", "201")),
    "patch": ("patch", "patch", _WRITE + ("force",), ("200", "201")),
    "delete": ("delete", "delete", _DELETE, ("200", "202")),
}
_VERB_ACTIONS = {"get": "get", "update": "put", "patch": "patch", "delete": "delete"}
# subresource -> (actions, (apiVersion, kind) of its body, or None for the parent's kind)
_SUBRESOURCES: dict[str, tuple[tuple[str, ...], tuple[str, str] | None]] = {
    "status": (("get", "put", "patch"), None),
    "scale": (("get", "put", "patch"), ("autoscaling/v1", "Scale")),
    "ephemeralcontainers": (("get", "put", "patch"), None),
    "resize": (("get", "put", "patch"), None),
    "approval": (("get", "put", "patch"), None),
    "finalize": (("put",), None),
    "binding": (("post",), ("v1", "Binding")),
    "eviction": (("post",), ("policy/v1", "Eviction")),
    "token": (("post",), ("authentication.k8s.io/v1", "TokenRequest")),
    "log": (("get",), None),
}


def _param(name: str, v3: bool) -> dict[str, Any]:
    p = _parameters()[name]
    out: dict[str, Any] = {"description": p["description"], "in": p["in"], "name": name}
    if p["in"] == "path":
        out["required"] = True
    if v3:
        out["schema"] = {"type": p["type"], "uniqueItems": True}
    else:
        out.update(type=p["type"], uniqueItems=True)
    return out


_DESCRIBE = {
    "list": "list or watch objects of kind {kind}",
    "post": "create {a} {kind}",
    "deletecollection": "delete collection of {kind}",
    "get": "read the specified {kind}",
    "put": "replace the specified {kind}",
    "patch": "partially update the specified {kind}",
    "delete": "delete {a} {kind}",
}
_DESCRIBE_SUB = {
    "get": "read {sub} of the specified {kind}",
    "put": "replace {sub} of the specified {kind}",
    "patch": "partially update {sub} of the specified {kind}",
    "post": "create {sub} of {a} {kind}",
}


def _describe(action: str, kind: str, path: str) -> str:
    """An operation's description, worded as kube-apiserver words them."""
    sub = path.rsplit("/", 1)[-1] if "{name}/" in path else ""
    a = "an" if kind[:1] in "AEIOU" else "a"
    return (_DESCRIBE_SUB[action] if sub else _DESCRIBE[action]).format(kind=kind, a=a, sub=sub)


def _gv_name(api_version: str) -> str:
    """``rbac.authorization.k8s.io/v1`` -> ``RbacAuthorizationV1`` (``v1`` -> ``CoreV1``), as operationIds spell it."""
    group, _, version = api_version.rpartition("/")
    words = group.removesuffix(".k8s.io").split(".") if group else ["core"]
    return "".join(w[:1].upper() + w[1:] for w in words) + version.capitalize()


def _gvk(api_version: str, kind: str) -> dict[str, str]:
    group, _, version = api_version.rpartition("/")
    return {"group": group, "kind": kind, "version": version}


def _operation(
    action: str,
    op_id: str,
    description: str,
    tag: str,
    gvk: dict[str, str] | None,
    schema: dict[str, Any],
    body: dict[str, Any] | None,
    query: tuple[str, ...],
    v3: bool,
) -> dict[str, Any]:
    method, _, _, codes = _ACTIONS[action]
    text = {"200": "OK", "201": "Created", "202": "Accepted"}
    op: dict[str, Any] = {
        "description": description,
        "operationId": op_id,
        "tags": [tag],
        "x-kubernetes-action": action,
    }
    if gvk:
        op["x-kubernetes-group-version-kind"] = gvk
    params = [_param(q, v3) for q in query]
    media = _PATCH_TYPES if method == "patch" else ("*/*",)
    if v3:
        op["responses"] = {
            c: {"content": {t: {"schema": schema} for t in _PRODUCES}, "description": text[c]} for c in codes
        }
        if body is not None:
            op["requestBody"] = {"content": {t: {"schema": body} for t in media}, "required": method != "delete"}
    else:
        op["responses"] = {c: {"description": text[c], "schema": schema} for c in codes}
        op.update(consumes=list(media), produces=list(_PRODUCES), schemes=["https"])
        if body is not None:
            params.insert(0, {"in": "body", "name": "body", "required": method != "delete", "schema": body})
    op["responses"]["401"] = {"description": "Unauthorized"}
    if params:
        op["parameters"] = params
    return op


def _resource_paths(r: Resource, v3: bool) -> dict[str, Any]:
    """The paths of one resource: its collection, its objects, all namespaces' list, its subresources."""
    ref = _V3_REF if v3 else _V2_REF
    base = f"/apis/{r.group}/{r.version}" if r.group else f"/api/{r.version}"
    ns = "/namespaces/{namespace}" if r.namespaced else ""
    gv, tag = _gv_name(r.api_version), (r.group.removesuffix(".k8s.io") or "core") + "_" + r.version
    tag = "".join(w[:1].upper() + w[1:] if i else w for i, w in enumerate(tag.split(".")))
    scope = "Namespaced" if r.namespaced else ""
    kind_type = schemas.definition_for_kind(r.api_version, r.kind)
    list_type = schemas.definition_for_kind(r.api_version, r.kind + "List")
    obj = {"$ref": ref + kind_type} if kind_type else {"type": "object"}
    status = {"$ref": ref + _META + "Status"}
    delete_body = {"$ref": ref + _META + "DeleteOptions"}
    patch_body = {"$ref": ref + _META + "Patch"}
    gvk = _gvk(r.api_version, r.kind)
    common = [_param("namespace", v3)] if r.namespaced else []
    paths: dict[str, Any] = {}

    def add(
        path: str,
        params: list[str],
        action: str,
        op_id: str,
        kind: dict[str, str] | None,
        schema: dict[str, Any],
        body: dict[str, Any] | None,
        extra: tuple[str, ...] = (),
    ) -> None:
        entry = paths.setdefault(
            path, {"parameters": [_param(p, v3) for p in params] + common + [_param("pretty", v3)]}
        )
        entry[_ACTIONS[action][0]] = _operation(
            action, op_id, _describe(action, r.kind, path), tag, kind, schema, body, _ACTIONS[action][2] + extra, v3
        )

    coll, item = f"{base}{ns}/{r.plural}", f"{base}{ns}/{r.plural}/{{name}}"
    if "list" in r.verbs:
        schema = {"$ref": ref + list_type} if list_type else obj
        add(coll, [], "list", f"list{gv}{scope}{r.kind}", gvk, schema, None)
        if r.namespaced:
            paths[f"{base}/{r.plural}"] = {
                "parameters": [_param("pretty", v3)],
                "get": _operation(
                    "list",
                    f"list{gv}{r.kind}ForAllNamespaces",
                    _describe("list", r.kind, ""),
                    tag,
                    gvk,
                    schema,
                    None,
                    _LIST,
                    v3,
                ),
            }
    if "create" in r.verbs:
        add(coll, [], "post", f"create{gv}{scope}{r.kind}", gvk, obj, obj)
    if "deletecollection" in r.verbs:
        add(coll, [], "deletecollection", f"delete{gv}Collection{scope}{r.kind}", gvk, status, delete_body)
    for verb, action in _VERB_ACTIONS.items():
        if verb in r.verbs:
            body = {"put": obj, "patch": patch_body, "delete": delete_body}.get(action)
            add(
                item,
                ["name"],
                action,
                f"{_ACTIONS[action][1]}{gv}{scope}{r.kind}",
                gvk,
                status if action == "delete" else obj,
                body,
            )
    for sub in r.subresources:
        actions, body_kind = _SUBRESOURCES.get(sub, ((), None))
        sub_gvk, sub_schema = gvk, obj
        if body_kind and schemas.definition_for_kind(*body_kind):
            sub_gvk, sub_schema = _gvk(*body_kind), {"$ref": ref + schemas.definition_for_kind(*body_kind)}  # type: ignore[operator]
        if sub == "log":
            sub_schema = {"type": "string"}
        for action in actions:
            body = {"put": sub_schema, "post": sub_schema, "patch": patch_body}.get(action)
            add(
                f"{item}/{sub}",
                ["name"],
                action,
                f"{_ACTIONS[action][1]}{gv}{scope}{r.kind}{sub[:1].upper() + sub[1:]}",
                sub_gvk,
                sub_schema,
                body,
                _LOG if sub == "log" else (),
            )
    return paths


@lru_cache(maxsize=None)
def _paths(doc_path: str, v3: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in group_versions()[doc_path]:
        out.update(_resource_paths(r, v3))
    return out


def _dumps(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@lru_cache(maxsize=1)
def v2_document() -> bytes:
    """The swagger 2.0 document of ``/openapi/v2`` (JSON): every served path and the types they use."""
    paths: dict[str, Any] = {}
    roots: set[str] = set()
    for doc_path, served in group_versions().items():
        p = _paths(doc_path, v3=False)
        paths.update(p)
        roots |= _roots(served, p)
    doc = {
        "swagger": "2.0",
        "info": _INFO,
        "paths": paths,
        "definitions": {name: _definition(name, v3=False) for name in _closure(roots)},
        "securityDefinitions": _SECURITY,
        "security": [{"BearerToken": []}],
    }
    return _dumps(doc)


V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
"""The media type client-go's discovery client accepts for ``/openapi/v2`` (and no other)."""
V2_PROTOBUF_CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
"""The Content-Type to answer it with: the same type spelled without ``@``, which Go's media-type parser refuses."""


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _pb(number: int, value: Any) -> bytes:
    """One protobuf field: a message or string (length-delimited), a bool (varint)."""
    if isinstance(value, bool):
        return _varint(number << 3) + _varint(int(value)) if value else b""
    data = value.encode("utf-8") if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _pb_named(number: int, name: str, value: bytes) -> bytes:
    """A gnostic ``Named*`` pair (name = 1, value = 2)."""
    return _pb(number, _pb(1, name) + _pb(2, value))


def _pb_extensions(number: int, node: dict[str, Any]) -> bytes:
    # Vendor extensions are NamedAny pairs whose Any carries the value as YAML text (JSON is YAML).
    return b"".join(
        _pb_named(number, k, _pb(2, json.dumps(v, sort_keys=True) + "\n"))
        for k, v in node.items()
        if k.startswith("x-")
    )


def _pb_schema(s: dict[str, Any]) -> bytes:
    """An OpenAPI v2 Schema as gnostic's ``openapi.v2.Schema`` message."""
    out = b"".join(_pb(n, s[k]) for n, k in ((1, "$ref"), (2, "format"), (4, "description")) if k in s)
    out += b"".join(_pb(19, r) for r in s.get("required", ()))
    if isinstance(s.get("additionalProperties"), dict):
        out += _pb(21, _pb(1, _pb_schema(s["additionalProperties"])))
    if "type" in s:
        out += _pb(22, b"".join(_pb(1, t) for t in ([s["type"]] if isinstance(s["type"], str) else s["type"])))
    if "items" in s:
        out += _pb(23, _pb(1, _pb_schema(s["items"])))
    if "properties" in s:
        out += _pb(25, b"".join(_pb_named(1, k, _pb_schema(v)) for k, v in s["properties"].items()))
    return out + _pb_extensions(31, s)


def _pb_parameter(p: dict[str, Any]) -> bytes:
    if p["in"] == "body":
        body = _pb(1, p.get("description", "")) + _pb(2, p["name"]) + _pb(3, "body") + _pb(4, p.get("required", False))
        return _pb(1, _pb(1, body + _pb(5, _pb_schema(p["schema"]))))  # ParametersItem.parameter.body_parameter
    path = p["in"] == "path"  # PathParameterSubSchema (4) or QueryParameterSubSchema (3): type and uniqueItems differ
    sub = (
        _pb(1, p.get("required", False))
        + _pb(2, p["in"])
        + _pb(3, p["description"])
        + _pb(4, p["name"])
        + _pb(5 if path else 6, p["type"])
        + _pb(19 if path else 20, p.get("uniqueItems", False))
    )
    return _pb(1, _pb(2, _pb(4 if path else 3, sub)))  # ParametersItem.parameter.non_body_parameter


def _pb_operation(op: dict[str, Any]) -> bytes:
    out = b"".join(_pb(1, t) for t in op.get("tags", ())) + _pb(3, op["description"]) + _pb(5, op["operationId"])
    out += b"".join(_pb(6, t) for t in op.get("produces", ())) + b"".join(_pb(7, t) for t in op.get("consumes", ()))
    out += b"".join(_pb(8, _pb_parameter(p)) for p in op.get("parameters", ()))
    codes = b""
    for code, response in op["responses"].items():
        body = _pb(1, response["description"])
        if "schema" in response:
            body += _pb(2, _pb(1, _pb_schema(response["schema"])))
        codes += _pb_named(1, code, _pb(1, body))
    out += _pb(9, codes) + b"".join(_pb(10, s) for s in op.get("schemes", ()))
    return out + _pb_extensions(13, op)


@lru_cache(maxsize=1)
def v2_protobuf() -> bytes:
    """``/openapi/v2`` in protobuf (gnostic's ``openapi.v2.Document``), the form kubectl's v2 readers ask for."""
    doc = json.loads(v2_document())
    methods = {"get": 2, "put": 3, "post": 4, "delete": 5, "patch": 8}
    paths = b""
    for path, item in doc["paths"].items():
        body = b"".join(_pb(methods[m], _pb_operation(op)) for m, op in item.items() if m in methods)
        body += b"".join(_pb(9, _pb_parameter(p)) for p in item.get("parameters", ()))
        paths += _pb_named(2, path, body)
    security = b"".join(
        _pb_named(1, name, _pb(2, _pb(1, s["type"]) + _pb(2, s["name"]) + _pb(3, s["in"]) + _pb(4, s["description"])))
        for name, s in doc["securityDefinitions"].items()
    )
    return (
        _pb(1, doc["swagger"])
        + _pb(2, _pb(1, doc["info"]["title"]) + _pb(2, doc["info"]["version"]))
        + _pb(8, paths)
        + _pb(9, b"".join(_pb_named(1, k, _pb_schema(v)) for k, v in doc["definitions"].items()))
        + _pb(12, _pb_named(1, "BearerToken", b""))
        + _pb(13, security)
    )


@lru_cache(maxsize=None)
def _v3(doc_path: str) -> bytes:
    paths = _paths(doc_path, v3=True)
    names = _closure(_roots(group_versions()[doc_path], paths))
    doc = {
        "openapi": "3.0.0",
        "info": _INFO,
        "paths": paths,
        "components": {"schemas": {name: _definition(name, v3=True) for name in names}, "securitySchemes": _SECURITY},
        "security": [{"BearerToken": []}],
    }
    return _dumps(doc)


def _hash(data: bytes) -> str:
    """The content hash the real server puts in ``serverRelativeURL`` (SHA-512, upper-case hex)."""
    return hashlib.sha512(data).hexdigest().upper()


@lru_cache(maxsize=1)
def v3_index() -> dict[str, Any]:
    """The ``/openapi/v3`` index: each group-version's document path and its URL with a content hash."""
    return {
        "paths": {p: {"serverRelativeURL": f"/openapi/v3/{p}?hash={_hash(_v3(p))}"} for p in sorted(group_versions())}
    }


def v3_document(path: str) -> bytes | None:
    """The v3 document of one group-version (``/openapi/v3/apis/apps/v1`` or ``apis/apps/v1``), or None.

    A ``?hash=`` query is ignored: the documents never change while the process runs.
    """
    key = path.split("?", 1)[0].strip("/")
    if key.startswith("openapi/v3/"):
        key = key[len("openapi/v3/") :]
    if key not in group_versions():
        return None
    return _v3(key)
