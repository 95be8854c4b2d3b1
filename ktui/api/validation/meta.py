"""ObjectMeta, labels, annotations and label selectors, validated as apimachinery's objectmeta.go does."""

from __future__ import annotations

from typing import Any, Callable

from ktui.api.errors import FieldError
from ktui.api.validation.names import is_label_value, is_qualified_name, name_is_dns_label

__all__ = [
    "NameFn",
    "immutable",
    "label_selector_matches",
    "non_negative",
    "validate_annotations",
    "validate_label_name",
    "validate_label_selector",
    "validate_labels",
    "validate_object_meta",
    "validate_object_meta_update",
]

NameFn = Callable[[str, bool], list[str]]
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
IS_NEGATIVE = "must be greater than or equal to 0"
FIELD_IMMUTABLE = "field is immutable"
_STANDARD_FINALIZERS = {"kubernetes", "orphan", "foregroundDeletion"}


def non_negative(value: Any, path: str) -> list[FieldError]:
    """``ValidateNonnegativeField``: ``must be greater than or equal to 0``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return [FieldError.invalid(path, value, IS_NEGATIVE)]
    return []


def immutable(new: Any, old: Any, path: str) -> list[FieldError]:
    """``ValidateImmutableField``: ``field is immutable`` when the values differ."""
    return [] if new == old else [FieldError.invalid(path, new, FIELD_IMMUTABLE)]


def validate_label_name(name: str, path: str) -> list[FieldError]:
    """A label key; every problem is an ``Invalid value`` at ``path``."""
    return [FieldError.invalid(path, name, msg) for msg in is_qualified_name(name)]


def validate_labels(labels: Any, path: str) -> list[FieldError]:
    """Label keys and values, all reported at ``path`` itself (not per key), as ``ValidateLabels`` does."""
    errs: list[FieldError] = []
    for key, value in (labels or {}).items() if isinstance(labels, dict) else []:
        errs += validate_label_name(str(key), path)
        errs += [FieldError.invalid(path, value, msg) for msg in is_label_value(str(value))]
    return errs


def validate_annotations(annotations: Any, path: str) -> list[FieldError]:
    """Annotation keys (case-insensitive qualified names) and the 256 KiB total size."""
    errs: list[FieldError] = []
    if not isinstance(annotations, dict):
        return errs
    total = 0
    for key, value in annotations.items():
        errs += [FieldError.invalid(path, key, msg) for msg in is_qualified_name(str(key).lower())]
        total += len(str(key).encode()) + len(str(value).encode())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        errs.append(FieldError.too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT))
    return errs


def _validate_finalizers(finalizers: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    names = [str(f) for f in finalizers] if isinstance(finalizers, list) else []
    for name in names:
        errs += validate_label_name(name, path)
    if "orphan" in names and "foregroundDeletion" in names:
        errs.append(FieldError.invalid(path, names, "finalizer orphan and foregroundDeletion cannot be both set"))
    for i, name in enumerate(names):
        errs += validate_label_name(name, f"{path}[{i}]")
        if "/" not in name and name not in _STANDARD_FINALIZERS:
            errs.append(
                FieldError.invalid(
                    f"{path}[{i}]", name, "name is neither a standard finalizer name nor is it fully qualified"
                )
            )
    return errs


def _common(meta: dict[str, Any], namespaced: bool, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    namespace = meta.get("namespace") or ""
    if namespaced:
        if not namespace:
            errs.append(FieldError.required(f"{path}.namespace"))
        else:
            errs += [FieldError.invalid(f"{path}.namespace", namespace, m) for m in name_is_dns_label(namespace)]
    elif namespace:
        errs.append(FieldError.forbidden(f"{path}.namespace", "not allowed on this type"))
    errs += non_negative(meta.get("generation", 0), f"{path}.generation")
    errs += validate_labels(meta.get("labels"), f"{path}.labels")
    errs += validate_annotations(meta.get("annotations"), f"{path}.annotations")
    for i, ref in enumerate(meta.get("ownerReferences") or []):
        ref = ref if isinstance(ref, dict) else {}
        if not str(ref.get("apiVersion", "")).rsplit("/", 1)[-1]:
            errs.append(
                FieldError.invalid(
                    f"{path}.ownerReferences.apiVersion", ref.get("apiVersion", ""), "version must not be empty"
                )
            )
        for key in ("kind", "name", "uid"):
            if not ref.get(key):
                errs.append(FieldError.invalid(f"{path}.ownerReferences.{key}", ref.get(key, ""), "must not be empty"))
    return errs + _validate_finalizers(meta.get("finalizers"), f"{path}.finalizers")


def validate_object_meta(meta: Any, namespaced: bool, name_fn: NameFn, path: str = "metadata") -> list[FieldError]:
    """``ValidateObjectMeta`` on create.

    Args:
        meta: the ``metadata`` dict.
        namespaced: whether the kind lives in a namespace (then ``namespace`` is required).
        name_fn: the kind's name rule, e.g. ``name_is_dns_subdomain``.
        path: the field path of the metadata.

    Returns:
        Errors such as ``metadata.name: Required value: name or generateName is required``.
    """
    meta = meta if isinstance(meta, dict) else {}
    errs: list[FieldError] = []
    generate = meta.get("generateName") or ""
    if generate:
        errs += [FieldError.invalid(f"{path}.generateName", generate, m) for m in name_fn(generate, True)]
    name = meta.get("name") or ""
    if not name:
        errs.append(FieldError.required(f"{path}.name", "name or generateName is required"))
    else:
        errs += [FieldError.invalid(f"{path}.name", name, m) for m in name_fn(name, False)]
    return errs + _common(meta, namespaced, path)


def validate_object_meta_update(new: Any, old: Any, path: str = "metadata") -> list[FieldError]:
    """``ValidateObjectMetaUpdate``: identity fields immutable, generation not decremented, labels valid.

    The ``resourceVersion`` presence check is left to the API layer, which fills it in for unconditional
    updates before validation as the generic registry does.
    """
    new = new if isinstance(new, dict) else {}
    old = old if isinstance(old, dict) else {}
    errs: list[FieldError] = []
    if old.get("deletionTimestamp"):
        added = sorted(set(new.get("finalizers") or []) - set(old.get("finalizers") or []))
        if added:
            shown = "[]string{" + ", ".join(f'"{f}"' for f in added) + "}"
            errs.append(
                FieldError.forbidden(
                    f"{path}.finalizers",
                    f"no new finalizers can be added if the object is being deleted, found new finalizers {shown}",
                )
            )
    if (new.get("generation") or 0) < (old.get("generation") or 0):
        errs.append(FieldError.invalid(f"{path}.generation", new.get("generation") or 0, "must not be decremented"))
    for key in ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
        if key in ("name", "namespace", "uid"):
            errs += immutable(new.get(key) or "", old.get(key) or "", f"{path}.{key}")
        else:
            errs += immutable(new.get(key), old.get(key), f"{path}.{key}")
    errs += validate_labels(new.get("labels"), f"{path}.labels")
    errs += validate_annotations(new.get("annotations"), f"{path}.annotations")
    return errs + _validate_finalizers(new.get("finalizers"), f"{path}.finalizers")


_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def validate_label_selector(selector: Any, path: str, allow_invalid_values: bool = False) -> list[FieldError]:
    """``ValidateLabelSelector``: matchLabels as labels, matchExpressions operators, keys and values."""
    if not isinstance(selector, dict):
        return []
    errs = validate_labels(selector.get("matchLabels"), f"{path}.matchLabels")
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        expr = expr if isinstance(expr, dict) else {}
        epath = f"{path}.matchExpressions[{i}]"
        op, values = expr.get("operator"), expr.get("values") or []
        if op in ("In", "NotIn"):
            if not values:
                errs.append(
                    FieldError.required(f"{epath}.values", "must be specified when `operator` is 'In' or 'NotIn'")
                )
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(
                    FieldError.forbidden(
                        f"{epath}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                    )
                )
        else:
            errs.append(FieldError.invalid(f"{epath}.operator", op or "", "not a valid selector operator"))
        errs += validate_label_name(str(expr.get("key", "")), f"{epath}.key")
        if not allow_invalid_values:
            for j, value in enumerate(values):
                errs += [FieldError.invalid(f"{epath}.values[{j}]", value, m) for m in is_label_value(str(value))]
    return errs


def label_selector_matches(selector: Any, labels: Any) -> tuple[bool, bool]:
    """Evaluate a LabelSelector as ``LabelSelectorAsSelector(...).Matches`` does.

    Args:
        selector: a LabelSelector dict, or None (which selects nothing).
        labels: the labels to test.

    Returns:
        ``(empty, matches)``: ``empty`` is true for a selector with no requirements (it matches everything);
        a missing selector is not empty and matches nothing.
    """
    labels = labels if isinstance(labels, dict) else {}
    if not isinstance(selector, dict):
        return False, False
    match_labels = selector.get("matchLabels") or {}
    exprs = selector.get("matchExpressions") or []
    if not match_labels and not exprs:
        return True, True
    for key, value in match_labels.items():
        if labels.get(key) != value:
            return False, False
    for expr in exprs:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        has = key in labels
        if op == "In" and not (has and labels[key] in values):
            return False, False
        if op == "NotIn" and has and labels[key] in values:
            return False, False
        if op == "Exists" and not has:
            return False, False
        if op == "DoesNotExist" and has:
            return False, False
    return False, True
