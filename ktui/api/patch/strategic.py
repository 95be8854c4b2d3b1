"""Strategic merge patch: apply it (kube-apiserver), diff two objects (two-way) and kubectl apply's three-way.

A port of the semantics of k8s.io/apimachinery/pkg/util/strategicpatch (``mergeMap``, ``diffMaps``,
``CreateThreeWayMergePatch``) over plain dicts, with the v1.37 tags from :mod:`ktui.api.patch.schema`.
Directives: ``$patch: replace|delete`` (in maps and merging-list items), ``$deleteFromPrimitiveList/<f>``,
``$setElementOrder/<f>`` and ``$retainKeys``; ``null`` deletes a key.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

from ktui.api.patch.json_patch import REJECTED, PatchError, go_format, json_equal, json_kind as _kind
from ktui.api.patch.schema import FieldMeta, Schema, lookup, schema_for

__all__ = ["apply_strategic_merge_patch", "create_two_way_merge_patch", "three_way_merge"]

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_DELETE_PREFIX = "$deleteFromPrimitiveList"
_ORDER_PREFIX = "$setElementOrder"


def _internal(text: str) -> PatchError:
    """An error the apiserver does not classify: 500, the text as message."""
    return PatchError(text, code=500, reason="")


def _bad_request(text: str) -> PatchError:
    return PatchError(text, code=400, reason="BadRequest")


_BAD_PRIMITIVE = "invalid patch format of primitive list"
_BAD_RETAIN = "invalid patch format of retainKeys"
_BAD_ORDER = "invalid patch format of setElementOrder list"


def _no_merge_key(item: Any, key: str) -> PatchError:
    return _internal(f"map: {go_format(item)} does not contain declared merge key: {key}")


def _element_kind(*lists: list) -> str:
    """The common item kind of the lists (sliceElementType)."""
    kinds = {_kind(v) for lst in lists for v in lst}
    if "slice" in kinds:
        raise PatchError(REJECTED, detail="lists of lists are not supported")
    if len(kinds) > 1:
        raise _internal(f"list element types are not identical: {go_format(list(lists))}")
    if not kinds:
        raise _internal("no elements in any of the given slices")
    return kinds.pop()


def _index(items: list, value: Any, merge_key: str, kind: str) -> int:
    probe = value.get(merge_key) if kind == "map" and isinstance(value, dict) else value
    for i, item in enumerate(items):
        other = item.get(merge_key) if kind == "map" and isinstance(item, dict) else item
        if json_equal(probe, other):
            return i
    return -1


def _check_merge_keys(merge_key: str, *lists: list) -> None:
    for lst in lists:
        for item in lst:
            if not isinstance(item, dict):
                raise _internal(f"expected a map[string]interface {{}}, but received a {_kind(item)}")
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)


def _sort_by(items: list, order: list, merge_key: str, kind: str) -> list:
    """normalizeSliceOrder: stable sort by position in ``order``; ``$patch: delete`` items go last."""
    deletes: list = []
    if kind == "map":
        _check_merge_keys(merge_key, items, order)
        deletes = [v for v in items if v.get(_DIRECTIVE) == "delete"]
        items = [v for v in items if v.get(_DIRECTIVE) != "delete"]

    def position(item: Any) -> int:
        i = _index(order, item, merge_key, kind)
        return i if i >= 0 else len(order)

    return sorted(items, key=position) + deletes


def _normalize_order(
    patch: list, server_only: list, patch_order: list, server_order: list, merge_key: str, kind: str
) -> list:
    """normalizeElementOrder + mergeSortedSlice: interleave patch items with server-only items."""
    right = _sort_by(patch, patch_order, merge_key, kind)
    left = _sort_by(server_only, server_order, merge_key, kind)
    out: list = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i < len(left) and j < len(right):
            li = _index(server_order, left[i], merge_key, kind)
            ri = _index(server_order, right[j], merge_key, kind)
            take_left = li >= 0 and ri >= 0 and li < ri
        else:
            take_left = i < len(left)
        if take_left:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    return out


def _partition(merged: list, by: list, merge_key: str, kind: str) -> tuple[list, list]:
    if kind == "map":
        _check_merge_keys(merge_key, merged)
    inside: list[Any] = []
    outside: list[Any] = []
    for v in merged:
        (inside if _index(by, v, merge_key, kind) >= 0 else outside).append(v)
    return inside, outside


@dataclass(frozen=True)
class _MergeOptions:
    parallel: bool = True
    """Apply ``$deleteFromPrimitiveList`` / ``$setElementOrder`` / ``$retainKeys`` (server side)."""
    ignore_unmatched_nulls: bool = True
    """Drop nulls for keys the original lacks (server side); keep them when merging two patches."""


def _discard_nulls(value: Any) -> Any:
    """discardNullValuesFromPatch: drop null members of maps, through lists too."""
    if isinstance(value, dict):
        return {k: _discard_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_discard_nulls(v) for v in value]
    return value


_DROP = object()


def _remove_directives(value: Any) -> Any:
    """removeDirectives: a map carrying ``$patch`` vanishes (``_DROP``), from lists too."""
    if isinstance(value, dict):
        if _DIRECTIVE in value:
            return _DROP
        out = {k: _remove_directives(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not _DROP}
    if isinstance(value, list):
        return [v for v in map(_remove_directives, value) if v is not _DROP]
    return value


def _decoded(value: Any) -> Any:
    """What decoding into the typed object leaves: no directive keys and no null members.

    Go keeps some patch values verbatim (new items of merging lists, replaced lists and maps); the
    apiserver's typed decode then ignores the ``$`` keys and reads nulls as zero values.
    """
    if isinstance(value, dict):
        return {
            k: _decoded(v)
            for k, v in value.items()
            if v is not None
            and not (k == _DIRECTIVE or k == _RETAIN_KEYS or k.startswith((_DELETE_PREFIX + "/", _ORDER_PREFIX + "/")))
        }
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def _merge_map(original: dict, patch: dict, schema: Schema | None, opts: _MergeOptions) -> dict:
    """mergeMap: merge ``patch`` into ``original`` (both are owned, and mutated, by the caller)."""
    if _DIRECTIVE in patch:
        directive = patch[_DIRECTIVE]
        if directive == "replace":
            return {k: v for k, v in patch.items() if k != _DIRECTIVE}
        if directive == "delete":
            return {}
        raise _internal(f"unknown patch type: {go_format(directive)} in map: {go_format(patch)}")
    _apply_retain_keys(original, patch, opts)
    _merge_element_orders(original, patch, schema, opts)
    for key, value in list(patch.items()):
        delete_list = False
        if key.startswith(_DELETE_PREFIX):
            if not opts.parallel:
                original[key] = value
                continue
            key = _strip_prefix(key, _DELETE_PREFIX, _BAD_PRIMITIVE)
            delete_list = True
        if value is None:
            original.pop(key, None)
            if opts.ignore_unmatched_nulls:
                continue
        if key not in original or _kind(original[key]) != _kind(value):
            if not delete_list:
                cleaned = _remove_directives(_discard_nulls(value) if opts.ignore_unmatched_nulls else value)
                if cleaned is _DROP:
                    original.pop(key, None)
                else:
                    original[key] = cleaned
            continue
        meta = lookup(schema, key)
        if isinstance(value, dict):
            if meta.strategy == "replace":
                original[key] = value
            else:
                original[key] = _merge_map(original[key], value, meta.schema, opts)
        elif isinstance(value, list):
            if meta.strategy == "merge":
                original[key] = _merge_slice(original[key], value, meta, opts, delete_list)
            else:
                original[key] = value
        else:
            original[key] = value
    return original


def _strip_prefix(key: str, prefix: str, error: str) -> str:
    head, sep, tail = key.partition("/")
    if not sep or head != prefix:
        raise _bad_request(error)
    return tail


def _apply_retain_keys(original: dict, patch: dict, opts: _MergeOptions) -> None:
    if _RETAIN_KEYS not in patch:
        return
    retain = patch.pop(_RETAIN_KEYS)
    if not opts.parallel:
        if _RETAIN_KEYS in original and not json_equal(original[_RETAIN_KEYS], retain):
            raise _internal(
                f"{go_format(original[_RETAIN_KEYS])} and {go_format(retain)} are not deep equal: "
                "this may happen when calculating the 3-way diff patch"
            )
        original.setdefault(_RETAIN_KEYS, retain)
        return
    if not isinstance(retain, list):
        raise _bad_request(_BAD_RETAIN)
    for key, value in patch.items():
        if value is None or key.startswith((_DELETE_PREFIX, _ORDER_PREFIX)):
            continue
        if key not in retain:
            raise _bad_request(_BAD_RETAIN)
    for key in [k for k in original if k not in retain]:
        del original[key]


def _merge_element_orders(original: dict, patch: dict, schema: Schema | None, opts: _MergeOptions) -> None:
    """mergePatchIntoOriginal: merge each list that has a ``$setElementOrder`` and put it in that order."""
    for order_key in [k for k in patch if k.startswith(_ORDER_PREFIX)]:
        order = patch.pop(order_key)
        if not opts.parallel:
            if order_key in original and not json_equal(original[order_key], order):
                raise _bad_request(_BAD_ORDER)
            original.setdefault(order_key, order)
        if not isinstance(order, list):
            raise _internal(f"expected a []interface {{}}, but received a {_kind(order)}")
        key = _strip_prefix(order_key, _ORDER_PREFIX, _BAD_ORDER)
        meta = lookup(schema, key)
        in_original, in_patch = key in original, key in patch
        original_list = original.get(key) if in_original else []
        patch_list = patch.get(key) if in_patch else []
        if not isinstance(original_list, list) or not isinstance(patch_list, list):
            raise _internal("expected a []interface {}, but received a " + _kind(patch_list))
        _validate_order(patch_list, order, meta.merge_key)
        if in_original and in_patch:
            merged = (
                _merge_slice(original_list, patch_list, meta, opts, False) if meta.strategy == "merge" else patch_list
            )
        elif in_original or in_patch:
            merged = original_list if in_original else _remove_directives(patch_list)
        else:
            continue
        if not merged:
            original[key] = merged
            patch.pop(key, None)
            continue
        kind = _element_kind(original_list, patch_list) if original_list or patch_list else _kind(merged[0])
        kind = kind if meta.merge_key else "value"  # no merge key: items are matched whole
        inside, outside = _partition(merged, order, meta.merge_key, kind)
        original[key] = _normalize_order(inside, outside, order, original_list, meta.merge_key, kind)
        patch.pop(key, None)


def _validate_order(patch_list: list, order: list, merge_key: str) -> None:
    """The non-delete items of the patch list must appear in the ``$setElementOrder`` list, in its order."""
    if not order or not patch_list:
        return
    items = [v for v in patch_list if not (merge_key and isinstance(v, dict) and v.get(_DIRECTIVE) == "delete")]
    p = s = 0
    while p < len(items) and s < len(order):
        if isinstance(items[p], dict) and _DIRECTIVE in items[p]:
            p += 1
            continue
        if merge_key:
            for item in (items[p], order[s]):
                if not isinstance(item, dict) or merge_key not in item:
                    raise _no_merge_key(item, merge_key)
            same = json_equal(items[p][merge_key], order[s][merge_key])
        else:
            same = json_equal(items[p], order[s])
        if same:
            p += 1
        s += 1
    if p < len(items):
        raise _internal(
            f"The order in patch list:\n{go_format(patch_list)}\n doesn't match "
            f"{_ORDER_PREFIX} list:\n{go_format(order)}\n"
        )


def _merge_slice(original: list, patch: list, meta: FieldMeta, opts: _MergeOptions, delete_list: bool) -> list:
    """mergeSlice: merge a list with the merge strategy."""
    if not original and not patch:
        return original
    kind = _element_kind(original, patch)
    merge_key = meta.merge_key
    if kind != "map":
        if opts.parallel and delete_list:
            return [v for v in original if _index(patch, v, "", kind) < 0]
        merged: list = []
        for v in original + patch:
            if _index(merged, v, "", kind) < 0:
                merged.append(v)
        merge_key = ""
    else:
        if not merge_key:
            raise _internal("cannot merge lists without merge key for type struct")
        original, patch = _special_elements(original, patch, merge_key)
        merged = list(original)
        for item in patch:
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
            at = _index(merged, item, merge_key, kind)
            if at >= 0:
                merged[at] = _merge_map(merged[at], item, meta.schema, opts)
            else:
                # Go appends the item verbatim; directive-carrying maps inside it (a ``$patch: delete``
                # for an entry the live item never had) are dropped here instead of reaching the object.
                merged.append(_remove_directives(item) if opts.parallel else item)
    inside, outside = _partition(merged, patch, merge_key, kind)
    return _normalize_order(inside, outside, patch, original, merge_key, kind)


def _special_elements(original: list, patch: list, merge_key: str) -> tuple[list, list]:
    """mergeSliceWithSpecialElements: apply ``$patch: delete`` items; ``$patch: replace`` replaces all."""
    plain: list = []
    replace_all = False
    for item in patch:
        if _DIRECTIVE not in item:
            plain.append(item)
            continue
        directive = item[_DIRECTIVE]
        if directive == "delete":
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
            original = [v for v in original if not json_equal(v.get(merge_key), item[merge_key]) or merge_key not in v]
        elif directive == "replace":
            replace_all = True
        elif directive == "merge":
            raise _internal("merging lists cannot yet be specified in the patch")
        else:
            raise _internal(f"unknown patch type: {go_format(directive)} in map: {go_format(item)}")
    if replace_all:
        return plain, []
    return original, plain


def apply_strategic_merge_patch(obj: dict, patch: dict, kind: str) -> dict:
    """Apply a strategic merge patch to an object of ``kind`` as kube-apiserver does; nothing is mutated.

    Raises:
        PatchError: malformed directives (400 ``BadRequest``), lists of lists (422) or items without their
            merge key and unknown ``$patch`` values (500, as the apiserver leaves them unclassified).
    """
    if not isinstance(patch, dict):
        raise _bad_request("invalid JSON document")
    merged = _merge_map(copy.deepcopy(obj), copy.deepcopy(patch), schema_for(kind), _MergeOptions())
    return _decoded(merged)


@dataclass(frozen=True)
class _DiffOptions:
    set_element_order: bool = True
    ignore_changes: bool = False
    """Leave additions and changes out of the patch."""
    ignore_deletions: bool = False
    """Leave deletions out of the patch."""
    retain_keys: bool = False
    """Build a ``$retainKeys`` list (the map, or the list item, has the retainKeys strategy)."""


def _diff_maps(original: dict, modified: dict, schema: Schema | None, opts: _DiffOptions) -> dict:
    """diffMaps: the patch that takes ``original`` to ``modified``, within ``opts``."""
    patch: dict[str, Any] = {}
    retain: list = []
    for key, new in modified.items():
        if opts.retain_keys and new is not None:
            retain.append(key)
        if key not in original:
            if not opts.ignore_changes:
                patch[key] = new
            continue
        old = original[key]
        if key == _DIRECTIVE:
            if not isinstance(old, str) or not isinstance(new, str):
                raise _internal(f"invalid value for special key: {_DIRECTIVE}")
            if old != new:
                patch[key] = new
            continue
        if _kind(old) != _kind(new):
            if not opts.ignore_changes:
                patch[key] = new
            continue
        meta = lookup(schema, key)
        if isinstance(old, dict):
            if meta.strategy == "replace":
                if not opts.ignore_changes:
                    patch[key] = new
                continue
            sub = _diff_maps(old, new, meta.schema, replace(opts, retain_keys=meta.retain_keys))
            if sub:
                patch[key] = sub
        elif isinstance(old, list) and meta.strategy == "merge":
            _diff_merging_lists(key, old, new, meta, patch, replace(opts, retain_keys=meta.retain_keys))
        elif not opts.ignore_changes and not json_equal(old, new):
            patch[key] = new
    if not opts.ignore_deletions:
        for key in original:
            if key not in modified:
                patch[key] = None
    if retain and (patch or any(v is not None and k not in modified for k, v in original.items())):
        patch[_RETAIN_KEYS] = sorted(retain, key=go_format)
    return patch


def _diff_merging_lists(
    key: str, original: list, modified: list, meta: FieldMeta, patch: dict, opts: _DiffOptions
) -> None:
    """handleSliceDiff + diffLists for a list with the merge strategy."""
    if not original:
        if modified and not opts.ignore_changes:
            patch[key] = modified
        return
    kind = _element_kind(original, modified)
    merge_key = meta.merge_key if kind == "map" else ""
    order: list = []
    if kind == "map":
        changes, deletions = _diff_lists_of_maps(original, modified, meta, opts)
        changes = _sort_by(changes, modified, merge_key, kind) + deletions
        same_order = len(original) == len(modified) and all(
            json_equal(a.get(merge_key), b.get(merge_key)) for a, b in zip(original, modified)
        )
        if opts.set_element_order and (
            (not opts.ignore_changes and (changes or not same_order)) or (not opts.ignore_deletions and changes)
        ):
            order = [{merge_key: item.get(merge_key)} for item in modified]
        deletions = []
    else:
        changes = [] if opts.ignore_changes else [v for v in modified if _index(original, v, "", kind) < 0]
        deletions = [] if opts.ignore_deletions else [v for v in original if _index(modified, v, "", kind) < 0]
        deletions = sorted({go_format(v): v for v in deletions}.values(), key=go_format)
        if opts.set_element_order and (
            (not opts.ignore_deletions and deletions)
            or (not opts.ignore_changes and not json_equal(original, modified))
        ):
            order = modified
    if changes:
        patch[key] = changes
    if deletions:
        patch[f"{_DELETE_PREFIX}/{key}"] = deletions
    if order:
        patch[f"{_ORDER_PREFIX}/{key}"] = order


def _diff_lists_of_maps(original: list, modified: list, meta: FieldMeta, opts: _DiffOptions) -> tuple[list, list]:
    """diffListsOfMaps: changed and added items, and ``$patch: delete`` items for removed ones."""
    merge_key = meta.merge_key
    _check_merge_keys(merge_key, original, modified)
    old_items = {go_format(v[merge_key]): v for v in original}
    new_keys = {go_format(v[merge_key]) for v in modified}
    changes: list = []
    for new in sorted(modified, key=lambda v: go_format(v[merge_key])):
        old = old_items.get(go_format(new[merge_key]))
        if old is None:
            if not opts.ignore_changes:
                changes.append(new)
            continue
        sub = _diff_maps(old, new, meta.schema, opts)
        if sub:
            sub[merge_key] = new[merge_key]
            changes.append(sub)
    deletions = (
        []
        if opts.ignore_deletions
        else [
            {merge_key: v[merge_key], _DIRECTIVE: "delete"}
            for v in sorted(original, key=lambda v: go_format(v[merge_key]))
            if go_format(v[merge_key]) not in new_keys
        ]
    )
    return changes, deletions


def create_two_way_merge_patch(original: dict, modified: dict, kind: str) -> dict:
    """The strategic merge patch that takes ``original`` to ``modified`` (``CreateTwoWayMergePatch``)."""
    return copy.deepcopy(_diff_maps(original, modified, schema_for(kind), _DiffOptions()))


def three_way_merge(original: dict | None, modified: dict, current: dict, kind: str) -> dict:
    """The strategic merge patch client-side ``kubectl apply`` sends (``CreateThreeWayMergePatch``).

    Args:
        original: the last-applied configuration (None when the object has none).
        modified: the configuration being applied now.
        current: the live object.
        kind: the object's kind, which picks the merge keys and strategies.

    Returns:
        Additions and changes from ``current`` to ``modified``, plus the deletions from ``original`` to
        ``modified`` (``null``, ``$patch: delete``, ``$deleteFromPrimitiveList``); fields that only the live
        object has are left alone. Conflicts are not checked (kubectl's ``--overwrite`` default).
    """
    schema = schema_for(kind)
    delta = _diff_maps(current, modified, schema, _DiffOptions(ignore_deletions=True))
    deletions = _diff_maps(original or {}, modified, schema, _DiffOptions(ignore_changes=True))
    merged = _merge_map(
        copy.deepcopy(deletions),
        copy.deepcopy(delta),
        schema,
        _MergeOptions(parallel=False, ignore_unmatched_nulls=False),
    )
    return copy.deepcopy(merged)
