"""The cluster's PKI: a CA, the serving certificate for 127.0.0.1/localhost, client certificates by user.

Certificates are written once under the cluster's home (``pki/``) and reused, as kubeadm keeps
``/etc/kubernetes/pki``. A client certificate names its user in CN and its groups in O, as kube-apiserver's
x509 authenticator reads them.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["PKI", "KeyPair", "new_ca", "issue"]

_VALID_DAYS = 365


@dataclass(frozen=True)
class KeyPair:
    """A certificate and its private key, both PEM."""

    cert_pem: bytes
    key_pem: bytes


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _times() -> tuple[datetime.datetime, datetime.datetime]:
    now = datetime.datetime.now(datetime.timezone.utc)  # a shell may read the wall clock
    return now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=_VALID_DAYS)


def new_ca(common_name: str = "kubernetes") -> KeyPair:
    """A self-signed CA, as kubeadm's ``ca.crt`` (CN=kubernetes)."""
    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start, end = _times()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return KeyPair(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def issue(ca: KeyPair, common_name: str, organizations: tuple[str, ...] = (), *, server: bool = False) -> KeyPair:
    """A certificate signed by ``ca``: a serving one (for 127.0.0.1 and localhost) or a client one."""
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem)
    ca_key = serialization.load_pem_private_key(ca.key_pem, password=None)
    key = _key()
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    start, end = _times()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attrs))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.DNSName("kubernetes"),
                    x509.DNSName("kubernetes.default"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
    cert = builder.sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    return KeyPair(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


class PKI:
    """The certificates of one cluster home: ``pki/ca.crt``, ``apiserver.crt``, ``admin.crt`` (and keys)."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory

    def _pair(self, stem: str) -> KeyPair | None:
        crt, key = self.dir / f"{stem}.crt", self.dir / f"{stem}.key"
        if crt.exists() and key.exists():
            return KeyPair(crt.read_bytes(), key.read_bytes())
        return None

    def _write(self, stem: str, pair: KeyPair) -> KeyPair:
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / f"{stem}.crt").write_bytes(pair.cert_pem)
        key = self.dir / f"{stem}.key"
        key.touch(mode=0o600)
        key.write_bytes(pair.key_pem)
        return pair

    def ensure(self) -> None:
        """Create the CA, the serving and the admin certificates if they are missing."""
        ca = self.ca
        if self._pair("apiserver") is None:
            self._write("apiserver", issue(ca, "kube-apiserver", server=True))
        if self._pair("admin") is None:
            self._write("admin", issue(ca, "kubernetes-admin", ("system:masters",)))

    @property
    def ca(self) -> KeyPair:
        return self._pair("ca") or self._write("ca", new_ca())

    def path(self, name: str) -> Path:
        """The path of one file under ``pki/`` (``ca.crt``, ``apiserver.key``, ...)."""
        return self.dir / name

    def admin(self) -> KeyPair:
        pair = self._pair("admin")
        assert pair is not None, "ensure() first"
        return pair
