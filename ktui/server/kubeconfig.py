"""The ``ktui`` context in the user's kubeconfig: written by ``ktui up``, removed by ``ktui down``, other
contexts untouched (as kind does with ``kind-kind``)."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import yaml

from ktui.server.certs import PKI

__all__ = ["CONTEXT", "default_path", "write_context", "remove_context", "kubeconfig_text"]

CONTEXT = "ktui"
"""The name of the cluster, user and context written."""


def default_path() -> Path:
    """The first file of ``$KUBECONFIG``, else ``~/.kube/config``."""
    env = os.environ.get("KUBECONFIG", "")
    first = next((p for p in env.split(os.pathsep) if p), "")
    return Path(first) if first else Path(os.path.expanduser("~")) / ".kube" / "config"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _entries(pki: PKI, server: str) -> tuple[dict, dict, dict]:
    admin = pki.admin()
    cluster = {"name": CONTEXT, "cluster": {"server": server, "certificate-authority-data": _b64(pki.ca.cert_pem)}}
    user = {
        "name": CONTEXT,
        "user": {"client-certificate-data": _b64(admin.cert_pem), "client-key-data": _b64(admin.key_pem)},
    }
    context = {"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": "default"}}
    return cluster, user, context


def kubeconfig_text(pki: PKI, server: str) -> str:
    """A kubeconfig with only the ``ktui`` context (tests, ``--kubeconfig`` to a new file)."""
    cluster, user, context = _entries(pki, server)
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [cluster],
            "users": [user],
            "contexts": [context],
            "current-context": CONTEXT,
            "preferences": {},
        },
        sort_keys=False,
    )


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [],
            "users": [],
            "contexts": [],
            "current-context": "",
            "preferences": {},
        }
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a kubeconfig file")
    for key in ("clusters", "users", "contexts"):
        data[key] = [e for e in (data.get(key) or []) if isinstance(e, dict)]
    return data


def _save(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".ktui-tmp")
    tmp.touch(mode=0o600)
    tmp.write_text(yaml.safe_dump(data, sort_keys=False))
    os.replace(tmp, path)


def write_context(path: Path, pki: PKI, server: str) -> str:
    """Add (or replace) the ``ktui`` cluster, user and context in ``path`` and make it the current context.

    Returns:
        The context that was current before (``ktui down`` makes it current again).
    """
    data = _load(path)
    previous = data.get("current-context") or ""
    for key, entry in zip(("clusters", "users", "contexts"), _entries(pki, server)):
        data[key] = [e for e in data[key] if e.get("name") != CONTEXT] + [entry]
    data["current-context"] = CONTEXT
    _save(path, data)
    return "" if previous == CONTEXT else previous


def remove_context(path: Path, previous: str = "") -> bool:
    """Remove the ``ktui`` entries from ``path`` (``previous`` becomes current again); True if there were any."""
    if not path.exists():
        return False
    data = _load(path)
    before = sum(len(data[k]) for k in ("clusters", "users", "contexts"))
    for key in ("clusters", "users", "contexts"):
        data[key] = [e for e in data[key] if e.get("name") != CONTEXT]
    changed = before != sum(len(data[k]) for k in ("clusters", "users", "contexts"))
    if data.get("current-context") == CONTEXT:
        data["current-context"] = previous if any(c.get("name") == previous for c in data["contexts"]) else ""
        changed = True
    if changed:
        _save(path, data)
    return changed
