"""``kubectl create token``: the real kubectl 1.37 over HTTPS and ktui's own kubectl on a twin of the served
cluster (same seed, same inputs, paused clocks) print the same bytes, tokens included; a token ktui's kubectl
issues in process authenticates the real kubectl as the service account."""

from __future__ import annotations

import base64
import json
import shlex
from typing import Iterator

import pytest

from ktui.cluster import Cluster
from ktui.kubectl import KubectlEnv, run_kubectl

from tests.server.conftest import Served, serve
from tests.server.test_auth_http import _config

SETUP = ("create serviceaccount robot", "create secret generic s1 --from-literal=a=b", "run q --image=nginx")
POD = (
    '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},'
    '"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}]}}'
)

LINES = [
    "create token robot",
    "create token default -n kube-system --duration=2h --audience=https://example.com --audience=vault",
    "create token robot --bound-object-kind=Secret --bound-object-name=s1",
    "create token robot --bound-object-kind=Pod --bound-object-name=p",
    "create token robot -o yaml",
    "create token robot -o name",
    "create token",
    "create token a b",
    "create token nope",
    "create token robot --duration=5m",
    "create token robot --duration=-1s",
    "create token robot --duration=1500ms",
    "create token robot --audience=",
    "create token robot --bound-object-name=x",
    "create token robot --bound-object-uid=x",
    "create token robot --bound-object-kind=Deployment --bound-object-name=x",
    "create token robot --bound-object-kind=Pod",
    "create token robot --bound-object-kind=Pod --bound-object-name=gone",
    "create token robot --bound-object-kind=Pod --bound-object-name=q",
    "create token robot --bound-object-kind=Secret --bound-object-name=s1 --bound-object-uid=123",
    "create token robot --as jane",
]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Cluster]]:
    served_cluster, twin = Cluster.default(seed=9), Cluster.default(seed=9)
    for c in (served_cluster, twin):
        c.advance(60)
        for line in SETUP:
            assert c.kubectl(line)[2] == 0, line
        assert c.kubectl("create -f -", stdin=POD)[2] == 0
    yield from ((s, twin) for s in serve(tmp_path_factory.mktemp("token"), served_cluster))


def test_the_real_kubectl_and_ktuis_print_the_same_bytes(pair: tuple[Served, Cluster]) -> None:
    served, twin = pair
    for line in LINES:
        served.advance(1)  # both run what is due now (the served one when it answers a request)
        twin.advance(1)
        real = served.kubectl(*shlex.split(line))
        r = run_kubectl(KubectlEnv.for_cluster(twin), shlex.split(line))
        assert real == (r.stdout, r.stderr, r.exit_code), line
    assert served.kubectl("create", "token", "robot")[0].count(".") == 2


def test_a_token_issued_in_process_authenticates_the_real_kubectl(pair: tuple[Served, Cluster]) -> None:
    served, _ = pair
    token, err, code = served.ktui("create token robot")
    assert (err, code) == ("", 0)
    body = token.split(".")[1]
    jti = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["jti"]
    uid = served.ktui("get sa robot -o jsonpath={.metadata.uid}")[0]
    robot = _config(served, "robot", {"token": token})
    assert served.kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo}", kubeconfig=robot) == (
        json.dumps(
            {
                "extra": {"authentication.kubernetes.io/credential-id": [f"JTI={jti}"]},
                "groups": ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
                "uid": uid,
                "username": "system:serviceaccount:default:robot",
            },
            separators=(",", ":"),
        ),
        "",
        0,
    )
    assert served.kubectl("get", "pods", kubeconfig=robot) == (
        "",
        (
            'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:robot" cannot list '
            'resource "pods" in API group "" in the namespace "default"\n'
        ),
        1,
    )
    assert served.kubectl("get", "pods", kubeconfig=_config(served, "forged", {"token": token[:-2] + "AA"})) == (
        "",
        "error: You must be logged in to the server (Unauthorized)\n",
        1,
    )
