"""The etcd-like store: revisions, CAS, ranges with limit/continue, watches from old revisions, compaction."""

import pytest

from ktui.store import Compacted, KeyExists, KeyNotFound, MemoryStore, RevisionConflict


def test_revisions_and_per_key_versions():
    s = MemoryStore()
    a = s.create("/registry/pods/default/a", {"n": 1})
    b = s.create("/registry/pods/default/b", {"n": 1})
    a2 = s.update("/registry/pods/default/a", {"n": 2})
    assert (a.create_revision, a.mod_revision, a.version) == (1, 1, 1)
    assert (b.create_revision, b.mod_revision) == (2, 2)
    assert (a2.create_revision, a2.mod_revision, a2.version) == (1, 3, 2)
    assert s.revision == 3
    with pytest.raises(KeyExists):
        s.create("/registry/pods/default/a", {})
    with pytest.raises(KeyNotFound):
        s.update("/registry/pods/default/zz", {})
    assert s.revision == 3


def test_compare_and_swap():
    s = MemoryStore()
    kv = s.create("/k", 1)
    s.update("/k", 2, expected_mod_revision=kv.mod_revision)
    with pytest.raises(RevisionConflict):
        s.update("/k", 3, expected_mod_revision=kv.mod_revision)
    with pytest.raises(RevisionConflict):
        s.delete("/k", expected_mod_revision=kv.mod_revision)
    assert s.get("/k").value == 2


def test_range_by_prefix_with_limit_and_continue():
    s = MemoryStore()
    for ns in ("a", "b"):
        for i in range(5):
            s.create(f"/registry/pods/{ns}/p{i}", i)
    s.create("/registry/services/specs/a/x", 0)
    page = s.range("/registry/pods/a/", limit=2)
    assert [kv.key for kv in page.kvs] == ["/registry/pods/a/p0", "/registry/pods/a/p1"]
    assert page.more and page.count == 5
    page2 = s.range("/registry/pods/a/", start_after=page.kvs[-1].key, limit=10)
    assert [kv.key for kv in page2.kvs] == [f"/registry/pods/a/p{i}" for i in (2, 3, 4)]
    assert not page2.more
    assert len(s.range("/registry/pods/").kvs) == 10


def test_range_at_a_past_revision():
    s = MemoryStore()
    s.create("/p/a", 1)
    rev = s.revision
    s.update("/p/a", 2)
    s.create("/p/b", 1)
    s.delete("/p/a")
    old = s.range("/p/", revision=rev)
    assert [(kv.key, kv.value) for kv in old.kvs] == [("/p/a", 1)]


def test_watch_from_an_old_revision_replays_every_change_in_order():
    s = MemoryStore()
    s.create("/p/a", 1)
    start = s.revision
    s.update("/p/a", 2)
    s.create("/q/x", 0)
    s.delete("/p/a")
    seen = []
    s.watch("/p/", lambda ev: seen.append((ev.type, ev.kv.key, ev.kv.value, ev.revision)), from_revision=start + 1)
    s.create("/p/b", 5)
    assert seen == [("PUT", "/p/a", 2, 2), ("DELETE", "/p/a", None, 4), ("PUT", "/p/b", 5, 5)]


def test_compaction_makes_old_reads_and_watches_fail():
    s = MemoryStore()
    for i in range(5):
        s.create(f"/p/{i}", i)
    s.compact(3)
    with pytest.raises(Compacted) as e:
        s.watch("/p/", lambda ev: None, from_revision=2)
    assert "required revision has been compacted" in str(e.value)
    with pytest.raises(Compacted):
        s.range("/p/", revision=2)
    seen = []
    s.watch("/p/", lambda ev: seen.append(ev.revision), from_revision=4)
    assert seen == [4, 5]


def test_cancelled_watch_receives_nothing():
    s = MemoryStore()
    seen = []
    w = s.watch("/p/", seen.append)
    w.cancel()
    s.create("/p/a", 1)
    assert seen == []


def test_watches_get_exactly_the_keys_under_their_prefix_in_the_order_they_started():
    from ktui.store.memory import MemoryStore

    s = MemoryStore()
    got: list[tuple[str, str]] = []
    prefixes = ["/registry/pods/", "/registry/pods/default/a", "/reg", "", "/registry/pods/default/", "/registry/p"]
    watches = [s.watch(p, lambda ev, p=p: got.append((p, ev.kv.key))) for p in prefixes]
    keys = [
        "/registry/pods/default/a",
        "/registry/pods/default/ab",
        "/registry/pods/default/b",
        "/registry/x",
        "/other",
    ]
    for k in keys:
        s.create(k, {"k": k})
    expected = [(p, k) for k in keys for p in prefixes if k.startswith(p)]
    assert got == expected
    got.clear()
    watches[0].cancel()
    late: list[str] = []

    def starts_another(ev):
        got.append(("starter", ev.kv.key))
        s.watch("/registry/", lambda e: late.append(e.kv.key))  # from the next change on

    s.watch("/registry/pods/", starts_another)
    s.update("/registry/pods/default/b", {"k": 2})
    assert got == [
        (p, "/registry/pods/default/b") for p in prefixes[1:] if "/registry/pods/default/b".startswith(p)
    ] + [("starter", "/registry/pods/default/b")]
    assert late == []
    s.update("/registry/x", {"k": 3})
    assert late == ["/registry/x"]


def test_compact_prefix_forgets_only_that_prefix_and_old_reads_there_fail():
    s = MemoryStore()
    s.create("/registry/leases/kube-node-lease/n1", {"v": 1})
    s.create("/registry/pods/default/a", {"v": 1})
    s.update("/registry/leases/kube-node-lease/n1", {"v": 2})
    s.update("/registry/pods/default/a", {"v": 2})
    s.compact_prefix("/registry/leases/kube-node-lease/", 3)
    seen = []
    s.watch("/registry/pods/", seen.append, from_revision=1).cancel()
    assert [ev.revision for ev in seen] == [2, 4]
    assert s.range("/registry/pods/", revision=2).kvs[0].value == {"v": 1}
    for prefix in ("/registry/leases/kube-node-lease/", "/registry/leases/", "/registry/"):
        with pytest.raises(Compacted):
            s.watch(prefix, seen.append, from_revision=3)
        with pytest.raises(Compacted):
            s.range(prefix, revision=2)
    got = []
    s.watch("/registry/leases/", got.append, from_revision=4).cancel()
    assert got == []
    assert s.get("/registry/leases/kube-node-lease/n1").value == {"v": 2}


def test_an_update_without_sharing_stores_the_value_as_given():
    s = MemoryStore()
    s.create("/a", {"x": "".join(["v", "1"])})
    s.create("/b", {"x": "".join(["v", "1"])})
    shared = s.update("/b", {"x": "".join(["v", "1"]), "n": 1})
    assert shared.value["x"] is s.get("/a").value["x"]
    value = {"x": "".join(["v", "1"]), "n": 2}
    own = value["x"]
    kv = s.update("/b", value, share=False)
    assert kv.value is value and kv.value["x"] is own and kv.version == 3


def test_compact_prefix_keeps_that_prefixs_later_changes():
    s = MemoryStore()
    s.create("/registry/leases/kube-node-lease/n1", {"v": 1})
    s.create("/registry/pods/default/a", {"v": 1})
    s.update("/registry/leases/kube-node-lease/n1", {"v": 2})
    s.update("/registry/leases/kube-node-lease/n1", {"v": 3})
    s.compact_prefix("/registry/leases/kube-node-lease/", 3)
    with pytest.raises(Compacted):
        s.watch("/registry/leases/", print, from_revision=3)
    later = []
    s.watch("/registry/leases/", later.append, from_revision=4).cancel()
    assert [(ev.revision, ev.kv.value) for ev in later] == [(4, {"v": 3})]
