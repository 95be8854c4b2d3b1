"""The API verbs over HTTP: get, list, create, update, patch, delete, deletecollection and the review kinds,
each passed to ktui's API client (never to the store or a component)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import yaml

from ktui.api import errors
from ktui.server import tables
from ktui.server.routes import Target

if TYPE_CHECKING:
    from ktui.cluster import ClusterClient

__all__ = ["MAX_BODY", "decode_body", "read", "write", "PATCH_TYPES"]

MAX_BODY = 3 * 1024 * 1024
"""kube-apiserver's request body limit (``--max-request-bytes`` for JSON bodies)."""

PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
}

_PATCH_ACCEPTED = (
    "the body of the request was in an unknown format - accepted media types include: "
    "application/json-patch+json, application/merge-patch+json, "
    "application/strategic-merge-patch+json"
)


def _status(code: int, reason: str, message: str) -> errors.ApiError:
    return errors.ApiError(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "code": code,
        }
    )


def too_large() -> errors.ApiError:
    return _status(413, "RequestEntityTooLarge", f"Request entity too large: limit is {MAX_BODY}")


def decode_body(body: bytes, content_type: str) -> Any:
    """A JSON, YAML or protobuf (:mod:`ktui.server.protobuf`) request body as data."""
    media = content_type.split(";")[0].strip().lower()
    if len(body) > MAX_BODY:
        raise too_large()
    if media == "application/vnd.kubernetes.protobuf":
        from ktui.server import protobuf

        try:
            return protobuf.decode(body)
        except protobuf.ProtobufError as e:
            if e.code == 415:
                raise _status(415, "UnsupportedMediaType", e.message) from None
            raise errors.bad_request(e.message) from None
    if not body:
        return None
    try:
        if media in ("application/yaml", "application/apply-patch+yaml"):
            return yaml.safe_load(body)
        return json.loads(body, parse_constant=_no_constant)
    except (ValueError, yaml.YAMLError) as e:
        raise errors.bad_request(f"error decoding request body: {e}") from None


def _no_constant(word: str) -> Any:
    """JSON has no ``NaN`` or ``Infinity`` (Python's reader takes them; Go's refuses them, as here)."""
    if word.startswith("-"):
        raise ValueError("invalid character 'I' in numeric literal")
    raise ValueError(f"invalid character '{word[0]}' looking for beginning of value")


def _int(query: dict[str, str], key: str) -> int | None:
    raw = query.get(key)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise errors.bad_request(f'invalid value "{raw}" for {key}') from None


def _dry(query: dict[str, str], body: Any = None) -> bool:
    values = [query.get("dryRun", "")]
    if isinstance(body, dict) and isinstance(body.get("dryRun"), list):
        values += body["dryRun"]
    for v in values:
        if v and v != "All":
            raise errors.bad_request(f'Invalid value: "{v}": supported values: "All"')
    return "All" in values


def read(client: "ClusterClient", t: Target, query: dict[str, str], now: float, table: bool) -> Any:
    """GET of one object (or its subresource) or of a list; a Table when asked for. ``str`` for pods/log,
    ``("follow", log options)`` for a followed one (the caller streams it)."""
    r = t.resource
    gr = r.group_resource
    include = tables.include_object(query)
    if t.name:
        if t.subresource == "log":
            opts: dict[str, Any] = {
                "previous": query.get("previous") == "true",
                "timestamps": query.get("timestamps") == "true",
            }
            if query.get("container"):
                opts["container"] = query["container"]
            if _int(query, "tailLines") is not None:
                opts["tail_lines"] = _int(query, "tailLines")
            if _int(query, "sinceSeconds") is not None:
                opts["since_seconds"] = _int(query, "sinceSeconds")
            if query.get("follow") == "true":
                return ("follow", opts)
            return client.log(t.name, t.namespace, **opts)
        obj = client.get(gr, t.name, t.namespace, subresource=t.subresource)
        if table and not t.subresource:
            return tables.table(r, [obj], now, include)
        return obj
    lst = client.list(
        gr,
        t.namespace,
        label_selector=query.get("labelSelector", ""),
        field_selector=query.get("fieldSelector", ""),
        limit=_int(query, "limit") or 0,
        continue_token=query.get("continue", ""),
        resource_version=query.get("resourceVersion", ""),
    )
    if table:
        return tables.table(r, lst.get("items") or [], now, include, list_meta=lst.get("metadata"))
    return lst


def _review(client: "ClusterClient", t: Target, body: dict) -> dict:
    """SelfSubjectAccessReview, SelfSubjectRulesReview and SelfSubjectReview, answered for the requesting user."""
    r = t.resource
    out = {"kind": r.kind, "apiVersion": r.api_version, "metadata": {"creationTimestamp": None}}
    if r.plural == "selfsubjectrulesreviews":  # the answer carries no spec, as kube-apiserver's REST storage
        namespace = (body.get("spec") or {}).get("namespace") or ""
        if not namespace:
            raise errors.bad_request("no namespace on request")
        return {**out, "spec": {}, "status": client.rules_review(namespace)}
    if r.plural == "selfsubjectreviews":
        info: dict[str, Any] = {"username": client.user.name, "groups": list(client.user.groups)}
        if client.user.uid:
            info["uid"] = client.user.uid
        if client.user.extra:
            info["extra"] = {k: list(v) for k, v in client.user.extra.items()}
        return {**out, "status": {"userInfo": info}}
    spec = body.get("spec") or {}
    ra, nra = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if nra:
        status = client.can_i(nra.get("verb", ""), non_resource_url=nra.get("path", ""))
    elif ra:
        resource = ra.get("resource", "")
        if ra.get("group"):
            resource = f"{resource}.{ra['group']}"
        try:
            status = client.can_i(
                ra.get("verb", ""), resource, ra.get("namespace") or None, ra.get("name", ""), ra.get("subresource", "")
            )
        except errors.ApiError:
            status = {"allowed": False}
    else:
        raise errors.invalid(
            r.kind,
            "",
            [
                errors.FieldError.invalid(
                    "spec.resourceAttributes",
                    None,
                    "exactly one of nonResourceAttributes or resourceAttributes must be specified",
                )
            ],
            r.group,
        )
    return {**out, "spec": spec, "status": status}


def write(
    client: "ClusterClient", t: Target, method: str, query: dict[str, str], body: Any, content_type: str
) -> tuple[int, Any]:
    """POST, PUT, PATCH and DELETE: ``(HTTP status, answer)``; ``fieldValidation`` is passed on (the
    client's warning handler receives the warnings)."""
    r = t.resource
    gr = r.group_resource
    validation = {"field_validation": query["fieldValidation"]} if query.get("fieldValidation") else {}
    if method == "POST":
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request was in an unknown format")
        if r.plural in ("selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"):
            return 201, _review(client, t, body)
        if r.verbs == ("create",) and r.plural != "bindings":
            raise errors.method_not_supported(r.plural, "create", r.group)
        if t.name and not t.subresource:
            raise errors.method_not_supported(r.plural, "create", r.group)
        if t.subresource:
            if t.subresource not in ("eviction", "binding", "token"):
                raise errors.method_not_supported(f"{r.plural}/{t.subresource}", "create", r.group)
            out = client.create(
                gr, body, t.namespace, dry_run=_dry(query, body), subresource=t.subresource, name=t.name, **validation
            )
            return 201, out
        return 201, client.create(gr, body, t.namespace, dry_run=_dry(query), **validation)
    if method == "PUT":
        if not t.name:
            raise errors.method_not_supported(r.plural, "update", r.group)
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request was in an unknown format")
        name = (body.get("metadata") or {}).get("name")
        if name != t.name:
            raise errors.bad_request(
                "the name of the object (%s) does not match the name on the URL (%s)" % (name or "", t.name)
            )
        return 200, client.update(gr, body, t.namespace, dry_run=_dry(query), subresource=t.subresource, **validation)
    if method == "PATCH":
        media = content_type.split(";")[0].strip().lower()
        kind = PATCH_TYPES.get(media)
        if kind is None or not t.name:
            raise _status(415, "UnsupportedMediaType", _PATCH_ACCEPTED)
        return 200, client.patch(
            gr, t.name, body, t.namespace, patch_type=kind, dry_run=_dry(query), subresource=t.subresource, **validation
        )
    # DELETE
    opts = body if isinstance(body, dict) else {}
    grace = opts.get("gracePeriodSeconds")
    if grace is None:
        grace = _int(query, "gracePeriodSeconds")
    policy = opts.get("propagationPolicy") or query.get("propagationPolicy") or None
    if opts.get("orphanDependents") is True or query.get("orphanDependents") == "true":
        policy = policy or "Orphan"
    dry = _dry(query, opts)
    if not t.name:
        items = client.delete_collection(
            gr,
            t.namespace,
            label_selector=query.get("labelSelector", ""),
            field_selector=query.get("fieldSelector", ""),
            grace_period_seconds=grace,
            propagation_policy=policy,
            dry_run=dry,
        )
        return 200, {"kind": f"{r.kind}List", "apiVersion": r.api_version, "metadata": {}, "items": items}
    return 200, client.delete(
        gr,
        t.name,
        t.namespace,
        grace_period_seconds=grace,
        propagation_policy=policy,
        preconditions=opts.get("preconditions"),
        dry_run=dry,
    )
