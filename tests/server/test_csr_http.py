"""CertificateSigningRequests with the real kubectl 1.37: ``certificate approve|deny`` through ``/approval``, the
signer's certificate, and the CKA exercise "create a user with a CSR" ending with that certificate as a client
certificate of the real kubectl (RBAC's 403, not a 401)."""

from __future__ import annotations

import base64
import shlex
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ktui.api.auth.cluster_ca import ClusterCA
from ktui.cluster import Cluster
from ktui.kubectl import KubectlEnv, run_kubectl

from tests.server.conftest import Served, serve

SEED = 11


def _key(n: int) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(1000 + n, ec.SECP256R1())


def _request(cn: str, orgs: tuple[str, ...] = (), n: int = 0) -> str:
    """A PKCS#10 request as ``openssl req -new`` makes one, base64 for ``spec.request``."""
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    attrs += [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs)).sign(_key(n), hashes.SHA256())
    return base64.b64encode(csr.public_bytes(serialization.Encoding.PEM)).decode()


def _manifest(name: str, request: str, usages: str = "[client auth]", extra: str = "") -> str:
    return (
        f"apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: {name}\n"
        f"spec:\n  request: {request}\n  signerName: kubernetes.io/kube-apiserver-client\n{extra}"
        f"  usages: {usages}\n"
    )


class Pair:
    """The served cluster and a twin of the same seed: the same line through the real kubectl and ktui's."""

    def __init__(self, served: Served, twin: Cluster) -> None:
        self.served, self.twin = served, twin

    def both(self, line: str) -> tuple[tuple, tuple]:
        args = shlex.split(line)
        real = self.served.kubectl(*args)
        env = KubectlEnv.for_cluster(self.twin)
        env.cwd = str(self.served.home)
        r = run_kubectl(env, args)
        self.served.advance(1)
        self.twin.advance(1)
        return real, (r.stdout, r.stderr, r.exit_code)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    served, twin = Cluster.default(seed=SEED), Cluster.default(seed=SEED)
    for c in (served, twin):
        c.advance(60)
    yield from (Pair(s, twin) for s in serve(tmp_path_factory.mktemp("csr"), served))


def _write(pair: Pair, name: str, text: str) -> None:
    (pair.served.home / name).write_text(text)


LINES = [
    "apply -f jane.yaml",
    "create -f more.yaml",
    "get csr",
    "certificate approve jane",
    "certificate approve jane",
    "certificate deny bob",
    "certificate approve bob",
    "certificate approve carol -o name",
    "certificate approve jane --force",
    "certificate deny bob carol nope",
    "certificate deny bob --force",
    "certificate approve -f more.yaml",
    "certificate approve",
    "certificate approve nope",
    "get csr",
    "describe csr jane",
    "create -f bad.yaml",
]


def test_certificate_commands_print_what_ktui_prints(pair: Pair) -> None:
    _write(pair, "jane.yaml", _manifest("jane", _request("jane", ("dev",), 1), extra="  expirationSeconds: 86400\n"))
    _write(
        pair,
        "more.yaml",
        _manifest("bob", _request("bob", (), 2)) + "---\n" + _manifest("carol", _request("carol", (), 3)),
    )
    _write(pair, "bad.yaml", _manifest("bad", base64.b64encode(b"hello").decode(), "[client auth, nope]"))
    for line in LINES:
        real, ours = pair.both(line)
        assert real == ours, line
    real, _ = pair.both("get csr")
    assert "Approved,Issued" in real[0] and "Denied" in real[0]


def test_approval_is_a_subresource_the_real_kubectl_reaches(pair: Pair) -> None:
    """Before: the real kubectl's PUT .../approval got NotFound. Now it adds the condition, with kubectl's reason."""
    _write(pair, "dan.yaml", _manifest("dan", _request("dan", (), 4)))
    assert pair.served.kubectl("create", "-f", "dan.yaml")[2] == 0
    out, err, rc = pair.served.kubectl("certificate", "approve", "dan")
    assert (out, err, rc) == ("certificatesigningrequest.certificates.k8s.io/dan approved\n", "", 0)
    csr = yaml.safe_load(pair.served.kubectl("get", "csr", "dan", "-o", "yaml")[0])
    approved = csr["status"]["conditions"][0]
    assert (approved["type"], approved["reason"], approved["status"]) == ("Approved", "KubectlApprove", "True")
    assert csr["spec"]["username"] == "kubernetes-admin"
    assert csr["spec"]["groups"] == ["system:masters", "system:authenticated"]


def _kubeconfig(served: Served, path: Path, cert_pem: bytes, key: ec.EllipticCurvePrivateKey) -> Path:
    config = yaml.safe_load(served.kubeconfig.read_text())
    user = config["users"][0]["user"]
    user["client-certificate-data"] = base64.b64encode(cert_pem).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    user["client-key-data"] = base64.b64encode(key_pem).decode()
    path.write_text(yaml.safe_dump(config))
    return path


def test_a_user_made_with_a_csr_is_authenticated_and_meets_rbac(pair: Pair) -> None:
    """The CKA exercise: key and CSR, ``apply -f csr.yaml``, approve, fetch the certificate, use it."""
    served = pair.served
    key = _key(20)
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, "jane"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "devs")]
    req = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs)).sign(key, hashes.SHA256())
    pem = base64.b64encode(req.public_bytes(serialization.Encoding.PEM)).decode()
    _write(pair, "csr.yaml", _manifest("myuser", pem, extra="  expirationSeconds: 3600\n"))
    assert served.kubectl("apply", "-f", "csr.yaml")[:2] == (
        "certificatesigningrequest.certificates.k8s.io/myuser created\n",
        "",
    )
    assert served.kubectl("get", "csr", "myuser")[0].split("\n")[1].split()[-1] == "Pending"
    assert served.kubectl("certificate", "approve", "myuser")[2] == 0
    served.advance(1)
    row = served.kubectl("get", "csr", "myuser")[0].split("\n")[1].split()
    assert row[2:] == ["kubernetes.io/kube-apiserver-client", "kubernetes-admin", "60m", "Approved,Issued"]
    issued = base64.b64decode(served.kubectl("get", "csr", "myuser", "-o", "jsonpath={.status.certificate}")[0])
    cert = x509.load_pem_x509_certificate(issued)
    assert cert.subject == x509.Name(attrs)
    assert cert.public_key() == key.public_key()

    jane = _kubeconfig(served, served.home / "jane.config", issued, key)
    out, err, rc = served.kubectl("get", "pods", kubeconfig=jane)
    assert (out, err, rc) == (
        "",
        'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" '
        'in the namespace "default"\n',
        1,
    )
    out, _, rc = served.kubectl("auth", "whoami", kubeconfig=jane)
    assert rc == 0 and "jane" in out and "[devs system:authenticated]" in out
    assert served.kubectl("create", "rolebinding", "jane-view", "--clusterrole=view", "--user=jane")[2] == 0
    assert served.kubectl("get", "pods", kubeconfig=jane)[:2] == ("", "No resources found in default namespace.\n")

    served.advance(3600)  # the certificate ends on the cluster's clock: then it is refused
    out, err, rc = served.kubectl("get", "pods", kubeconfig=jane)
    assert (out, rc) == ("", 1) and "Unauthorized" in err


def test_a_certificate_the_signer_never_issued_is_refused(pair: Pair) -> None:
    """The signing key follows from the seed; a certificate made with it but not issued by the cluster is a 401."""
    key = _key(30)
    attrs = [
        x509.NameAttribute(NameOID.COMMON_NAME, "mallory"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
    ]
    req = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs)).sign(key, hashes.SHA256())
    forged = ClusterCA(SEED).sign(req, ["client auth"], 86400, pair.served.call(lambda: pair.served.cluster.now), "x")
    config = _kubeconfig(pair.served, pair.served.home / "forged.config", forged, key)
    out, err, rc = pair.served.kubectl("get", "pods", kubeconfig=config)
    assert (out, rc) == ("", 1)
    assert err == "error: You must be logged in to the server (Unauthorized)\n"
