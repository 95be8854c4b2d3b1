"""``kubectl describe certificatesigningrequest``: signer, status and the request's subject and alternative names."""

from __future__ import annotations

import base64

from cryptography import x509
from cryptography.x509.oid import NameOID

from ktui.kubectl.cells import format_labels, human_duration
from ktui.kubectl.describe.base import Writer, rfc1123z
from ktui.kubectl.errors import KubectlError

__all__ = ["describe_csr", "csr_status"]

_LISTS = (
    ("Organization", NameOID.ORGANIZATION_NAME),
    ("Organizational Unit", NameOID.ORGANIZATIONAL_UNIT_NAME),
    ("Country", NameOID.COUNTRY_NAME),
    ("Locality", NameOID.LOCALITY_NAME),
    ("Province", NameOID.STATE_OR_PROVINCE_NAME),
    ("StreetAddress", NameOID.STREET_ADDRESS),
    ("PostalCode", NameOID.POSTAL_CODE),
)


def csr_status(csr: dict) -> str:
    """``extractCSRStatus``: Denied, else Approved, else Pending; then ``,Failed`` and ``,Issued``."""
    st = csr.get("status") or {}
    types = {c.get("type") for c in st.get("conditions") or []}
    text = "Denied" if "Denied" in types else "Approved" if "Approved" in types else "Pending"
    if "Failed" in types:
        text += ",Failed"
    if st.get("certificate"):
        text += ",Issued"
    return text


def _list(w: Writer, name: str, values: list[str]) -> None:
    """``printListHelper`` with the ``\\t`` prefix: nothing for an empty list."""
    if values:
        w.write(0, f"\t{name}:\t" + "\n\t\t".join(values) + "\n")


def _last(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = [str(a.value) for a in name.get_attributes_for_oid(oid)]
    return values[-1] if values else ""


def _parse(request: str) -> x509.CertificateSigningRequest:
    """``certificate.ParseCSR``; a request that is no PEM ``CERTIFICATE REQUEST`` is kubectl's error."""
    try:
        pem = base64.b64decode(request)
    except ValueError:
        pem = b""
    if b"-----BEGIN CERTIFICATE REQUEST-----" not in pem:
        raise KubectlError("Error parsing CSR: PEM block type must be CERTIFICATE REQUEST")
    try:
        return x509.load_pem_x509_csr(pem)
    except ValueError as e:
        raise KubectlError(f"Error parsing CSR: x509: malformed certificate request ({e})") from None


def describe_csr(w: Writer, csr: dict) -> None:
    """``describeCertificateSigningRequest``; the request is parsed as kubectl parses it (PEM in ``spec.request``)."""
    md, spec = csr.get("metadata") or {}, csr.get("spec") or {}
    request = _parse(spec.get("request") or "")
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Labels:\t{format_labels(md.get('labels'))}\n")
    w.write(0, f"Annotations:\t{format_labels(md.get('annotations'))}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    w.write(0, f"Requesting User:\t{spec.get('username', '')}\n")
    if spec.get("signerName"):
        w.write(0, f"Signer:\t{spec['signerName']}\n")
    if spec.get("expirationSeconds") is not None:
        w.write(0, f"Requested Duration:\t{human_duration(float(spec['expirationSeconds']))}\n")
    w.write(0, f"Status:\t{csr_status(csr)}\n")
    subject = request.subject
    w.write(0, "Subject:\n")
    w.write(0, f"\tCommon Name:\t{_last(subject, NameOID.COMMON_NAME)}\n")
    w.write(0, f"\tSerial Number:\t{_last(subject, NameOID.SERIAL_NUMBER)}\n")
    for title, oid in _LISTS:
        _list(w, title, [str(a.value) for a in subject.get_attributes_for_oid(oid)])
    try:
        sans = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return
    dns = [str(v) for v in sans.get_values_for_type(x509.DNSName)]
    emails = [str(v) for v in sans.get_values_for_type(x509.RFC822Name)]
    uris = [str(v) for v in sans.get_values_for_type(x509.UniformResourceIdentifier)]
    ips = [str(v) for v in sans.get_values_for_type(x509.IPAddress)]
    if dns or emails or uris or ips:
        w.write(0, "Subject Alternative Names:\n")
        _list(w, "DNS Names", dns)
        _list(w, "Email Addresses", emails)
        _list(w, "URIs", uris)
        _list(w, "IP Addresses", ips)
