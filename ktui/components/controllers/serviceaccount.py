"""The ServiceAccount controller: a ``default`` ServiceAccount in every active namespace.

Follows pkg/controller/serviceaccount/serviceaccounts_controller.go (v1.37): when a namespace is added
or a ServiceAccount it should have is deleted, the namespace is synced; an ``Active`` namespace without
the ``default`` ServiceAccount gets one (AlreadyExists is fine; a terminating namespace is skipped).
"""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.components.base import Controller

__all__ = ["ServiceAccountController", "DEFAULT_SERVICE_ACCOUNTS"]

DEFAULT_SERVICE_ACCOUNTS = ("default",)
"""The ServiceAccounts every namespace gets (``--service-account-names``... in effect)."""


class ServiceAccountController(Controller):
    """kube-controller-manager's ``serviceaccount-controller``.

    Args:
        ctx: the component context.
        informers: the shared informer factory.
    """

    name = "serviceaccount-controller"

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.namespaces = self.informer("namespaces")
        self.accounts = self.informer("serviceaccounts")
        self.namespaces.add_handler(self.enqueue, self._on_ns_update, None)
        self.accounts.add_handler(None, None, self._on_sa_delete)

    def _on_ns_update(self, old: dict, new: dict) -> None:
        self.enqueue(new)

    def _on_sa_delete(self, sa: dict) -> None:
        if sa["metadata"]["name"] in DEFAULT_SERVICE_ACCOUNTS:
            self.queue.add(sa["metadata"]["namespace"])

    def reconcile(self, key: str) -> None:
        ns = self.namespaces.get(key)
        if (
            ns is None
            or (ns.get("status") or {}).get("phase", "Active") != "Active"
            or (ns.get("metadata") or {}).get("deletionTimestamp")
        ):
            return
        for name in DEFAULT_SERVICE_ACCOUNTS:
            if self.accounts.get(f"{key}/{name}") is not None:
                continue
            sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": key}}
            try:
                self.client.create("serviceaccounts", sa, key)
            except ApiError as e:
                if e.code == 409:
                    continue  # AlreadyExists
                if e.code == 403 and e.reason == "Forbidden":
                    return  # the namespace is being terminated
                raise
