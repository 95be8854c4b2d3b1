"""Who a request is: an x509 client certificate (CN user, O groups) or a bearer token, then impersonation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api import errors
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
    else:
        who = user_from_cert(request.transport.get_extra_info("peercert") if request.transport else None)
        if who is not None:
            client = ClusterClient(cluster, authenticated(who[0], who[1]))
    if client is None:
        raise errors.unauthorized()
    as_user = request.headers.get("Impersonate-User", "")
    as_groups = request.headers.getall("Impersonate-Group", [])
    if as_groups and not as_user:
        raise errors.internal(f"requested {as_groups} without impersonating a user")
    if as_user:
        client = client.impersonate(as_user, tuple(as_groups))
    return client
