"""Property tests: wrongly typed, oversized and deeply nested bodies for every registered kind and every
write verb. No exception other than an ApiError escapes, a rejection stores nothing, and the cluster keeps
running afterwards."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ktui import ApiError, Cluster
from ktui.api.registry import REGISTRY

KINDS = sorted(r.plural for r in REGISTRY if "create" in r.verbs)


def _nested(depth: int) -> dict:
    inner: dict = {"x": 1}
    for _ in range(depth):
        inner = {"a": inner}
    return inner


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),  # JSON has neither
    st.text(max_size=8),
    st.sampled_from(["1e99999999", "1" * 5000, "abc", "-1", "0.5", "", "2024-13-01T00:00:00Z", "=="]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)
BIG = st.sampled_from([_nested(300), _nested(1000), "x" * (2 * 1024 * 1024), ["y" * 1000] * 1700])
VALUE = st.one_of(JSON, JSON, JSON, BIG)
FIELDS = st.sampled_from(
    [
        "metadata",
        "spec",
        "status",
        "data",
        "stringData",
        "rules",
        "subjects",
        "roleRef",
        "webhooks",
        "template",
        "value",
        "type",
        "binaryData",
        "secrets",
        "involvedObject",
    ]
)
SUBFIELDS = st.sampled_from(
    [
        "name",
        "labels",
        "annotations",
        "namespace",
        "finalizers",
        "ownerReferences",
        "replicas",
        "selector",
        "containers",
        "ports",
        "hard",
        "template",
        "type",
        "clusterIP",
        "taints",
        "podCIDR",
        "schedule",
        "jobTemplate",
        "foo",
    ]
)


@st.composite
def bodies(draw) -> dict:
    """A body with a name, and a wrong or random value at a random top-level or second-level field."""
    body: dict = {"metadata": {"name": draw(st.sampled_from(["fz", "fz-a", "fz-b"]))}}
    for _ in range(draw(st.integers(1, 3))):
        field, value = draw(FIELDS), draw(VALUE)
        if draw(st.booleans()) and isinstance(body.get(field, {}), dict):
            sub = body.setdefault(field, {})
            if isinstance(sub, dict):
                sub[draw(SUBFIELDS)] = value
        else:
            body[field] = value
    if not isinstance(body.get("metadata"), dict) and draw(st.booleans()):
        body["metadata"] = {"name": "fz"}
    return body


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return Cluster.default(seed=11)


def _target(cluster: Cluster, resource: str) -> dict | None:
    """An existing object of ``resource`` (in ``default`` when namespaced), so updates and patches reach
    admission and validation, not only NotFound."""
    items = cluster.api.list(resource, "default", limit=1)["items"]
    return items[0] if items else None


def _call(cluster: Cluster, verb: str, resource: str, body: dict) -> None:
    server = cluster.world.server
    before = server.store.revision
    target = _target(cluster, resource) if verb != "create" else None
    name = target["metadata"]["name"] if target else "fz"
    try:
        if verb == "create":
            cluster.api.create(resource, body, "default")
        elif verb == "update":
            merged = {**(target or {}), **{k: v for k, v in body.items() if k != "metadata"}}
            md = body.get("metadata")
            merged["metadata"] = (
                {**target["metadata"], **md, "name": name}
                if target and isinstance(md, dict)
                else md
                if not target
                else target["metadata"]
            )
            cluster.api.update(resource, merged, "default")
        else:
            patch_type = verb.split("-", 1)[1]
            patch = [{"op": "add", "path": "/spec", "value": body.get("spec")}] if patch_type == "json" else body
            if isinstance(patch, dict) and isinstance(patch.get("metadata"), dict):
                patch["metadata"] = {**patch["metadata"], "name": name}
            cluster.api.patch(resource, name, patch, "default", patch_type=patch_type)
    except ApiError:
        assert server.store.revision == before, "a rejected request changed the store"


@pytest.mark.parametrize("verb", ["create", "update", "patch-merge", "patch-strategic", "patch-json"])
@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(resource=st.sampled_from(KINDS), body=bodies())
def test_no_body_breaks_the_api(cluster, verb, resource, body) -> None:
    _call(cluster, verb, resource, body)


def test_the_cluster_still_runs_after_the_fuzzing(cluster) -> None:
    for verb in ("create", "update", "patch-merge"):
        for resource in KINDS:
            _call(cluster, verb, resource, {"metadata": {"name": "fz"}, "spec": {"replicas": "x"}, "data": 7})
    cluster.advance(120)
    out, err, code = cluster.kubectl("run after --image=nginx")
    assert (out, err, code) == ("pod/after created\n", "", 0)
    cluster.advance(30)
    assert cluster.api.get("pods", "after", "default")["status"]["phase"] == "Running"
