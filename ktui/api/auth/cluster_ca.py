"""The cluster's signing CA: what kube-controller-manager signs approved CSRs with, and what authenticates them.

kubeadm gives kube-controller-manager ``--cluster-signing-cert-file``/``--cluster-signing-key-file`` =
``/etc/kubernetes/pki/ca.{crt,key}``, the CA kube-apiserver also trusts for client certificates. Here the CA
is an ECDSA P-256 key derived from the cluster's seed (as the service account key is, see
:mod:`ktui.api.auth.sa_tokens`), its certificate is valid for ten years from the simulated epoch, and every
signature is deterministic (RFC 6979), so the same seed and the same requests give the same certificates.
Certificate times are simulated times.

Because anyone who knows the seed could derive the key, a certificate authenticates only if this CA *issued*
it: :meth:`ClusterCA.sign` records the fingerprint of every certificate it signs (the record is part of the
world, so it is saved and rewound with it), and :meth:`ClusterCA.identity` accepts only those, while the
simulated clock is within their validity.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ktui.sim.timefmt import EPOCH

__all__ = ["ClusterCA", "CA_NAME", "SigningError"]

CA_NAME = "kubernetes-signer"
"""The CA certificate's common name."""

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_CA_SECONDS = 10 * 365 * 86400
_BACKDATE = 5 * 60
_SHORT = 8 * 3600

_KEY_USAGE = {
    "signing": "digital_signature",
    "digital signature": "digital_signature",
    "content commitment": "content_commitment",
    "key encipherment": "key_encipherment",
    "key agreement": "key_agreement",
    "data encipherment": "data_encipherment",
    "cert sign": "key_cert_sign",
    "crl sign": "crl_sign",
    "encipher only": "encipher_only",
    "decipher only": "decipher_only",
}
_EXT_KEY_USAGE = {  # in Go's x509.ExtKeyUsage order (the signer sorts them)
    "any": (0, ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE),
    "server auth": (1, ExtendedKeyUsageOID.SERVER_AUTH),
    "client auth": (2, ExtendedKeyUsageOID.CLIENT_AUTH),
    "code signing": (3, ExtendedKeyUsageOID.CODE_SIGNING),
    "email protection": (4, ExtendedKeyUsageOID.EMAIL_PROTECTION),
    "s/mime": (4, ExtendedKeyUsageOID.EMAIL_PROTECTION),
    "ipsec end system": (5, x509.ObjectIdentifier("1.3.6.1.5.5.7.3.5")),
    "ipsec tunnel": (6, x509.ObjectIdentifier("1.3.6.1.5.5.7.3.6")),
    "ipsec user": (7, x509.ObjectIdentifier("1.3.6.1.5.5.7.3.7")),
    "timestamping": (8, ExtendedKeyUsageOID.TIME_STAMPING),
    "ocsp signing": (9, ExtendedKeyUsageOID.OCSP_SIGNING),
    "microsoft sgc": (10, x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.3")),
    "netscape sgc": (11, x509.ObjectIdentifier("2.16.840.1.113730.4.1")),
}


class SigningError(ValueError):
    """The signer refused (an unknown usage, an expired CA), with its message."""


def _at(seconds: float) -> datetime.datetime:
    return EPOCH + datetime.timedelta(seconds=int(seconds))


def _seconds(t: datetime.datetime) -> float:
    return (t - EPOCH).total_seconds()


class ClusterCA:
    """The cluster's signing CA, derived from its seed.

    Args:
        seed: the cluster's seed.
    """

    def __init__(self, seed: int) -> None:
        digest = hashlib.sha256(f"ktui cluster signing CA {seed}".encode()).digest()
        self.private_number = int.from_bytes(digest, "big") % (_P256_ORDER - 1) + 1
        """The private scalar (all of the key that persists; saved with the world)."""
        self.serial = int.from_bytes(hashlib.sha256(digest).digest()[:16], "big") >> 1
        """The serial number of the CA's own certificate (and the seed of the ones it issues)."""
        self.issued: dict[str, tuple[float, float]] = {}
        """SHA-256 fingerprint of each certificate this CA signed -> its validity (simulated seconds)."""

    def _key(self) -> ec.EllipticCurvePrivateKey:
        return ec.derive_private_key(self.private_number, ec.SECP256R1())

    def _name(self) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])

    def certificate(self) -> x509.Certificate:
        """The CA's self-signed certificate (the same bytes for the same seed)."""
        key = self._key()
        public = key.public_key()
        return (
            x509.CertificateBuilder()
            .subject_name(self._name())
            .issuer_name(self._name())
            .public_key(public)
            .serial_number(self.serial)
            .not_valid_before(_at(0))
            .not_valid_after(_at(_CA_SECONDS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, True, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(key, hashes.SHA256(), ecdsa_deterministic=True)
        )

    def certificate_pem(self) -> bytes:
        """The CA certificate as PEM (what a client-CA bundle holds)."""
        return self.certificate().public_bytes(serialization.Encoding.PEM)

    def sign(self, csr: x509.CertificateSigningRequest, usages: list[str], ttl: float, now: float, salt: str) -> bytes:
        """Issue a certificate for ``csr`` as the csrsigning controller's PermissiveSigningPolicy does: the
        request's subject and alternative names, ``usages`` as key usages, valid from five minutes before
        ``now`` for ``ttl`` seconds (not backdated when shorter than 8h; never past the CA's own end).

        Args:
            salt: what makes the serial number unique (the CSR's UID).

        Returns:
            The certificate as PEM.

        Raises:
            SigningError: an unrecognized usage, or a CA past its end.
        """
        bits: dict[str, bool] = {}
        ext: dict[int, Any] = {}
        unknown = []
        for u in usages:
            if u in _KEY_USAGE:
                bits[_KEY_USAGE[u]] = True
            elif u in _EXT_KEY_USAGE:
                order, oid = _EXT_KEY_USAGE[u]
                ext[order] = oid
            else:
                unknown.append(u)
        if unknown:
            raise SigningError("unrecognized usage values: [" + " ".join(f'"{u}"' for u in unknown) + "]")
        ca_end = float(_CA_SECONDS)
        if now >= ca_end:
            raise SigningError(f"refusing to sign a certificate that expired in the past: NotAfter={_at(ca_end)}")
        start = now - _BACKDATE
        end = min(now + ttl if ttl < _SHORT else start + ttl, ca_end)
        key = self._key()
        serial = int.from_bytes(hashlib.sha256(f"{self.serial} {salt} {now}".encode()).digest()[:16], "big") >> 1
        builder = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(self._name())
            .public_key(csr.public_key())  # type: ignore[arg-type]
            .serial_number(serial)
            .not_valid_before(_at(start))
            .not_valid_after(_at(end))
        )
        if bits:
            names = (
                "digital_signature",
                "content_commitment",
                "key_encipherment",
                "data_encipherment",
                "key_agreement",
                "key_cert_sign",
                "crl_sign",
                "encipher_only",
                "decipher_only",
            )
            flags = {n: bits.get(n, False) for n in names}
            if not flags["key_agreement"]:
                flags["encipher_only"] = flags["decipher_only"] = False
            builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
        if ext:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ext[k] for k in sorted(ext)]), critical=False)
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        try:
            sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            builder = builder.add_extension(sans, critical=False)
        except x509.ExtensionNotFound:
            pass
        cert = builder.sign(key, hashes.SHA256(), ecdsa_deterministic=True)
        der = cert.public_bytes(serialization.Encoding.DER)
        self.issued[hashlib.sha256(der).hexdigest()] = (start, end)
        return cert.public_bytes(serialization.Encoding.PEM)

    def identity(self, der: bytes, now: float) -> tuple[str, tuple[str, ...]] | None:
        """``(CN, O...)`` of a client certificate this CA issued and that is valid at simulated ``now``;
        None for any other certificate (another CA's, expired, not yet valid, or never issued here)."""
        validity = self.issued.get(hashlib.sha256(der).hexdigest())
        if validity is None or not validity[0] <= now <= validity[1]:
            return None
        cert = x509.load_der_x509_certificate(der)
        cn = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
        orgs = tuple(str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME))
        return (cn[0], orgs) if cn else None
