"""Composed YAML with line numbers, for files whose every error names the file and the line (scenarios, labs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import yaml

from ktui.scenario.model import LANGS, ScenarioError

__all__ = ["YamlDoc", "kind_name", "read_text"]


class YamlDoc:
    """The composed YAML of one file: values with their line numbers, and error reporting."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self._loader = yaml.SafeLoader(text)
        try:
            self.root = self._loader.get_single_node()
        except yaml.MarkedYAMLError as e:
            mark = e.context_mark if e.context and e.context_mark else e.problem_mark
            line = mark.line + 1 if mark else 1
            what = ", ".join(x for x in (e.context, e.problem) if x)
            raise self.error(line, f"not valid YAML: {what}") from None
        except yaml.YAMLError as e:
            raise ScenarioError(f"{source}: not valid YAML: {e}") from None

    def error(self, line: int, message: str) -> ScenarioError:
        return ScenarioError(f"{self.source}:{line}: {message}")

    @staticmethod
    def line(node: yaml.Node) -> int:
        return node.start_mark.line + 1

    def value(self, node: yaml.Node) -> Any:
        """The Python value of ``node`` (a scalar, or a whole mapping or sequence)."""
        try:
            return self._loader.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            raise self.error(self.line(node), f"cannot read value: {e}") from None

    def items(self, node: yaml.Node, where: str) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
        """``(key, key node, value node)`` of a mapping node; duplicate and non-string keys are errors."""
        seen: set[str] = set()
        for knode, vnode in node.value:
            key = self.value(knode)
            if not isinstance(key, str):
                raise self.error(self.line(knode), f"{where}key {key!r} is not a name")
            if key in seen:
                raise self.error(self.line(knode), f"{where}{key!r} is given twice")
            seen.add(key)
            yield key, knode, vnode

    def expect_kind(self, node: yaml.Node, kind: type, where: str, what: str) -> None:
        if not isinstance(node, kind):
            found = {yaml.ScalarNode: "a scalar", yaml.SequenceNode: "a list", yaml.MappingNode: "a mapping"}
            raise self.error(
                self.line(node), f"{where}expected {what}, found {found.get(type(node), 'something else')}"
            )

    def string(self, node: yaml.Node, where: str, key: str) -> str:
        v = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(v, str):
            raise self.error(self.line(node), f"{where}{key} must be a string, not {kind_name(self.value(node))}")
        return v

    def integer(self, node: yaml.Node, where: str, key: str) -> int:
        v = self.value(node)
        if not isinstance(v, int) or isinstance(v, bool):
            raise self.error(self.line(node), f"{where}{key} must be an integer, not {kind_name(v)}")
        return v

    def text(self, node: yaml.Node, where: str, key: str) -> dict[str, str]:
        """A text: a string, or a mapping from language (en, ko) to a string."""
        if isinstance(node, yaml.ScalarNode):
            return {"en": self.string(node, where, key)}
        if not isinstance(node, yaml.MappingNode):
            raise self.error(self.line(node), f"{where}{key} must be a string or a mapping of languages (en, ko)")
        out = {}
        for lang, knode, vnode in self.items(node, f"{where}{key}: "):
            if lang not in LANGS:
                raise self.error(
                    self.line(knode), f"{where}{key}: unknown language {lang!r} (expected one of: {', '.join(LANGS)})"
                )
            out[lang] = self.string(vnode, where, f"{key}.{lang}")
        if not out:
            raise self.error(self.line(node), f"{where}{key} is empty")
        return out


def kind_name(v: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
        type(None): "empty",
    }.get(type(v), type(v).__name__)


def read_text(path: str | Path, shown: str) -> str:
    """The text of the file at ``path``; an unreadable file is a :class:`ScenarioError` naming ``shown``."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(f"{shown}: {e.strerror or e}") from None
