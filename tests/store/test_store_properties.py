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
