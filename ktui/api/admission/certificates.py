"""The CSR admission plugins on by default: CertificateApproval, CertificateSigning, CertificateSubjectRestriction.

As plugin/pkg/admission/certificates: approving (``/approval``) needs the ``approve`` verb, and issuing or
failing (``/status`` changing the certificate or the conditions) the ``sign`` verb, on the ``signers``
resource of ``certificates.k8s.io`` named by the CSR's signerName (or ``<domain>/*``), judged on the stored
object; and no CSR for ``kubernetes.io/kube-apiserver-client`` may ask for the ``system:masters`` group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.x509.oid import NameOID

from ktui.api import errors
from ktui.api.admission.base import AdmissionRequest
from ktui.api.auth.attributes import RequestAttributes
from ktui.api.pem import CsrError, parse_csr
from ktui.api.validation.certificates import request_bytes

if TYPE_CHECKING:
    from ktui.api.registry import Resource

__all__ = ["CertificateApproval", "CertificateSigning", "CertificateSubjectRestriction"]

_CSRS = "certificatesigningrequests"
_GROUP = "certificates.k8s.io"


def _authorized_for_signer(req: AdmissionRequest, verb: str, signer: str) -> bool:
    """``IsAuthorizedForSignerName``: the exact signerName, then ``<domain>/*``."""
    authorizer = getattr(req.reader, "authorizer", None)
    if authorizer is None:
        return True
    names = [signer]
    if "/" in signer:
        names.append(signer.split("/", 1)[0] + "/*")
    for name in names:
        attrs = RequestAttributes(
            user=req.user, verb=verb, api_group=_GROUP, api_version="*", resource="signers", name=name
        )
        if authorizer.decide(attrs).allowed:
            return True
    return False


def _signer(obj: dict | None) -> str:
    return str(((obj or {}).get("spec") or {}).get("signerName") or "")


def _forbidden(req: AdmissionRequest, why: str) -> errors.ApiError:
    return errors.forbidden(_CSRS, req.name, _GROUP, why)


class CertificateApproval:
    """Only a user allowed to ``approve`` the signer may change the approval conditions."""

    name = "CertificateApproval"

    def handles(self, operation: str, resource: "Resource", subresource: str) -> bool:
        """Updates of a CSR's ``/approval``."""
        return resource.plural == _CSRS and subresource == "approval" and operation == "UPDATE"

    def admit(self, req: AdmissionRequest) -> None:
        return None

    def validate(self, req: AdmissionRequest) -> None:
        if not self.handles(req.operation, req.resource, req.subresource):
            return
        signer = _signer(req.old)
        if not _authorized_for_signer(req, "approve", signer):
            raise _forbidden(req, f'user not permitted to approve requests with signerName "{signer}"')


class CertificateSigning:
    """Only a user allowed to ``sign`` for the signer may set the certificate or change conditions on /status."""

    name = "CertificateSigning"

    def handles(self, operation: str, resource: "Resource", subresource: str) -> bool:
        """Updates of a CSR's ``/status``."""
        return resource.plural == _CSRS and subresource == "status" and operation == "UPDATE"

    def admit(self, req: AdmissionRequest) -> None:
        return None

    def validate(self, req: AdmissionRequest) -> None:
        if not self.handles(req.operation, req.resource, req.subresource):
            return
        old, new = (req.old or {}).get("status") or {}, (req.obj or {}).get("status") or {}
        if old.get("certificate") == new.get("certificate") and old.get("conditions") == new.get("conditions"):
            return
        signer = _signer(req.old)
        if not _authorized_for_signer(req, "sign", signer):
            raise _forbidden(req, f'user not permitted to sign requests with signerName "{signer}"')


class CertificateSubjectRestriction:
    """No ``kubernetes.io/kube-apiserver-client`` certificate for the ``system:masters`` group."""

    name = "CertificateSubjectRestriction"

    def handles(self, operation: str, resource: "Resource", subresource: str) -> bool:
        """CSR creates."""
        return resource.plural == _CSRS and not subresource and operation == "CREATE"

    def admit(self, req: AdmissionRequest) -> None:
        return None

    def validate(self, req: AdmissionRequest) -> None:
        if not self.handles(req.operation, req.resource, req.subresource):
            return
        if _signer(req.obj) != "kubernetes.io/kube-apiserver-client":
            return
        try:
            csr = parse_csr(request_bytes(req.obj or {}), check_signature=False)
        except CsrError as e:
            raise _forbidden(req, f"failed to parse CSR: {e}") from None
        orgs = [a.value for a in csr.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
        if "system:masters" in orgs:
            raise _forbidden(
                req, "use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed"
            )
