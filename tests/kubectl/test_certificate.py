"""``kubectl certificate approve|deny`` and ``kubectl get csr`` in process: a transcript, as kubectl 1.37 prints it."""

from __future__ import annotations

import base64

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ktui.cluster import Cluster
from ktui.sim.timefmt import rfc3339


def manifest(name: str, n: int, extra: str = "") -> str:
    key = ec.derive_private_key(900 + n, ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .sign(key, hashes.SHA256())
    )
    request = base64.b64encode(csr.public_bytes(serialization.Encoding.PEM)).decode()
    return (
        f"apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: {name}\nspec:\n"
        f"  request: {request}\n  signerName: kubernetes.io/kube-apiserver-client\n{extra}  usages: [client auth]\n"
    )


TRANSCRIPT = [
    ("certificate approve", "", "error: one or more CSRs must be specified as <name> or -f <filename>\n", 1),
    (
        "certificate approve nope",
        "",
        'Error from server (NotFound): certificatesigningrequests.certificates.k8s.io "nope" not found\n',
        1,
    ),
    (
        "get csr",
        "NAME    AGE   SIGNERNAME                            REQUESTOR          REQUESTEDDURATION   CONDITION\n"
        "bob     5s    kubernetes.io/kube-apiserver-client   kubernetes-admin   <none>              Pending\n"
        "carol   5s    kubernetes.io/kube-apiserver-client   kubernetes-admin   <none>              Pending\n"
        "jane    5s    kubernetes.io/kube-apiserver-client   kubernetes-admin   24h                 Pending\n",
        "",
        0,
    ),
    ("certificate approve jane", "certificatesigningrequest.certificates.k8s.io/jane approved\n", "", 0),
    ("certificate approve jane", "certificatesigningrequest.certificates.k8s.io/jane approved\n", "", 0),
    (
        "certificate deny jane bob nope",
        "certificatesigningrequest.certificates.k8s.io/bob denied\n",
        'certificate signing request "jane" is already Approved\n'
        'Error from server (NotFound): certificatesigningrequests.certificates.k8s.io "nope" not found\n',
        1,
    ),
    ("certificate approve bob", "", 'error: certificate signing request "bob" is already Denied\n', 1),
    ("certificate approve -f carol.yaml -o name", "certificatesigningrequest.certificates.k8s.io/carol\n", "", 0),
    (
        "get csr",
        "NAME    AGE   SIGNERNAME                            REQUESTOR          REQUESTEDDURATION   CONDITION\n"
        "bob     5s    kubernetes.io/kube-apiserver-client   kubernetes-admin   <none>              Denied\n"
        "carol   5s    kubernetes.io/kube-apiserver-client   kubernetes-admin   <none>              Approved,Issued\n"
        "jane    5s    kubernetes.io/kube-apiserver-client   kubernetes-admin   24h                 Approved,Issued\n",
        "",
        0,
    ),
    ("certificate", None, "", 0),
]


def test_transcript(tmp_path) -> None:
    c = Cluster.default(seed=2)
    c.advance(30)
    (tmp_path / "carol.yaml").write_text(manifest("carol", 3))
    stdin = manifest("jane", 1, "  expirationSeconds: 86400\n") + "---\n" + manifest("bob", 2)
    assert c.kubectl("create -f -", stdin=stdin)[2] == 0
    assert c.kubectl(f"create -f {tmp_path}/carol.yaml")[2] == 0
    c.advance(5)
    for line, out, err, code in TRANSCRIPT:
        got = c.kubectl(line.replace("-f carol.yaml", f"-f {tmp_path}/carol.yaml"))
        c.settle()
        if out is None:
            assert got[0].startswith("Modify certificate resources.\n\nAvailable Commands:\n  approve ")
            continue
        assert got == (out, err, code), line


def test_approve_stamps_the_simulated_clock_and_force_adds_nothing_twice() -> None:
    c = Cluster.default(seed=2)
    c.advance(30)
    c.kubectl("create -f -", stdin=manifest("jane", 1))
    c.advance(12)
    approved_at = rfc3339(c.now)
    c.kubectl("certificate approve jane")
    c.advance(3)
    assert (
        c.kubectl("certificate approve jane --force")[0]
        == "certificatesigningrequest.certificates.k8s.io/jane approved\n"
    )
    got = c.kubectl("get csr jane -o 'jsonpath={.status.conditions[*].type} {.status.conditions[0].lastUpdateTime}'")
    assert got == (f"Approved {approved_at}", "", 0)  # --force sent it again; the server kept one condition
