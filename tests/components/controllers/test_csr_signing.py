"""kube-controller-manager's csrsigning controller: which approved CSRs get a certificate, and which fail."""

from __future__ import annotations

import base64
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ktui.cluster import Cluster


def request(cn: str, orgs: tuple[str, ...] = (), sans: list | None = None, n: int = 1) -> str:
    key = ec.derive_private_key(700 + n, ec.SECP256R1())
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)] + [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs
    ]
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    csr = builder.sign(key, hashes.SHA256())
    return base64.b64encode(csr.public_bytes(serialization.Encoding.PEM)).decode()


def submit(cluster: Cluster, name: str, req: str, signer: str, usages: list[str], seconds: int | None = None) -> None:
    spec = {"request": req, "signerName": signer, "usages": usages}
    if seconds is not None:
        spec["expirationSeconds"] = seconds
    cluster.api.create(
        "certificatesigningrequests",
        {
            "apiVersion": "certificates.k8s.io/v1",
            "kind": "CertificateSigningRequest",
            "metadata": {"name": name},
            "spec": spec,
        },
    )
    assert cluster.kubectl(f"certificate approve {name}")[2] == 0
    cluster.advance(1)


def status(cluster: Cluster, name: str) -> dict:
    return cluster.api.get("certificatesigningrequests", name)["status"]


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster.default(seed=4)
    c.advance(30)
    return c


def test_a_client_certificate_for_the_kube_apiserver_client_signer(cluster: Cluster) -> None:
    submit(
        cluster,
        "jane",
        request("jane", ("dev", "ops")),
        "kubernetes.io/kube-apiserver-client",
        ["client auth", "digital signature"],
        86400,
    )
    st = status(cluster, "jane")
    cert = x509.load_pem_x509_certificate(base64.b64decode(st["certificate"]))
    ca = x509.load_pem_x509_certificate(cluster.signing_ca_pem())
    cert.verify_directly_issued_by(ca)
    assert cert.subject.rfc4514_string() == "O=ops,O=dev,CN=jane"
    assert cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value == x509.ExtendedKeyUsage(
        [ExtendedKeyUsageOID.CLIENT_AUTH]
    )
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    now = cluster.now - 1  # signed the instant after the approval
    assert cert.not_valid_before_utc.isoformat() == _at(now - 300)
    assert cert.not_valid_after_utc.isoformat() == _at(now + 86400 - 300)  # 24h is not short: backdated too
    assert cluster.kubectl("get csr jane")[0].split()[-1] == "Approved,Issued"


def _at(seconds: float) -> str:
    import datetime

    from ktui.sim.timefmt import EPOCH

    return (EPOCH + datetime.timedelta(seconds=int(seconds))).isoformat()


def test_a_short_certificate_is_not_backdated_at_its_end_and_a_long_one_is_capped(cluster: Cluster) -> None:
    submit(cluster, "short", request("short", n=2), "kubernetes.io/kube-apiserver-client", ["client auth"], 600)
    cert = x509.load_pem_x509_certificate(base64.b64decode(status(cluster, "short")["certificate"]))
    now = cluster.now - 1
    assert cert.not_valid_after_utc.isoformat() == _at(now + 600)
    submit(
        cluster, "long", request("long", n=3), "kubernetes.io/kube-apiserver-client", ["client auth"], 10 * 365 * 86400
    )
    cert = x509.load_pem_x509_certificate(base64.b64decode(status(cluster, "long")["certificate"]))
    now = cluster.now - 1
    assert cert.not_valid_after_utc.isoformat() == _at(now - 300 + 8760 * 3600)  # --cluster-signing-duration


@pytest.mark.parametrize(
    ("name", "req", "signer", "usages", "message"),
    [
        (
            "srv",
            request("x", n=4),
            "kubernetes.io/kube-apiserver-client",
            ["client auth", "server auth"],
            "invalid usage for client certificate: server auth",
        ),
        (
            "nocl",
            request("x", n=5),
            "kubernetes.io/kube-apiserver-client",
            ["digital signature"],
            "missing required usage for client certificate: client auth",
        ),
        (
            "kc-org",
            request("system:node:n1", n=6),
            "kubernetes.io/kube-apiserver-client-kubelet",
            ["client auth", "digital signature"],
            "subject organization is not system:nodes",
        ),
        (
            "kc-dns",
            request("system:node:n1", ("system:nodes",), [x509.DNSName("n1")], n=7),
            "kubernetes.io/kube-apiserver-client-kubelet",
            ["client auth", "digital signature"],
            "DNS subjectAltNames are not allowed",
        ),
        (
            "kc-usage",
            request("system:node:n1", ("system:nodes",), n=8),
            "kubernetes.io/kube-apiserver-client-kubelet",
            ["client auth"],
            "usages did not match [client auth digital signature key encipherment]",
        ),
        (
            "ks-san",
            request("system:node:n1", ("system:nodes",), n=9),
            "kubernetes.io/kubelet-serving",
            ["server auth", "digital signature"],
            "DNS or IP subjectAltName is required",
        ),
        (
            "ks-cn",
            request("n1", ("system:nodes",), [x509.IPAddress(ipaddress.ip_address("10.0.0.1"))], n=10),
            "kubernetes.io/kubelet-serving",
            ["server auth", "digital signature"],
            "subject common name does not begin with system:node:",
        ),
    ],
)
def test_a_request_its_signer_refuses_fails(
    cluster: Cluster, name: str, req: str, signer: str, usages: list[str], message: str
) -> None:
    submit(cluster, name, req, signer, usages)
    st = status(cluster, name)
    assert "certificate" not in st
    failed = st["conditions"][-1]
    assert (failed["type"], failed["status"], failed["reason"], failed["message"]) == (
        "Failed",
        "True",
        "SignerValidationFailure",
        message,
    )
    assert cluster.kubectl(f"get csr {name}")[0].split()[-1] == "Approved,Failed"


def test_kubelet_certificates_and_other_signers(cluster: Cluster) -> None:
    submit(
        cluster,
        "kc",
        request("system:node:n1", ("system:nodes",), n=11),
        "kubernetes.io/kube-apiserver-client-kubelet",
        ["client auth", "digital signature"],
    )
    assert "certificate" in status(cluster, "kc")
    sans = [x509.DNSName("n1"), x509.IPAddress(ipaddress.ip_address("10.0.0.1"))]
    submit(
        cluster,
        "ks",
        request("system:node:n1", ("system:nodes",), sans, n=12),
        "kubernetes.io/kubelet-serving",
        ["server auth", "digital signature", "key encipherment"],
    )
    cert = x509.load_pem_x509_certificate(base64.b64decode(status(cluster, "ks")["certificate"]))
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value == x509.SubjectAlternativeName(
        sans
    )
    submit(cluster, "custom", request("x", n=13), "example.com/signer", ["client auth"])
    assert status(cluster, "custom").keys() == {"conditions"}  # no built-in signer: approved, never issued


def test_pending_and_denied_requests_are_not_signed(cluster: Cluster) -> None:
    body = {
        "request": request("p", n=14),
        "signerName": "kubernetes.io/kube-apiserver-client",
        "usages": ["client auth"],
    }
    for name in ("pending", "denied"):
        cluster.api.create(
            "certificatesigningrequests",
            {
                "apiVersion": "certificates.k8s.io/v1",
                "kind": "CertificateSigningRequest",
                "metadata": {"name": name},
                "spec": body,
            },
        )
    assert cluster.kubectl("certificate deny denied")[2] == 0
    cluster.advance(5)
    assert status(cluster, "pending") == {}
    assert [c["type"] for c in status(cluster, "denied")["conditions"]] == ["Denied"]


def test_the_same_seed_issues_the_same_certificate() -> None:
    certs = []
    for _ in range(2):
        c = Cluster({"seed": 9})
        c.advance(10)
        submit(c, "jane", request("jane", n=15), "kubernetes.io/kube-apiserver-client", ["client auth"])
        certs.append(status(c, "jane")["certificate"])
    assert certs[0] == certs[1]


def test_the_cleaner_removes_a_denied_request_at_its_first_hourly_pass_an_hour_on() -> None:
    c = Cluster({"seed": 9})
    body = {"request": request("gone", n=16), "signerName": "example.com/x", "usages": ["client auth"]}
    c.api.create(
        "certificatesigningrequests",
        {
            "apiVersion": "certificates.k8s.io/v1",
            "kind": "CertificateSigningRequest",
            "metadata": {"name": "gone"},
            "spec": body,
        },
    )
    assert c.kubectl("certificate deny gone")[2] == 0
    c.advance(3600)  # the cleaner passes every hour from the controller manager's start: not an hour old yet
    assert c.kubectl("get csr gone")[2] == 0
    c.advance(3600)
    assert c.kubectl("get csr gone")[1] == (
        'Error from server (NotFound): certificatesigningrequests.certificates.k8s.io "gone" not found\n'
    )
