"""Typed decoding at the API boundary: kube-apiserver's messages for wrongly typed bodies, unknown fields
per fieldValidation, and nothing stored on a rejection."""

from __future__ import annotations

import pytest

from ktui import ApiError, Cluster

QUOTA_RE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return Cluster.default(seed=0)


def _pod(**container: object) -> dict:
    return {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx", **container}]}}


def _refused(cluster: Cluster, resource: str, body: object, **kw: object) -> ApiError:
    before, inputs = cluster.world.server.store.revision, len(cluster._history.inputs)
    with pytest.raises(ApiError) as e:
        cluster.api.create(resource, body, "default", **kw)
    assert cluster.world.server.store.revision == before  # nothing stored
    assert len(cluster._history.inputs) == inputs  # nor recorded for replay
    return e.value


@pytest.mark.parametrize(
    "resource, body, message",
    [
        (
            "pods",
            {"metadata": {"name": 123}},
            'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal '
            "number into Go struct field ObjectMeta.metadata.name of type string",
        ),
        (
            "pods",
            _pod(image=5),
            'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into '
            "Go struct field Container.spec.containers.image of type string",
        ),
        (
            "pods",
            _pod(ports=[{"containerPort": "http"}]),
            'Pod in version "v1" cannot be handled as a Pod: json: '
            "cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32",
        ),
        (
            "pods",
            _pod(ports=[{"containerPort": 99999999999}]),
            'Pod in version "v1" cannot be handled as a Pod: json: '
            "cannot unmarshal number 99999999999 into Go struct field ContainerPort.spec.containers.ports.containerPort "
            "of type int32",
        ),
        (
            "pods",
            _pod(env="A=b"),
            'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into '
            "Go struct field Container.spec.containers.env of type []v1.EnvVar",
        ),
        (
            "pods",
            _pod(imagePullPolicy=1),
            'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal '
            "number into Go struct field Container.spec.containers.imagePullPolicy of type v1.PullPolicy",
        ),
        (
            "pods",
            {"metadata": "x"},
            'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string '
            "into Go struct field Pod.metadata of type v1.ObjectMeta",
        ),
        (
            "configmaps",
            {"metadata": {"name": "c", "labels": "app=x"}},
            'ConfigMap in version "v1" cannot be handled as '
            "a ConfigMap: json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type "
            "map[string]string",
        ),
        (
            "configmaps",
            {"metadata": {"name": "c"}, "data": 5},
            'ConfigMap in version "v1" cannot be handled as a '
            "ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type map[string]string",
        ),
        (
            "resourcequotas",
            {"metadata": {"name": "rq"}, "spec": {"hard": "pods=1"}},
            'ResourceQuota in version "v1" '
            "cannot be handled as a ResourceQuota: json: cannot unmarshal string into Go struct field "
            "ResourceQuotaSpec.spec.hard of type v1.ResourceList",
        ),
        (
            "deployments",
            {"metadata": {"name": "d"}, "spec": {"replicas": [1]}},
            'Deployment in version "v1" cannot be '
            "handled as a Deployment: json: cannot unmarshal array into Go struct field DeploymentSpec.spec.replicas of "
            "type int32",
        ),
        (
            "deployments",
            {"metadata": {"name": "d"}, "spec": {"replicas": 1.5}},
            'Deployment in version "v1" cannot be '
            "handled as a Deployment: json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas "
            "of type int32",
        ),
        (
            "services",
            {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80, "targetPort": True}]}},
            'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal bool into Go value of type int32',
        ),
        (
            "pods",
            _pod(resources={"limits": {"cpu": "abc"}}),
            f'Pod in version "v1" cannot be handled as a Pod: {QUOTA_RE}',
        ),
        (
            "pods",
            _pod(resources={"limits": {"cpu": "1" * 5000 + "x"}}),
            f'Pod in version "v1" cannot be handled as a Pod: {QUOTA_RE}',
        ),
        (
            "pods",
            _pod(resources={"limits": {"cpu": "1e9999999999"}}),
            'Pod in version "v1" cannot be handled as a Pod: unable to parse quantity\'s suffix',
        ),
        (
            "secrets",
            {"metadata": {"name": "s"}, "data": {"k": "abc!"}},
            'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3',
        ),
        (
            "pods",
            {"metadata": {"name": "p", "creationTimestamp": "yesterday"}},
            'Pod in version "v1" cannot be handled '
            'as a Pod: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
        ),
        (
            "pods",
            {"kind": 5, "metadata": {"name": "p"}},
            "couldn't get version/kind; json parse error: json: cannot "
            "unmarshal number into Go struct field .kind of type string",
        ),
    ],
)
def test_a_wrongly_typed_body_is_a_400_with_go_s_message(cluster, resource, body, message) -> None:
    err = _refused(cluster, resource, body)
    assert (err.code, err.reason, err.message) == (400, "BadRequest", message)


def test_unknown_fields_follow_field_validation(cluster) -> None:
    body = {
        "metadata": {"name": "fv", "foo": 1},
        "spec": {"bar": 2, "containers": [{"name": "c", "image": "nginx", "baz": 3}]},
    }
    err = _refused(cluster, "pods", body, field_validation="Strict")
    assert err.message == (
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field '
        '"metadata.foo", unknown field "spec.bar", unknown field "spec.containers[0].baz"'
    )
    warnings: list[str] = []
    api = cluster.api.with_warning_handler(warnings.append)
    pod = api.create("pods", body, "default")  # no fieldValidation: the server's default is Warn
    assert warnings == [
        'unknown field "metadata.foo"',
        'unknown field "spec.bar"',
        'unknown field "spec.containers[0].baz"',
    ]
    assert "foo" not in pod["metadata"] and "bar" not in pod["spec"] and "baz" not in pod["spec"]["containers"][0]
    warnings.clear()
    api.create("pods", {**body, "metadata": {"name": "fv2", "foo": 1}}, "default", field_validation="Ignore")
    assert warnings == []
    with pytest.raises(ApiError) as e:
        api.create("pods", body, "default", field_validation="Loud")
    assert (e.value.code, e.value.message) == (
        422,
        'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: '
        'Unsupported value: "Loud": supported values: "", "Ignore", '
        '"Strict", "Warn"',
    )


def test_nulls_are_zero_values_and_numbers_in_quantities_are_canonical(cluster) -> None:
    pod = cluster.api.create(
        "pods",
        {
            "metadata": {"name": "nulls", "labels": None, "annotations": {"a": None}},
            "spec": {
                "nodeSelector": None,
                "containers": [
                    {
                        "name": "c",
                        "image": "nginx",
                        "args": [None, "x"],
                        "resources": {"limits": {"cpu": 0.5, "memory": 1024}},
                    }
                ],
            },
        },
        "default",
    )
    assert "labels" not in pod["metadata"] and pod["metadata"]["annotations"] == {"a": ""}
    assert pod["spec"]["containers"][0]["args"] == ["", "x"]
    assert pod["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "500m", "memory": "1024"}


def test_a_huge_exponent_does_not_hang_and_is_capped(cluster) -> None:
    # resource.Quantity keeps 1e99999999 as a scaled decimal; ktui caps every format at int64's maximum
    # (Go caps BinarySI there) so that arithmetic on it stays bounded.
    pod = cluster.api.create(
        "pods", _pod(resources={"requests": {"cpu": "1e99999999"}}) | {"metadata": {"name": "huge"}}, "default"
    )
    assert pod["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "9223372036854775807"
    from ktui.api.quantity import Quantity

    assert Quantity.parse("1e99999999").value == 2**63 - 1
    assert Quantity.parse("1" * 5000).value == 2**63 - 1


def test_patch_results_are_decoded_too(cluster) -> None:
    cluster.api.create("configmaps", {"metadata": {"name": "pc"}, "data": {"a": "1"}}, "default")
    before = cluster.world.server.store.revision
    with pytest.raises(ApiError) as e:
        cluster.api.patch("configmaps", "pc", {"data": {"a": 5}}, "default", patch_type="merge")
    assert e.value.code == 422
    cause = e.value.status["details"]["causes"][0]
    assert cause["field"] == "patch"
    assert cause["message"].endswith(
        ": json: cannot unmarshal number into Go struct field ConfigMap.data of type string"
    )
    cluster.api.create(
        "deployments",
        {
            "metadata": {"name": "pd"},
            "spec": {
                "selector": {"matchLabels": {"a": "b"}},
                "template": {
                    "metadata": {"labels": {"a": "b"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx"}]},
                },
            },
        },
        "default",
    )
    before = cluster.world.server.store.revision
    for patch, why in [
        ({"spec": {"replicas": "x"}}, "unrecognized type: int32"),
        ({"spec": {"template": "x"}}, "cannot restore struct from: string"),
        ({"metadata": {"labels": "a"}}, "cannot restore map from string"),
    ]:
        with pytest.raises(ApiError) as e:
            cluster.api.patch("deployments", "pd", patch, "default")  # strategic, kubectl's default
        assert e.value.code == 422
        assert e.value.message.endswith(f": {why}")
    out, err, code = cluster.kubectl("""patch deploy pd -p '{"spec":{"replicas":"x"}}'""")
    assert (out, err, code) == (
        "",
        'The request is invalid: patch: Invalid value: "map[spec:map[replicas:x]]": unrecognized type: int32\n',
        1,
    )
    with pytest.raises(ApiError) as e:
        cluster.api.patch(
            "configmaps",
            "pc",
            {"data": {"b": "2"}, "extra": 1},
            "default",
            patch_type="merge",
            field_validation="Strict",
        )
    assert (e.value.code, e.value.message) == (400, 'strict decoding error: unknown field "extra"')
    assert cluster.world.server.store.revision == before


def test_secret_string_data_is_merged_into_data_and_not_stored(cluster) -> None:
    s = cluster.api.create(
        "secrets",
        {"metadata": {"name": "sd"}, "data": {"a": "eA==", "b": "eQ=="}, "stringData": {"b": "new", "c": "ü"}},
        "default",
    )
    assert s["data"] == {"a": "eA==", "b": "bmV3", "c": "w7w="}
    assert "stringData" not in s and "stringData" not in cluster.api.get("secrets", "sd", "default")


def test_replayed_watch_gives_deleted_events_the_deleting_revision(cluster) -> None:
    cm = cluster.api.create("configmaps", {"metadata": {"name": "w"}}, "default")
    gone = cluster.api.delete("configmaps", "w", "default")
    deleting_rv = str(cluster.world.server.store.revision)
    live: list[tuple[str, str]] = []
    replayed: list[tuple[str, str]] = []
    cluster.api.watch(
        "configmaps",
        lambda t, o: replayed.append((t, o["metadata"]["resourceVersion"])),
        "default",
        resource_version=cm["metadata"]["resourceVersion"],
    )
    cluster.advance(1)
    assert replayed[-1] == ("DELETED", deleting_rv)
    assert gone["metadata"]["resourceVersion"] != deleting_rv
    cluster.api.watch("configmaps", lambda t, o: live.append((t, o["metadata"]["resourceVersion"])), "default")
    cluster.api.create("configmaps", {"metadata": {"name": "w2"}}, "default")
    cluster.api.delete("configmaps", "w2", "default")
    cluster.advance(1)
    assert live[-1] == ("DELETED", str(cluster.world.server.store.revision))


DUPLICATED = """{"apiVersion": "apps/v1", "kind": "Deployment",
 "metadata": {"name": "dupename", "name": "dd", "labels": {"app": "nginx"}, "unknownMeta": "metaVal"},
 "spec": {"unknown1": "val1", "unknownDupe": "valDupe", "unknownDupe": "valDupe2", "paused": true, "paused": false,
          "selector": {"matchLabels": {"app": "nginx"}},
          "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{"name": "nginx",
              "image": "nginx:latest", "unknownNested": "val1", "imagePullPolicy": "Always",
              "imagePullPolicy": "Never"}]}}}}"""


def test_a_json_body_with_duplicate_fields_as_kube_apiserver_reports_it(cluster) -> None:
    from ktui.api.decode import loads_body

    err = _refused(cluster, "deployments", loads_body(DUPLICATED), field_validation="Strict")
    assert err.message == (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field '
        '"metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknown1", unknown field '
        '"spec.unknownDupe", duplicate field "spec.paused", unknown field '
        '"spec.template.spec.containers[0].unknownNested", duplicate field '
        '"spec.template.spec.containers[0].imagePullPolicy"'
    )
    warnings: list[str] = []
    d = cluster.api.with_warning_handler(warnings.append).create("deployments", loads_body(DUPLICATED), "default")
    assert warnings[0] == 'duplicate field "metadata.name"' and len(warnings) == 7
    assert (d["metadata"]["name"], d["spec"]["paused"]) == ("dd", False)  # the last value wins
    assert d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Never"


def test_a_5000_digit_json_number_is_a_decode_error_or_a_capped_quantity(cluster) -> None:
    from ktui.api.decode import loads_body

    digits = "1" * 5000
    body = loads_body(
        '{"metadata": {"name": "long"}, "spec": {"containers": [{"name": "c", "image": "nginx", '
        f'"ports": [{{"containerPort": {digits}}}]}}]}}}}'
    )
    err = _refused(cluster, "pods", body)
    assert err.message == (
        f'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number {digits} '
        "into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"
    )
    body = loads_body(
        '{"metadata": {"name": "long"}, "spec": {"containers": [{"name": "c", "image": "nginx", '
        f'"resources": {{"limits": {{"memory": {digits}}}}}}}]}}}}'
    )
    pod = cluster.api.create("pods", body, "default", dry_run=True)
    assert pod["spec"]["containers"][0]["resources"]["limits"]["memory"] == "9223372036854775807"
