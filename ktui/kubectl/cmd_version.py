"""``kubectl version``: the client, Kustomize and (simulated) server versions."""

from __future__ import annotations

import json

from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import to_yaml
from ktui.version import KUBERNETES_VERSION

__all__ = ["CLIENT_VERSION", "SERVER_VERSION"]

CLIENT_VERSION = dict(KUBERNETES_VERSION)
SERVER_VERSION = dict(KUBERNETES_VERSION)
KUSTOMIZE = "v5.8.1"


@command("version")
def version(inv: Invocation) -> None:
    """``kubectl version [--client] [-o json|yaml]``."""
    out = {"clientVersion": CLIENT_VERSION, "kustomizeVersion": KUSTOMIZE}
    if not inv.opts["client"]:
        out["serverVersion"] = SERVER_VERSION
    fmt = inv.opts["output"]
    if fmt == "json":
        inv.write(json.dumps(out, indent=2) + "\n")
    elif fmt == "yaml":
        inv.write(to_yaml(out) + "\n")
    elif fmt:
        raise KubectlError("--output must be 'yaml' or 'json'")
    else:
        inv.write(f"Client Version: {CLIENT_VERSION['gitVersion']}\nKustomize Version: {KUSTOMIZE}\n")
        if "serverVersion" in out:
            inv.write(f"Server Version: {SERVER_VERSION['gitVersion']}\n")
