"""Read and validate scenario YAML before anything runs; every error names the file, the line and the problem."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from ktui.scenario.model import ACTIONS, Check, Scenario, ScenarioError, Step
from ktui.scenario.yamldoc import YamlDoc, kind_name, read_text

__all__ = [
    "BUILTIN_DIR",
    "builtin_names",
    "load_builtin",
    "load_file",
    "load_scenario",
    "parse_argv",
    "parse_cluster",
    "parse_duration_node",
    "parse_scenario",
    "parse_step",
]

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
"""Where the built-in scenarios live (package data)."""

_TOP_KEYS = ("name", "title", "description", "cluster", "seed", "steps")
_STEP_KEYS = ACTIONS + ("narrate", "title", "pause", "expect_exit")
_FAULT_KEYS = ("kind", "node", "pod", "namespace", "container", "image", "exit_code")
_EXPECT_KEYS = ("run", "stdin", "equals", "contains", "not_contains", "matches", "exit")
_SHELL_OPERATORS = {"|", "||", "&&", ";", ">", ">>", "<", "&", "2>&1"}


def _fault_kinds() -> tuple[str, ...]:
    from ktui.components.faults import FAULT_KINDS

    return tuple(FAULT_KINDS)


def parse_argv(doc: YamlDoc, node: yaml.Node, where: str, key: str) -> list[str]:
    """A kubectl command line split as bash would (without expansion); it must be a kubectl command."""
    line = doc.string(node, where, key)
    try:
        argv = shlex.split(line, comments=True)
    except ValueError as e:
        raise doc.error(doc.line(node), f"{where}{key}: cannot parse {line!r}: {e}") from None
    if not argv:
        raise doc.error(doc.line(node), f"{where}{key}: empty command")
    if argv[0] != "kubectl":
        raise doc.error(doc.line(node), f"{where}{key}: {line!r} is not a kubectl command")
    ops = [a for a in argv if a in _SHELL_OPERATORS]
    if ops:
        raise doc.error(
            doc.line(node), f"{where}{key}: shell operator {ops[0]!r} is not supported (one kubectl command per step)"
        )
    return argv


def _manifest(doc: YamlDoc, node: yaml.Node, where: str) -> str:
    if isinstance(node, yaml.MappingNode):
        return yaml.safe_dump(doc.value(node), sort_keys=False)
    text = doc.string(node, where, "apply")
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.MarkedYAMLError as e:
        base = doc.line(node) + (1 if getattr(node, "style", None) in ("|", ">") else 0)
        mark = e.context_mark if e.context and e.context_mark else e.problem_mark
        line = base + (mark.line if mark else 0)
        what = ", ".join(x for x in (e.context, e.problem) if x)
        raise doc.error(line, f"{where}apply: the manifest is not valid YAML: {what}") from None
    if not docs or not all(isinstance(d, dict) for d in docs):
        raise doc.error(doc.line(node), f"{where}apply: expected one or more Kubernetes objects")
    return text if text.endswith("\n") else text + "\n"


def _fault(doc: YamlDoc, node: yaml.Node, where: str) -> dict[str, Any]:
    doc.expect_kind(node, yaml.MappingNode, f"{where}fault: ", "a mapping with kind and a target")
    out: dict[str, Any] = {}
    for key, knode, vnode in doc.items(node, f"{where}fault: "):
        if key not in _FAULT_KEYS:
            raise doc.error(
                doc.line(knode), f"{where}fault: unknown key {key!r} (expected one of: {', '.join(_FAULT_KEYS)})"
            )
        out[key] = (
            doc.integer(vnode, where, "fault.exit_code")
            if key == "exit_code"
            else doc.string(vnode, where, f"fault.{key}")
        )
    kinds = _fault_kinds()
    if "kind" not in out:
        raise doc.error(doc.line(node), f"{where}fault needs a kind (one of: {', '.join(kinds)})")
    kind = out["kind"]
    if kind not in kinds:
        line = next(doc.line(v) for k, v in node.value if doc.value(k) == "kind")
        raise doc.error(line, f'{where}unknown fault kind "{kind}" (expected one of: {", ".join(kinds)})')
    need = "pod" if kind == "container-crash" else "image" if kind.startswith("image-") else "node"
    if need not in out:
        raise doc.error(doc.line(node), f"{where}fault {kind} needs a {need}")
    return {"kind": kind, **{k: out[k] for k in _FAULT_KEYS if k in out and k != "kind"}}


def parse_duration_node(doc: YamlDoc, node: yaml.Node, where: str, key: str) -> tuple[str, float]:
    from ktui.sim.timefmt import parse_duration

    raw = doc.value(node)
    if not isinstance(raw, str):
        raise doc.error(doc.line(node), f"{where}{key}: bad duration {raw!r} (write it like 45s, 5m or 1h30m)")
    try:
        return raw, parse_duration(raw)
    except ValueError:
        raise doc.error(
            doc.line(node), f"{where}{key}: bad duration {raw!r} (write it like 45s, 5m or 1h30m)"
        ) from None


def _wait(doc: YamlDoc, node: yaml.Node, where: str) -> list[str]:
    line = doc.string(node, where, "wait")
    words = line.split()
    prefixed = words[:2] == ["kubectl", "wait"]
    from ktui.sim.timefmt import parse_duration

    fake = yaml.ScalarNode(
        "tag:yaml.org,2002:str", line if prefixed else f"kubectl wait {line}", node.start_mark, node.end_mark
    )
    argv = parse_argv(doc, fake, where, "wait")
    if len(argv) < 2 or argv[1] != "wait":
        raise doc.error(doc.line(node), f"{where}wait: expected the arguments of kubectl wait")
    if not any(a.startswith("--for") for a in argv):
        raise doc.error(doc.line(node), f"{where}wait: needs --for=... (what to wait for)")
    for i, a in enumerate(argv):
        value = (
            a.split("=", 1)[1]
            if a.startswith("--timeout=")
            else (argv[i + 1] if a == "--timeout" and i + 1 < len(argv) else None)
        )
        if value is not None:
            try:
                parse_duration(value)
            except ValueError:
                raise doc.error(doc.line(node), f"{where}wait: bad --timeout {value!r}") from None
    return argv


def _expect(doc: YamlDoc, node: yaml.Node, where: str) -> Check:
    doc.expect_kind(node, yaml.MappingNode, f"{where}expect: ", "a mapping with run and checks")
    argv: list[str] | None = None
    text = ""
    fields: dict[str, Any] = {}
    for key, knode, vnode in doc.items(node, f"{where}expect: "):
        if key not in _EXPECT_KEYS:
            raise doc.error(
                doc.line(knode), f"{where}expect: unknown key {key!r} (expected one of: {', '.join(_EXPECT_KEYS)})"
            )
        if key == "run":
            argv = parse_argv(doc, vnode, where, "expect.run")
            text = doc.value(vnode).strip()
        elif key == "stdin":
            fields["stdin"] = doc.string(vnode, where, "expect.stdin")
        elif key == "exit":
            fields["exit"] = doc.integer(vnode, where, "expect.exit")
        elif key in ("contains", "not_contains") and isinstance(vnode, yaml.SequenceNode):
            fields[key] = tuple(doc.string(v, where, f"expect.{key}[]") for v in vnode.value)
        else:
            value = doc.string(vnode, where, f"expect.{key}")
            if key == "matches":
                try:
                    re.compile(value)
                except re.error as e:
                    raise doc.error(doc.line(vnode), f"{where}expect.matches: bad regular expression: {e}") from None
            fields[key] = (value,) if key in ("contains", "not_contains") else value
    if argv is None:
        raise doc.error(doc.line(node), f"{where}expect needs run: <kubectl command>")
    if not set(fields) - {"stdin"}:
        raise doc.error(
            doc.line(node), f"{where}expect needs at least one of: equals, contains, not_contains, matches, exit"
        )
    return Check(tuple(argv), text, **fields)


def parse_step(doc: YamlDoc, node: yaml.Node, number: int, label: str = "step") -> Step:
    """One step (a scenario step, or a lab's setup action) from its mapping node; ``label`` starts its errors."""
    where = f"{label} {number}: "
    doc.expect_kind(node, yaml.MappingNode, where, "a mapping")
    values: dict[str, yaml.Node] = {}
    for key, knode, vnode in doc.items(node, where):
        if key not in _STEP_KEYS:
            raise doc.error(doc.line(knode), f"{where}unknown key {key!r} (expected one of: {', '.join(_STEP_KEYS)})")
        values[key] = vnode
    actions = [k for k in ACTIONS if k in values]
    if len(actions) > 1:
        raise doc.error(doc.line(node), f"{where}one action per step, found {' and '.join(actions)}")
    if not actions and "narrate" not in values:
        raise doc.error(doc.line(node), f"{where}nothing to do (expected one of: {', '.join(ACTIONS)}, or narrate)")
    kind = actions[0] if actions else "narrate"
    args: dict[str, Any] = {}
    if "title" in values:
        args["titles"] = doc.text(values["title"], where, "title")
    if "narrate" in values:
        args["narrations"] = doc.text(values["narrate"], where, "narrate")
    if "pause" in values:
        pause = doc.value(values["pause"])
        if not isinstance(pause, bool):
            raise doc.error(doc.line(values["pause"]), f"{where}pause must be true or false, not {kind_name(pause)}")
        args["pause"] = pause
    if "expect_exit" in values:
        if kind not in ("run", "apply"):
            raise doc.error(doc.line(values["expect_exit"]), f"{where}expect_exit goes with run or apply")
        args["expect_exit"] = doc.integer(values["expect_exit"], where, "expect_exit")
    if kind == "run":
        args["argv"] = tuple(parse_argv(doc, values["run"], where, "run"))
        args["text"] = doc.value(values["run"]).strip()
    elif kind == "apply":
        args["manifest"] = _manifest(doc, values["apply"], where)
    elif kind == "fault":
        args["fault"] = _fault(doc, values["fault"], where)
    elif kind == "advance":
        args["duration"], args["seconds"] = parse_duration_node(doc, values["advance"], where, "advance")
    elif kind == "wait":
        args["argv"] = tuple(_wait(doc, values["wait"], where))
        raw = doc.value(values["wait"]).strip()
        args["text"] = raw if raw.split()[:2] == ["kubectl", "wait"] else f"kubectl wait {raw}"
    elif kind == "expect":
        args["check"] = _expect(doc, values["expect"], where)
    return Step(number=number, line=doc.line(node), kind=kind, **args)


def parse_cluster(doc: YamlDoc, node: yaml.Node, base: Path | None) -> dict[str, Any] | None:
    from ktui.clusterspec import SpecError, load_spec, normalize_spec

    if isinstance(node, yaml.ScalarNode):
        value = doc.value(node)
        if value in ("default", None):
            return None
        if not isinstance(value, str):
            raise doc.error(
                doc.line(node), f"cluster must be default, a cluster spec or a path, not {kind_name(value)}"
            )
        path = Path(value) if base is None or Path(value).is_absolute() else base / value
        try:
            return load_spec(path)
        except SpecError as e:
            raise doc.error(doc.line(node), f"cluster: {e}") from None
    doc.expect_kind(node, yaml.MappingNode, "cluster: ", "default, a cluster spec or a path")
    try:
        return normalize_spec(doc.value(node))
    except SpecError as e:
        raise doc.error(doc.line(node), str(e)) from None


def parse_scenario(
    text: str, source: str = "<scenario>", *, base_dir: Path | None = None, default_name: str = "scenario"
) -> Scenario:
    """A :class:`Scenario` from YAML text.

    Args:
        text: the YAML.
        source: how error messages name the file.
        base_dir: where a ``cluster:`` path is relative to.
        default_name: the name when the file gives none.

    Raises:
        ScenarioError: ``source:line: problem`` for anything wrong.
    """
    doc = YamlDoc(text, source)
    if doc.root is None:
        raise ScenarioError(f"{source}:1: the file is empty")
    doc.expect_kind(doc.root, yaml.MappingNode, "", "a mapping with name, title, steps, ...")
    top: dict[str, yaml.Node] = {}
    for key, knode, vnode in doc.items(doc.root, ""):
        if key not in _TOP_KEYS:
            raise doc.error(doc.line(knode), f"unknown key {key!r} (expected one of: {', '.join(_TOP_KEYS)})")
        top[key] = vnode
    if "steps" not in top:
        raise doc.error(doc.line(doc.root), "no steps")
    doc.expect_kind(top["steps"], yaml.SequenceNode, "steps: ", "a list of steps")
    steps = tuple(parse_step(doc, n, i) for i, n in enumerate(top["steps"].value, 1))
    if not steps:
        raise doc.error(doc.line(top["steps"]), "no steps")
    name = doc.string(top["name"], "", "name") if "name" in top else default_name
    return Scenario(
        name=name,
        source=source,
        steps=steps,
        titles=doc.text(top["title"], "", "title") if "title" in top else {},
        descriptions=doc.text(top["description"], "", "description") if "description" in top else {},
        cluster=parse_cluster(doc, top["cluster"], base_dir) if "cluster" in top else None,
        seed=doc.integer(top["seed"], "", "seed") if "seed" in top else 0,
    )


def load_file(path: str | Path, *, source: str | None = None) -> Scenario:
    """Load the scenario file at ``path``.

    Raises:
        ScenarioError: the file cannot be read or is not a valid scenario.
    """
    p = Path(path)
    shown = source or str(path)
    text = read_text(p, shown)
    return parse_scenario(text, shown, base_dir=p.parent, default_name=p.stem)


def builtin_names() -> list[str]:
    """The built-in scenarios' names, in the order the notes teach them."""
    order = [
        "pod-lifecycle",
        "node-failure",
        "kubelet",
        "services-and-kube-proxy",
        "replicaset-selectors",
        "namespace-quota",
        "kubectl-imperative",
        "kubectl-apply",
    ]
    found = sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))
    return [n for n in order if n in found] + [n for n in found if n not in order]


def load_builtin(name: str) -> Scenario:
    """The built-in scenario ``name``.

    Raises:
        ScenarioError: there is no such built-in scenario.
    """
    path = BUILTIN_DIR / f"{name}.yaml"
    if "/" in name or not path.is_file():
        raise ScenarioError(f"no built-in scenario {name!r} (built-in: {', '.join(builtin_names())})")
    return load_file(path, source=path.name)


def load_scenario(name_or_file: str | Path) -> Scenario:
    """A built-in scenario by name, or a scenario file by path (a path names an existing file or ends in .yaml)."""
    text = str(name_or_file)
    if text in builtin_names():
        return load_builtin(text)
    if Path(text).exists() or text.endswith((".yaml", ".yml")) or "/" in text:
        return load_file(text)
    return load_builtin(text)
