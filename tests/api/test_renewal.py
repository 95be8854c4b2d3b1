"""A Lease renewal's short path gives what the full update pipeline gives: answer, error, stored bytes, events."""

import json

import pytest

import ktui.api.writes as writes_module
from ktui.api.auth.user import authenticated
from ktui.api.client import Client
from ktui.api.errors import ApiError
from ktui.api.objects import copy_json
from ktui.api.renewal import _renewals
from ktui.clusterspec import normalize_spec
from ktui.world import build_world

NODE = authenticated("system:node:n1", ("system:nodes",))
KEY = "/registry/leases/kube-node-lease/n1"


@pytest.fixture(autouse=True)
def _restore_renew(monkeypatch):
    monkeypatch.setattr(writes_module, "renew", writes_module.renew)


def _lease(renew: str) -> dict:
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {
            "name": "n1",
            "namespace": "kube-node-lease",
            "labels": {"a": "b"},
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "n1", "uid": "u-1"}],
        },
        "spec": {"holderIdentity": "n1", "leaseDurationSeconds": 40, "renewTime": renew},
    }


class Side:
    """One API-only world with a node Lease renewed once (through the full pipeline), and a watch on Leases."""

    def __init__(self) -> None:
        self.world = build_world(normalize_spec({"nodes": []}))
        self.server = self.world.server
        self.kubelet = Client(self.server, NODE)
        self.events: list[tuple[str, str]] = []
        Client(self.server, authenticated("system:apiserver", ("system:masters",))).watch(
            "leases", lambda t, o: self.events.append((t, json.dumps(o))), "kube-node-lease"
        )
        self.last = self.kubelet.create("leases", _lease("2026-01-01T00:00:00.000000Z"), namespace="kube-node-lease")
        self.last = self.renew(self.body("2026-01-01T00:00:10.000000Z"), short=False)
        self.validations = 0
        validate = self.server.validate

        def counted(*args):
            self.validations += 1
            return validate(*args)

        self.server.validate = counted
        self.short_answers = 0
        renew = writes_module.renew

        def spied(server, *args):
            out = renew(server, *args)
            self.short_answers += out is not None and server is self.server
            return out

        writes_module.renew = spied  # restored by the autouse fixture

    def body(self, renew: str) -> dict:
        return {**self.last, "spec": {**self.last["spec"], "renewTime": renew}}

    def renew(self, body: dict, *, short: bool, client: Client | None = None, **kwargs) -> object:
        if not short:
            _renewals(self.server).known.clear()
        try:
            out = (client or self.kubelet).update("leases", body, namespace="kube-node-lease", **kwargs)
        except ApiError as e:
            return ("error", e.status)
        self.world.kernel.advance(1)  # deliver the watch events
        return out

    def state(self) -> tuple:
        kv = self.world.store.get(KEY)
        return (json.dumps(kv.value), kv.mod_revision, self.world.store.revision, self.server.requests, self.events)


def _pair(change, **kwargs):
    """The outcome of the same request on a world where the short path may answer and on one where the full
    pipeline must, and whether the first one skipped validation (took the short path)."""
    short, full = Side(), Side()
    outs = []
    for side, is_short in ((short, True), (full, False)):
        body = change(side.body("2026-01-01T00:00:20.000000Z"))
        out = side.renew(body, short=is_short, **kwargs)
        outs.append((json.dumps(out), side.state()))
    assert outs[0] == outs[1]
    return outs[0][0], short.short_answers == 1


def test_a_renewal_takes_the_short_path_and_stores_what_the_full_pipeline_stores():
    answer, skipped = _pair(lambda b: b)
    assert skipped
    lease = json.loads(answer)
    assert lease["spec"]["renewTime"] == "2026-01-01T00:00:20.000000Z"
    assert list(lease) == ["apiVersion", "kind", "metadata", "spec"]
    assert list(lease["metadata"]) == sorted(lease["metadata"])


def test_any_valid_new_renew_time_is_a_renewal():
    for renew in ("2026-01-01T00:00:20Z", "2026-01-01T01:00:20+01:00", "2026-01-01T00:00:20.5Z"):
        answer, skipped = _pair(_set("spec.renewTime", renew))
        assert skipped
        assert json.loads(answer)["spec"]["renewTime"] == renew


def test_the_answer_is_a_copy_the_store_never_sees_changed():
    side = Side()
    out = side.renew(side.body("2026-01-01T00:00:20.000000Z"), short=True)
    out["metadata"]["labels"]["a"] = "changed"
    out["spec"]["holderIdentity"] = "x"
    assert side.world.store.get(KEY).value["metadata"]["labels"] == {"a": "b"}
    assert side.world.store.get(KEY).value["spec"]["holderIdentity"] == "n1"


def test_a_shared_answer_is_the_stored_lease_and_the_next_renewal_built_on_it_is_short():
    short, full = Side(), Side()
    for i in range(3):
        t = f"2026-01-01T00:00:{20 + i:02d}.000000Z"
        short.last = short.renew(short.body(t), short=True, shared=True)
        full.last = full.renew(full.body(t), short=False, shared=True)
        assert short.last is short.world.store.get(KEY).value
        assert full.last is full.world.store.get(KEY).value  # a shared answer of the full pipeline too
        assert json.dumps(short.last) == json.dumps(full.last)
    assert short.short_answers == 3 and short.validations == 0
    assert short.state() == full.state()


def test_renewal_after_renewal_stays_short_and_equal():
    short, full = Side(), Side()
    for i in range(3):
        t = f"2026-01-01T00:00:{20 + i:02d}.000000Z"
        a = short.renew(short.body(t), short=True)
        b = full.renew(full.body(t), short=False)
        assert json.dumps(a) == json.dumps(b)
        short.last, full.last = a, b
    assert short.short_answers == 3 and full.short_answers == 0
    assert short.validations == 0 and full.validations == 3
    assert short.state() == full.state()


def _set(path: str, value):
    def change(body: dict) -> dict:
        body = copy_json(body)
        *parents, last = path.split(".")
        cur = body
        for p in parents:
            cur = cur[p]
        cur[last] = value
        return body

    return change


def _drop(path: str):
    def change(body: dict) -> dict:
        body = copy_json(body)
        *parents, last = path.split(".")
        cur = body
        for p in parents:
            cur = cur[p]
        del cur[last]
        return body

    return change


@pytest.mark.parametrize(
    "change",
    [
        _set("spec.renewTime", "yesterday"),
        _set("spec.renewTime", "2026-13-01T00:00:20.000000Z"),
        _set("spec.renewTime", 20),
        _set("spec.renewTime", "2026-01-01T00:00:10.000000Z"),  # unchanged: nothing written
        _set("spec.leaseDurationSeconds", True),
        _set("spec.leaseDurationSeconds", 40.0),
        _set("spec.leaseDurationSeconds", "40"),
        _set("spec.leaseDurationSeconds", -1),
        _set("spec.leaseDurationSeconds", 2**40),
        _set("spec.holderIdentity", "n2"),
        _set("spec.acquireTime", "2026-01-01T00:00:20.000000Z"),
        _set("spec.bogus", 1),
        _drop("spec.holderIdentity"),
        _set("status", {}),
        _set("apiVersion", "coordination.k8s.io/v1beta1"),
        _drop("kind"),
        _set("metadata.resourceVersion", "1"),
        _drop("metadata.resourceVersion"),
        _set("metadata.namespace", "default"),
        _set("metadata.labels", {"a": "b", "bad key!": "x"}),
        _set("metadata.labels", {"a": "c"}),
        _set("metadata.uid", "other"),
        _set("metadata.ownerReferences", [{"apiVersion": "v1", "kind": "Node", "name": "n1", "uid": ""}]),
        _set("metadata.finalizers", ["example.com/keep"]),
        _set("metadata.generation", 1.0),
        _set("metadata", None),
        _set("spec", None),
    ],
)
def test_any_other_change_gives_the_full_pipelines_answer(change):
    _, skipped = _pair(change)
    assert not skipped


def test_a_forbidden_renewal_is_refused_the_same_way():
    other = authenticated("jane")
    short, full = Side(), Side()
    outs = []
    for side, is_short in ((short, True), (full, False)):
        out = side.renew(side.body("2026-01-01T00:00:20.000000Z"), short=is_short, client=Client(side.server, other))
        outs.append((json.dumps(out), side.state()))
    assert outs[0] == outs[1]
    assert json.loads(outs[0][0])[1]["reason"] == "Forbidden"


def test_dry_run_and_field_validation_take_the_full_pipeline():
    for kwargs in ({"dry_run": True}, {"field_validation": "Strict"}, {"field_validation": "nonsense"}):
        _, skipped = _pair(lambda b: b, **kwargs)
        assert not skipped


def test_a_lease_written_around_the_api_takes_the_full_pipeline():
    side = Side()
    bad = copy_json(side.world.store.get(KEY).value)
    bad["metadata"]["labels"] = {"bad key!": "x"}  # decodable, but never valid through the API
    side.world.store.update(KEY, bad)
    side.last = bad
    out = side.renew(side.body("2026-01-01T00:00:20.000000Z"), short=True)
    assert side.validations == 1 and side.short_answers == 0  # the full pipeline decided
    assert out[0] == "error" and out[1]["code"] == 422
    assert "metadata.labels" in out[1]["message"]


def test_any_update_with_shared_answers_the_stored_object_and_without_it_a_copy():
    side = Side()
    admin = Client(side.server, authenticated("system:apiserver", ("system:masters",)))
    admin.create("configmaps", {"metadata": {"name": "c", "namespace": "default"}, "data": {"a": "1"}})
    cm = admin.get("configmaps", "c", namespace="default")
    shared = admin.update("configmaps", {**cm, "data": {"a": "2"}}, namespace="default", shared=True)
    stored = side.world.store.get("/registry/configmaps/default/c").value
    assert shared is stored and shared["data"] == {"a": "2"}
    copied = admin.update("configmaps", {**shared, "data": {"a": "3"}}, namespace="default")
    stored = side.world.store.get("/registry/configmaps/default/c").value
    assert copied == stored and copied is not stored and copied["metadata"] is not stored["metadata"]


def test_a_lease_stored_without_a_spec_takes_the_full_pipeline():
    side = Side()
    admin = Client(side.server, authenticated("system:apiserver", ("system:masters",)))
    bare = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "bare"}}
    lease = admin.create("leases", bare, namespace="kube-node-lease")
    lease = admin.update("leases", {**lease, "metadata": {**lease["metadata"], "labels": {"a": "b"}}})
    assert "spec" not in lease
    out = admin.update("leases", {**lease, "spec": {"renewTime": "2026-01-01T00:00:20.000000Z"}})
    assert out["spec"] == {"renewTime": "2026-01-01T00:00:20.000000Z"} and side.short_answers == 0


def test_a_renewed_lease_shares_every_unchanged_part_with_the_stored_one():
    side = Side()
    before = side.world.store.get(KEY).value
    body = side.body("2026-01-01T00:00:20.000000Z")
    body["spec"] = dict(body["spec"])
    body["spec"]["holderIdentity"] = "".join(["n", "1"])  # equal, not the stored string
    assert side.renew(body, short=True)["spec"]["renewTime"] == "2026-01-01T00:00:20.000000Z"
    after = side.world.store.get(KEY).value
    assert side.short_answers == 1
    assert after["spec"]["holderIdentity"] is before["spec"]["holderIdentity"]
    assert list(after["spec"]) == list(body["spec"])  # the body's order
    assert after["metadata"]["ownerReferences"] is before["metadata"]["ownerReferences"]
    assert after["metadata"]["labels"] is before["metadata"]["labels"]


def test_a_plugin_added_to_the_admission_chain_after_a_renewal_sends_the_next_one_through_the_full_pipeline():
    seen = []

    class Watching:
        """An admission plugin that does not say which requests it handles, so acts on every request (not one
        the short path may skip)."""

        def admit(self, req):
            seen.append("admit")

        def validate(self, req):
            seen.append("validate")

    side = Side()
    side.last = side.renew(side.body("2026-01-01T00:00:20.000000Z"), short=True)
    assert side.short_answers == 1
    side.server.admission.append(Watching())
    try:
        side.renew(side.body("2026-01-01T00:00:30.000000Z"), short=True)
    finally:
        side.server.admission.pop()
    assert side.short_answers == 1  # the second renewal did not take the short path
    assert seen == ["admit", "validate"]  # and the plugin saw it
