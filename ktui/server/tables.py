"""Server-side printing: ``as=Table;v=v1;g=meta.k8s.io`` answers built from ktui's own kubectl columns.

The columns ``-o wide`` adds get priority 1, so the real kubectl shows them only with ``-o wide``; it
adds NAMESPACE, ``-L`` and ``--show-labels`` columns itself from each row's object metadata.
"""

from __future__ import annotations

from typing import Any

from ktui.api.registry import Resource
from ktui.kubectl import tables

__all__ = ["wants_table", "include_object", "table", "table_columns", "column_name"]

_CAMEL = {
    w.upper(): w
    for w in (
        "AddressType",
        "StorageClass",
        "VolumeAttributesClass",
        "VolumeMode",
        "ReclaimPolicy",
        "VolumeBindingMode",
        "AllowVolumeExpansion",
        "MinPods",
        "MaxPods",
        "PreemptionPolicy",
        "ServiceAccounts",
        "SignerName",
        "RequestedDuration",
    )
}
_KEEP = ("IP", "OS")


def column_name(header: str) -> str:
    """The name kube-apiserver gives a column (``Nominated Node``, ``Cluster-IP``, ``Up-to-date``,
    ``StorageClass``) for the header kubectl prints upper-cased."""
    if header == "UP-TO-DATE":
        return "Up-to-date"
    words = []
    for word in header.split(" "):
        parts = [p if p in _KEEP else _CAMEL.get(p, p.capitalize()) for p in word.split("-")]
        words.append("-".join(parts))
    return " ".join(words)


def wants_table(accept: str) -> bool:
    """Whether an Accept header asks for a ``meta.k8s.io`` Table (the first acceptable type wins)."""
    for part in accept.split(","):
        params = {k.strip(): v.strip() for k, _, v in (p.partition("=") for p in part.split(";")[1:])}
        if params.get("as") == "Table" and params.get("g") == "meta.k8s.io":
            return True
        if part.split(";")[0].strip() in ("application/json", "*/*", "application/yaml"):
            return False
    return False


def include_object(query: dict[str, str]) -> str:
    """``includeObject``: ``None``, ``Metadata`` (the default) or ``Object``."""
    return query.get("includeObject") or "Metadata"


def table_columns(r: Resource) -> list[dict[str, Any]]:
    """The columnDefinitions: every ``-o wide`` column, those only wide shows at priority 1."""
    normal = set(tables.columns_for(r.plural, False))
    out = []
    for name in tables.columns_for(r.plural, True):
        col: dict[str, Any] = {
            "name": column_name(name),
            "type": "string",
            "format": "",
            "description": "",
            "priority": 0 if name in normal else 1,
        }
        if name == "NAME" and r.plural != "events":
            col["format"] = "name"
        out.append(col)
    return out


def _row_object(obj: dict, include: str) -> dict | None:
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata") or {}}


def table(
    r: Resource, objs: list[dict], now: float, include: str, *, list_meta: dict | None = None, headers: bool = True
) -> dict:
    """A ``meta.k8s.io/v1`` Table of ``objs`` at simulated time ``now``."""
    rows = []
    for obj in objs:
        row: dict[str, Any] = {"cells": tables.row_for(r.plural, obj, now, True)}
        o = _row_object(obj, include)
        if o is not None:
            row["object"] = o
        rows.append(row)
    out: dict[str, Any] = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": dict(list_meta or {})}
    if headers:
        out["columnDefinitions"] = table_columns(r)
    out["rows"] = rows
    return out
