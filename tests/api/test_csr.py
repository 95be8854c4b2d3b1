"""CertificateSigningRequests in the API: the requesting user on create, validation, and what each path may change."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ktui.api.errors import ApiError
from ktui.cluster import Cluster


def request(cn: str = "jane", n: int = 1) -> str:
    key = ec.derive_private_key(500 + n, ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())
    return base64.b64encode(csr.public_bytes(serialization.Encoding.PEM)).decode()


def csr(name: str = "jane", **spec) -> dict:
    body = {"request": request(name), "signerName": "example.com/signer", "usages": ["client auth"], **spec}
    return {
        "apiVersion": "certificates.k8s.io/v1",
        "kind": "CertificateSigningRequest",
        "metadata": {"name": name},
        "spec": body,
    }


@pytest.fixture()
def cluster() -> Cluster:
    return Cluster({"nodes": [], "seed": 3})


def invalid(cluster: Cluster, obj: dict, *, as_user: str | None = None) -> str:
    client = cluster.client(as_user) if as_user else cluster.api
    with pytest.raises(ApiError) as e:
        client.create("certificatesigningrequests", obj)
    assert e.value.code == 422
    return e.value.message


def test_create_records_the_requesting_user_whatever_the_body_says(cluster: Cluster) -> None:
    body = csr(username="admin", uid="x", groups=["system:masters"], extra={"a": ["b"]})
    body["status"] = {"conditions": [{"type": "Approved", "status": "True"}], "certificate": "eA=="}
    cluster.kubectl("create clusterrole csr-maker --verb=create --resource=certificatesigningrequests")
    cluster.kubectl("create clusterrolebinding jane-makes-csrs --clusterrole=csr-maker --user=jane")
    got = cluster.client("jane", ["dev"]).create("certificatesigningrequests", body)
    assert got["spec"]["username"] == "jane"
    assert got["spec"]["groups"] == ["dev", "system:authenticated"]
    assert "uid" not in got["spec"] and "extra" not in got["spec"]
    assert got["status"] == {}
    assert "generation" not in got["metadata"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"request": base64.b64encode(b"hi").decode()},
            'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.request: Invalid value: '
            "[]byte{0x68, 0x69}: PEM block type must be CERTIFICATE REQUEST",
        ),
        (
            {"usages": []},
            'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.usages: Required value',
        ),
        (
            {"usages": ["client auth", "client auth"]},
            'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.usages[1]: Duplicate value: "client auth"',
        ),
        (
            {"signerName": ""},
            'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.signerName: Required value',
        ),
        (
            {"signerName": "kubernetes.io/legacy-unknown"},
            'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.signerName: Invalid value: '
            '"kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version',
        ),
        (
            {"signerName": "signer"},
            'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.signerName: Invalid value: "signer": '
            "must be a fully qualified domain and path of the form 'example.com/signer-name'",
        ),
        (
            {"signerName": "example/signer"},
            'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.signerName: Invalid value: "example": '
            "should be a domain with at least two segments separated by dots",
        ),
        (
            {"expirationSeconds": 599},
            'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.expirationSeconds: Invalid value: '
            "599: may not specify a duration less than 600 seconds (10 minutes)",
        ),
    ],
)
def test_validation_messages(cluster: Cluster, spec: dict, message: str) -> None:
    assert invalid(cluster, csr(**spec)) == message
    assert cluster.kubectl("get csr")[1] == "No resources found\n"


def test_an_unknown_usage_lists_the_supported_ones(cluster: Cluster) -> None:
    message = invalid(cluster, csr(usages=["client auth", "nope"]))
    assert message.startswith(
        'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.usages[1]: Unsupported value: "nope": '
        'supported values: "any", "cert sign", "client auth", "code signing",'
    )
    assert message.endswith('"server auth", "signing", "timestamping"')


def test_a_main_update_changes_metadata_only(cluster: Cluster) -> None:
    cluster.api.create("certificatesigningrequests", csr())
    obj = cluster.api.get("certificatesigningrequests", "jane")
    obj["metadata"]["labels"] = {"team": "dev"}
    obj["spec"]["usages"] = ["server auth"]
    obj["status"] = {"conditions": [{"type": "Approved", "status": "True"}]}
    got = cluster.api.update("certificatesigningrequests", obj)
    assert got["metadata"]["labels"] == {"team": "dev"}
    assert got["spec"]["usages"] == ["client auth"] and got["status"] == {}


def _approve(cluster: Cluster, ctype: str = "Approved", sub: str = "approval") -> dict:
    obj = cluster.api.get("certificatesigningrequests", "jane")
    conditions = (obj.get("status") or {}).get("conditions") or []
    obj["status"] = {"conditions": conditions + [{"type": ctype, "status": "True", "reason": "R", "message": "m"}]}
    return cluster.api.update("certificatesigningrequests", obj, subresource=sub)


def test_approval_sets_the_condition_and_its_times(cluster: Cluster) -> None:
    cluster.api.create("certificatesigningrequests", csr())
    cluster.advance(7)
    got = _approve(cluster)
    assert got["status"]["conditions"] == [
        {
            "type": "Approved",
            "status": "True",
            "reason": "R",
            "message": "m",
            "lastUpdateTime": "2026-01-01T00:00:07Z",
            "lastTransitionTime": "2026-01-01T00:00:07Z",
        }
    ]


def test_approved_and_denied_are_mutually_exclusive(cluster: Cluster) -> None:
    cluster.api.create("certificatesigningrequests", csr())
    _approve(cluster)
    with pytest.raises(ApiError) as e:
        _approve(cluster, "Denied")
    assert e.value.message == (
        'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: status.conditions[1].type: Invalid value: '
        '"Denied": Approved and Denied conditions are mutually exclusive'
    )


def test_status_may_not_add_approval_and_approval_may_not_set_the_certificate(cluster: Cluster) -> None:
    cluster.api.create("certificatesigningrequests", csr())
    with pytest.raises(ApiError) as e:
        _approve(cluster, sub="status")
    assert e.value.message.endswith('status.conditions: Forbidden: updates may not add a condition of type "Approved"')
    obj = cluster.api.get("certificatesigningrequests", "jane")
    obj["status"] = {"certificate": base64.b64encode(b"junk").decode()}
    before = cluster.api.update("certificatesigningrequests", obj, subresource="approval")
    assert before["status"] == {}  # the approval path keeps only the conditions
    with pytest.raises(ApiError) as e:
        cluster.api.update("certificatesigningrequests", obj, subresource="status")
    assert e.value.message.endswith(
        'status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block'
    )


def test_conditions_may_not_be_removed(cluster: Cluster) -> None:
    cluster.api.create("certificatesigningrequests", csr())
    _approve(cluster)
    obj = cluster.api.get("certificatesigningrequests", "jane")
    obj["status"] = {}
    with pytest.raises(ApiError) as e:
        cluster.api.update("certificatesigningrequests", obj, subresource="approval")
    assert e.value.message.endswith(
        'status.conditions: Forbidden: updates may not remove a condition of type "Approved"'
    )


def test_approval_is_authorized_as_its_own_subresource(cluster: Cluster) -> None:
    cluster.api.create("certificatesigningrequests", csr())
    obj = cluster.api.get("certificatesigningrequests", "jane")
    obj["status"] = {"conditions": [{"type": "Approved", "status": "True"}]}
    with pytest.raises(ApiError) as e:
        cluster.client("jane").update("certificatesigningrequests", obj, subresource="approval")
    assert e.value.message == (
        'certificatesigningrequests.certificates.k8s.io "jane" is forbidden: User "jane" cannot update resource '
        '"certificatesigningrequests/approval" in API group "certificates.k8s.io" at the cluster scope'
    )


def test_approving_needs_the_approve_verb_on_the_signer(cluster: Cluster) -> None:
    cluster.api.create("certificatesigningrequests", csr())
    cluster.kubectl("create clusterrole approver --verb=get,update --resource=certificatesigningrequests/approval")
    cluster.kubectl("create clusterrolebinding jane-approves --clusterrole=approver --user=jane")
    obj = cluster.api.get("certificatesigningrequests", "jane")
    obj["status"] = {"conditions": [{"type": "Approved", "status": "True"}]}
    with pytest.raises(ApiError) as e:
        cluster.client("jane").update("certificatesigningrequests", obj, subresource="approval")
    assert e.value.message == (
        'certificatesigningrequests.certificates.k8s.io "jane" is forbidden: user not permitted to approve requests '
        'with signerName "example.com/signer"'
    )
    rule = {"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "verbs": ["approve"]}
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "signers"}}
    cluster.api.create("clusterroles", {**role, "rules": [{**rule, "resourceNames": ["example.com/*"]}]})
    cluster.kubectl("create clusterrolebinding jane-signers --clusterrole=signers --user=jane")
    got = cluster.client("jane").update("certificatesigningrequests", obj, subresource="approval")
    assert got["status"]["conditions"][0]["type"] == "Approved"


def test_no_kube_apiserver_client_certificate_for_system_masters(cluster: Cluster) -> None:
    key = ec.derive_private_key(99, ec.SECP256R1())
    attrs = [
        x509.NameAttribute(NameOID.COMMON_NAME, "eve"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
    ]
    req = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs)).sign(key, hashes.SHA256())
    body = csr("eve", signerName="kubernetes.io/kube-apiserver-client")
    body["spec"]["request"] = base64.b64encode(req.public_bytes(serialization.Encoding.PEM)).decode()
    with pytest.raises(ApiError) as e:
        cluster.api.create("certificatesigningrequests", body)
    assert (e.value.code, e.value.message) == (
        403,
        'certificatesigningrequests.certificates.k8s.io "eve" is forbidden: use of kubernetes.io/kube-apiserver-client '
        "signer with system:masters group is not allowed",
    )
