"""``kubectl create secret tls`` and ``create secret docker-registry``, and ``--append-hash`` for secrets and
configmaps, as kubectl 1.37 builds them.

``tls`` checks the pair as Go's ``tls.X509KeyPair`` does (PEM blocks, then the certificate's public key
against the private key) and keeps its messages; ``docker-registry`` writes the ``.dockerconfigjson`` that
kubectl writes (``json.Marshal`` of the auths map), or takes it from ``--from-file``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ktui.kubectl.env import KubectlEnv
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.flags import ParsedArgs
from ktui.kubectl.generate import meta_for, one_name, with_hash
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.sources import Sources, read_bounded, read_sources
from ktui.kubectl.submit import submit

__all__ = ["x509_key_pair_error", "SecretOptions", "secret_for"]

_PEM = re.compile(rb"-----BEGIN ([^\r\n-]*)-----\r?\n(.*?)-----END \1-----", re.S)


def _pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    blocks = []
    for m in _PEM.finditer(data):
        body = b"".join(line for line in m.group(2).split(b"\n") if b":" not in line)  # drop PEM headers
        try:
            blocks.append(
                (m.group(1).decode("ascii", "replace"), base64.b64decode(b"".join(body.split()), validate=True))
            )
        except (binascii.Error, ValueError):
            continue
    return blocks


def x509_key_pair_error(cert_pem: bytes, key_pem: bytes) -> str:
    """What Go's ``tls.X509KeyPair`` says about a certificate and key, or "" when they make a pair."""
    certs, skipped = [], []  # type: ignore[var-annotated]
    for kind, der in _pem_blocks(cert_pem):
        (certs if kind == "CERTIFICATE" else skipped).append(der if kind == "CERTIFICATE" else kind)
    if not certs:
        if not skipped:
            return "tls: failed to find any PEM data in certificate input"
        if len(skipped) == 1 and skipped[0].endswith("PRIVATE KEY"):
            return (
                "tls: failed to find certificate PEM data in certificate input, but did find a private key; "
                "PEM inputs may have been switched"
            )
        return (
            'tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the '
            f"following types: [{' '.join(skipped)}]"
        )
    key_der, skipped = None, []
    for kind, der in _pem_blocks(key_pem):
        if kind == "PRIVATE KEY" or kind.endswith(" PRIVATE KEY"):
            key_der = der
            break
        skipped.append(kind)
    if key_der is None:
        if not skipped:
            return "tls: failed to find any PEM data in key input"
        if skipped == ["CERTIFICATE"]:
            return "tls: found a certificate rather than a key in the PEM for the private key"
        return (
            'tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM '
            f"blocks of the following types: [{' '.join(skipped)}]"
        )
    return _match_error(certs[0], key_der)


def _match_error(cert_der: bytes, key_der: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    try:
        public = x509.load_der_x509_certificate(cert_der).public_key()
    except ValueError:
        return "x509: malformed certificate"
    try:
        private = serialization.load_der_private_key(key_der, password=None)
    except (ValueError, TypeError):
        return "tls: failed to parse private key"
    kinds = (
        (rsa.RSAPublicKey, rsa.RSAPrivateKey),
        (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey),
        (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey),
    )
    for pub_type, priv_type in kinds:
        if isinstance(public, pub_type):
            if not isinstance(private, priv_type):
                return "tls: private key type does not match public key type"
            raw = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            if public.public_bytes(*raw) != private.public_key().public_bytes(*raw):
                return "tls: private key does not match public key"
            return ""
    return "tls: unknown public key algorithm"


def _read(env: KubectlEnv, path: str) -> bytes:
    full = path if os.path.isabs(path) or env.cwd is None else os.path.join(env.cwd, path)
    try:
        return read_bounded(full, path)
    except OSError as e:
        reason = {2: "no such file or directory", 13: "permission denied", 21: "is a directory"}.get(
            e.errno or 0, (e.strerror or str(e)).lower()
        )
        op = "read" if e.errno == 21 else "open"
        raise KubectlError(f"Cannot read file {path}, {op} {path}: {reason}") from None


def _docker_config_json(server: str, user: str, password: str, email: str) -> bytes:
    """The ``.dockerconfigjson`` kubectl writes: ``json.Marshal`` of the auths map."""
    entry = {
        k: v
        for k, v in (
            ("username", user),
            ("password", password),
            ("email", email),
            ("auth", base64.b64encode(f"{user}:{password}".encode()).decode()),
        )
        if v
    }
    config = json.dumps({"auths": {server: entry}}, separators=(",", ":"), ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        config = config.replace(ch, esc)  # Go's json.Marshal escapes these
    return config.encode("utf-8")


@dataclass(frozen=True)
class SecretOptions:
    """What ``kubectl create secret generic|tls|docker-registry``'s flags say, the files already read."""

    data: Mapping[str, bytes] = field(default_factory=dict)
    """Every key with its bytes."""
    type: str = ""
    """The Secret's type; empty: none (``generic`` without ``--type``)."""
    append_hash: bool = False
    namespace: str = ""

    @classmethod
    def from_flags(cls, opts: ParsedArgs, env: KubectlEnv) -> "SecretOptions":
        """The options of a parsed ``kubectl create secret generic NAME`` command line; reads the sources.

        Raises:
            KubectlError: with kubectl's message for a source it cannot read or a key it refuses.
        """
        src = read_sources("Secret", opts.args[0], lambda flag: opts.get(flag, []), env.cwd, env.environ)
        return cls(
            data=dict(src.values),
            type=opts.get("type") or "",
            append_hash=bool(opts.get("append-hash")),
            namespace=opts.get("namespace") or "",
        )

    @classmethod
    def tls_from_flags(cls, opts: ParsedArgs, env: KubectlEnv) -> "SecretOptions":
        """The options of ``kubectl create secret tls NAME --cert=... --key=...``; reads and checks the pair.

        Raises:
            KubectlError: with kubectl's (and Go's ``tls.X509KeyPair``'s) messages.
        """
        cert, key = opts.get("cert", ""), opts.get("key", "")
        if not cert or not key:
            raise KubectlError("key and cert must be specified")
        cert_pem, key_pem = _read(env, cert), _read(env, key)
        problem = x509_key_pair_error(cert_pem, key_pem)
        if problem:
            raise KubectlError(problem)
        return cls(
            data={"tls.crt": cert_pem, "tls.key": key_pem},
            type="kubernetes.io/tls",
            append_hash=bool(opts.get("append-hash")),
            namespace=opts.get("namespace") or "",
        )

    @classmethod
    def docker_registry_from_flags(cls, opts: ParsedArgs, env: KubectlEnv) -> "SecretOptions":
        """The options of ``kubectl create secret docker-registry NAME ...``; reads ``--from-file``.

        Raises:
            KubectlError: with kubectl's message when neither a file nor a full set of credentials is given.
        """
        files = opts.get("from-file", [])
        user, password = opts.get("docker-username", ""), opts.get("docker-password", "")
        server, email = opts.get("docker-server", ""), opts.get("docker-email", "")
        if not files and not (user and password and server):
            raise KubectlError(
                "either --from-file or the combination of --docker-username, --docker-password and "
                "--docker-server is required"
            )
        if files:
            specs = [f if "=" in f else f".dockerconfigjson={f}" for f in files]
            src: Sources = read_sources(
                "Secret", opts.args[0], lambda flag: specs if flag == "from-file" else [], env.cwd, env.environ
            )
            data = dict(src.values)
        else:
            data = {".dockerconfigjson": _docker_config_json(server, user, password, email)}
        return cls(
            data=data,
            type="kubernetes.io/dockerconfigjson",
            append_hash=bool(opts.get("append-hash")),
            namespace=opts.get("namespace") or "",
        )


def secret_for(name: str, options: SecretOptions) -> dict:
    """The Secret ``kubectl create secret generic|tls|docker-registry NAME`` builds: pure."""
    obj: dict[str, Any] = {"kind": "Secret", "apiVersion": "v1", "metadata": meta_for(name, options.namespace)}
    if options.data:
        obj["data"] = {k: base64.b64encode(v).decode() for k, v in sorted(options.data.items())}
    if options.type:
        obj["type"] = options.type
    return with_hash(obj, options.append_hash)


@command("create secret tls")
def create_secret_tls(inv: Invocation) -> None:
    """``kubectl create secret tls NAME --cert=path/to/cert/file --key=path/to/key/file``."""
    name = one_name(inv)
    submit(
        inv,
        "secrets",
        secret_for(name, SecretOptions.tls_from_flags(inv.opts, inv.env)),
        failed="failed to create secret ",
    )


@command("create secret docker-registry")
def create_secret_docker_registry(inv: Invocation) -> None:
    """``kubectl create secret docker-registry NAME --docker-username=user --docker-password=password ...``."""
    name = one_name(inv)
    submit(
        inv,
        "secrets",
        secret_for(name, SecretOptions.docker_registry_from_flags(inv.opts, inv.env)),
        failed="failed to create secret ",
    )


@command("create secret generic")
def create_secret_generic(inv: Invocation) -> None:
    """``kubectl create secret generic NAME [--type=string] [--from-file=[key=]source] [--from-literal=key1=value1]``."""
    name = one_name(inv)
    submit(
        inv, "secrets", secret_for(name, SecretOptions.from_flags(inv.opts, inv.env)), failed="failed to create secret "
    )
