"""PEM blocks as Go's ``encoding/pem`` finds them, and PKCS#10 requests as ``certificates.ParseCSR`` reads them."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from cryptography import x509

__all__ = ["PemBlock", "pem_blocks", "parse_csr", "CsrError", "GoBytes", "GoNilBytes"]

_BLOCK = re.compile(rb"-----BEGIN ([^\r\n]*?)-----\r?\n(.*?)-----END \1-----", re.S)


@dataclass(frozen=True)
class PemBlock:
    """One decoded block: its type (``CERTIFICATE REQUEST``), whether it had headers, its DER bytes."""

    type: str
    has_headers: bool
    der: bytes


def pem_blocks(data: bytes) -> list[PemBlock]:
    """Every block ``pem.Decode`` would return in turn (text around and between blocks is skipped, as is a
    block whose body is not base64)."""
    out = []
    for m in _BLOCK.finditer(data):
        lines = m.group(2).splitlines()
        headers = False
        while lines and b":" in lines[0]:
            headers, lines = True, lines[1:]
        if headers and lines and not lines[0].strip():
            lines = lines[1:]
        try:
            der = base64.b64decode(b"".join(x.strip() for x in lines), validate=True)
        except (binascii.Error, ValueError):
            continue
        out.append(PemBlock(m.group(1).decode("latin-1"), headers, der))
    return out


class CsrError(ValueError):
    """A request that is not a signed PKCS#10 CSR, with Go's message."""


def parse_csr(pem: bytes, check_signature: bool = True) -> x509.CertificateSigningRequest:
    """``certificates.ParseCSR`` (then ``CheckSignature``): the first PEM block must be a CERTIFICATE REQUEST.

    Raises:
        CsrError: ``PEM block type must be CERTIFICATE REQUEST`` and the like.
    """
    blocks = pem_blocks(pem)
    if not blocks or blocks[0].type != "CERTIFICATE REQUEST":
        raise CsrError("PEM block type must be CERTIFICATE REQUEST")
    try:
        csr = x509.load_der_x509_csr(blocks[0].der)
    except ValueError:
        raise CsrError("asn1: structure error: the request is not a PKCS#10 certificate request") from None
    if check_signature:
        try:
            ok = csr.is_signature_valid
        except Exception:  # an algorithm cryptography cannot check
            ok = False
        if not ok:
            raise CsrError("x509: signature verification failure")
    return csr


class GoBytes(bytes):
    """A ``[]byte`` value in a field error, printed as Go's ``%#v`` does: ``[]byte{0x2d, 0x2d}``."""

    nil = False
    """A missing field: ``[]byte(nil)``."""

    def __go__(self) -> str:
        if self.nil:
            return "[]byte(nil)"
        return "[]byte{" + ", ".join(f"0x{b:x}" for b in self) + "}"


class GoNilBytes(GoBytes):
    """A ``[]byte`` field that was not sent."""

    nil = True
