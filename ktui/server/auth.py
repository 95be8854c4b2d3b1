"""Who a request is: an x509 client certificate (CN user, O groups) or a bearer token, then impersonation."""

from __future__ import annotations

import ssl
import time
from typing import TYPE_CHECKING, Any

from ktui.api import errors
from ktui.api.auth.cluster_ca import CA_NAME
from ktui.api.auth.user import authenticated
from ktui.cluster import ClusterClient

if TYPE_CHECKING:
    from aiohttp import web

    from ktui.cluster import Cluster
    from ktui.server.certs import PKI

__all__ = ["authenticate", "user_from_cert"]


def user_from_cert(peercert: dict[str, Any] | None) -> tuple[str, tuple[str, ...]] | None:
    """``(CN, O...)`` of a verified peer certificate as :meth:`ssl.SSLSocket.getpeercert` gives it."""
    if not peercert:
        return None
    cn, orgs = "", []
    for rdn in peercert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                cn = value
            elif key == "organizationName":
                orgs.append(value)
    return (cn, tuple(orgs)) if cn else None


def _from_certificate(request: "web.Request", cluster: "Cluster") -> ClusterClient | None:
    """The client a verified peer certificate names: one the cluster's signer issued (valid on the simulated
    clock), or one from the PKI's CA (valid on the computer's clock, which OpenSSL no longer checks)."""
    peer = request.transport.get_extra_info("peercert") if request.transport else None
    if not peer:
        return None
    ssl_object = request.transport.get_extra_info("ssl_object") if request.transport else None
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    if der:
        client = cluster.authenticate_certificate(der)
        if client is not None:
            return client
    issuer = [v for rdn in peer.get("issuer", ()) for k, v in rdn if k == "commonName"]
    if CA_NAME in issuer:
        return None  # the cluster signer's, but expired, not yet valid or never issued
    now = time.time()  # the PKI's certificates follow the computer's clock
    try:
        if not ssl.cert_time_to_seconds(peer["notBefore"]) <= now <= ssl.cert_time_to_seconds(peer["notAfter"]):
            return None
    except (KeyError, ValueError):
        return None
    who = user_from_cert(peer)
    return ClusterClient(cluster, authenticated(who[0], who[1])) if who is not None else None


def authenticate(request: "web.Request", cluster: "Cluster", pki: "PKI | None" = None) -> ClusterClient:
    """The client acting for this request, impersonation applied. Bearer tokens are the spec's users' or
    service account tokens the cluster issued (see :mod:`ktui.api.auth.sa_tokens`).

    Raises:
        ApiError: 401 without credentials or with an unknown token; 403 when impersonation is not allowed.
    """
    client: ClusterClient | None = None
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token = header[7:].strip()
        client = cluster.client(token=token)
    elif request.transport is not None:
        client = _from_certificate(request, cluster)
    if client is None:
        raise errors.unauthorized()
    as_user = request.headers.get("Impersonate-User", "")
    as_groups = request.headers.getall("Impersonate-Group", [])
    if as_groups and not as_user:
        raise errors.internal(f"requested {as_groups} without impersonating a user")
    if as_user:
        client = client.impersonate(as_user, tuple(as_groups))
    return client
