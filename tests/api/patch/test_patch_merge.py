"""RFC 7386 JSON merge patch: apply, create, and kubectl's three-way JSON merge for schemaless kinds."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, strategies as st

from ktui.api.patch import apply_merge_patch, create_merge_patch, three_way_json_merge

# RFC 7386 appendix A, all of it.
RFC_CASES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize("target,patch,result", RFC_CASES)
def test_rfc7386_appendix_a(target, patch, result):
    before = copy.deepcopy(target)
    assert apply_merge_patch(target, patch) == result
    assert target == before


def test_kubernetes_object():
    pod = {
        "metadata": {"name": "p", "labels": {"a": "1", "b": "2"}},
        "spec": {"containers": [{"name": "a", "image": "i"}, {"name": "b", "image": "i"}]},
    }
    out = apply_merge_patch(
        pod, {"metadata": {"labels": {"a": None, "c": "3"}}, "spec": {"containers": [{"name": "z", "image": "q"}]}}
    )
    assert out == {
        "metadata": {"name": "p", "labels": {"b": "2", "c": "3"}},
        "spec": {"containers": [{"name": "z", "image": "q"}]},
    }  # lists are replaced whole


def test_nulls_inside_new_values_are_pruned_like_evanphx():
    out = apply_merge_patch({"a": 1}, {"b": {"x": None, "y": [{"z": None, "w": 1}]}})
    assert out == {"a": 1, "b": {"y": [{"w": 1}]}}


def test_result_shares_nothing_with_the_patch():
    patch = {"a": {"b": [1]}}
    out = apply_merge_patch({}, patch)
    out["a"]["b"].append(2)
    assert patch == {"a": {"b": [1]}}


def test_create_merge_patch():
    a = {"a": 1, "b": {"c": 2, "d": 3}, "l": [1, 2], "gone": True}
    b = {"a": 1, "b": {"c": 5, "d": 3}, "l": [1, 2, 3], "new": {"x": "y"}}
    assert create_merge_patch(a, b) == {"b": {"c": 5}, "l": [1, 2, 3], "gone": None, "new": {"x": "y"}}
    assert create_merge_patch(a, a) == {}


def test_create_merge_patch_type_changes_and_bools():
    assert create_merge_patch({"a": 1}, {"a": True}) == {"a": True}
    assert create_merge_patch({"a": {"x": 1}}, {"a": [1]}) == {"a": [1]}


_scalars = st.booleans() | st.integers(-3, 3) | st.text(max_size=2)
_keys = st.text(alphabet="abcd", min_size=1, max_size=2)
_values = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3), max_leaves=12
)
_with_nulls = st.recursive(
    st.none() | _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=12,
)


@given(st.dictionaries(_keys, _with_nulls, max_size=4), st.dictionaries(_keys, _values, max_size=4))
def test_create_then_apply_round_trips(a, b):
    before_a, before_b = copy.deepcopy(a), copy.deepcopy(b)
    patch = create_merge_patch(a, b)
    assert apply_merge_patch(a, patch) == b
    assert (a, b) == (before_a, before_b)


_patch_values = st.recursive(
    st.none() | _scalars,
    lambda inner: st.lists(_values, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=12,
)


@given(st.dictionaries(_keys, _values, max_size=4), st.dictionaries(_keys, _patch_values, max_size=4))
def test_apply_is_idempotent(a, patch):
    once = apply_merge_patch(a, patch)
    assert apply_merge_patch(once, patch) == once


def test_nulls_inside_lists_depend_on_what_was_there():
    """evanphx prunes a list value's nulls only when the target is not an object (so not idempotent)."""
    patch = {"a": [{"b": None}]}
    assert apply_merge_patch({"a": {}}, patch) == {"a": [{"b": None}]}
    assert apply_merge_patch({"a": [1]}, patch) == {"a": [{}]}


# ---- three-way JSON merge (kubectl apply for custom resources) ----


def _widget(**spec):
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec}


def test_three_way_json_merge_apply_story():
    last = _widget(size=1, color="red", tags=["a"])
    new = _widget(size=2, tags=["a", "b"])
    live = copy.deepcopy(last)
    live["spec"]["owner"] = "controller"
    live["status"] = {"ready": True}
    patch = three_way_json_merge(last, new, live)
    assert patch == {"spec": {"size": 2, "color": None, "tags": ["a", "b"]}}
    assert apply_merge_patch(live, patch) == {
        **new,
        "spec": {"size": 2, "tags": ["a", "b"], "owner": "controller"},
        "status": {"ready": True},
    }


def test_three_way_json_merge_without_last_applied_never_deletes():
    live = _widget(size=1, color="red")
    assert three_way_json_merge(None, _widget(size=1), live) == {}


def test_three_way_json_merge_reverts_drift_of_declared_fields():
    last = _widget(size=1)
    live = _widget(size=5, extra={"k": "v"})
    assert three_way_json_merge(last, _widget(size=1), live) == {"spec": {"size": 1}}


def test_three_way_json_merge_empty_map_is_a_value():
    last = {"spec": {"selector": {"a": "b"}}}
    patch = three_way_json_merge(last, {"spec": {"selector": {}}}, {"spec": {"selector": {"a": "b", "c": "d"}}})
    assert patch == {"spec": {"selector": {"a": None}}}  # c was never applied, so it stays
    patch = three_way_json_merge({}, {"spec": {"selector": {}}}, {"spec": {}})
    assert patch == {"spec": {"selector": {}}}
