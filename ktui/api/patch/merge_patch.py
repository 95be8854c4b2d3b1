"""RFC 7386 JSON merge patch: apply, create, and kubectl's three-way JSON merge patch for schemaless kinds.

Applying follows evanphx/json-patch (``MergePatch``): ``null`` deletes a member, objects merge
recursively, everything else (lists included) replaces, and nulls inside a value that lands where
nothing was are pruned. The three-way patch is k8s.io/apimachinery/pkg/util/jsonmergepatch
``CreateThreeWayJSONMergePatch``, what ``kubectl apply`` sends for custom resources.
"""

from __future__ import annotations

import copy
from typing import Any

from ktui.api.patch.json_patch import PatchError, json_equal

__all__ = ["apply_merge_patch", "create_merge_patch", "three_way_json_merge"]


def _prune_nulls(value: Any) -> Any:
    """Drop null members of objects, recursively, also inside lists (pruneNulls)."""
    if isinstance(value, dict):
        return {k: _prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune_nulls(v) if v is not None else None for v in value]
    return value


def _merge_docs(doc: dict, patch: dict) -> dict:
    out = dict(doc)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
            continue
        current = out.get(key)
        if current is None:
            out[key] = _prune_nulls(value)
        elif not isinstance(current, dict):
            out[key] = _prune_nulls(value)
        elif not isinstance(value, dict):
            out[key] = value
        else:
            out[key] = _merge_docs(current, value)
    return out


def apply_merge_patch(obj: dict, patch: Any) -> Any:
    """Apply a JSON merge patch and return the result; neither argument is mutated.

    A patch that is not an object replaces the document (RFC 7386 section 2).
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(obj, dict):
        return _prune_nulls(copy.deepcopy(patch))
    return copy.deepcopy(_merge_docs(obj, patch))


def create_merge_patch(original: dict, modified: dict) -> dict:
    """The merge patch that turns ``original`` into ``modified`` (evanphx ``CreateMergePatch``).

    Changed and added members are set, removed ones are ``null``, objects are diffed recursively and lists
    that differ at all are sent whole. A member whose value in ``modified`` is ``null`` cannot be told
    apart from a deletion, as in RFC 7386.
    """
    patch: dict[str, Any] = {}
    for key, new in modified.items():
        if key not in original:
            patch[key] = copy.deepcopy(new)
            continue
        old = original[key]
        if isinstance(old, dict) and isinstance(new, dict):
            sub = create_merge_patch(old, new)
            if sub:
                patch[key] = sub
        elif not json_equal(old, new):
            patch[key] = copy.deepcopy(new)
    for key in original:
        if key not in modified:
            patch[key] = None
    return patch


def _keep_or_delete_nulls(patch: dict, keep_null: bool) -> dict:
    """Keep only the deletions (``keep_null``) or only the additions and changes of a merge patch."""
    out: dict[str, Any] = {}
    for key, value in patch.items():
        if value is None:
            if keep_null:
                out[key] = None
        elif isinstance(value, dict):
            if not value:
                if not keep_null:  # an explicitly set empty map is a value, not an empty patch
                    out[key] = value
                continue
            sub = _keep_or_delete_nulls(value, keep_null)
            if sub:
                out[key] = sub
        elif not keep_null:
            out[key] = value
    return out


def _has_conflicts(left: Any, right: Any) -> bool:
    """mergepatch.HasConflicts: the two patches set some key differently."""
    if isinstance(left, dict):
        if not isinstance(right, dict):
            return True
        return any(key in right and _has_conflicts(value, right[key]) for key, value in left.items())
    if isinstance(left, list):
        if not isinstance(right, list) or len(left) != len(right):
            return True
        return any(_has_conflicts(a, b) for a, b in zip(left, right))
    return not json_equal(left, right)


def three_way_json_merge(original: dict | None, modified: dict, current: dict) -> dict:
    """The JSON merge patch ``kubectl apply`` sends for a kind without a strategic-merge schema.

    Additions and changes come from ``current`` -> ``modified``; deletions only from ``original`` (the
    last-applied configuration) -> ``modified``, so fields that only the live object has survive.

    Raises:
        PatchError: the two halves disagree (409 ``Conflict``), which well-formed input never produces.
    """
    original = original or {}
    additions = _keep_or_delete_nulls(create_merge_patch(current, modified), keep_null=False)
    deletions = _keep_or_delete_nulls(create_merge_patch(original, modified), keep_null=True)
    if _has_conflicts(additions, deletions):
        message = f"patch:\n{additions}\nconflicts with changes made from original to current:\n{deletions}\n"
        raise PatchError(message, code=409, reason="Conflict")
    return _overlay(deletions, additions)


def _overlay(doc: dict, patch: dict) -> dict:
    """MergePatch(deletions, additions): unlike applying, the nulls of ``doc`` are kept."""
    out = dict(doc)
    for key, value in patch.items():
        current = out.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            out[key] = _overlay(current, value)
        else:
            out[key] = copy.deepcopy(value)
    return out
