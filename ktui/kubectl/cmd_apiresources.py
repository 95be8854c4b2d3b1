"""``kubectl api-resources`` and ``kubectl api-versions``, from the API server's resource registry."""

from __future__ import annotations

from ktui.api.metrics import metrics_available, with_metrics
from ktui.api.registry import REGISTRY
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import tabwrite

__all__: list[str] = []


def _served(inv: Invocation) -> list:
    """The registry, plus metrics.k8s.io while metrics-server runs (its APIService is available then)."""
    return list(with_metrics(REGISTRY)) if metrics_available(inv.client) else list(REGISTRY)


@command("api-resources")
def api_resources(inv: Invocation) -> None:
    """``kubectl api-resources [--namespaced] [--api-group] [-o wide|name] [--sort-by] [--verbs]``."""
    o = inv.opts
    if o["output"] not in ("", "wide", "name"):
        raise KubectlError(f"--output {o['output']} is not available")
    if o["sort-by"] not in ("", "name", "kind"):
        raise KubectlError("--sort-by accepts only name or kind")
    rows = []
    for r in _served(inv):
        if o.given("namespaced") and r.namespaced != o["namespaced"]:
            continue
        if o.given("api-group") and r.group != o["api-group"]:
            continue
        if o["verbs"] and not set(o["verbs"]) <= set(r.verbs):
            continue
        if o["categories"] and not set(o["categories"]) <= set(r.categories):
            continue
        rows.append(r)
    key = {"name": lambda r: r.plural, "kind": lambda r: r.kind}.get(o["sort-by"], lambda r: r.group)
    rows.sort(key=key)
    if o["output"] == "name":
        inv.write("".join(f"{r.plural}.{r.group}\n" if r.group else f"{r.plural}\n" for r in rows))
        return
    header = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    if o["output"] == "wide":
        header += ["VERBS", "CATEGORIES"]
    table = [] if o["no-headers"] else [header]
    for r in rows:
        row = [r.plural, ",".join(r.short_names), r.api_version, "true" if r.namespaced else "false", r.kind]
        if o["output"] == "wide":
            row += [",".join(sorted(r.verbs)), ",".join(r.categories)]
        table.append(row)
    inv.write(tabwrite(table))


@command("api-versions")
def api_versions(inv: Invocation) -> None:
    """``kubectl api-versions``: every group/version the server serves, sorted."""
    versions = sorted({r.api_version for r in _served(inv)})
    inv.write("".join(v + "\n" for v in versions))
