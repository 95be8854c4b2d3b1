"""Label selectors: the ``labels.Parse`` grammar, requirements, matching and ``metav1.LabelSelector``.

Behaviour and error messages follow k8s.io/apimachinery/pkg/labels/selector.go, the label key and
value rules of k8s.io/apimachinery/pkg/api/validate/content, and ``metav1.LabelSelectorAsSelector``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

__all__ = [
    "EXISTS",
    "DOES_NOT_EXIST",
    "EQUALS",
    "DOUBLE_EQUALS",
    "NOT_EQUALS",
    "IN",
    "NOT_IN",
    "GREATER_THAN",
    "LESS_THAN",
    "LabelSelector",
    "Requirement",
    "format_label_selector",
    "label_key_errors",
    "label_selector_from_dict",
    "label_value_errors",
    "new_requirement",
    "selector_from_set",
    "BINARY_OPERATORS",
    "go_quote",
]

# selection.Operator values.
EXISTS = "exists"
DOES_NOT_EXIST = "!"
EQUALS = "="
DOUBLE_EQUALS = "=="
NOT_EQUALS = "!="
IN = "in"
NOT_IN = "notin"
GREATER_THAN = "gt"
LESS_THAN = "lt"

BINARY_OPERATORS = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN)
_VALID_OPERATORS = BINARY_OPERATORS + (EXISTS, DOES_NOT_EXIST)
_OPERATOR_TEXT = {
    EQUALS: "=",
    DOUBLE_EQUALS: "==",
    NOT_EQUALS: "!=",
    IN: " in ",
    NOT_IN: " notin ",
    GREATER_THAN: ">",
    LESS_THAN: "<",
}

# Label keys and values are checked by ktui.api.validation.names (content.IsLabelKey / IsLabelValue).

_INT64_RE = re.compile(r"[+-]?[0-9]+")


def label_key_errors(key: str) -> list[str]:
    """The problems ``content.IsLabelKey`` finds with a label key (empty when valid)."""
    from ktui.api.validation.names import is_qualified_name

    return is_qualified_name(key)


def label_value_errors(value: str) -> list[str]:
    """The problems ``content.IsLabelValue`` finds with a label value (empty when valid)."""
    from ktui.api.validation.names import is_label_value

    return is_label_value(value)


def _parse_int64(s: str) -> int | None:
    """``strconv.ParseInt(s, 10, 64)``, or None where Go would return an error."""
    if not _INT64_RE.fullmatch(s):
        return None
    n = int(s)
    return n if -(2**63) <= n < 2**63 else None


_GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


def go_quote(s: str) -> str:
    """Go's ``%q`` of a string, for the characters a selector can carry."""
    out = []
    for ch in s:
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _go_strings(values: Sequence[str] | None) -> str:
    """Go's ``%#v`` of a ``[]string``."""
    if values is None:
        return "[]string(nil)"
    return "[]string{" + ", ".join(go_quote(v) for v in values) + "}"


def _aggregate(messages: list[str]) -> str:
    """``utilerrors.NewAggregate(...).Error()``: one message as is, several de-duplicated in brackets."""
    seen: list[str] = []
    for m in messages:
        if m not in seen:
            seen.append(m)
    return seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"


# Requirements and selectors ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Requirement:
    """One ``key op values`` term; build it with :func:`new_requirement` to have it validated."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a label set satisfies this requirement (``Requirement.Matches``)."""
        op = self.operator
        if op in (IN, EQUALS, DOUBLE_EQUALS):
            return self.key in labels and labels[self.key] in self.values
        if op in (NOT_IN, NOT_EQUALS):
            return self.key not in labels or labels[self.key] not in self.values
        if op == EXISTS:
            return self.key in labels
        if op == DOES_NOT_EXIST:
            return self.key not in labels
        if op in (GREATER_THAN, LESS_THAN):
            if self.key not in labels or len(self.values) != 1:
                return False
            have, want = _parse_int64(labels[self.key]), _parse_int64(self.values[0])
            if have is None or want is None:
                return False
            return have > want if op == GREATER_THAN else have < want
        return False

    def __str__(self) -> str:
        head = ("!" if self.operator == DOES_NOT_EXIST else "") + self.key
        if self.operator in (EXISTS, DOES_NOT_EXIST):
            return head
        values = self.values[0] if len(self.values) == 1 else ",".join(sorted(self.values))
        if self.operator in (IN, NOT_IN):
            values = f"({values})"
        return head + _OPERATOR_TEXT.get(self.operator, "") + values


def new_requirement(key: str, operator: str, values: Sequence[str] | None = None) -> Requirement:
    """Build a validated requirement, as ``labels.NewRequirement``.

    Args:
        key: The label key.
        operator: One of the operator constants (``"in"``, ``"="``, ``"exists"``, ``"gt"``...).
        values: The values; None stands for a Go nil slice (it only changes how an error prints).

    Raises:
        ValueError: With the aggregated field-error message the apiserver would return.
    """
    vals = list(values) if values is not None else []
    errs: list[str] = []
    key_errs = label_key_errors(key)
    if key_errs:
        errs.append(f"key: Invalid value: {go_quote(key)}: " + "; ".join(key_errs))
    if operator in (IN, NOT_IN):
        if not vals:
            errs.append(
                f"values: Invalid value: {_go_strings(values)}: for 'in', 'notin' operators, values set can't be empty"
            )
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if len(vals) != 1:
            errs.append(
                f"values: Invalid value: {_go_strings(values)}: exact-match compatibility requires one single value"
            )
    elif operator in (EXISTS, DOES_NOT_EXIST):
        if vals:
            errs.append(
                f"values: Invalid value: {_go_strings(values)}: values set must be empty for exists and does not exist"
            )
    elif operator in (GREATER_THAN, LESS_THAN):
        if len(vals) != 1:
            errs.append(
                f"values: Invalid value: {_go_strings(values)}: for 'Gt', 'Lt' operators, exactly one value is required"
            )
        for i, v in enumerate(vals):
            if _parse_int64(v) is None:
                errs.append(
                    f"values[{i}]: Invalid value: {go_quote(v)}: for 'Gt', 'Lt' operators, the value must be an integer"
                )
    else:
        supported = ", ".join(f'"{o}"' for o in _VALID_OPERATORS)
        errs.append(f"operator: Unsupported value: {go_quote(operator)}: supported values: {supported}")
    for i, v in enumerate(vals):
        value_errs = label_value_errors(v)
        if value_errs:
            errs.append(f"values[{i}][{key}]: Invalid value: {go_quote(v)}: " + "; ".join(value_errs))
    if errs:
        raise ValueError(_aggregate(errs))
    return Requirement(key, operator, tuple(vals))


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """An AND of requirements, kept sorted by key; ``nothing`` marks ``labels.Nothing()``."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    @classmethod
    def everything(cls) -> "LabelSelector":
        """The selector that matches every label set."""
        return _EVERYTHING

    @classmethod
    def match_nothing(cls) -> "LabelSelector":
        """The selector that matches no label set (what a nil ``metav1.LabelSelector`` becomes)."""
        return _NOTHING

    @classmethod
    def of(cls, requirements: Iterable[Requirement]) -> "LabelSelector":
        """A selector of these requirements, stably sorted by key as ``Selector.Add`` sorts them."""
        return cls(tuple(sorted(requirements, key=lambda r: r.key)))

    @property
    def empty(self) -> bool:
        """True when the selector does not restrict anything (``Selector.Empty``)."""
        return not self.nothing and not self.requirements

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether a label set (None counts as no labels) satisfies every requirement."""
        if self.nothing:
            return False
        ls = labels if labels is not None else {}
        for r in self.requirements:
            if not r.matches(ls):
                return False
        return True

    def add(self, *requirements: Requirement) -> "LabelSelector":
        """A new selector with more requirements (a Nothing selector stays Nothing)."""
        return self if self.nothing else LabelSelector.of(self.requirements + requirements)

    def requires_exact_match(self, key: str) -> str | None:
        """The single value the selector requires ``key`` to have, or None (``RequiresExactMatch``)."""
        for r in self.requirements:
            if r.key == key:
                if r.operator in (EQUALS, DOUBLE_EQUALS, IN) and len(r.values) == 1:
                    return r.values[0]
                return None
        return None

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


_EVERYTHING = LabelSelector()
_NOTHING = LabelSelector((), nothing=True)


def selector_from_set(labels: Mapping[str, str] | None) -> LabelSelector:
    """An equality selector for a label map, unvalidated (``labels.SelectorFromSet``); empty is Everything."""
    if not labels:
        return _EVERYTHING
    return LabelSelector(tuple(Requirement(k, EQUALS, (labels[k],)) for k in sorted(labels)))


def label_selector_from_dict(selector: Mapping[str, Any] | None) -> LabelSelector:
    """Convert a ``metav1.LabelSelector`` dict, as ``metav1.LabelSelectorAsSelector``.

    None matches nothing; a selector without ``matchLabels`` or ``matchExpressions`` matches everything.

    Raises:
        ValueError: For an unknown operator or an invalid key or value, with the Go message.
    """
    if selector is None:
        return _NOTHING
    match_labels = selector.get("matchLabels") or {}
    match_expressions = selector.get("matchExpressions") or []
    if not match_labels and not match_expressions:
        return _EVERYTHING
    reqs = [new_requirement(k, EQUALS, [match_labels[k]]) for k in sorted(match_labels)]
    ops = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}
    for expr in match_expressions:
        operator = expr.get("operator", "")
        if operator not in ops:
            raise ValueError(f"{go_quote(str(operator))} is not a valid label selector operator")
        values = expr.get("values")
        reqs.append(new_requirement(expr.get("key", ""), ops[operator], list(values) if values else None))
    return LabelSelector.of(reqs)


def format_label_selector(selector: Mapping[str, Any] | None) -> str:
    """The text kubectl shows for a ``metav1.LabelSelector`` (``metav1.FormatLabelSelector``)."""
    try:
        text = str(label_selector_from_dict(selector))
    except ValueError:
        return "<error>"
    return text or "<none>"
