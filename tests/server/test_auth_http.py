"""Authentication and RBAC over HTTPS: client certificates, bearer tokens, impersonation, 401s."""

from __future__ import annotations

import base64
import http.client
import json
import ssl
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from ktui.cluster import Cluster
from ktui.server.certs import issue, new_ca

from tests.server.conftest import Served, serve

SPEC_USERS = [{"name": "tokenuser", "token": "s3cret-token", "groups": ["devs"]}]


@pytest.fixture(scope="module")
def rbac(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from ktui.clusterspec import DEFAULT_SPEC

    cluster = Cluster({**DEFAULT_SPEC, "seed": 2, "users": SPEC_USERS})
    cluster.advance(30)
    cluster.kubectl("create role pod-reader --verb=get,list --resource=pods")
    cluster.kubectl("create rolebinding jane-reads --role=pod-reader --user=jane")
    cluster.kubectl("run web --image=nginx")
    cluster.advance(10)
    yield from serve(tmp_path_factory.mktemp("rbac"), cluster)


def _config(served: Served, name: str, user: dict, ca_pem: bytes | None = None) -> Path:
    ca = base64.b64encode(ca_pem or served.pki.ca.cert_pem).decode()
    data = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": served.url, "certificate-authority-data": ca}}],
        "users": [{"name": "u", "user": user}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u", "namespace": "default"}}],
    }
    path = served.home / f"{name}.kubeconfig"
    path.write_text(yaml.safe_dump(data))
    return path


def _cert_user(ca_pair, cn: str, orgs: tuple[str, ...] = ()) -> dict:
    pair = issue(ca_pair, cn, orgs)
    return {
        "client-certificate-data": base64.b64encode(pair.cert_pem).decode(),
        "client-key-data": base64.b64encode(pair.key_pem).decode(),
    }


JANE_LINES = [
    "auth can-i list pods",
    "auth can-i delete pods",
    "auth can-i get pods/log",
    "auth can-i create deployments -n kube-system",
    "get pods",
    "get pod web",
    "get deployments",
    "delete pod web",
    "run other --image=nginx",
    "get nodes",
    "label pod web a=b",
    "get pods -n kube-system",
]


@pytest.mark.parametrize("line", JANE_LINES)
def test_a_certificate_for_jane_is_jane(rbac: Served, line: str) -> None:
    jane = _config(rbac, "jane", _cert_user(rbac.pki.ca, "jane"))
    real = rbac.kubectl(*line.split(), kubeconfig=jane)
    assert real == rbac.ktui(f"{line} --as jane")
    assert real == rbac.kubectl(*line.split(), "--as", "jane")


def test_groups_come_from_the_certificate_organizations(rbac: Served) -> None:
    admin_like = _config(rbac, "ops", _cert_user(rbac.pki.ca, "ops", ("system:masters", "ops-team")))
    assert rbac.kubectl("auth", "whoami", kubeconfig=admin_like) == (
        "ATTRIBUTE   VALUE\nUsername    ops\nGroups      [system:masters ops-team system:authenticated]\n",
        "",
        0,
    )
    assert rbac.kubectl("auth", "whoami", "--as", "jane", "--as-group", "devs", kubeconfig=admin_like) == (
        "ATTRIBUTE   VALUE\nUsername    jane\nGroups      [devs system:authenticated]\n",
        "",
        0,
    )
    out, err, code = rbac.kubectl("get", "nodes", "-o", "name", kubeconfig=admin_like)
    assert (out, err, code) == ("node/controlplane\nnode/node01\nnode/node02\n", "", 0)


def test_bearer_token_of_a_spec_user(rbac: Served) -> None:
    cfg = _config(rbac, "token", {"token": "s3cret-token"})
    assert rbac.kubectl("get", "pods", kubeconfig=cfg) == rbac.ktui("get pods --as tokenuser --as-group devs")


UNAUTHORIZED = ("", "error: You must be logged in to the server (Unauthorized)\n", 1)


def _anonymous(served: Served, method: str, path: str, body: bytes | None = None) -> tuple[int, dict]:
    ctx = ssl.create_default_context(cafile=str(served.pki.path("ca.crt")))
    conn = http.client.HTTPSConnection("127.0.0.1", served.thread.server.port, context=ctx, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def test_no_credentials_or_a_bad_token_is_401_and_stores_nothing(rbac: Served) -> None:
    status = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }
    assert _anonymous(rbac, "GET", "/api/v1/namespaces/default/pods") == (401, status)
    body = json.dumps(
        {"metadata": {"name": "intruder"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    ).encode()
    assert _anonymous(rbac, "POST", "/api/v1/namespaces/default/pods", body) == (401, status)
    bad = _config(rbac, "bad", {"token": "not-a-token"})
    assert rbac.kubectl("get", "pods", kubeconfig=bad) == UNAUTHORIZED
    assert rbac.kubectl("run", "intruder2", "--image=nginx", kubeconfig=bad) == UNAUTHORIZED
    assert rbac.ktui("get pods intruder intruder2")[1] == (
        'Error from server (NotFound): pods "intruder" not found\n'
        'Error from server (NotFound): pods "intruder2" not found\n'
    )


def test_a_certificate_from_another_ca_is_refused(rbac: Served) -> None:
    """kube-apiserver answers 401; Python's TLS stack refuses such a certificate in the handshake (README)."""
    stranger = _config(rbac, "stranger", _cert_user(new_ca(), "kubernetes-admin", ("system:masters",)))
    out, err, code = rbac.kubectl("run", "stranger", "--image=nginx", kubeconfig=stranger)
    assert (out, code) == ("", 1)
    last = err.splitlines()[-1]  # the handshake's end races with kubectl's read: either message
    assert last.startswith((f'error: Get "{rbac.url}/api?timeout=32s": ', "Unable to connect to the server: "))
    assert rbac.ktui("get pod stranger")[1] == 'Error from server (NotFound): pods "stranger" not found\n'


def test_impersonation_needs_the_impersonate_verb(rbac: Served) -> None:
    jane = _config(rbac, "jane2", _cert_user(rbac.pki.ca, "jane"))
    out, err, code = rbac.kubectl("get", "pods", "--as", "bob", kubeconfig=jane)
    assert (out, code) == ("", 1)
    assert (
        err == 'Error from server (Forbidden): users "bob" is forbidden: User "jane" cannot impersonate '
        'resource "users" in API group "" at the cluster scope\n'
    )


def test_the_server_certificate_is_for_127_0_0_1_and_localhost(rbac: Served) -> None:
    localhost = rbac.url.replace("127.0.0.1", "localhost")
    out, err, code = rbac.kubectl("get", "nodes", "-o", "name", "--server", localhost)
    assert (err, code) == ("", 0) and out.startswith("node/controlplane")


def test_service_account_tokens_from_create_token(rbac: Served) -> None:
    rbac.ktui("create serviceaccount robot")
    rbac.ktui("create rolebinding robot-reads --role=pod-reader --serviceaccount=default:robot")
    token, err, code = rbac.kubectl("create", "token", "robot")
    assert (err, code) == ("", 0) and token.count(".") == 2
    robot = _config(rbac, "robot", {"token": token.strip()})
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    uid = rbac.ktui("get sa robot -o jsonpath={.metadata.uid}")[0]
    assert claims["sub"] == "system:serviceaccount:default:robot"
    assert claims["kubernetes.io"]["serviceaccount"] == {"name": "robot", "uid": uid}
    extra = "Extra: authentication.kubernetes.io/credential-id"
    rows = [
        ("ATTRIBUTE", "VALUE"),
        ("Username", "system:serviceaccount:default:robot"),
        ("UID", uid),
        ("Groups", "[system:serviceaccounts system:serviceaccounts:default system:authenticated]"),
        (extra, f"[JTI={claims['jti']}]"),
    ]
    expected = "".join(f"{k.ljust(len(extra) + 3)}{v}\n" for k, v in rows)
    assert rbac.kubectl("auth", "whoami", kubeconfig=robot) == (expected, "", 0)
    for line in ("get pods", "delete pod web", "get nodes"):
        assert rbac.kubectl(*line.split(), kubeconfig=robot) == rbac.ktui(
            f"{line} --as system:serviceaccount:default:robot"
        )
    assert rbac.kubectl("create", "token", "robot", "--duration=5m") == (
        "",
        (
            'error: failed to create token: TokenRequest.authentication.k8s.io "robot" is invalid: '
            "spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes\n"
        ),
        1,
    )
    rbac.ktui("delete serviceaccount robot")
    assert rbac.kubectl("get", "pods", kubeconfig=robot) == UNAUTHORIZED
