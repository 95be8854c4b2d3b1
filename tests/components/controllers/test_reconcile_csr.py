"""The csrsigning controller at the reconcile level: the one write it makes for an approved request."""

from __future__ import annotations

import base64

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ktui.api.auth.cluster_ca import ClusterCA
from ktui.components.controllers.csr import CSRSigningController
from ktui.components.controllers.csr_cleaner import CSRCleanerController

from tests.components.controllers.fake import Action


def _csr(
    name: str, approved: bool = True, usages: tuple[str, ...] = ("client auth",)
) -> tuple[dict, x509.CertificateSigningRequest]:
    key = ec.derive_private_key(77, ec.SECP256R1())
    req = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .sign(key, hashes.SHA256())
    )
    pem = base64.b64encode(req.public_bytes(serialization.Encoding.PEM)).decode()
    conditions = (
        [{"type": "Approved", "status": "True", "reason": "KubectlApprove", "message": "ok"}] if approved else []
    )
    obj = {
        "apiVersion": "certificates.k8s.io/v1",
        "kind": "CertificateSigningRequest",
        "metadata": {"name": name, "uid": f"uid-{name}"},
        "spec": {
            "request": pem,
            "signerName": "kubernetes.io/kube-apiserver-client",
            "usages": list(usages),
            "username": "admin",
        },
        "status": {"conditions": conditions} if conditions else {},
    }
    return obj, req


def test_an_approved_request_gets_its_certificate_through_status(fake_client, start_controller):
    jane, req = _csr("jane")
    pending, _ = _csr("pending", approved=False)
    fake_client.seed("certificatesigningrequests", jane, pending)
    signing = start_controller(CSRSigningController, now=100.0)
    signing.ctx.signing_ca = ClusterCA(1)
    signing.reconcile("pending")
    signing.reconcile("missing")
    signing.reconcile("jane")
    pem = ClusterCA(1).sign(req, ["client auth"], 8760 * 3600, 100.0, "uid-jane")
    issued = {**jane, "status": {**jane["status"], "certificate": base64.b64encode(pem).decode()}}
    writes = fake_client.writes()
    assert [(a.verb, a.resource, a.name, a.subresource) for a in writes] == [
        ("update", "certificatesigningrequests", "jane", "status")
    ]
    assert {k: v for k, v in writes[0].obj.items() if k != "metadata"} == {
        k: v for k, v in issued.items() if k != "metadata"
    }


def test_a_request_its_signer_refuses_gets_failed(fake_client, start_controller):
    srv, _ = _csr("srv", usages=("server auth",))
    fake_client.seed("certificatesigningrequests", srv)
    signing = start_controller(CSRSigningController, now=50.0)
    signing.ctx.signing_ca = ClusterCA(1)
    signing.reconcile("srv")
    [write] = fake_client.writes()
    assert isinstance(write, Action) and write.subresource == "status"
    assert write.obj["status"]["conditions"][-1] == {
        "type": "Failed",
        "status": "True",
        "reason": "SignerValidationFailure",
        "message": "invalid usage for client certificate: server auth",
        "lastUpdateTime": "2026-01-01T00:00:50Z",
    }


def _aged(name: str, conditions: list[dict], certificate: str = "", created: str = "2026-01-01T00:00:00Z") -> dict:
    obj, _ = _csr(name, approved=False)
    obj["metadata"]["creationTimestamp"] = created
    obj["status"] = {"conditions": conditions} if conditions else {}
    if certificate:
        obj["status"]["certificate"] = certificate
    return obj


def test_the_cleaner_deletes_what_is_past_its_deadline(fake_client, start_controller):
    _, req = _csr("x")
    pem = base64.b64encode(ClusterCA(1).sign(req, ["client auth"], 600, 0.0, "x")).decode()  # ends at t=600
    stamp = "2026-01-01T00:00:00Z"
    fake_client.seed(
        "certificatesigningrequests",
        _aged("pending-old", [], created="2025-12-30T23:00:00Z"),
        _aged("pending", []),
        _aged("denied", [{"type": "Denied", "status": "True", "lastUpdateTime": stamp}]),
        _aged(
            "failed",
            [
                {"type": "Approved", "status": "True", "lastUpdateTime": "2026-01-01T01:00:00Z"},
                {"type": "Failed", "status": "True", "lastUpdateTime": stamp},
            ],
        ),
        _aged("approved", [{"type": "Approved", "status": "True", "lastUpdateTime": stamp}]),
        _aged(
            "issued-expired", [{"type": "Approved", "status": "True", "lastUpdateTime": "2026-01-01T01:00:00Z"}], pem
        ),
    )
    cleaner = start_controller(CSRCleanerController, now=3601.0)
    for name in ("pending-old", "pending", "denied", "failed", "approved", "issued-expired", "missing"):
        cleaner.reconcile(name)
    assert [(a.verb, a.name) for a in fake_client.writes()] == [
        ("delete", "pending-old"),
        ("delete", "denied"),
        ("delete", "failed"),
        ("delete", "issued-expired"),
    ]
