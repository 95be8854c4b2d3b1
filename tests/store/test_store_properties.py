"""Store and watch consistency under random operation sequences."""

from hypothesis import given, settings, strategies as st

from ktui.store import KeyExists, KeyNotFound, MemoryStore

keys = st.sampled_from([f"/p/{c}" for c in "abcde"] + ["/q/a", "/q/b"])
ops = st.lists(st.tuples(st.sampled_from(["create", "update", "delete"]), keys, st.integers(0, 9)), max_size=60)


@given(ops, st.integers(0, 30))
@settings(max_examples=150, deadline=None)
def test_a_watch_rebuilds_exactly_the_stored_state(operations, start_at):
    s = MemoryStore()
    model: dict[str, int] = {}
    mirror: dict[str, int] = {}
    revisions = []

    def on_event(ev):
        revisions.append(ev.revision)
        if ev.type == "PUT":
            mirror[ev.kv.key] = ev.kv.value
        else:
            mirror.pop(ev.kv.key)

    s.watch("/p/", on_event)
    for i, (op, key, value) in enumerate(operations):
        try:
            getattr(s, op)(key, *([] if op == "delete" else [value]))
        except (KeyExists, KeyNotFound):
            assert (key in model) == (op == "create")
            continue
        if op == "delete":
            model.pop(key)
        else:
            model[key] = value
    assert mirror == {k: v for k, v in model.items() if k.startswith("/p/")}
    assert revisions == sorted(revisions) and len(set(revisions)) == len(revisions)
    assert {kv.key: kv.value for kv in s.range("/").kvs} == model
    # A late watcher from any revision sees the same changes the live one saw after that revision.
    late = []
    if start_at <= s.revision and start_at > 0:
        s.watch("/p/", lambda ev: late.append(ev.revision), from_revision=start_at)
        assert late == [r for r in revisions if r >= start_at]


prefixes = st.sampled_from(["/", "/p", "/p/", "/p/a", "/p/ab", "/q/", "/q/a/", "/r/", "", "/p/a/x"])
steps = st.lists(
    st.one_of(
        st.tuples(st.just("watch"), prefixes),
        st.tuples(st.just("cancel"), st.integers(0, 20)),
        st.tuples(st.just("put"), st.sampled_from(["/p/a", "/p/ab", "/p/b", "/q/a", "/q/a/x", "/p/a/x", "/r/z"])),
    ),
    max_size=60,
)


@given(steps)
@settings(max_examples=200, deadline=None)
def test_each_change_reaches_exactly_the_watches_whose_prefix_it_has_in_the_order_they_started(plan):
    s = MemoryStore()
    seen: list[tuple[int, str]] = []
    expected: list[tuple[int, str]] = []
    live: list[tuple[int, str, object]] = []
    for n, (op, arg) in enumerate(plan):
        if op == "watch":
            live.append((n, arg, s.watch(arg, lambda ev, n=n: seen.append((n, ev.kv.key)))))
        elif op == "cancel" and live:
            live.pop(arg % len(live))[2].cancel()
        elif op == "put":
            expected += [(i, arg) for i, prefix, _ in live if arg.startswith(prefix)]
            (s.update if s.get(arg) else s.create)(arg, n)
    assert seen == expected


nested = st.sampled_from(["/p/a", "/p/b", "/p/x/a", "/p/x/y/b", "/q/a", "/pa", "/"])
folders = st.sampled_from(["/", "/p/", "/p/x/", "/p/x/y/", "/q/", "/r/", "/p", "/p/x/y"])


@given(st.lists(st.tuples(st.sampled_from(["create", "delete"]), nested), max_size=40), folders)
@settings(max_examples=150, deadline=None)
def test_a_range_answers_from_the_present_keys_whether_or_not_its_folder_is_empty(operations, prefix):
    s = MemoryStore()
    for op, key in operations:
        try:
            s.create(key, 1) if op == "create" else s.delete(key)
        except (KeyExists, KeyNotFound):
            pass
    present = sorted(k for k in s._data if k.startswith(prefix))
    got = s.range(prefix)
    assert [kv.key for kv in got.kvs] == present and got.count == len(present) and not got.more
    restored = MemoryStore.__new__(MemoryStore)  # as a store saved before the folder counts existed loads
    restored.__dict__.update({k: v for k, v in s.__getstate__().items() if k != "_folder_counts"})
    assert [kv.key for kv in restored.range(prefix).kvs] == present
