"""kube-controller-manager's ``csrsigning`` controller: approved CSRs for the built-in signers get a certificate.

Follows pkg/controller/certificates/signer (v1.37). kube-controller-manager runs one signer per built-in
signerName — ``kubernetes.io/kube-apiserver-client``, ``kubernetes.io/kube-apiserver-client-kubelet``,
``kubernetes.io/kubelet-serving`` and ``kubernetes.io/legacy-unknown`` (which the v1 API no longer accepts
on create) — all with the cluster CA. A CSR that is approved, not failed and not yet issued is checked
against its signer's rules; one that breaks them gets a ``Failed`` condition (``SignerValidationFailure``),
the others a PEM certificate in ``status.certificate``, both written through ``/status``. The certificate
lasts ``--cluster-signing-duration`` (1 year), or ``spec.expirationSeconds`` when shorter (at least 10m).
"""

from __future__ import annotations

import base64

from cryptography import x509
from cryptography.x509.oid import NameOID

from ktui.api.pem import CsrError, parse_csr
from ktui.api.validation.certificates import request_bytes
from ktui.components.base import Controller
from ktui.sim.timefmt import parse_duration, rfc3339

__all__ = ["CSRSigningController", "SIGNERS", "signer_error"]

KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client"
KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet"
KUBELET_SERVING = "kubernetes.io/kubelet-serving"
LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown"
SIGNERS = (KUBELET_SERVING, KUBELET_CLIENT, KUBE_APISERVER_CLIENT, LEGACY_UNKNOWN)
"""The signerNames kube-controller-manager signs for."""

_SERVING = ({"digital signature", "key encipherment", "server auth"}, {"digital signature", "server auth"})
_CLIENT = ({"digital signature", "key encipherment", "client auth"}, {"digital signature", "client auth"})


def _sans(req: x509.CertificateSigningRequest) -> dict[str, list]:
    try:
        ext = req.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return {"dns": [], "ip": [], "email": [], "uri": []}
    return {
        "dns": ext.get_values_for_type(x509.DNSName),
        "ip": ext.get_values_for_type(x509.IPAddress),
        "email": ext.get_values_for_type(x509.RFC822Name),
        "uri": ext.get_values_for_type(x509.UniformResourceIdentifier),
    }


def _subject(req: x509.CertificateSigningRequest, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(a.value) for a in req.subject.get_attributes_for_oid(oid)]


def _usage_list(required: set[str]) -> str:
    return "[" + " ".join(sorted(required)) + "]"


def signer_error(signer: str, req: x509.CertificateSigningRequest, usages: list[str]) -> str:
    """Why ``signer`` refuses the request (its ``isRequestForSignerFn``), or "" when it signs it."""
    have = set(usages)
    sans = _sans(req)
    cn = (_subject(req, NameOID.COMMON_NAME) or [""])[-1]
    if signer == KUBE_APISERVER_CLIENT:
        for u in usages:
            if u not in ("digital signature", "key encipherment", "client auth"):
                return f"invalid usage for client certificate: {u}"
        return "" if "client auth" in have else "missing required usage for client certificate: client auth"
    if signer in (KUBELET_CLIENT, KUBELET_SERVING):
        if _subject(req, NameOID.ORGANIZATION_NAME) != ["system:nodes"]:
            return "subject organization is not system:nodes"
    if signer == KUBELET_CLIENT:
        for kind, what in (("dns", "DNS"), ("email", "Email"), ("ip", "IP"), ("uri", "URI")):
            if sans[kind]:
                return f"{what} subjectAltNames are not allowed"
        if not cn.startswith("system:node:"):
            return "subject common name does not begin with system:node:"
        return "" if have in _CLIENT else f"usages did not match {_usage_list(_CLIENT[0])}"
    if signer == KUBELET_SERVING:
        if not sans["dns"] and not sans["ip"]:
            return "DNS or IP subjectAltName is required"
        if sans["email"]:
            return "Email subjectAltNames are not allowed"
        if sans["uri"]:
            return "URI subjectAltNames are not allowed"
        if have not in _SERVING:
            return f"usages did not match {_usage_list(_SERVING[0])}"
        return "" if cn.startswith("system:node:") else "subject common name does not begin with system:node:"
    return ""  # legacy-unknown: no restrictions


class CSRSigningController(Controller):
    """kube-controller-manager's ``csrsigning`` controller (its four signers share one loop here).

    Args:
        ctx: the component context; ``ctx.signing_ca`` is the cluster CA.
        informers: the shared informer factory.
    """

    name = "csrsigning"
    FLAGS = {"cluster-signing-duration": "8760h0m0s"}

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers, component="certificatesigningrequest-signing-controller")
        self.ttl = parse_duration(
            str((ctx.flags or {}).get("cluster-signing-duration", self.FLAGS["cluster-signing-duration"]))
        )
        self.csrs = self.informer("certificatesigningrequests")
        self.csrs.add_handler(self.enqueue, self._on_update, None)

    def _on_update(self, old: dict, new: dict) -> None:
        self.enqueue(new)

    def _duration(self, seconds: int | None) -> float:
        """``signer.duration``: the requested duration, within [10m, --cluster-signing-duration]."""
        if seconds is None:
            return self.ttl
        return max(600.0, min(float(seconds), self.ttl))

    def reconcile(self, key: str) -> None:
        csr = self.csrs.get(key)
        ca = self.ctx.signing_ca
        if csr is None or ca is None:
            return
        spec, status = csr.get("spec") or {}, csr.get("status") or {}
        conditions = [c for c in status.get("conditions") or [] if isinstance(c, dict)]
        types = {c.get("type") for c in conditions if c.get("status") == "True"}
        if status.get("certificate") or "Approved" not in types or "Denied" in types or "Failed" in types:
            return
        if spec.get("signerName") not in SIGNERS:
            return
        try:
            req = parse_csr(request_bytes(csr), check_signature=False)
        except CsrError:
            return  # "unable to parse csr": logged and retried upstream; validation let none in
        usages = [str(u) for u in spec.get("usages") or []]
        why = signer_error(spec["signerName"], req, usages)
        new = {**csr, "status": {**status}}
        if why:
            new["status"]["conditions"] = conditions + [
                {
                    "type": "Failed",
                    "status": "True",
                    "reason": "SignerValidationFailure",
                    "message": why,
                    "lastUpdateTime": rfc3339(self.ctx.now),
                }
            ]
        else:
            from ktui.api.auth.cluster_ca import SigningError

            try:
                pem = ca.sign(
                    req,
                    usages,
                    self._duration(spec.get("expirationSeconds")),
                    self.ctx.now,
                    csr["metadata"].get("uid", key),
                )
            except SigningError:
                return
            new["status"]["certificate"] = base64.b64encode(pem).decode()
        self.client.update("certificatesigningrequests", new, subresource="status")
