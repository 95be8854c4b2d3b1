"""The ``:`` line's completion and the UI's module boundaries."""

from __future__ import annotations

import subprocess
import sys

from ktui.tui.completion import complete

TYPES = ["pods", "pod", "po", "nodes", "node", "no", "services", "svc", "deployments", "deploy"]


def names(rtype: str, ns: str | None) -> list[str]:
    table = {
        ("pods", "default"): ["web-1", "web-2"],
        ("pods", "kube-system"): ["coredns-a"],
        ("nodes", None): ["node01", "node02"],
        ("namespaces", None): ["default", "kube-system"],
    }
    plural = {"po": "pods", "pod": "pods", "no": "nodes", "node": "nodes"}.get(rtype, rtype)
    return table.get((plural, ns), table.get((plural, None), []))


def test_subcommands_then_types_then_names():
    assert complete("des", TYPES, names) == ["describe"]
    assert "get" in complete("g", TYPES, names)
    assert complete("get de", TYPES, names) == ["get deploy", "get deployments"]
    assert complete("get pods w", TYPES, names) == ["get pods web-1", "get pods web-2"]
    assert complete("get pods -n kube-system c", TYPES, names) == ["get pods -n kube-system coredns-a"]
    assert complete("get pods -n k", TYPES, names) == ["get pods -n kube-system"]
    assert complete("drain n", TYPES, names) == ["drain node01", "drain node02"]
    assert complete("logs w", TYPES, names) == ["logs web-1", "logs web-2"]
    assert complete("kubectl des", TYPES, names) == ["kubectl describe"]
    assert complete("no", TYPES, names) == ["nodes"]


def test_the_simulation_never_imports_textual():
    code = (
        "import sys, ktui.cluster, ktui.kubectl, ktui.scenario, ktui.tui.feed, ktui.tui.views, "
        "ktui.tui.routing, ktui.tui.rows, ktui.tui.kube; "
        "print('textual' in sys.modules or 'rich' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
