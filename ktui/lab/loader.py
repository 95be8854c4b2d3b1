"""Read and validate lab YAML before anything runs; every error names the file, the line and the problem.

A lab file shares the scenario format's document, texts, cluster, setup steps and kubectl checks
(:mod:`ktui.scenario.loader`) and adds tasks, hints, solutions and checks of its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ktui.lab.lines import LineError, parse_lines
from ktui.lab.model import KubectlCheck, Lab, LabCheck, LabError, ObjectCheck, ObjectRef, ScriptCheck, Task
from ktui.scenario.loader import parse_argv, parse_cluster, parse_duration_node, parse_step
from ktui.scenario.model import Check, ScenarioError
from ktui.scenario.yamldoc import YamlDoc, kind_name, read_text

__all__ = ["BUILTIN_DIR", "READ_COMMANDS", "builtin_names", "load_builtin", "load_file", "load_lab", "parse_lab"]

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
"""Where the built-in labs live (package data)."""

_TOP_KEYS = ("name", "title", "description", "cluster", "seed", "speed", "time_limit", "setup", "tasks")
_TASK_KEYS = ("title", "text", "hints", "solution", "checks")
_MATCH_KEYS = ("equals", "contains", "not_contains", "matches")
_KUBECTL_KEYS = ("run", "jsonpath", *_MATCH_KEYS, "exit", "message")
_OBJECT_KEYS = (
    "resource",
    "name",
    "namespace",
    "selector",
    "field_selector",
    "jsonpath",
    *_MATCH_KEYS,
    "exists",
    "count",
    "same_as",
    "selects",
    "not_recreated",
    "unchanged",
    "message",
)
_REF_KEYS = ("resource", "name", "namespace", "jsonpath")
_SCRIPT_KEYS = ("script", "timeout", "message")

READ_COMMANDS = (
    "get",
    "describe",
    "logs",
    "exec",
    "auth can-i",
    "top node",
    "top pod",
    "explain",
    "api-resources",
    "api-versions",
    "version",
    "cluster-info",
    "rollout history",
)
"""The kubectl commands a check may run: they only read."""

_WATCH_FLAGS = ("-w", "--watch", "--watch-only", "-f", "--follow", "-i", "--stdin", "-t", "--tty", "-it", "-ti")


def _read_only(doc: YamlDoc, node: yaml.Node, argv: list[str], where: str) -> None:
    """Refuse a check command that could change the cluster or wait on its clock."""
    words = argv[1:]
    if not words or words[0].startswith("-"):
        raise doc.error(doc.line(node), f"{where}run: put the command first (kubectl get ... -n NAMESPACE)")
    path = " ".join(words[:2]) if words[0] in ("auth", "top", "rollout") else words[0]
    if path not in READ_COMMANDS:
        raise doc.error(
            doc.line(node), f"{where}run: a check only reads; kubectl {path} is not one of: {', '.join(READ_COMMANDS)}"
        )
    dash = words.index("--") if "--" in words else len(words)
    for w in words[:dash]:
        if w.split("=")[0] in _WATCH_FLAGS:
            raise doc.error(doc.line(node), f"{where}run: {w} waits or reads input; a check must answer at once")
    # `exec` runs in a throwaway copy of the cluster (ktui.lab.sandbox): any program leaves the cluster as it was


def _jsonpath(doc: YamlDoc, node: yaml.Node, where: str, key: str) -> str:
    """A kubectl JSONPath template; ``.a.b`` without braces means ``{.a.b}``."""
    from ktui.kubectl import jsonpath

    text = doc.string(node, where, key).strip()
    if "{" not in text:
        text = "{" + text + "}"
    try:
        jsonpath.parse(text)
    except jsonpath.JSONPathError as e:
        raise doc.error(doc.line(node), f"{where}{key}: bad JSONPath {text!r}: {e}") from None
    return text


def _matching(doc: YamlDoc, key: str, node: yaml.Node, where: str) -> Any:
    if key in ("contains", "not_contains"):
        if isinstance(node, yaml.SequenceNode):
            return tuple(doc.string(v, where, f"{key}[]") for v in node.value)
        return (doc.string(node, where, key),)
    value = _scalar_text(doc, node, where, key) if key == "equals" else doc.string(node, where, key)
    if key == "matches":
        try:
            re.compile(value)
        except re.error as e:
            raise doc.error(doc.line(node), f"{where}matches: bad regular expression: {e}") from None
    return value


def _scalar_text(doc: YamlDoc, node: yaml.Node, where: str, key: str) -> str:
    """``equals: 3`` or ``equals: true`` compare with the text kubectl prints (``3``, ``true``)."""
    v = doc.value(node) if isinstance(node, yaml.ScalarNode) else None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    raise doc.error(doc.line(node), f"{where}{key} must be a string, not {kind_name(v)}")


def _boolean(doc: YamlDoc, node: yaml.Node, where: str, key: str) -> bool:
    v = doc.value(node)
    if not isinstance(v, bool):
        raise doc.error(doc.line(node), f"{where}{key} must be true or false, not {kind_name(v)}")
    return v


def _keys(doc: YamlDoc, node: yaml.Node, allowed: tuple[str, ...], where: str) -> dict[str, yaml.Node]:
    out: dict[str, yaml.Node] = {}
    for key, knode, vnode in doc.items(node, where):
        if key not in allowed:
            raise doc.error(doc.line(knode), f"{where}unknown key {key!r} (expected one of: {', '.join(allowed)})")
        out[key] = vnode
    return out


def _ref(doc: YamlDoc, node: yaml.Node, where: str, key: str) -> ObjectRef:
    doc.expect_kind(node, yaml.MappingNode, f"{where}{key}: ", "a mapping (resource, name, namespace, jsonpath)")
    v = _keys(doc, node, _REF_KEYS, f"{where}{key}: ")
    args = {k: doc.string(v[k], where, f"{key}.{k}") for k in ("resource", "name", "namespace") if k in v}
    if "jsonpath" in v:
        args["jsonpath"] = _jsonpath(doc, v["jsonpath"], where, f"{key}.jsonpath")  # type: ignore[index]
    return ObjectRef(**args)


def _check(doc: YamlDoc, node: yaml.Node, where: str) -> LabCheck:
    doc.expect_kind(node, yaml.MappingNode, where, "a mapping (run, resource or script, and a message)")
    keys = [doc.value(k) for k, _ in node.value]
    kinds = [k for k in ("run", "resource", "script") if k in keys]
    if len(kinds) != 1:
        found = " and ".join(kinds) if kinds else "none"
        raise doc.error(doc.line(node), f"{where}a check has one of run, resource or script (found {found})")
    allowed = {"run": _KUBECTL_KEYS, "resource": _OBJECT_KEYS, "script": _SCRIPT_KEYS}[kinds[0]]
    v = _keys(doc, node, allowed, where)
    if "message" not in v:
        raise doc.error(doc.line(node), f"{where}needs a message saying what is wrong when it fails")
    common: dict[str, Any] = {"line": doc.line(node), "messages": doc.text(v["message"], where, "message")}
    match = {k: _matching(doc, k, v[k], where) for k in _MATCH_KEYS if k in v}
    if kinds[0] == "run":
        argv = parse_argv(doc, v["run"], where, "run")
        _read_only(doc, v["run"], argv, where)
        exit_code = doc.integer(v["exit"], where, "exit") if "exit" in v else None
        if not match and exit_code is None:
            raise doc.error(doc.line(node), f"{where}needs at least one of: {', '.join(_MATCH_KEYS)}, exit")
        check = Check(tuple(argv), doc.value(v["run"]).strip(), exit=exit_code, **match)
        jp = _jsonpath(doc, v["jsonpath"], where, "jsonpath") if "jsonpath" in v else None
        return KubectlCheck(**common, check=check, jsonpath=jp)
    if kinds[0] == "script":
        script = doc.string(v["script"], where, "script")
        if "timeout" in v:
            common["timeout"] = parse_duration_node(doc, v["timeout"], where, "timeout")[1]
        return ScriptCheck(**common, script=script)
    return _object_check(doc, node, v, where, common, match)


def _object_check(
    doc: YamlDoc, node: yaml.Node, v: dict[str, yaml.Node], where: str, common: dict[str, Any], match: dict[str, Any]
) -> ObjectCheck:
    args: dict[str, Any] = {
        k: doc.string(v[k], where, k) for k in ("resource", "name", "namespace", "selector", "field_selector") if k in v
    }
    if "jsonpath" in v:
        args["jsonpath"] = _jsonpath(doc, v["jsonpath"], where, "jsonpath")
    if "exists" in v:
        args["exists"] = _boolean(doc, v["exists"], where, "exists")
    if "not_recreated" in v:
        args["not_recreated"] = _boolean(doc, v["not_recreated"], where, "not_recreated")
    if "unchanged" in v:
        args["unchanged"] = _jsonpath(doc, v["unchanged"], where, "unchanged")
    if "count" in v:
        args["count"] = doc.integer(v["count"], where, "count")
    for key in ("same_as", "selects"):
        if key in v:
            args[key] = _ref(doc, v[key], where, key)
    named = "name" in args
    if not named and any(k in args for k in ("exists", "not_recreated", "unchanged", "same_as", "selects")):
        raise doc.error(doc.line(node), f"{where}exists, not_recreated, unchanged, same_as and selects need a name")
    if named and ("count" in args or "selector" in args or "field_selector" in args):
        raise doc.error(doc.line(node), f"{where}count and selectors are for lists: leave out name")
    if match and "jsonpath" not in args:
        raise doc.error(doc.line(node), f"{where}{next(iter(match))} needs a jsonpath to compare")
    if "same_as" in args and ("jsonpath" not in args or not args["same_as"].jsonpath):
        raise doc.error(doc.line(node), f"{where}same_as compares a jsonpath with same_as.jsonpath: give both")
    if "selects" in args and not args["selects"].name:
        raise doc.error(doc.line(node), f"{where}selects needs the name of the object it must select")
    if args.get("exists") is False and (
        match or {"jsonpath", "not_recreated", "unchanged", "same_as", "selects"} & set(args)
    ):
        raise doc.error(doc.line(node), f"{where}exists: false checks nothing else")
    if not (match or {"exists", "count", "not_recreated", "unchanged", "same_as", "selects"} & set(args)):
        raise doc.error(
            doc.line(node),
            f"{where}nothing to check (exists, count, not_recreated, unchanged, "
            f"jsonpath with {'/'.join(_MATCH_KEYS)}, same_as or selects)",
        )
    return ObjectCheck(**common, **args, **match)


def _solution(doc: YamlDoc, node: yaml.Node, where: str) -> dict[str, str]:
    """The solution: a block of shell lines, a list of lines, or per language; every line must be runnable."""
    if isinstance(node, yaml.SequenceNode):
        texts = {"en": "".join(doc.string(n, where, "solution[]").rstrip("\n") + "\n" for n in node.value)}
    else:
        texts = doc.text(node, where, "solution")
    for lang, text in texts.items():
        on_node = False
        for item in parse_lines(text.split("\n")):
            if isinstance(item, LineError):
                raise doc.error(doc.line(node), f"{where}solution ({lang}): {item}")
            if item.kind == "ssh" or item.kind == "lab" and item.argv[0] == "exit" and on_node:
                on_node = item.kind == "ssh"
            elif item.kind == "lab":
                raise doc.error(
                    doc.line(node),
                    f"{where}solution ({lang}): {item.argv[0]!r} is a lab command; "
                    f"a solution is what the learner types at the cluster",
                )
    return texts


def _task(doc: YamlDoc, node: yaml.Node, number: int) -> Task:
    where = f"task {number}: "
    doc.expect_kind(node, yaml.MappingNode, where, "a mapping with title, text and checks")
    v = _keys(doc, node, _TASK_KEYS, where)
    for need in ("text", "checks"):
        if need not in v:
            raise doc.error(doc.line(node), f"{where}needs {need}")
    titles = doc.text(v["title"], where, "title") if "title" in v else {}
    texts = doc.text(v["text"], where, "text")
    hints: tuple[Any, ...] = ()
    if "hints" in v:
        doc.expect_kind(v["hints"], yaml.SequenceNode, f"{where}hints: ", "a list of hints")
        hints = tuple(doc.text(n, where, f"hint {i}") for i, n in enumerate(v["hints"].value, 1))
    solutions = _solution(doc, v["solution"], where) if "solution" in v else {}
    doc.expect_kind(v["checks"], yaml.SequenceNode, f"{where}checks: ", "a list of checks")
    checks = tuple(_check(doc, n, f"{where}check {i}: ") for i, n in enumerate(v["checks"].value, 1))
    if not checks:
        raise doc.error(doc.line(v["checks"]), f"{where}no checks")
    return Task(
        number=number, line=doc.line(node), titles=titles, texts=texts, checks=checks, hints=hints, solutions=solutions
    )


def _speed(doc: YamlDoc, node: yaml.Node) -> float:
    v = doc.value(node)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 64:
        raise doc.error(doc.line(node), f"speed must be a number above 0 and at most 64, not {v!r}")
    return float(v)


def parse_lab(text: str, source: str = "<lab>", *, base_dir: Path | None = None, default_name: str = "lab") -> Lab:
    """A :class:`Lab` from YAML text.

    Args:
        text: the YAML.
        source: how error messages name the file.
        base_dir: where a ``cluster:`` path is relative to.
        default_name: the name when the file gives none.

    Raises:
        LabError: ``source:line: problem`` for anything wrong.
    """
    try:
        return _parse(text, source, base_dir, default_name)
    except LabError:
        raise
    except ScenarioError as e:
        raise LabError(str(e)) from None


def _parse(text: str, source: str, base_dir: Path | None, default_name: str) -> Lab:
    doc = YamlDoc(text, source)
    if doc.root is None:
        raise LabError(f"{source}:1: the file is empty")
    doc.expect_kind(doc.root, yaml.MappingNode, "", "a mapping with name, title, tasks, ...")
    top = _keys(doc, doc.root, _TOP_KEYS, "")
    setup: tuple[Any, ...] = ()
    if "setup" in top:
        doc.expect_kind(top["setup"], yaml.SequenceNode, "setup: ", "a list of steps")
        setup = tuple(parse_step(doc, n, i, "setup step") for i, n in enumerate(top["setup"].value, 1))
    limit: tuple[str, float | None] = ("", None)
    if "time_limit" in top:
        limit = parse_duration_node(doc, top["time_limit"], "", "time_limit")
    fields: dict[str, Any] = dict(
        name=doc.string(top["name"], "", "name") if "name" in top else default_name,
        source=source,
        setup=setup,
        time_limit=limit[1],
        time_limit_text=limit[0],
        titles=doc.text(top["title"], "", "title") if "title" in top else {},
        descriptions=doc.text(top["description"], "", "description") if "description" in top else {},
        cluster=parse_cluster(doc, top["cluster"], base_dir) if "cluster" in top else None,
        seed=doc.integer(top["seed"], "", "seed") if "seed" in top else 0,
        speed=_speed(doc, top["speed"]) if "speed" in top else 1.0,
    )
    if "tasks" not in top:
        raise doc.error(doc.line(doc.root), "no tasks")
    doc.expect_kind(top["tasks"], yaml.SequenceNode, "tasks: ", "a list of tasks")
    tasks = tuple(_task(doc, n, i) for i, n in enumerate(top["tasks"].value, 1))
    if not tasks:
        raise doc.error(doc.line(top["tasks"]), "no tasks")
    return Lab(tasks=tasks, **fields)


def load_file(path: str | Path, *, source: str | None = None) -> Lab:
    """Load the lab file at ``path``.

    Raises:
        LabError: the file cannot be read or is not a valid lab.
    """
    p = Path(path)
    shown = source or str(path)
    try:
        text = read_text(p, shown)
    except ScenarioError as e:
        raise LabError(str(e)) from None
    return parse_lab(text, shown, base_dir=p.parent, default_name=p.stem)


_ORDER = [
    "imperative-pods",
    "dry-run-manifest",
    "expose-clusterip",
    "nodeport-30080",
    "replicaset-selector",
    "namespace-quota",
    "kubelet-not-running",
    "rollout-image-typo",
    "apply-remove-field",
    "cordon-drain",
    "configmap-env",
]


def builtin_names() -> list[str]:
    """The built-in labs' names, in the order the notes teach their topics."""
    found = sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))
    return [n for n in _ORDER if n in found] + [n for n in found if n not in _ORDER]


def load_builtin(name: str) -> Lab:
    """The built-in lab ``name``.

    Raises:
        LabError: there is no such built-in lab.
    """
    path = BUILTIN_DIR / f"{name}.yaml"
    if "/" in name or not path.is_file():
        raise LabError(f"no built-in lab {name!r} (built-in: {', '.join(builtin_names())})")
    return load_file(path, source=path.name)


def load_lab(name_or_file: str | Path) -> Lab:
    """A built-in lab by name, or a lab file by path (a path names an existing file or ends in .yaml)."""
    text = str(name_or_file)
    if text in builtin_names():
        return load_builtin(text)
    if Path(text).exists() or text.endswith((".yaml", ".yml")) or "/" in text:
        return load_file(text)
    return load_builtin(text)
