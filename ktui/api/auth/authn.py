"""The authentication stage: bearer tokens from the cluster spec map to users; anything else is 401."""

from __future__ import annotations

from ktui.api import errors
from ktui.api.auth.user import SYSTEM_MASTERS, UserInfo, authenticated

__all__ = ["Authenticator", "ADMIN"]

ADMIN = authenticated("kubernetes-admin", (SYSTEM_MASTERS,))
"""The identity kubeadm's admin.conf gives: ``kubernetes-admin`` in ``system:masters``."""


class Authenticator:
    """A static token file, as ``--token-auth-file``: token -> user name, uid and groups."""

    def __init__(self, users: list[dict] | None = None) -> None:
        self._tokens: dict[str, UserInfo] = {}
        for u in users or []:
            if u.get("token"):
                self._tokens[u["token"]] = authenticated(u["name"], tuple(u.get("groups") or ()), str(u.get("uid", "")))

    def authenticate_token(self, token: str) -> UserInfo:
        user = self._tokens.get(token)
        if user is None:
            raise errors.unauthorized()
        return user
