"""Service account tokens (TokenRequest, ``kubectl create token``): JWTs signed with the cluster CA's key.

The claims are those kube-apiserver puts in a bound token (``iss``, ``sub``, ``aud``, ``exp``, ``iat``,
``nbf``, ``kubernetes.io``); times are the simulated clock's, so a token expires on the cluster's time. A
token authenticates as its service account while the account exists with the same UID.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from ktui.api import errors
from ktui.api.auth.user import UserInfo, service_account
from ktui.sim.timefmt import EPOCH, rfc3339

if TYPE_CHECKING:
    from ktui.cluster import ClusterClient
    from ktui.server.certs import PKI

__all__ = ["ISSUER", "issue_token", "token_user"]

ISSUER = "https://kubernetes.default.svc.cluster.local"
"""``--service-account-issuer`` as kubeadm sets it; also the default audience."""

_EPOCH = EPOCH.timestamp()
"""Simulated time 0 as a Unix time (the JWT's numeric dates)."""

_DEFAULT_SECONDS = 3600
_MIN_SECONDS = 600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(pki: "PKI", claims: dict[str, Any]) -> str:
    key = serialization.load_pem_private_key(pki.ca.key_pem, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    head = _b64(json.dumps({"alg": "ES256", "kid": "ktui"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    r, s = decode_dss_signature(key.sign(f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256())))
    return f"{head}.{body}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def issue_token(pki: "PKI", client: "ClusterClient", namespace: str, name: str, body: dict, now: float) -> dict:
    """Answer a TokenRequest for ``namespace/name`` made by ``client`` (``create`` on ``serviceaccounts/token``)
    at simulated time ``now``."""
    from ktui.api.auth.attributes import RequestAttributes
    from ktui.api.auth.forbidden import forbidden_error

    if not client.can_i("create", "serviceaccounts", namespace, name, "token")["allowed"]:
        raise forbidden_error(RequestAttributes(user=client.user, verb="create", namespace=namespace, api_group="",
                                                api_version="v1", resource="serviceaccounts", subresource="token",
                                                name=name))
    sa = client.get("serviceaccounts", name, namespace)
    spec = dict(body.get("spec") or {})
    seconds = spec.get("expirationSeconds") or _DEFAULT_SECONDS
    if not isinstance(seconds, int) or seconds < _MIN_SECONDS:
        raise errors.invalid("TokenRequest", name, [errors.FieldError.invalid(
            "spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes")],
            "authentication.k8s.io")
    audiences = list(spec.get("audiences") or [ISSUER])
    iat = int(_EPOCH + now)
    claims = {"aud": audiences, "exp": iat + seconds, "iat": iat, "iss": ISSUER, "jti": str(uuid.uuid4()),
              "kubernetes.io": {"namespace": namespace,
                                "serviceaccount": {"name": name, "uid": sa["metadata"].get("uid", "")}},
              "nbf": iat, "sub": f"system:serviceaccount:{namespace}:{name}"}
    spec.update({"audiences": audiences, "expirationSeconds": seconds, "boundObjectRef": spec.get("boundObjectRef")})
    return {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": None},
            "spec": spec, "status": {"token": _sign(pki, claims), "expirationTimestamp": rfc3339(now + seconds)}}


def token_user(pki: "PKI", token: str, admin: "ClusterClient", now: float) -> UserInfo | None:
    """The service account a token this cluster issued names, or None when it is not one (or is expired, or
    its account is gone)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        head, body, sig = parts
        raw = _unb64(sig)
        key = serialization.load_pem_private_key(pki.ca.key_pem, password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        key.public_key().verify(signature, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(_unb64(body))
        info = claims["kubernetes.io"]
        namespace, name, uid = info["namespace"], info["serviceaccount"]["name"], info["serviceaccount"]["uid"]
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return None
    if claims.get("iss") != ISSUER or float(claims.get("exp", 0)) <= _EPOCH + now:
        return None
    try:
        sa = admin.get("serviceaccounts", name, namespace)
    except errors.ApiError:
        return None
    if sa["metadata"].get("uid") != uid:
        return None
    user = service_account(namespace, name, uid)
    extra = {"authentication.kubernetes.io/credential-id": (f"JTI={claims['jti']}",)} if claims.get("jti") else {}
    return UserInfo(user.name, user.groups, user.uid, extra)
