"""``kubectl create token`` in process: the token, kubectl's and the API server's refusals, and the token as a
credential (the service account's identity, until it expires or its account or bound object goes)."""

from __future__ import annotations

import base64
import io
import json

import pytest

from ktui.api import errors
from ktui.cluster import Cluster

ISSUER = "https://kubernetes.default.svc.cluster.local"


def _claims(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _header(token: str) -> dict:
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster.default(seed=7)
    c.advance(30)
    for line in ("create serviceaccount robot", "create secret generic s1 --from-literal=a=b", "run q --image=nginx"):
        assert c.kubectl(line)[2] == 0, line
    pod = (
        '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},'
        '"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}]}}'
    )
    assert c.kubectl("create -f -", stdin=pod)[2] == 0
    return c


def test_create_token_prints_the_token_alone(cluster: Cluster) -> None:
    out, err, code = cluster.kubectl("create token robot")
    assert (err, code) == ("", 0)
    assert out.count(".") == 2 and "\n" not in out  # kubectl adds a newline only on a terminal
    claims = _claims(out)
    uid = cluster.kubectl("get sa robot -o jsonpath={.metadata.uid}")[0]
    now = 1767225600 + int(cluster.now)  # simulated time 0 is 2026-01-01T00:00:00Z
    assert claims["aud"] == [ISSUER] and claims["iss"] == ISSUER
    assert (claims["iat"], claims["nbf"], claims["exp"]) == (now, now, now + 3600)
    assert claims["sub"] == "system:serviceaccount:default:robot"
    assert claims["kubernetes.io"] == {"namespace": "default", "serviceaccount": {"name": "robot", "uid": uid}}
    assert _header(out)["alg"] == "ES256"


def test_flags_reach_the_token(cluster: Cluster) -> None:
    out, err, code = cluster.kubectl(
        "create token default -n kube-system --duration=2h --audience=https://example.com --audience=vault"
    )
    assert (err, code) == ("", 0)
    claims = _claims(out)
    assert claims["aud"] == ["https://example.com", "vault"] and claims["exp"] - claims["iat"] == 7200
    assert claims["sub"] == "system:serviceaccount:kube-system:default"
    out, _, _ = cluster.kubectl("create token robot --bound-object-kind=Secret --bound-object-name=s1")
    secret_uid = cluster.kubectl("get secret s1 -o jsonpath={.metadata.uid}")[0]
    assert _claims(out)["kubernetes.io"]["secret"] == {"name": "s1", "uid": secret_uid}
    out, _, _ = cluster.kubectl("create token robot --bound-object-kind=Pod --bound-object-name=p")
    pod_uid = cluster.kubectl("get pod p -o jsonpath={.metadata.uid}")[0]
    assert _claims(out)["kubernetes.io"]["pod"] == {"name": "p", "uid": pod_uid}
    out, err, code = cluster.kubectl("create token robot --duration=1h -o jsonpath={.spec}")
    assert (out, err, code) == ('{"audiences":["%s"],"boundObjectRef":null,"expirationSeconds":3600}' % ISSUER, "", 0)
    assert cluster.kubectl("create token robot -o name") == ("tokenrequest.authentication.k8s.io/robot\n", "", 0)


@pytest.mark.parametrize(
    "line, message",
    [
        (
            "create token",
            "error: exactly one NAME is required, got 0\nSee 'kubectl create token -h' for help and examples\n",
        ),
        (
            "create token a b",
            "error: exactly one NAME is required, got 2\nSee 'kubectl create token -h' for help and examples\n",
        ),
        ("create token nope", 'error: failed to create token: serviceaccounts "nope" not found\n'),
        (
            "create token robot --duration=5m",
            'error: failed to create token: TokenRequest.authentication.k8s.io "robot" is invalid: '
            "spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes\n",
        ),
        ("create token robot --duration=-1s", "error: --duration must be greater than or equal to 0\n"),
        ("create token robot --duration=1500ms", "error: --duration cannot be expressed in units less than seconds\n"),
        ("create token robot --audience=", "error: --audience must not be an empty string\n"),
        (
            "create token robot --bound-object-name=x",
            "error: --bound-object-name can only be set if --bound-object-kind is provided\n",
        ),
        (
            "create token robot --bound-object-uid=x",
            "error: --bound-object-uid can only be set if --bound-object-kind is provided\n",
        ),
        (
            "create token robot --bound-object-kind=Deployment --bound-object-name=x",
            "error: supported --bound-object-kind values are Node, Pod, Secret\n",
        ),
        (
            "create token robot --bound-object-kind=Pod",
            "error: --bound-object-name is required if --bound-object-kind is provided\n",
        ),
        (
            "create token robot --bound-object-kind=Pod --bound-object-name=gone",
            'error: failed to create token: pods "gone" not found\n',
        ),
        (
            "create token robot --bound-object-kind=Pod --bound-object-name=q",
            'error: failed to create token: cannot bind token for serviceaccount "robot" to pod running with '
            'serviceaccount "default"\n',
        ),
        (
            "create token robot --bound-object-kind=Secret --bound-object-name=s1 --bound-object-uid=123",
            'error: failed to create token: Operation cannot be fulfilled on Secret "s1": the UID in the bound object '
            "reference (123) does not match the UID in record. The object might have been deleted and then recreated\n",
        ),
        (
            "create token robot --as jane",
            'error: failed to create token: serviceaccounts "robot" is forbidden: User "jane" cannot create resource '
            '"serviceaccounts/token" in API group "" in the namespace "default"\n',
        ),
    ],
)
def test_refusals_are_kubectls(cluster: Cluster, line: str, message: str) -> None:
    assert cluster.kubectl(line) == ("", message, 1)


def test_a_token_authenticates_as_its_service_account_while_it_lives() -> None:
    c = Cluster.default(seed=3)
    c.kubectl("create serviceaccount robot")
    c.kubectl("create secret generic s1 --from-literal=a=b")
    token = c.kubectl("create token robot --duration=10m")[0]
    bound = c.kubectl("create token robot --bound-object-kind=Secret --bound-object-name=s1")[0]
    other = c.kubectl("create token robot --audience=vault")[0]
    uid = c.kubectl("get sa robot -o jsonpath={.metadata.uid}")[0]
    me = c.client(token=token).user
    assert (me.name, me.uid) == ("system:serviceaccount:default:robot", uid)
    assert me.groups == ("system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated")
    assert me.extra == {"authentication.kubernetes.io/credential-id": (f"JTI={_claims(token)['jti']}",)}
    assert c.kubectl(
        "auth whoami -o jsonpath={.status.userInfo.username}",
    ) == ("kubernetes-admin", "", 0)
    with pytest.raises(errors.ApiError):  # another audience than the API server's
        c.client(token=other)
    with pytest.raises(errors.ApiError):  # a changed signature
        c.client(token=token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    c.kubectl("delete secret s1")
    with pytest.raises(errors.ApiError):  # its bound object is gone
        c.client(token=bound)
    c.advance(599)
    assert c.client(token=token).user.name == "system:serviceaccount:default:robot"
    c.advance(1)
    with pytest.raises(errors.ApiError):  # expired on the cluster's clock
        c.client(token=token)
    fresh = c.kubectl("create token robot")[0]
    c.kubectl("delete serviceaccount robot")
    c.kubectl("create serviceaccount robot")
    with pytest.raises(errors.ApiError):  # the account was recreated: another UID
        c.client(token=fresh)


def test_same_seed_same_token_and_a_restored_cluster_verifies_it() -> None:
    a, b, other = Cluster.default(seed=11), Cluster.default(seed=11), Cluster.default(seed=12)
    for c in (a, b, other):
        c.advance(10)
    tokens = [c.kubectl("create token default")[0] for c in (a, b, other)]
    assert tokens[0] == tokens[1] != tokens[2]
    with pytest.raises(errors.ApiError):  # another cluster's key
        a.client(token=tokens[2])
    buf = io.StringIO()
    a.dump(buf)
    restored = Cluster.load(io.StringIO(buf.getvalue()))
    assert restored.client(token=tokens[0]).user.name == "system:serviceaccount:default:default"
    assert restored.kubectl("create token default")[0] == a.kubectl("create token default")[0]
