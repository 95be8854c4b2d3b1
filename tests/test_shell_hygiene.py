"""Shells use public calls only (DESIGN.md, principle 7): no shell module reads ``.world`` or a private name of
``Cluster``; what they need of the simulation they ask ``cluster.inspect`` (:mod:`ktui.inspection`)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "ktui"
SHELLS = ["tui", "lab", "scenario", "server", "kubectl", "local.py", "cli.py"]


def _is_cluster(node: ast.AST) -> bool:
    """``cluster`` or ``<anything>.cluster``: an expression that names a Cluster."""
    return (isinstance(node, ast.Name) and node.id == "cluster") or (
        isinstance(node, ast.Attribute) and node.attr in ("cluster", "_cluster")
    )


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def offences(source: str, filename: str = "<source>") -> list[str]:
    """Each place ``source`` reads ``.world`` (or ``getattr(x, "world")``) or a private attribute of a cluster."""
    out = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Attribute):
            if node.attr == "world":
                out.append(f"{filename}:{node.lineno}: .world")
            elif _private(node.attr) and _is_cluster(node.value):
                out.append(f"{filename}:{node.lineno}: cluster.{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            name = node.args[1].value
            if name == "world" or (_private(name) and _is_cluster(node.args[0])):
                out.append(f"{filename}:{node.lineno}: {node.func.id}(..., {name!r})")
    return out


def _files(shell: str) -> list[Path]:
    base = ROOT / shell
    return sorted(base.rglob("*.py")) if base.is_dir() else [base]


@pytest.mark.parametrize("shell", SHELLS)
def test_shells_read_neither_the_world_nor_private_names_of_the_cluster(shell):
    found = [o for f in _files(shell) for o in offences(f.read_text(), str(f.relative_to(ROOT)))]
    assert found == []


@pytest.mark.parametrize(
    "line",
    [
        "cluster.world.kernel.steps",
        "self.cluster.world.components.get('kube-scheduler')",
        "x = self.session.cluster._history.inputs",
        "getattr(cluster.world, 'network', None)",
        "getattr(app, 'world')",
        "getattr(self.cluster, '_notify_reset')()",
        "self._cluster._history",
    ],
)
def test_the_check_finds_each_kind_of_reach(line):
    assert len(offences(line)) >= 1


@pytest.mark.parametrize(
    "line",
    [
        "cluster.inspect.explain_pod('default', 'web')",
        "cluster.history.inputs",
        "self._cluster.now",
        "cluster.__class__",
        "worldly = 1",
    ],
)
def test_the_check_lets_public_calls_through(line):
    assert offences(line) == []
