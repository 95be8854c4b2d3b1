"""Bounded work at the API: nesting depth, body and stored sizes; and kubectl's --validate on top of it."""

from __future__ import annotations

import pytest

from ktui import ApiError, Cluster
from ktui.api import limits


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.default(seed=1)


def _nested(depth: int) -> dict:
    inner: dict = {}
    for _ in range(depth):
        inner = {"a": inner}
    return inner


@pytest.mark.parametrize("verb", ["create", "update", "patch"])
def test_a_body_a_thousand_levels_deep_is_a_clean_400_and_records_nothing(cluster, verb) -> None:
    cluster.api.create("configmaps", {"metadata": {"name": "deep"}}, "default")
    revision, inputs = cluster.world.server.store.revision, len(cluster._history.inputs)
    body = {"metadata": {"name": "deep"}, "data": _nested(1000)}
    with pytest.raises(ApiError) as e:
        if verb == "patch":
            cluster.api.patch("configmaps", "deep", body, "default", patch_type="merge")
        else:
            getattr(cluster.api, verb)("configmaps", body, "default")
    assert (e.value.code, e.value.message) == (
        400,
        f'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: exceeded max depth of {limits.MAX_DEPTH}',
    )
    assert cluster.world.server.store.revision == revision
    assert len(cluster._history.inputs) == inputs
    cluster.advance(1)  # and the cluster goes on


def test_a_deep_body_straight_to_the_server_is_decoded_without_recursion(cluster) -> None:
    # The server decodes only as deep as the schema goes: the deep part is a wrong type or an unknown field.
    server = cluster.world.server
    from ktui.api.auth.authn import ADMIN

    pods = server.registry.resolve("pods")
    with pytest.raises(ApiError) as e:
        server.create(ADMIN, pods, "default", {"metadata": {"name": "x", "labels": _nested(1000)}})
    assert e.value.message == (
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal object into '
        "Go struct field ObjectMeta.metadata.labels of type string"
    )
    with pytest.raises(ApiError) as e:
        server.create(
            ADMIN, pods, "default", {"metadata": {"name": "x"}, "spec": _nested(1000)}, field_validation="Strict"
        )
    assert (
        e.value.message
        == 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.a"'
    )
    with pytest.raises(ApiError) as e:
        server.create(
            ADMIN,
            server.registry.resolve("controllerrevisions"),
            "default",
            {"metadata": {"name": "x"}, "data": _nested(1000), "revision": 1},
        )
    assert e.value.message == (
        'ControllerRevision in version "v1" cannot be handled as a ControllerRevision: '
        f"json: exceeded max depth of {limits.MAX_DEPTH}"
    )


def test_bodies_over_3_mib_are_413_and_stored_objects_over_1_5_mib_are_refused_by_etcd(cluster) -> None:
    revision = cluster.world.server.store.revision
    big = {"metadata": {"name": "big"}, "data": {"k": "x" * (3 * 1024 * 1024)}}
    with pytest.raises(ApiError) as e:
        cluster.api.create("configmaps", big, "default")
    assert (e.value.code, e.value.reason, e.value.message) == (
        413,
        "RequestEntityTooLarge",
        "Request entity too large: limit is 3145728",
    )
    env = [{"name": f"V{i}", "value": "x" * 1000} for i in range(1600)]  # 1.6 MB of env
    pod = {"metadata": {"name": "envy"}, "spec": {"containers": [{"name": "c", "image": "nginx", "env": env}]}}
    with pytest.raises(ApiError) as e:
        cluster.api.create("pods", pod, "default")
    assert (e.value.code, e.value.reason, e.value.message) == (500, "", "etcdserver: request is too large")
    assert cluster.world.server.store.revision == revision
    with pytest.raises(ApiError) as e:
        limits.check_body_bytes(limits.MAX_BODY_BYTES + 1)
    assert e.value.code == 413
    limits.check_body_bytes(limits.MAX_BODY_BYTES)


def test_a_status_that_would_make_a_stored_pod_too_large_is_refused_and_a_smaller_one_stored(cluster) -> None:
    """The spec's size is remembered from the first measurement; the pod is still measured whole each time."""
    env = [{"name": f"V{i}", "value": "x" * 1000} for i in range(1450)]  # about 1.45 MB of spec
    pod = {"metadata": {"name": "envy"}, "spec": {"containers": [{"name": "c", "image": "nginx", "env": env}]}}
    server = cluster.world.server
    client = cluster.world.client()
    client.create("pods", pod, namespace="default")
    size = limits.encoded_size(server.store.get("/registry/pods/default/envy").value)
    room = limits.MAX_STORED_BYTES - size
    for _ in range(2):  # the second time with the spec's size remembered
        stored = client.get("pods", "envy", namespace="default", shared=True)
        too_big = {"phase": "Pending", "message": "m" * (room + 100)}
        revision = server.store.revision
        with pytest.raises(ApiError) as e:
            client.update("pods", {**stored, "status": too_big}, namespace="default", subresource="status", shared=True)
        assert (e.value.code, e.value.message) == (500, "etcdserver: request is too large")
        assert server.store.revision == revision
        fits = {"phase": "Pending", "message": "m" * (room - 200)}
        out = client.update("pods", {**stored, "status": fits}, namespace="default", subresource="status", shared=True)
        assert out["status"]["message"] == fits["message"]
        assert limits.encoded_size(out) <= limits.MAX_STORED_BYTES
        room = limits.MAX_STORED_BYTES - limits.encoded_size(out) + len(fits["message"])


@pytest.mark.parametrize("seed", range(3))
def test_the_stored_size_with_a_remembered_spec_size_is_the_size_of_the_object(seed, monkeypatch) -> None:
    import random

    rng = random.Random(seed)

    def value(depth: int = 0):
        c = rng.random()
        if depth > 3 or c < 0.3:
            return rng.choice(["a", "ü€", "", 1, 2.5, None, True, "x" * rng.randint(0, 40)])
        if c < 0.6:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        return {f"k{i}é": value(depth + 1) for i in range(rng.randint(0, 4))}

    sizes: dict = {}
    for _ in range(300):
        keys = rng.sample(["apiVersion", "kind", "metadata", "status", "x"], rng.randint(0, 5))
        obj = {k: value() for k in keys}
        if rng.random() < 0.8:
            obj["spec"] = {"a": value(), "b": value()}
        exact = limits.encoded_size(obj)
        for limit in (exact, exact - 1):
            monkeypatch.setattr(limits, "MAX_STORED_BYTES", limit)
            for remembered in (None, sizes, sizes):
                refused = False
                try:
                    limits.check_stored(obj, remembered)
                except ApiError:
                    refused = True
                assert refused == (exact > limit)


MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  foo: bar
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
        bogus: 1
"""


@pytest.fixture
def manifest(tmp_path) -> str:
    path = tmp_path / "web.yaml"
    path.write_text(MANIFEST)
    return str(path)


def test_kubectl_validates_strictly_by_default(cluster, manifest) -> None:
    out, err, code = cluster.kubectl(f"create -f {manifest}")
    assert (out, code) == ("", 1)
    assert err == (
        f'Error from server (BadRequest): error when creating "{manifest}": Deployment in version "v1" '
        'cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field '
        '"spec.template.spec.containers[0].bogus"\n'
    )


def test_kubectl_validate_warn_prints_the_server_s_warnings(cluster, manifest) -> None:
    out, err, code = cluster.kubectl(f"apply -f {manifest} --validate=warn")
    assert (out, err, code) == (
        "deployment.apps/web created\n",
        'Warning: unknown field "spec.foo"\nWarning: unknown field "spec.template.spec.containers[0].bogus"\n',
        0,
    )


@pytest.mark.parametrize("flag", ["--validate=false", "--validate=ignore"])
def test_kubectl_validate_false_drops_unknown_fields_silently(cluster, manifest, flag) -> None:
    assert cluster.kubectl(f"create -f {manifest} {flag}") == ("deployment.apps/web created\n", "", 0)
    assert "foo" not in cluster.api.get("deployments", "web", "default")["spec"]


def test_kubectl_refuses_an_unknown_validate_value(cluster, manifest) -> None:
    assert cluster.kubectl(f"create -f {manifest} --validate=maybe") == (
        "",
        'error: invalid - validate option "maybe"; must be one of: strict (or true), warn, ignore (or false)\n',
        1,
    )
