"""What kubectl's generators share (``kubectl create``, ``run``, ``expose``): names, metadata, labels, hashes.

Objects built on the client are dicts in the Go struct field order of their types, so ``-o json`` of a
``--dry-run=client`` object matches kubectl (which prints typed objects in field order).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ktui.kubectl.errors import KubectlError
from ktui.kubectl.flags import ParsedArgs
from ktui.kubectl.main import Invocation

__all__ = [
    "one_name",
    "meta",
    "meta_for",
    "after_dash",
    "split_kv",
    "container_name",
    "parse_labels",
    "content_hash",
    "with_hash",
]


def one_name(inv: Invocation) -> str:
    """``exactly one NAME is required, got N``."""
    count = inv.opts.dash_index if inv.opts.dash_index >= 0 else len(inv.args)
    if count != 1:
        raise inv.usage_error(f"exactly one NAME is required, got {count}")
    return inv.args[0]


def meta(
    inv: Invocation, name: str, labels: dict | None = None, annotations: dict | None = None, namespaced: bool = True
) -> dict:
    """ObjectMeta in field order; the namespace only when ``-n`` was given (as kubectl's generators do)."""
    return meta_for(name, inv.namespace if namespaced and inv.explicit_namespace else "", labels, annotations)


def meta_for(name: str, namespace: str = "", labels: dict | None = None, annotations: dict | None = None) -> dict:
    """ObjectMeta in field order, from the builders' options: the namespace only when one is given."""
    md: dict[str, Any] = {"name": name}
    if namespace:
        md["namespace"] = namespace
    if labels:
        md["labels"] = labels
    if annotations:
        md["annotations"] = annotations
    return md


def after_dash(opts: ParsedArgs) -> tuple[str, ...]:
    """The words after ``--`` on the command line (none without ``--``)."""
    return tuple(opts.args[opts.dash_index :]) if opts.dash_index >= 0 else ()


def split_kv(spec: str, what: str) -> tuple[str, str]:
    """``key=value`` as a pair, or kubectl's ``invalid WHAT SPEC, expected key=value``."""
    key, eq, value = spec.partition("=")
    if not eq or not key:
        raise KubectlError(f"invalid {what} {spec}, expected key=value")
    return key, value


def container_name(image: str) -> str:
    """The container name kubectl derives from an image: last path part, without tag or digest."""
    name = image.split("/")[-1].split(":")[0].split("@")[0]
    return name.replace("_", "-").replace(".", "-")


def parse_labels(spec: str) -> dict[str, str]:
    """``a=b,c=d`` as ``--labels`` takes it."""
    labels = {}
    for part in spec.split(","):
        key, eq, value = part.partition("=")
        if not eq:
            raise KubectlError(f"unexpected label spec: {part}")
        labels[key] = value
    return labels


def content_hash(obj: dict) -> str:
    """kubectl's ``hash.SecretHash``/``ConfigMapHash``: ten characters of a SHA-256 of the object's content."""
    md = obj["metadata"]
    if obj["kind"] == "Secret":
        m: dict[str, Any] = {
            "kind": "Secret",
            "type": obj.get("type", ""),
            "name": md["name"],
            "data": obj.get("data") or None,
        }
    else:
        m = {"kind": "ConfigMap", "name": md["name"], "data": obj.get("data") or None}
        if obj.get("binaryData"):
            m["binaryData"] = obj["binaryData"]
    encoded = json.dumps(m, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:10]
    return digest.translate(str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"}))  # type: ignore[arg-type]


def with_hash(obj: dict, append: bool) -> dict:
    """``obj``, its name suffixed ``-<hash of the content>`` when ``append`` (``--append-hash``): pure."""
    if not append:
        return obj
    return {**obj, "metadata": {**obj["metadata"], "name": f"{obj['metadata']['name']}-{content_hash(obj)}"}}
