"""The store's sharing of equal parts: stored values keep their exact contents, and equal parts become one."""

from __future__ import annotations

import copy
import json

from hypothesis import given, settings, strategies as st

from ktui.store import MemoryStore
from ktui.store.sharing import Sharer

_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=20,
)


def _dump(v: object) -> str:
    return json.dumps(v)  # key order and every scalar's type show in the bytes


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=3), _json, max_size=4), min_size=1, max_size=6))
def test_shared_values_keep_their_exact_contents(values: list[dict]) -> None:
    s = Sharer(limit=8)  # a small table: it starts afresh while values are still being shared
    before = [_dump(v) for v in values]
    shared = [s.share(copy.deepcopy(v)) for v in values]
    assert [_dump(v) for v in shared] == before


def test_equal_parts_become_one_object_and_like_looking_scalars_stay_apart() -> None:
    s = Sharer()
    a = s.share({"spec": {"tolerations": [{"key": "k", "seconds": 300}], "flag": True}, "name": "a"})
    b = s.share({"spec": {"tolerations": [{"key": "k", "seconds": 300}], "flag": True}, "name": "b"})
    assert a["spec"] is b["spec"]
    c = s.share({"spec": {"tolerations": [{"key": "k", "seconds": 300}], "flag": 1}})
    d = s.share({"x": {"v": 0.0}, "y": {"v": -0.0}, "z": {"v": 0}})
    assert (
        c["spec"] is not a["spec"]
        and _dump(c) == '{"spec": {"tolerations": [{"key": "k", "seconds": 300}], "flag": 1}}'
    )
    assert c["spec"]["tolerations"] is a["spec"]["tolerations"]
    assert _dump(d) == '{"x": {"v": 0.0}, "y": {"v": -0.0}, "z": {"v": 0}}'
    e = s.share({"p": {"a": 1, "b": 2}, "q": {"b": 2, "a": 1}})
    assert _dump(e) == '{"p": {"a": 1, "b": 2}, "q": {"b": 2, "a": 1}}'  # key order is part of a value


def test_the_store_shares_parts_of_values_it_stores_and_keeps_the_value_itself() -> None:
    store = MemoryStore()
    v1 = {"metadata": {"name": "a"}, "spec": {"containers": [{"image": "pause:3.10"}]}}
    v2 = {"metadata": {"name": "b"}, "spec": {"containers": [{"image": "pause:3.10"}]}}
    store.create("/registry/pods/default/a", v1)
    store.create("/registry/pods/default/b", v2)
    kv1, kv2 = store.get("/registry/pods/default/a"), store.get("/registry/pods/default/b")
    assert kv1.value is v1 and kv2.value is v2
    assert kv2.value["spec"] is kv1.value["spec"]
    store.update("/registry/pods/default/b", {**v2, "status": {"phase": "Running"}})
    assert store.get("/registry/pods/default/b").value == {**v2, "status": {"phase": "Running"}}
    snap = copy.deepcopy(store)
    snap.create("/registry/pods/default/c", {"spec": {"containers": [{"image": "pause:3.10"}]}})
    assert _dump(snap.get("/registry/pods/default/c").value) == '{"spec": {"containers": [{"image": "pause:3.10"}]}}'


def test_an_update_leaves_the_replaced_values_own_parts_as_they_are_and_shares_the_new_ones() -> None:
    s = MemoryStore()
    s.create("/r/a", {"spec": {"x": "".join(["v", "1"])}, "status": {"keep": ["k"], "n": 1}})
    s.create("/r/other", {"y": {"q": "".join(["new", "!"])}})
    stored = s.get("/r/a").value
    s._sharer._table.clear()  # as when the table starts afresh: the stored parts are no longer known to it
    s._sharer._canon.clear()
    new = {"spec": stored["spec"], "status": {"keep": stored["status"]["keep"], "n": 2, "q": "".join(["new", "!"])}}
    after = s.update("/r/a", new).value
    assert after is new and after["spec"] is stored["spec"] and after["status"]["keep"] is stored["status"]["keep"]
    assert json.dumps(after) == '{"spec": {"x": "v1"}, "status": {"keep": ["k"], "n": 2, "q": "new!"}}'
    again = s.update("/r/other", {"y": {"q": "".join(["new", "!"])}}).value
    assert again["y"]["q"] is after["status"]["q"]  # the new parts were shared


def test_an_objects_metadata_shares_its_parts_but_is_not_kept_in_the_table() -> None:
    s = Sharer()
    pods = [
        s.share({"metadata": {"name": f"p{i}", "uid": f"u-{i}", "labels": {"app": "web"}}, "spec": {"x": 1}})
        for i in range(100)
    ]
    assert all(p["metadata"]["labels"] is pods[0]["metadata"]["labels"] for p in pods)
    assert all(p["spec"] is pods[0]["spec"] for p in pods)
    assert len(s._table) == 203  # 100 names, 100 uids, "web", one labels dict, one spec: no metadata dicts
    assert [json.dumps(p["metadata"]) for p in pods[:2]] == [
        '{"name": "p0", "uid": "u-0", "labels": {"app": "web"}}',
        '{"name": "p1", "uid": "u-1", "labels": {"app": "web"}}',
    ]
