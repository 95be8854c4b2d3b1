"""Field selectors: the ``fields.ParseSelector`` grammar, the field sets each kind exposes, and field label checks.

Behaviour and messages follow k8s.io/apimachinery/pkg/fields/selector.go, each registry strategy's
``ToSelectableFields``/``GetAttrs``, and the ``AddFieldLabelConversionFunc`` registrations of the API groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from ktui.api.errors import bad_request

__all__ = [
    "FieldSelector",
    "FieldTerm",
    "convert_field_selector",
    "escape_field_value",
    "field_terms",
    "parse_field_selector",
    "parse_field_selector_param",
    "selectable_fields",
    "unescape_field_value",
    "validate_field_selector",
]


@dataclass(frozen=True, slots=True)
class FieldTerm:
    """``field=value`` (``op`` ``"="``, for both ``=`` and ``==``) or ``field!=value``."""

    field: str
    op: str
    value: str

    def matches(self, fields: Mapping[str, str]) -> bool:
        """A missing field reads as the empty string, as ``fields.Set.Get`` does."""
        return (fields.get(self.field, "") == self.value) == (self.op == "=")

    def __str__(self) -> str:
        return f"{self.field}{self.op}{escape_field_value(self.value)}"


@dataclass(frozen=True, slots=True)
class FieldSelector:
    """An AND of field terms, in the order the parser sorted them."""

    terms: tuple[FieldTerm, ...] = ()

    @property
    def empty(self) -> bool:
        """True when the selector does not restrict anything."""
        return not self.terms

    def matches(self, fields: Mapping[str, str]) -> bool:
        """Whether a field set satisfies every term."""
        for t in self.terms:
            if not t.matches(fields):
                return False
        return True

    def requires_exact_match(self, field: str) -> str | None:
        """The value an ``=`` term requires ``field`` to have, or None (``RequiresExactMatch``)."""
        for t in self.terms:
            if t.field == field and t.op == "=":
                return t.value
        return None

    def transform(self, fn: Callable[[str, str], tuple[str, str]]) -> "FieldSelector":
        """Apply ``fn(field, value) -> (field, value)`` to every term; ``("", "")`` drops a term."""
        out = []
        for t in self.terms:
            field, value = fn(t.field, t.value)
            if field or value:
                out.append(FieldTerm(field, t.op, value))
        return FieldSelector(tuple(out))

    def __str__(self) -> str:
        return ",".join(str(t) for t in self.terms)


def escape_field_value(value: str) -> str:
    """Escape ``\\``, ``,`` and ``=`` with a backslash (``fields.EscapeValue``)."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def unescape_field_value(value: str) -> str:
    """Undo :func:`escape_field_value` (``fields.UnescapeValue``).

    Raises:
        ValueError: For an unknown escape, a trailing backslash, or a bare ``,`` or ``=``.
    """
    if not any(c in value for c in "\\,="):
        return value
    out = []
    in_slash = False
    for c in value:
        if in_slash:
            if c not in "\\,=":
                raise ValueError(f"invalid field selector: invalid escape sequence: \\{c}")
            out.append(c)
            in_slash = False
        elif c == "\\":
            in_slash = True
        elif c in ",=":
            # Go prints the rune with %v, which is its code point.
            raise ValueError(f"invalid field selector: unescaped character in value: {ord(c)}")
        else:
            out.append(c)
    if in_slash:
        raise ValueError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not escaped; escapes stay in the pieces."""
    if not text:
        return []
    terms, start, in_slash = [], 0, False
    for i, c in enumerate(text):
        if in_slash:
            in_slash = False
        elif c == "\\":
            in_slash = True
        elif c == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    """Split at the first operator, trying ``!=``, ``==`` then ``=`` at each position."""
    for i in range(len(term)):
        for op in ("!=", "==", "="):
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op) :]
    return None


def parse_field_selector(text: str) -> FieldSelector:
    """Parse a field selector exactly as ``fields.ParseSelector`` does (terms sorted as raw text).

    Raises:
        ValueError: With the message kube-apiserver puts in its 400 for a bad ``fieldSelector``.
    """
    terms = []
    for part in sorted(_split_terms(text)):
        if not part:
            continue
        split = _split_term(part)
        if split is None:
            raise ValueError(f"invalid selector: '{text}'; can't understand '{part}'")
        lhs, op, rhs = split
        terms.append(FieldTerm(lhs, "!=" if op == "!=" else "=", unescape_field_value(rhs)))
    return FieldSelector(tuple(terms))


def parse_field_selector_param(text: str | None) -> FieldSelector:
    """Parse a ``fieldSelector`` query parameter; an empty or missing one selects everything.

    Raises:
        ApiError: 400 BadRequest carrying the parse error.
    """
    try:
        return parse_field_selector(text or "")
    except ValueError as err:
        raise bad_request(str(err)) from None


# What each kind exposes (registry strategies' ToSelectableFields) -------------------------------

_CLUSTER_SCOPED = frozenset(
    {
        "Node",
        "Namespace",
        "PersistentVolume",
        "ClusterRole",
        "ClusterRoleBinding",
        "StorageClass",
        "CertificateSigningRequest",
        "ClusterTrustBundle",
        "CustomResourceDefinition",
        "APIService",
        "PriorityClass",
        "RuntimeClass",
        "IngressClass",
        "CSIDriver",
        "CSINode",
        "VolumeAttachment",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ComponentStatus",
        "FlowSchema",
        "PriorityLevelConfiguration",
        "DeviceClass",
        "ResourceSlice",
        "IPAddress",
        "ServiceCIDR",
    }
)


def _get(obj: Mapping[str, Any], *path: str) -> Any:
    cur: Any = obj
    for p in path:
        if type(cur) is not dict and not isinstance(cur, Mapping):  # (a plain dict without the ABC check)
            return None
        cur = cur.get(p)
    return cur


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _go_bool(value: Any) -> str:
    return "true" if value is True else "false"


def _go_int(value: Any) -> str:
    return str(int(value or 0))


def _pod_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    status = obj.get("status") or {}
    pod_ip = status.get("podIP") or ""
    if not pod_ip and status.get("podIPs"):
        pod_ip = _s(status["podIPs"][0].get("ip"))
    return {
        "spec.nodeName": _s(_get(obj, "spec", "nodeName")),
        "spec.restartPolicy": _s(_get(obj, "spec", "restartPolicy")),
        "spec.schedulerName": _s(_get(obj, "spec", "schedulerName")),
        "spec.serviceAccountName": _s(_get(obj, "spec", "serviceAccountName")),
        "spec.hostNetwork": _go_bool(_get(obj, "spec", "hostNetwork")),
        "status.phase": _s(status.get("phase")),
        "status.podIP": pod_ip,
        "status.nominatedNodeName": _s(status.get("nominatedNodeName")),
    }


def _event_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    if _s(obj.get("apiVersion")).startswith("events.k8s.io/"):
        ref = obj.get("regarding") or {}
        component = _s(_get(obj, "deprecatedSource", "component"))
    else:
        ref = obj.get("involvedObject") or {}
        component = _s(_get(obj, "source", "component"))
    reporting = _s(obj.get("reportingController") or obj.get("reportingComponent"))
    return {
        "involvedObject.kind": _s(ref.get("kind")),
        "involvedObject.namespace": _s(ref.get("namespace")),
        "involvedObject.name": _s(ref.get("name")),
        "involvedObject.uid": _s(ref.get("uid")),
        "involvedObject.apiVersion": _s(ref.get("apiVersion")),
        "involvedObject.resourceVersion": _s(ref.get("resourceVersion")),
        "involvedObject.fieldPath": _s(ref.get("fieldPath")),
        "reason": _s(obj.get("reason")),
        "reportingComponent": reporting,
        "source": component or reporting,
        "type": _s(obj.get("type")),
    }


_KIND_FIELDS: dict[str, Callable[[Mapping[str, Any]], dict[str, str]]] = {
    "Pod": _pod_fields,
    "Event": _event_fields,
    "Node": lambda o: {"spec.unschedulable": _go_bool(_get(o, "spec", "unschedulable"))},
    # "name" is a bug the apiserver keeps for backward compatibility.
    "Namespace": lambda o: {"status.phase": _s(_get(o, "status", "phase")), "name": _s(_get(o, "metadata", "name"))},
    "Secret": lambda o: {"type": _s(o.get("type"))},
    "Service": lambda o: {"spec.clusterIP": _s(_get(o, "spec", "clusterIP")), "spec.type": _s(_get(o, "spec", "type"))},
    "ReplicaSet": lambda o: {"status.replicas": _go_int(_get(o, "status", "replicas"))},
    "ReplicationController": lambda o: {"status.replicas": _go_int(_get(o, "status", "replicas"))},
    "Job": lambda o: {"status.successful": _go_int(_get(o, "status", "succeeded"))},
    "CertificateSigningRequest": lambda o: {"spec.signerName": _s(_get(o, "spec", "signerName"))},
    "ClusterTrustBundle": lambda o: {"spec.signerName": _s(_get(o, "spec", "signerName"))},
}


FIELD_GETTERS: dict[tuple[str, str], Callable[[Mapping[str, Any]], str]] = {
    ("Pod", "spec.nodeName"): lambda o: _s(_get(o, "spec", "nodeName")),
    ("Pod", "spec.schedulerName"): lambda o: _s(_get(o, "spec", "schedulerName")),
    ("Pod", "status.phase"): lambda o: _s(_get(o, "status", "phase")),
    ("Pod", "metadata.name"): lambda o: _s(_get(o, "metadata", "name")),
    ("Pod", "metadata.namespace"): lambda o: _s(_get(o, "metadata", "namespace")),
}
"""One field of :func:`selectable_fields`, computed alone, for the fields watches of pods select on most
(``spec.nodeName`` for each kubelet): the same value as the whole field set gives."""


def selectable_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    """The field set kube-apiserver matches a field selector against for this object.

    Every kind has ``metadata.name``, namespaced kinds ``metadata.namespace``; kinds with
    selectable fields of their own add them (Pod, Event, Node, Namespace, Secret, Service,
    ReplicaSet, ReplicationController, Job, CertificateSigningRequest, ClusterTrustBundle).
    """
    kind = _s(obj.get("kind"))
    meta = obj.get("metadata") or {}
    fields = {"metadata.name": _s(meta.get("name"))}
    if kind not in _CLUSTER_SCOPED:
        fields["metadata.namespace"] = _s(meta.get("namespace"))
    extra = _KIND_FIELDS.get(kind)
    if extra is not None:
        fields.update(extra(obj))
    return fields


# Field label conversion (which fields a kind accepts in a selector) ----------------------------

_META = ("metadata.name", "metadata.namespace")
_EVENT = (
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
) + _META
_NOT_SUPPORTED = "field label not supported: {label}"

# (group, kind) -> (accepted labels, renamed labels, error format). Kinds absent use the default.
_CONVERSIONS: dict[tuple[str, str], tuple[frozenset[str], dict[str, str], str]] = {
    ("", "Pod"): (
        frozenset(
            _META
            + (
                "spec.nodeName",
                "spec.restartPolicy",
                "spec.schedulerName",
                "spec.serviceAccountName",
                "spec.hostNetwork",
                "status.phase",
                "status.podIP",
                "status.podIPs",
                "status.nominatedNodeName",
            )
        ),
        {"spec.host": "spec.nodeName"},
        _NOT_SUPPORTED,
    ),
    ("", "Node"): (frozenset({"metadata.name", "spec.unschedulable"}), {}, _NOT_SUPPORTED),
    ("", "ReplicationController"): (frozenset(_META + ("status.replicas",)), {}, _NOT_SUPPORTED),
    ("", "Event"): (frozenset(_EVENT), {}, _NOT_SUPPORTED),
    ("events.k8s.io", "Event"): (frozenset(_EVENT), {}, _NOT_SUPPORTED),
    ("", "Namespace"): (frozenset({"status.phase", "metadata.name"}), {}, _NOT_SUPPORTED),
    ("", "Secret"): (frozenset(_META + ("type",)), {}, _NOT_SUPPORTED),
    ("", "Service"): (frozenset(_META + ("spec.clusterIP", "spec.type")), {}, _NOT_SUPPORTED),
    ("batch", "Job"): (frozenset(_META + ("status.successful",)), {}, 'field label "{label}" not supported for Job'),
    ("certificates.k8s.io", "CertificateSigningRequest"): (
        frozenset({"metadata.name", "spec.signerName"}),
        {},
        _NOT_SUPPORTED,
    ),
    ("certificates.k8s.io", "ClusterTrustBundle"): (
        frozenset({"metadata.name", "spec.signerName"}),
        {},
        _NOT_SUPPORTED,
    ),
    ("certificates.k8s.io", "PodCertificateRequest"): (
        frozenset({"metadata.name", "spec.signerName", "spec.podName", "spec.nodeName"}),
        {},
        _NOT_SUPPORTED,
    ),
}
_DEFAULT: tuple[frozenset[str], dict[str, str], str] = (
    frozenset(_META),
    {},
    '"{label}" is not a known field selector: only "metadata.name", "metadata.namespace"',
)


def convert_field_selector(kind: str, selector: FieldSelector, group: str = "") -> FieldSelector:
    """Apply the kind's field label conversion, as the apiserver does before listing.

    Args:
        kind: The resource kind, e.g. ``"Pod"``.
        selector: The parsed selector.
        group: The API group (``""`` for core, ``"batch"``, ``"apps"``...).

    Returns:
        The selector with legacy labels renamed (``spec.host`` becomes ``spec.nodeName`` for pods).

    Raises:
        ValueError: For a field the kind does not support, with the apiserver's message.
    """
    accepted, renames, message = _CONVERSIONS.get((group, kind), _DEFAULT)

    def convert(label: str, value: str) -> tuple[str, str]:
        if label in accepted:
            return label, value
        if label in renames:
            return renames[label], value
        raise ValueError(message.format(label=label))

    return selector.transform(convert)


def validate_field_selector(kind: str, selector: FieldSelector, group: str = "") -> FieldSelector:
    """:func:`convert_field_selector`, raising the 400 kube-apiserver answers for an unsupported field.

    The server's message is e.g. ``field label not supported: spec.foo``; kubectl prefixes it with
    ``Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.foo=x": ``.

    Raises:
        ApiError: 400 BadRequest.
    """
    try:
        return convert_field_selector(kind, selector, group)
    except ValueError as err:
        raise bad_request(str(err)) from None


def field_terms(terms: Iterable[tuple[str, str, str]]) -> FieldSelector:
    """Build a selector from ``(field, op, value)`` triples, kept in the given order."""
    return FieldSelector(tuple(FieldTerm(f, "!=" if op == "!=" else "=", v) for f, op, v in terms))
