"""Service account tokens: the cluster's signing key, TokenRequest (``serviceaccounts/token``) and their check.

As kube-apiserver with ``--service-account-signing-key-file``, the API server signs bound tokens (JWTs with
``iss``, ``sub``, ``aud``, ``exp``, ``iat``, ``nbf``, ``jti`` and ``kubernetes.io``); here with an ES256 key
derived from the cluster's seed, so that the same seed gives the same key, and the same request at the same
simulated time the same token (RFC 6979 signatures, ``jti`` from the seeded RNG). The key is kept as its
private number in the world, so a saved and restored cluster verifies the tokens it issued before. Times are
the simulated clock's: a token expires on the cluster's time, and authenticates as its service account only
while that account (and the object it is bound to) exists with the same UID.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from ktui.api import errors
from ktui.api.auth.user import UserInfo, service_account
from ktui.sim.timefmt import EPOCH, rfc3339

if TYPE_CHECKING:
    from ktui.api.registry import Resource

ParentStorage = Any
"""The API server as a subresource handler sees it (:class:`ktui.api.subresources.ParentStorage`)."""

__all__ = ["ISSUER", "TokenSigner", "create_token"]

ISSUER = "https://kubernetes.default.svc.cluster.local"
"""``--service-account-issuer`` as kubeadm sets it; also the default audience."""

_EPOCH = EPOCH.timestamp()
"""Simulated time 0 as a Unix time (the JWT's numeric dates)."""

_DEFAULT_SECONDS = 3600
_MIN_SECONDS = 600
_MAX_SECONDS = 1 << 32
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_BOUND_KINDS = {"Pod": "pods", "Secret": "secrets", "Node": "nodes"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """The cluster's service account key pair (ES256), derived from the cluster's seed.

    Args:
        seed: the cluster's seed.
    """

    def __init__(self, seed: int) -> None:
        digest = hashlib.sha256(f"ktui service account key {seed}".encode()).digest()
        self.private_number = int.from_bytes(digest, "big") % (_P256_ORDER - 1) + 1
        """The private scalar: all that must persist (it is saved with the world)."""
        self.key_id = _b64(hashlib.sha256(str(self.public_numbers()).encode()).digest())[:43]
        """The JWT header's ``kid``: a digest of the public key, as kube-apiserver derives it."""

    def _key(self) -> ec.EllipticCurvePrivateKey:
        return ec.derive_private_key(self.private_number, ec.SECP256R1())

    def public_numbers(self) -> tuple[int, int]:
        n = self._key().public_key().public_numbers()
        return n.x, n.y

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact JWS of ``claims`` (deterministic: the same claims give the same token)."""
        head = _b64(json.dumps({"alg": "ES256", "kid": self.key_id}, separators=(",", ":")).encode())
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        der = self._key().sign(f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return f"{head}.{body}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def verify(self, token: str) -> dict | None:
        """The claims of a token this key signed, or None."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        head, body, sig = parts
        try:
            raw = _unb64(sig)
            if len(raw) != 64:
                return None
            signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            self._key().public_key().verify(signature, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
            claims = json.loads(_unb64(body))
        except (InvalidSignature, ValueError, TypeError):
            return None
        return claims if isinstance(claims, dict) else None

    def authenticate(self, token: str, host: "ParentStorage") -> UserInfo | None:
        """The service account a token of this cluster names, or None when it is not one, is expired, or
        its account (or bound object) is gone or was recreated."""
        claims = self.verify(token)
        if claims is None:
            return None
        try:
            info = claims["kubernetes.io"]
            namespace, name, uid = info["namespace"], info["serviceaccount"]["name"], info["serviceaccount"]["uid"]
            if claims.get("iss") != ISSUER or float(claims.get("exp", 0)) <= _EPOCH + host.now:
                return None
            if ISSUER not in (claims.get("aud") or ()):
                return None
        except (KeyError, TypeError, ValueError):
            return None
        if _uid_of(host, "serviceaccounts", namespace, name) != uid:
            return None
        for kind, plural in _BOUND_KINDS.items():
            ref = info.get(kind.lower())
            if isinstance(ref, dict) and _uid_of(
                host, plural, "" if kind == "Node" else namespace, ref.get("name", "")
            ) != ref.get("uid"):
                return None
        user = service_account(namespace, name, uid)
        extra = {"authentication.kubernetes.io/credential-id": (f"JTI={claims['jti']}",)} if claims.get("jti") else {}
        return UserInfo(user.name, user.groups, user.uid, extra)


def _uid_of(host: "ParentStorage", plural: str, namespace: str, name: str) -> str | None:
    from ktui.api.registry import REGISTRY

    kv = host.stored(REGISTRY.resolve(plural), namespace, name)
    return None if kv is None else kv.value["metadata"].get("uid", "")


def create_token(
    host: "ParentStorage", user: "UserInfo", r: "Resource", ns: str, name: str, body: dict, dry_run: bool
) -> dict:
    """serviceaccounts/token: a TokenRequest answered with a token signed by the cluster's key."""
    from ktui.api.registry import REGISTRY

    host.authorize(user, "create", r, ns, name, "token")
    if not isinstance(body, dict):
        raise errors.bad_request("the body of the request was in an unknown format")
    spec = dict(body.get("spec") or {})
    seconds = spec.get("expirationSeconds")
    seconds = _DEFAULT_SECONDS if seconds is None else seconds
    field = "spec.expirationSeconds"
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        raise errors.bad_request("the body of the request was in an unknown format")
    if seconds < _MIN_SECONDS or seconds > _MAX_SECONDS:
        why = (
            "may not specify a duration less than 10 minutes"
            if seconds < _MIN_SECONDS
            else "may not specify a duration larger than 2^32 seconds"
        )
        raise errors.invalid(
            "TokenRequest", name, [errors.FieldError.invalid(field, seconds, why)], "authentication.k8s.io"
        )
    kv = host.stored(r, ns, name)
    if kv is None:
        raise errors.not_found("serviceaccounts", name)
    sa_uid = kv.value["metadata"].get("uid", "")
    info: dict[str, Any] = {"namespace": ns, "serviceaccount": {"name": name, "uid": sa_uid}}
    ref = spec.get("boundObjectRef")
    if ref:
        kind, version = ref.get("kind", ""), ref.get("apiVersion", "")
        if kind not in _BOUND_KINDS or version != "v1":
            gvk = f"{version}, Kind={kind}" if "/" in version else f"/{version}, Kind={kind}"
            raise errors.bad_request(f"cannot bind token to object of type {gvk}")
        plural = _BOUND_KINDS[kind]
        obj_kv = host.stored(REGISTRY.resolve(plural), "" if kind == "Node" else ns, ref.get("name", ""))
        if obj_kv is None:
            raise errors.not_found(plural, ref.get("name", ""))
        obj = obj_kv.value
        if kind == "Pod" and (obj.get("spec") or {}).get("serviceAccountName", "") != name:
            raise errors.bad_request(
                f'cannot bind token for serviceaccount "{name}" to pod running with '
                f'serviceaccount "{(obj.get("spec") or {}).get("serviceAccountName", "")}"'
            )
        uid = obj["metadata"].get("uid", "")
        if ref.get("uid") and ref["uid"] != uid:
            raise errors.conflict(
                kind,
                ref.get("name", ""),
                why=(
                    f"the UID in the bound object reference ({ref['uid']}) does not match the UID in record. "
                    "The object might have been deleted and then recreated"
                ),
            )
        info[kind.lower()] = {"name": ref.get("name", ""), "uid": uid}
        spec["boundObjectRef"] = {"kind": kind, "apiVersion": "v1", "name": ref.get("name", ""), "uid": uid}
    audiences = list(spec.get("audiences") or [ISSUER])
    iat = int(_EPOCH + host.now)
    signer: TokenSigner = host.token_signer
    claims = {
        "aud": audiences,
        "exp": iat + seconds,
        "iat": iat,
        "iss": ISSUER,
        "jti": host.new_uid(),
        "kubernetes.io": info,
        "nbf": iat,
        "sub": f"system:serviceaccount:{ns}:{name}",
    }
    spec.update({"audiences": audiences, "expirationSeconds": seconds, "boundObjectRef": spec.get("boundObjectRef")})
    return {
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
        "status": {"token": signer.sign(claims), "expirationTimestamp": rfc3339(host.now + seconds)},
    }
