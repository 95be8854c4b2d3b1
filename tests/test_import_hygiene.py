"""The simulation layers never import Textual or Rich, and layers import only downwards."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "ktui"
SIM_LAYERS = ["sim", "store", "api", "components", "net"]
# Each layer may import only the layers listed after it.
ORDER = [
    "cli",
    "lab",
    "tui",
    "server",
    "scenario",
    "kubectl",
    "local",
    "cluster",
    "inspection",
    "state",
    "world",
    "clusterspec",
    "net",
    "components",
    "api",
    "store",
    "sim",
]


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (type-only imports are not dependencies)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if (
                isinstance(child, ast.If)
                and getattr(child.test, "id", getattr(child.test, "attr", "")) == "TYPE_CHECKING"
            ):
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


# No circle is left (issue 11): any circle fails the test below.
KNOWN_CIRCLES: set[frozenset[str]] = set()


def _circles() -> set[frozenset[str]]:
    """Strongly connected groups of modules (type-only and function-level imports included)."""
    import grimp

    graph = grimp.build_graph("ktui", cache_dir=None)
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                group = set()
                while True:
                    x = stack.pop()
                    on_stack.discard(x)
                    group.add(x)
                    if x == v:
                        break
                if len(group) > 1:
                    found.add(frozenset(group))
    return found


def test_no_import_circles_between_modules_but_the_known_ones():
    circles = _circles()
    assert circles - KNOWN_CIRCLES == set(), "new import circles"


def test_no_circle_left_in_the_simulation_or_cluster_layers():
    outside = [
        sorted(c)
        for c in _circles()
        if any(m.split(".")[1] not in ("kubectl", "tui", "server", "lab") for m in c if m != "ktui")
    ]
    assert outside == []


def test_no_kubectl_command_imports_another():
    """Commands stand side by side: what several share lives in builder, submit, generate, follow or the printers."""
    import grimp

    graph = grimp.build_graph("ktui", cache_dir=None)
    commands = sorted(m for m in graph.modules if m.startswith("ktui.kubectl.cmd_"))
    assert len(commands) > 20
    offenders = [
        f"{m} imports {other}"
        for m in commands
        for other in sorted(graph.find_modules_directly_imported_by(m))
        if other.startswith("ktui.kubectl.cmd_")
    ]
    assert offenders == []


def test_module_names_say_what_they_hold():
    """No grab-bag modules (issue 11): ``*_more``, ``others``, ``misc``, ``*_util``, ``utils``, ``helpers``."""
    vague = [
        str(f.relative_to(ROOT))
        for f in ROOT.rglob("*.py")
        if f.stem.endswith(("_more", "_util", "_utils")) or f.stem in ("others", "misc", "util", "utils", "helpers")
    ]
    assert vague == []
