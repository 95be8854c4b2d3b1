"""Shared helpers of the admission plugin tests: a dict-backed ClusterReader and a request builder."""

from __future__ import annotations

from typing import Any

from ktui.api.admission.base import AdmissionRequest
from ktui.api.auth.user import UserInfo
from ktui.api.registry import REGISTRY


class Reader:
    """A ClusterReader over objects given as ``(resource, obj)``; it refuses writes (no plugin here makes any)."""

    def __init__(self, *objects: tuple[str, dict]) -> None:
        self.objects = list(objects)

    def get_object(self, resource: str, namespace: str | None, name: str) -> dict | None:
        return next(
            (
                o
                for r, o in self.objects
                if r == resource and o["metadata"]["name"] == name and o["metadata"].get("namespace") == namespace
            ),
            None,
        )

    def list_objects(self, resource: str, namespace: str | None = None) -> list[dict]:
        return [
            o
            for r, o in self.objects
            if r == resource and (namespace is None or o["metadata"].get("namespace") == namespace)
        ]

    def write_status(self, resource: str, obj: dict) -> dict:
        raise AssertionError("this plugin writes nothing")


def request(
    resource: str,
    obj: dict | None,
    reader: Reader | None = None,
    *,
    operation: str = "CREATE",
    namespace: str = "default",
    name: str = "",
    subresource: str = "",
    old: dict | None = None,
) -> AdmissionRequest:
    """One admission request as the API server builds it (user ``jane``, clock at 0)."""
    md: dict[str, Any] = (obj or {}).get("metadata") or {}
    return AdmissionRequest(
        operation=operation,
        resource=REGISTRY.resolve(resource),
        subresource=subresource,
        namespace=namespace,
        name=name or md.get("name", ""),
        obj=obj,
        old=old,
        user=UserInfo("jane"),
        dry_run=False,
        reader=reader or Reader(),
        now=0.0,
    )


def pod(name: str = "web", **spec: Any) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec},
    }
