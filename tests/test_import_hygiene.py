"""The simulation layers never import Textual or Rich, and layers import only downwards."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "ktui"
SIM_LAYERS = ["sim", "store", "api", "components", "net"]
# Each layer may import only the layers listed after it.
ORDER = ["cli", "server", "tui", "lab", "scenario", "kubectl", "local", "cluster", "state", "world", "clusterspec", "net",
         "components", "api", "store", "sim"]


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (type-only imports are not dependencies)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", getattr(child.test, "attr", "")) == "TYPE_CHECKING":
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = []
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _files(layer: str):
    base = ROOT / layer
    return sorted(base.rglob("*.py")) if base.is_dir() else [ROOT / f"{layer}.py"]


@pytest.mark.parametrize("layer", SIM_LAYERS)
def test_simulation_layers_do_not_import_ui_libraries(layer):
    offenders = [
        f"{f.relative_to(ROOT)} imports {name}"
        for f in _files(layer)
        for name in _imports(f)
        if name.split(".")[0] in ("textual", "rich")
    ]
    assert offenders == []


@pytest.mark.parametrize("layer", ORDER)
def test_layers_import_only_downwards(layer):
    below = set(ORDER[ORDER.index(layer) + 1 :]) | {layer}
    offenders = []
    for f in _files(layer):
        if not f.exists():
            continue
        for name in _imports(f):
            parts = name.split(".")
            if parts[0] == "ktui" and len(parts) > 1 and parts[1] in ORDER and parts[1] not in below:
                offenders.append(f"{f.relative_to(ROOT)} imports {name}")
    assert offenders == []
