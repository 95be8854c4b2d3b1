"""Tests for ktui.api.defaults and ktui.api.quantity: golden objects with key order, and single rules."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import given, strategies as st

from ktui.api.defaults import apply_defaults, image_tag, job_prepare_for_create
from ktui.api.quantity import Quantity, QuantityError, canonical_quantity, format_quantity, parse_quantity

GOLDEN = Path(__file__).parent / "golden" / "defaults"
CASES = sorted(p.name.removesuffix(".input.yaml") for p in GOLDEN.glob("*.input.yaml"))


def _load(name: str) -> dict:
    return yaml.safe_load((GOLDEN / name).read_text())


def _ordered(value):
    """A structure whose equality also checks dict key order."""
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


@pytest.mark.parametrize("case", CASES)
def test_golden_defaults_with_key_order(case: str) -> None:
    given = _load(f"{case}.input.yaml")
    expected = _load(f"{case}.expected.yaml")
    assert _ordered(apply_defaults(given)) == _ordered(expected)


def test_golden_cases_present() -> None:
    assert {"pod", "service", "deployment", "replicaset", "daemonset", "job", "cronjob"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_defaults_are_idempotent_and_do_not_mutate(case: str) -> None:
    given = _load(f"{case}.input.yaml")
    before = copy.deepcopy(given)
    once = apply_defaults(given)
    assert given == before
    assert json.dumps(apply_defaults(once)) == json.dumps(once)


def _pod(**container) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", **container}]},
    }


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("registry:5000/team/app", "Always"),
        ("registry:5000/team/app:v2", "IfNotPresent"),
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
    ],
)
def test_image_pull_policy_from_tag(image: str, policy: str) -> None:
    out = apply_defaults(_pod(image=image))
    assert out["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_image_tag_parsing() -> None:
    assert image_tag("nginx") == "latest"
    assert image_tag("localhost:5000/nginx") == "latest"
    assert image_tag("nginx:1.2@sha256:abc") == "1.2"
    assert image_tag("") == ""


def test_explicit_values_are_kept() -> None:
    out = apply_defaults(_pod(image="nginx", imagePullPolicy="Never", terminationMessagePolicy="FallbackToLogsOnError"))
    ctr = out["spec"]["containers"][0]
    assert ctr["imagePullPolicy"] == "Never"
    assert ctr["terminationMessagePolicy"] == "FallbackToLogsOnError"


def test_probe_and_port_defaults() -> None:
    out = apply_defaults(
        _pod(
            image="nginx",
            ports=[{"containerPort": 80}],
            livenessProbe={"httpGet": {"port": 80}},
            readinessProbe={"tcpSocket": {"port": 80}, "periodSeconds": 5, "timeoutSeconds": 0},
            startupProbe={"grpc": {"port": 9000}},
        )
    )
    ctr = out["spec"]["containers"][0]
    assert ctr["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert ctr["livenessProbe"] == {
        "httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    assert ctr["readinessProbe"]["periodSeconds"] == 5
    assert ctr["readinessProbe"]["timeoutSeconds"] == 1  # zero means unset, as in Go
    assert ctr["startupProbe"]["grpc"] == {"port": 9000, "service": ""}


def test_volume_defaults() -> None:
    pod = _pod(image="nginx")
    pod["spec"]["volumes"] = [
        {"name": "scratch"},
        {"name": "cfg", "configMap": {"name": "app"}},
        {"name": "sec", "secret": {"secretName": "s", "defaultMode": 256}},
        {"name": "dapi", "downwardAPI": {"items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]}},
        {"name": "tok", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
    ]
    vols = apply_defaults(pod)["spec"]["volumes"]
    assert vols[0] == {"name": "scratch", "emptyDir": {}}
    assert vols[1]["configMap"] == {"name": "app", "defaultMode": 420}
    assert vols[2]["secret"]["defaultMode"] == 256
    assert vols[3]["downwardAPI"] == {
        "items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace", "apiVersion": "v1"}}],
        "defaultMode": 420,
    }
    assert vols[4]["projected"] == {
        "sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}}],
        "defaultMode": 420,
    }


def test_pod_requests_default_to_limits_but_templates_do_not() -> None:
    pod = apply_defaults(_pod(image="nginx", resources={"limits": {"cpu": "500m", "memory": "1000M"}}))
    assert pod["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "500m", "memory": "1G"},
        "requests": {"cpu": "500m", "memory": "1G"},
    }
    rs = {
        "kind": "ReplicaSet",
        "spec": {
            "template": {"spec": {"containers": [{"name": "c", "image": "x", "resources": {"limits": {"cpu": 1}}}]}}
        },
    }
    tmpl = apply_defaults(rs)["spec"]["template"]["spec"]
    assert tmpl["containers"][0]["resources"] == {"limits": {"cpu": "1"}}
    assert "enableServiceLinks" not in tmpl and "priority" not in tmpl


def test_host_network_ports_get_host_port() -> None:
    pod = _pod(image="x", ports=[{"containerPort": 8080}])
    pod["spec"]["hostNetwork"] = True
    port = apply_defaults(pod)["spec"]["containers"][0]["ports"][0]
    assert port == {"containerPort": 8080, "protocol": "TCP", "hostPort": 8080}


def test_service_defaults_by_type() -> None:
    def svc(**spec):
        return apply_defaults({"kind": "Service", "metadata": {"name": "s"}, "spec": spec})["spec"]

    node_port = svc(type="NodePort", ports=[{"port": 80, "targetPort": "http"}])
    assert node_port["externalTrafficPolicy"] == "Cluster"
    assert node_port["ports"][0]["targetPort"] == "http"
    assert "allocateLoadBalancerNodePorts" not in node_port
    lb = svc(type="LoadBalancer", ports=[{"port": 443}])
    assert lb["allocateLoadBalancerNodePorts"] is True and lb["externalTrafficPolicy"] == "Cluster"
    external = svc(type="ExternalName", externalName="example.com")
    assert "ipFamilies" not in external and "internalTrafficPolicy" not in external
    assert external["sessionAffinity"] == "None"
    sticky = svc(ports=[{"port": 80}], sessionAffinity="ClientIP")
    assert sticky["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    assert "externalTrafficPolicy" not in svc(ports=[{"port": 80}])


def test_namespace_defaults() -> None:
    ns = apply_defaults({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    assert ns == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "dev", "labels": {"kubernetes.io/metadata.name": "dev"}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def test_secret_and_unknown_kinds() -> None:
    assert apply_defaults({"kind": "Secret", "metadata": {"name": "s"}})["type"] == "Opaque"
    assert apply_defaults({"kind": "Secret", "type": "kubernetes.io/tls"})["type"] == "kubernetes.io/tls"
    thing = {"kind": "Widget", "spec": {"a": 1}}
    assert apply_defaults(thing) == thing and apply_defaults(thing) is not thing


def test_replication_controller_selector_and_labels_from_template() -> None:
    rc = apply_defaults(
        {
            "kind": "ReplicationController",
            "metadata": {"name": "rc"},
            "spec": {
                "template": {
                    "metadata": {"labels": {"app": "a"}},
                    "spec": {"containers": [{"name": "c", "image": "x"}]},
                }
            },
        }
    )
    assert rc["metadata"]["labels"] == {"app": "a"}
    assert rc["spec"]["selector"] == {"app": "a"} and rc["spec"]["replicas"] == 1


def test_deployment_recreate_gets_no_rolling_update() -> None:
    out = apply_defaults({"kind": "Deployment", "spec": {"strategy": {"type": "Recreate"}}})
    assert out["spec"]["strategy"] == {"type": "Recreate"}


def test_statefulset_on_delete_and_partial_rolling_update() -> None:
    on_delete = apply_defaults({"kind": "StatefulSet", "spec": {"updateStrategy": {"type": "OnDelete"}}})
    assert on_delete["spec"]["updateStrategy"] == {"type": "OnDelete"}
    rolling = apply_defaults({"kind": "StatefulSet", "spec": {"updateStrategy": {"type": "RollingUpdate"}}})
    assert rolling["spec"]["updateStrategy"] == {"type": "RollingUpdate"}  # rollingUpdate nil stays nil


def test_job_variants() -> None:
    job = apply_defaults(
        {
            "kind": "Job",
            "spec": {"completions": 5, "backoffLimitPerIndex": 1, "template": {"metadata": {"labels": {"a": "b"}}}},
        }
    )
    assert job["spec"]["parallelism"] == 1 and job["spec"]["completions"] == 5
    assert job["spec"]["backoffLimit"] == 2**31 - 1
    assert job["metadata"]["labels"] == {"a": "b"}
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Always"  # rejected later by validation
    with_policy = apply_defaults(
        {
            "kind": "Job",
            "spec": {
                "podFailurePolicy": {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]}
            },
        }
    )
    assert with_policy["spec"]["podReplacementPolicy"] == "Failed"
    assert with_policy["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"][0]["status"] == "True"


def test_job_prepare_for_create_generates_selector() -> None:
    job = apply_defaults(_load("job.input.yaml"))
    job_prepare_for_create(job, "uid-1")
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "uid-1"}}
    assert job["spec"]["template"]["metadata"]["labels"] == {
        "batch.kubernetes.io/controller-uid": "uid-1",
        "batch.kubernetes.io/job-name": "pi",
        "controller-uid": "uid-1",
        "job-name": "pi",
    }


def test_limit_range_container_defaults() -> None:
    lr = apply_defaults(
        {
            "kind": "LimitRange",
            "spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"}}]},
        }
    )
    item = lr["spec"]["limits"][0]
    assert item["default"] == {"cpu": "2"}
    assert item["defaultRequest"] == {"cpu": "2", "memory": "64Mi"}


def test_node_allocatable_and_pvc_defaults() -> None:
    node = apply_defaults({"kind": "Node", "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"}}})
    assert node["status"]["allocatable"] == {"cpu": "4", "memory": "8Gi", "pods": "110"}
    pvc = apply_defaults({"kind": "PersistentVolumeClaim", "spec": {"resources": {"requests": {"storage": "1Gi"}}}})
    assert pvc["spec"]["volumeMode"] == "Filesystem" and pvc["status"] == {"phase": "Pending"}


# Quantity ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("100m", "100m"),
        ("1Gi", "1Gi"),
        ("1e3", "1e3"),
        ("512Mi", "512Mi"),
        ("0.5", "500m"),
        ("1000", "1k"),
        ("1000M", "1G"),
        ("1.5Gi", "1536Mi"),
        ("0.5Gi", "512Mi"),
        ("2000m", "2"),
        ("1024", "1024"),
        ("0", "0"),
        ("-1", "-1"),
        ("+1k", "1k"),
        ("1e-3", "1e-3"),
        ("0.0000000001", "1n"),
        ("1.5", "1500m"),
        (1, "1"),
        (0.25, "250m"),
        ("1Ki", "1Ki"),
        ("1023Ki", "1023Ki"),
        ("2048Ki", "2Mi"),
        ("1E", "1E"),
        (" 3 ", "3"),
    ],
)
def test_canonical_quantity(text, canonical: str) -> None:
    assert canonical_quantity(text) == canonical


def test_parse_quantity_values() -> None:
    assert parse_quantity("100m") == Fraction(1, 10)
    assert parse_quantity("1Gi") == 2**30
    assert parse_quantity("1e3") == 1000
    assert parse_quantity("512Mi") == 512 * 2**20
    assert Quantity.parse("1500m").milli_value() == 1500
    assert Quantity.parse("1.1").int_value() == 2
    assert Quantity.parse("1Gi") > Quantity.parse("1G")
    assert str(Quantity.parse("1Gi") + "512Mi") == "1536Mi"
    assert str(Quantity.parse("250m") - Quantity.parse("1")) == "-750m"
    assert str(Quantity.parse("0.0001").round_up(-3)) == "1m"
    assert format_quantity(Fraction(3, 2), "BinarySI") == "1500m"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
        ("", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
        ("1.2.3", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
        ("1Mb", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
        ("1e", "unable to parse quantity's suffix"),
        ("1ki", "unable to parse quantity's suffix"),
    ],
)
def test_bad_quantities(text: str, message: str) -> None:
    with pytest.raises(QuantityError) as exc:
        parse_quantity(text)
    assert str(exc.value) == message


_SUFFIXES = ["", "m", "k", "M", "G", "Ki", "Mi", "Gi", "u", "n", "e3", "e-2", "E", "T"]


@given(
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=999),
    st.sampled_from(_SUFFIXES),
    st.booleans(),
)
def test_canonical_form_round_trips(whole: int, frac: int, suffix: str, negative: bool) -> None:
    text = f"{'-' if negative else ''}{whole}.{frac:03d}{suffix}"
    canonical = canonical_quantity(text)
    assert parse_quantity(canonical) == parse_quantity(text)
    assert canonical_quantity(canonical) == canonical
