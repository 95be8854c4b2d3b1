"""CertificateSigningRequest validation, as pkg/apis/certificates/validation (create, update, /status, /approval).

An update is judged with the options its path allows: only ``/approval`` may add or change the Approved and
Denied conditions, only ``/status`` may set ``status.certificate``; problems already present in the stored
object (both Approved and Denied, an unknown usage...) are tolerated, as upstream does for old data.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from ktui.api.errors import FieldError
from ktui.api.pem import CsrError, GoBytes, GoNilBytes, parse_csr, pem_blocks
from ktui.api.validation.meta import validate_object_meta, validate_object_meta_update
from ktui.api.validation.names import is_dns1123_label, is_dns1123_subdomain

__all__ = ["KEY_USAGES", "LEGACY_UNKNOWN", "validate_csr_create", "validate_csr_update", "request_bytes"]

LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown"

KEY_USAGES = sorted(
    [
        "signing",
        "digital signature",
        "content commitment",
        "key encipherment",
        "key agreement",
        "data encipherment",
        "cert sign",
        "crl sign",
        "encipher only",
        "decipher only",
        "any",
        "server auth",
        "client auth",
        "code signing",
        "email protection",
        "s/mime",
        "ipsec end system",
        "ipsec tunnel",
        "ipsec user",
        "timestamping",
        "ocsp signing",
        "microsoft sgc",
        "netscape sgc",
    ]
)
"""Every ``spec.usages`` value the API accepts (sorted, as the Unsupported value message lists them)."""

_TRUE_ONLY = {"Approved", "Denied", "Failed"}
_ALL_STATUS = ["False", "True", "Unknown"]
_DNS1123_SUBDOMAIN_MAX, _DNS1123_LABEL_MAX = 253, 63

Obj = dict[str, Any]


@dataclass
class _Options:
    approval: bool = False
    certificate: bool = False
    both_approved_and_denied: bool = False
    legacy_signer: bool = False
    duplicate_conditions: bool = False
    empty_condition_type: bool = False
    arbitrary_certificate: bool = False
    unknown_usages: bool = False
    duplicate_usages: bool = False


def _b64(text: Any) -> bytes:
    try:
        return base64.b64decode(str(text or ""), validate=True)
    except (binascii.Error, ValueError):
        return b""


def request_bytes(csr: Obj) -> bytes:
    """The PEM text of ``spec.request`` (base64 in JSON)."""
    return _b64(((csr.get("spec") or {}).get("request")))


def _conditions(csr: Obj) -> list[dict]:
    return [c if isinstance(c, dict) else {} for c in ((csr.get("status") or {}).get("conditions") or [])]


def _certificate(csr: Obj) -> bytes:
    return _b64((csr.get("status") or {}).get("certificate"))


def certificate_error(pem: bytes) -> str:
    """``validateCertificate``: "" when ``pem`` is empty or a chain of CERTIFICATE blocks, else why not."""
    if not pem:
        return ""
    blocks = pem_blocks(pem)
    if not blocks:
        return "must contain at least one CERTIFICATE PEM block"
    from cryptography import x509

    for b in blocks:
        if b.type != "CERTIFICATE":
            return f'only CERTIFICATE PEM blocks are allowed, found "{b.type}"'
        if b.has_headers:
            return "no PEM block headers are permitted"
        try:
            x509.load_der_x509_certificate(b.der)
        except ValueError:
            return "x509: malformed certificate"
    return ""


def validate_signer_name(path: str, name: str) -> list[FieldError]:
    """``ValidateSignerName``: ``example.com/signer-name``, a domain of DNS labels and a path of subdomains."""
    if not name:
        return [FieldError.required(path)]
    segments = name.split("/")
    if len(segments) != 2:
        return [
            FieldError.invalid(
                path, name, "must be a fully qualified domain and path of the form 'example.com/signer-name'"
            )
        ]
    errs: list[FieldError] = []
    domain, rest = segments
    if len(domain) > _DNS1123_SUBDOMAIN_MAX:
        errs.append(FieldError.too_long(path, _DNS1123_SUBDOMAIN_MAX))
    labels = domain.split(".")
    for label in labels:
        found = is_dns1123_label(label)
        if found:
            errs += [FieldError.invalid(path, domain, f'validating label "{label}": {m}') for m in found]
            break
    if len(labels) < 2:
        errs.append(FieldError.invalid(path, domain, "should be a domain with at least two segments separated by dots"))
    for label in rest.split("."):
        found = is_dns1123_subdomain(label)
        if found:
            errs += [FieldError.invalid(path, rest, f'validating label "{label}": {m}') for m in found]
            break
    longest = _DNS1123_SUBDOMAIN_MAX + (_DNS1123_SUBDOMAIN_MAX + _DNS1123_LABEL_MAX + 1) + 1
    if len(name) > longest:
        errs.append(FieldError.too_long(path, longest))
    return errs


def _validate_conditions(csr: Obj, opts: _Options) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    approved = denied = False
    for i, c in enumerate(_conditions(csr)):
        path = f"status.conditions[{i}]"
        ctype, status = str(c.get("type") or ""), str(c.get("status") or "")
        if not opts.empty_condition_type and not ctype:
            errs.append(FieldError.required(f"{path}.type"))
        allowed = ["True"] if ctype in _TRUE_ONLY else _ALL_STATUS
        if not status:
            errs.append(FieldError.required(f"{path}.status"))
        elif status not in allowed:
            errs.append(FieldError.not_supported(f"{path}.status", status, allowed))
        if not opts.both_approved_and_denied:
            if ctype == "Approved":
                approved = True
                if denied:
                    errs.append(
                        FieldError.invalid(
                            f"{path}.type", ctype, "Approved and Denied conditions are mutually exclusive"
                        )
                    )
            elif ctype == "Denied":
                denied = True
                if approved:
                    errs.append(
                        FieldError.invalid(
                            f"{path}.type", ctype, "Approved and Denied conditions are mutually exclusive"
                        )
                    )
        if not opts.duplicate_conditions:
            if ctype in seen:
                errs.append(FieldError.duplicate(f"{path}.type", ctype))
            seen.add(ctype)
    return errs


def _validate(csr: Obj, opts: _Options) -> list[FieldError]:
    spec = csr.get("spec") or {}
    errs = validate_object_meta(csr.get("metadata"), False, lambda name, prefix: [])
    raw = spec.get("request")
    pem = request_bytes(csr)
    try:
        parse_csr(pem)
    except CsrError as e:
        errs.append(FieldError.invalid("spec.request", GoNilBytes() if raw is None else GoBytes(pem), str(e)))
    usages = [str(u) for u in spec.get("usages") or []]
    if not usages:
        errs.append(FieldError.required("spec.usages"))
    if not opts.unknown_usages:
        for i, u in enumerate(usages):
            if u not in KEY_USAGES:
                errs.append(FieldError.not_supported(f"spec.usages[{i}]", u, KEY_USAGES))
    if not opts.duplicate_usages:
        seen: set[str] = set()
        for i, u in enumerate(usages):
            if u in seen:
                errs.append(FieldError.duplicate(f"spec.usages[{i}]", u))
            seen.add(u)
    signer = str(spec.get("signerName") or "")
    if not opts.legacy_signer and signer == LEGACY_UNKNOWN:
        errs.append(
            FieldError.invalid("spec.signerName", signer, "the legacy signerName is not allowed via this API version")
        )
    else:
        errs += validate_signer_name("spec.signerName", signer)
    seconds = spec.get("expirationSeconds")
    if seconds is not None and seconds < 600:
        errs.append(
            FieldError.invalid(
                "spec.expirationSeconds", seconds, "may not specify a duration less than 600 seconds (10 minutes)"
            )
        )
    errs += _validate_conditions(csr, opts)
    if not opts.arbitrary_certificate:
        why = certificate_error(_certificate(csr))
        if why:
            errs.append(FieldError.invalid("status.certificate", "<certificate data>", why))
    return errs


def _options(new: Obj, old: Obj | None) -> _Options:
    if old is None:
        return _Options()
    types = [str(c.get("type") or "") for c in _conditions(old)]
    usages = [str(u) for u in (old.get("spec") or {}).get("usages") or []]
    return _Options(
        both_approved_and_denied="Approved" in types and "Denied" in types,
        legacy_signer=(old.get("spec") or {}).get("signerName") == LEGACY_UNKNOWN,
        duplicate_conditions=len(set(types)) != len(types),
        empty_condition_type="" in types,
        arbitrary_certificate=_certificate(new) == _certificate(old) or bool(certificate_error(_certificate(old))),
        unknown_usages=any(u not in KEY_USAGES for u in usages),
        duplicate_usages=len(set(usages)) != len(usages),
    )


def validate_csr_create(csr: Obj) -> list[FieldError]:
    """``ValidateCertificateSigningRequestCreate``."""
    return _validate(csr, _options(csr, None))


def _of_type(csr: Obj, ctype: str) -> list[dict]:
    return [c for c in _conditions(csr) if c.get("type") == ctype]


def validate_csr_update(new: Obj, old: Obj, subresource: str = "") -> list[FieldError]:
    """``ValidateCertificateSigningRequest{,Status,Approval}Update`` for ``subresource`` "", ``status``
    or ``approval``."""
    opts = _options(new, old)
    opts.approval = subresource == "approval"
    opts.certificate = subresource == "status"
    errs = _validate(new, opts)
    meta = validate_object_meta_update(new.get("metadata"), old.get("metadata"))
    for ctype in ("Approved", "Denied", "Failed"):
        if len(_of_type(new, ctype)) < len(_of_type(old, ctype)):
            errs.append(
                FieldError.forbidden("status.conditions", f'updates may not remove a condition of type "{ctype}"')
            )
    if not opts.approval:
        for ctype in ("Approved", "Denied"):
            was, now = _of_type(old, ctype), _of_type(new, ctype)
            if len(now) > len(was):
                errs.append(
                    FieldError.forbidden("status.conditions", f'updates may not add a condition of type "{ctype}"')
                )
            elif len(now) == len(was) and now != was:
                errs.append(
                    FieldError.forbidden("status.conditions", f'updates may not modify a condition of type "{ctype}"')
                )
    if _certificate(new) != _certificate(old):
        if not opts.certificate:
            errs.append(FieldError.forbidden("status.certificate", "updates may not set certificate content"))
        elif _certificate(old):
            errs.append(
                FieldError.forbidden("status.certificate", "updates may not modify existing certificate content")
            )
    return errs + meta
