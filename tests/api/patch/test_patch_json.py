"""RFC 6902 JSON patch: operations, evanphx/json-patch v4 quirks and error texts, the apiserver's 422."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, strategies as st

from ktui.api.patch import PatchError, apply_json_patch

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "labels": {"a": "1"}, "annotations": {"a/b": "1", "c~d": "2"}},
    "spec": {"containers": [{"name": "a", "image": "i", "args": ["1", "2"]}, {"name": "b", "image": "i"}]},
}

# (id, ops, (path into the result, expected value)); expected outputs checked against kubectl 1.37 --local.
APPLY_CASES = [
    (
        "add map member",
        [{"op": "add", "path": "/metadata/labels/b", "value": "2"}],
        (("metadata", "labels"), {"a": "1", "b": "2"}),
    ),
    (
        "add replaces existing member",
        [{"op": "add", "path": "/metadata/labels/a", "value": "9"}],
        (("metadata", "labels"), {"a": "9"}),
    ),
    (
        "add inserts at index",
        [{"op": "add", "path": "/spec/containers/0/args/1", "value": "x"}],
        (("spec", "containers", 0, "args"), ["1", "x", "2"]),
    ),
    (
        "add dash appends",
        [{"op": "add", "path": "/spec/containers/0/args/-", "value": "x"}],
        (("spec", "containers", 0, "args"), ["1", "2", "x"]),
    ),
    (
        "add negative index counts from len+1",
        [{"op": "add", "path": "/spec/containers/0/args/-1", "value": "x"}],
        (("spec", "containers", 0, "args"), ["1", "2", "x"]),
    ),
    (
        "remove negative index",
        [{"op": "remove", "path": "/spec/containers/0/args/-2"}],
        (("spec", "containers", 0, "args"), ["2"]),
    ),
    (
        "add at len",
        [{"op": "add", "path": "/spec/containers/0/args/2", "value": "x"}],
        (("spec", "containers", 0, "args"), ["1", "2", "x"]),
    ),
    ("remove member", [{"op": "remove", "path": "/metadata/labels/a"}], (("metadata", "labels"), {})),
    (
        "remove item",
        [{"op": "remove", "path": "/spec/containers/0"}],
        (("spec", "containers"), [{"name": "b", "image": "i"}]),
    ),
    (
        "replace item",
        [{"op": "replace", "path": "/spec/containers/1/image", "value": "j"}],
        (("spec", "containers", 1), {"name": "b", "image": "j"}),
    ),
    (
        "replace absent member adds it (v4)",
        [{"op": "replace", "path": "/metadata/labels/z", "value": "q"}],
        (("metadata", "labels"), {"a": "1", "z": "q"}),
    ),
    (
        "move",
        [{"op": "move", "from": "/metadata/labels/a", "path": "/metadata/labels/b"}],
        (("metadata", "labels"), {"b": "1"}),
    ),
    (
        "move within list",
        [{"op": "move", "from": "/spec/containers/0/args/0", "path": "/spec/containers/0/args/-"}],
        (("spec", "containers", 0, "args"), ["2", "1"]),
    ),
    (
        "copy item",
        [{"op": "copy", "from": "/spec/containers/1", "path": "/spec/containers/-"}],
        (("spec", "containers", 2), {"name": "b", "image": "i"}),
    ),
    (
        "copy absent member copies null",
        [{"op": "copy", "from": "/metadata/labels/q", "path": "/metadata/x"}],
        (("metadata", "x"), None),
    ),
    (
        "escaped tokens",
        [
            {"op": "replace", "path": "/metadata/annotations/a~1b", "value": "9"},
            {"op": "remove", "path": "/metadata/annotations/c~0d"},
        ],
        (("metadata", "annotations"), {"a/b": "9"}),
    ),
    (
        "test then remove",
        [{"op": "test", "path": "/metadata/labels/a", "value": "1"}, {"op": "remove", "path": "/metadata/labels/a"}],
        (("metadata", "labels"), {}),
    ),
    (
        "test absent member against null",
        [{"op": "test", "path": "/metadata/labels/q", "value": None}],
        (("metadata", "labels"), {"a": "1"}),
    ),
    (
        "test whole list",
        [{"op": "test", "path": "/spec/containers/0/args", "value": ["1", "2"]}],
        (("spec", "containers", 0, "args"), ["1", "2"]),
    ),
]


def _at(doc, path):
    for part in path:
        doc = doc[part]
    return doc


@pytest.mark.parametrize("ops,expected", [c[1:] for c in APPLY_CASES], ids=[c[0] for c in APPLY_CASES])
def test_apply(ops, expected):
    before = copy.deepcopy(POD)
    out = apply_json_patch(POD, ops)
    path, value = expected
    assert _at(out, path) == value
    assert POD == before


# (id, ops, detail) -- the library text, as ``kubectl patch --local --type json`` prints it.
ERROR_CASES = [
    (
        "test fails",
        [{"op": "test", "path": "/metadata/labels/a", "value": "2"}],
        "testing value /metadata/labels/a failed: test failed",
    ),
    (
        "test missing path",
        [{"op": "test", "path": "/metadata/nope/a", "value": "2"}],
        "test operation does not apply: is missing path: /metadata/nope/a: missing value",
    ),
    (
        "test index out of range",
        [{"op": "test", "path": "/spec/containers/5", "value": None}],
        "error in test for path: '/spec/containers/5': Unable to access invalid index: 5: invalid index referenced",
    ),
    (
        "add missing parent",
        [{"op": "add", "path": "/spec/nope/x", "value": "x"}],
        'add operation does not apply: doc is missing path: "/spec/nope/x": missing value',
    ),
    (
        "add index out of range",
        [{"op": "add", "path": "/spec/containers/0/args/5", "value": "x"}],
        "error in add for path: '/spec/containers/0/args/5': Unable to access invalid index: 5: invalid index referenced",
    ),
    (
        "add bad index",
        [{"op": "add", "path": "/spec/containers/0/args/q", "value": "x"}],
        "error in add for path: '/spec/containers/0/args/q': value was not a proper array index: 'q': "
        'strconv.Atoi: parsing "q": invalid syntax',
    ),
    (
        "add into a string",
        [{"op": "add", "path": "/metadata/name/x", "value": "1"}],
        'add operation does not apply: doc is missing path: "/metadata/name/x": missing value',
    ),
    (
        "add to root",
        [{"op": "add", "path": "", "value": {}}],
        'add operation does not apply: doc is missing path: "": missing value',
    ),
    (
        "remove absent member",
        [{"op": "remove", "path": "/metadata/labels/zz"}],
        "error in remove for path: '/metadata/labels/zz': Unable to remove nonexistent key: zz: missing value",
    ),
    (
        "remove index out of range",
        [{"op": "remove", "path": "/spec/containers/0/args/9"}],
        "error in remove for path: '/spec/containers/0/args/9': Unable to access invalid index: 9: invalid index referenced",
    ),
    (
        "replace missing parent",
        [{"op": "replace", "path": "/metadata/nope/zz", "value": "q"}],
        "replace operation does not apply: doc is missing path: /metadata/nope/zz: missing value",
    ),
    (
        "replace index out of range",
        [{"op": "replace", "path": "/spec/containers/7", "value": {}}],
        "replace operation does not apply: doc is missing key: /spec/containers/7: missing value",
    ),
    (
        "move absent member",
        [{"op": "move", "from": "/metadata/labels/q", "path": "/metadata/labels/b"}],
        "error in move for path: 'q': Unable to remove nonexistent key: q: missing value",
    ),
    (
        "move missing from",
        [{"op": "move", "from": "/metadata/nope/q", "path": "/metadata/labels/b"}],
        "move operation does not apply: doc is missing from path: /metadata/nope/q: missing value",
    ),
    (
        "move missing destination",
        [{"op": "move", "from": "/metadata/labels/a", "path": "/metadata/nope/b"}],
        "move operation does not apply: doc is missing destination path: /metadata/nope/b: missing value",
    ),
    (
        "copy bad from",
        [{"op": "copy", "from": "/spec/containers/9", "path": "/metadata/annotations"}],
        "error in copy for from: '/spec/containers/9': Unable to access invalid index: 9: invalid index referenced",
    ),
    ("unknown op", [{"op": "frob", "path": "/a"}], "Unexpected kind: frob"),
    ("no op", [{"path": "/a"}], "Unexpected kind: unknown"),
    ("add without path", [{"op": "add", "value": 1}], "add operation failed to decode path: missing value"),
    ("remove without path", [{"op": "remove"}], "remove operation failed to decode path: missing value"),
    (
        "replace without path",
        [{"op": "replace", "value": 1}],
        "replace operation failed to decode path: operation missing path field: missing value",
    ),
    (
        "test without path",
        [{"op": "test", "value": 1}],
        "test operation failed to decode path: operation missing path field: missing value",
    ),
    (
        "move without from",
        [{"op": "move", "path": "/a"}],
        "move operation failed to decode from: operation, missing from field: missing value",
    ),
    (
        "copy without from",
        [{"op": "copy", "path": "/a"}],
        "copy operation failed to decode from: operation, missing from field: missing value",
    ),
    ("copy without path", [{"op": "copy", "from": "/metadata"}], "copy operation failed to decode path: missing value"),
]


@pytest.mark.parametrize("ops,detail", [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])
def test_errors(ops, detail):
    with pytest.raises(PatchError) as info:
        apply_json_patch(POD, ops)
    assert info.value.detail == detail
    assert info.value.code == 422
    assert info.value.reason == "Invalid"
    assert str(info.value) == "the server rejected our request due to an error in our request"


def test_patch_is_all_or_nothing():
    ops = [
        {"op": "add", "path": "/metadata/labels/z", "value": "1"},
        {"op": "test", "path": "/metadata/labels/a", "value": "x"},
    ]
    before = copy.deepcopy(POD)
    with pytest.raises(PatchError):
        apply_json_patch(POD, ops)
    assert POD == before


def test_not_a_list_is_a_bad_request():
    with pytest.raises(PatchError) as info:
        apply_json_patch(POD, {"op": "add"})  # type: ignore[arg-type]
    assert info.value.code == 400 and info.value.reason == "BadRequest"


def test_replace_root_and_test_root():
    assert apply_json_patch(POD, [{"op": "replace", "path": "", "value": {"x": 1}}]) == {"x": 1}
    assert apply_json_patch(POD, [{"op": "test", "path": "", "value": POD}]) == POD


def test_added_value_is_copied():
    value = {"k": ["v"]}
    out = apply_json_patch(POD, [{"op": "add", "path": "/metadata/x", "value": value}])
    out["metadata"]["x"]["k"].append("w")
    assert value == {"k": ["v"]}


def test_booleans_are_not_numbers_in_test():
    doc = {"a": True, "b": 1}
    with pytest.raises(PatchError):
        apply_json_patch(doc, [{"op": "test", "path": "/a", "value": 1}])
    assert apply_json_patch(doc, [{"op": "test", "path": "/b", "value": 1.0}]) == doc


_scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=10,
)
_docs = st.dictionaries(st.text(alphabet="abc/~", max_size=3), _json, max_size=4)


def _pointer(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


@given(_docs, st.text(alphabet="abcxyz/~", min_size=1, max_size=4), _json)
def test_add_then_remove_restores_the_document(doc, key, value):
    if key in doc:
        return
    before = copy.deepcopy(doc)
    added = apply_json_patch(
        doc,
        [{"op": "add", "path": _pointer(key), "value": value}, {"op": "test", "path": _pointer(key), "value": value}],
    )
    assert added[key] == value
    assert apply_json_patch(added, [{"op": "remove", "path": _pointer(key)}]) == before
    assert doc == before


@given(_docs)
def test_copy_then_move_back(doc):
    for key in doc:
        out = apply_json_patch(
            doc,
            [
                {"op": "copy", "from": _pointer(key), "path": "/__copy"},
                {"op": "remove", "path": _pointer(key)},
                {"op": "move", "from": "/__copy", "path": _pointer(key)},
            ],
        )
        assert out == doc
