"""kubectl's JSONPath dialect (k8s.io/client-go/util/jsonpath): parse a template, evaluate it on JSON.

Templates mix text with ``{...}`` actions: field paths (``.a.b``, ``..name``, ``['key']``, ``*``), indexes
and slices (``[0]``, ``[-1:]``, ``[*]``), unions (``[0,2]``), filters (``[?(@.type=="Ready")]``), string
literals (``{"\\n"}``) and ``{range EXPR}...{end}``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["JSONPathError", "parse", "execute", "values"]


class JSONPathError(Exception):
    """A template that does not parse, or (with missing keys refused) a path that finds nothing."""


@dataclass
class Expr:
    """One action: a chain of steps (``("field", name)``, ``("index", spec)``, ``("filter", cond)``...)."""

    steps: list[tuple] = field(default_factory=list)
    literal: str | int | float | None = None


@dataclass
class Range:
    """``{range EXPR}`` ... ``{end}``."""

    expr: Expr
    body: list[Any] = field(default_factory=list)


_TOKEN = re.compile(r"""\s*(\.\.|\.|\[|\]|\*|@|\$|"(?:[^"\\]|\\.)*"|'[^']*'|[^.\[\]\s]+)""")


def _split_actions(template: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(template):
        start = template.find("{", i)
        if start < 0:
            out.append(("text", template[i:]))
            break
        if start > i:
            out.append(("text", template[i:start]))
        depth, j, quote = 0, start, ""
        while j < len(template):
            c = template[j]
            if quote:
                if c == "\\":
                    j += 1
                elif c == quote:
                    quote = ""
            elif c in "\"'":
                quote = c
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= len(template):
            raise JSONPathError("unclosed action")
        out.append(("action", template[start + 1 : j]))
        i = j + 1
    return out


def _parse_bracket(text: str) -> tuple:
    text = text.strip()
    if text.startswith("?(") and text.endswith(")"):
        return ("filter", _parse_filter(text[2:-1]))
    if text == "*":
        return ("all",)
    if text[:1] in "'\"":
        return ("fields", [ast.literal_eval(p.strip()) for p in text.split(",")])
    parts = text.split(",")
    if len(parts) > 1:
        return ("union", [_parse_bracket(p) for p in parts])
    if ":" in text:
        nums = [int(p) if p.strip() else None for p in text.split(":")]
        if len(nums) > 3:
            raise JSONPathError(f"invalid array index {text}")
        return ("slice", (nums + [None, None])[:3])
    try:
        return ("index", int(text))
    except ValueError:
        raise JSONPathError(f"invalid array index {text}") from None


_FILTER = re.compile(r"^\s*(.+?)\s*(==|!=|<=|>=|<|>|=~)\s*(.+?)\s*$")


def _parse_filter(text: str) -> tuple:
    m = _FILTER.match(text)
    if not m:
        return ("exists", _parse_expr(text.strip()), None)
    left, op, right = m.groups()
    return (op, _operand(left), _operand(right))


def _operand(text: str) -> Any:
    if text.startswith(("@", "$", ".")):
        return _parse_expr(text)
    if text[:1] in "'\"":
        return Expr(literal=ast.literal_eval(text))
    try:
        return Expr(literal=float(text) if "." in text else int(text))
    except ValueError:
        return Expr(literal=text)


_FIELD_NAME = re.compile(r"(?:\\.|[^.\[\]\\])*")
r"""A field name; ``\.`` is a literal dot, as in ``{.metadata.annotations.kubectl\.kubernetes\.io/x}``."""


def _unescape(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw)


def _parse_expr(text: str) -> Expr:
    text = text.strip()
    if text[:1] == '"':
        try:
            return Expr(literal=ast.literal_eval(text))
        except (ValueError, SyntaxError):
            raise JSONPathError(f"invalid string literal {text}") from None
    expr = Expr()
    i = 0
    while i < len(text):
        if text[i] == "[":
            depth, j = 0, i
            while j < len(text):
                depth += {"[": 1, "]": -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            if j >= len(text):
                raise JSONPathError("unterminated array")
            expr.steps.append(_parse_bracket(text[i + 1 : j]))
            i = j + 1
        elif text.startswith("..", i):
            m = re.match(r"[^.\[\]]*", text[i + 2 :])
            expr.steps.append(("recursive", m.group(0) if m else ""))
            i += 2 + (len(m.group(0)) if m else 0)
        elif text[i] == ".":
            m = _FIELD_NAME.match(text[i + 1 :])
            raw = m.group(0) if m else ""
            name = _unescape(raw)
            if raw:
                expr.steps.append(("all",) if raw == "*" else ("field", name))
            i += 1 + len(raw)
        elif text[i] in "@$":
            expr.steps.append(("root",) if text[i] == "$" else ("current",))
            i += 1
        else:
            m = _FIELD_NAME.match(text[i:])
            raw = m.group(0)  # type: ignore[union-attr]
            if not raw:
                raise JSONPathError(f"unrecognized character in action: {text[i]!r}")
            expr.steps.append(("all",) if raw == "*" else ("field", _unescape(raw)))
            i += len(raw)
    return expr


def parse(template: str) -> list[Any]:
    """The node tree of a template: text strings, :class:`Expr` and :class:`Range` nodes."""
    root: list[Any] = []
    stack = [root]
    for kind, text in _split_actions(template):
        if kind == "text":
            stack[-1].append(text)
            continue
        action = text.strip()
        if action.startswith("range ") or action == "range":
            node = Range(_parse_expr(action[5:]))
            stack[-1].append(node)
            stack.append(node.body)
        elif action == "end":
            if len(stack) == 1:
                raise JSONPathError("not in range, nothing to end")
            stack.pop()
        else:
            for part in _split_top_level(action):
                stack[-1].append(_parse_expr(part))
    return root


def _split_top_level(action: str) -> list[str]:
    """``{.a .b}``-style lists are rare; an action is one expression (or one string literal)."""
    return [action]


class _Missing(Exception):
    pass


def _eval(expr: Expr, root: Any, current: Any, allow_missing: bool) -> list[Any]:
    if expr.literal is not None:
        return [expr.literal]
    vals = [current]
    for step in expr.steps:
        out: list[Any] = []
        for v in vals:
            out.extend(_step(step, v, root, allow_missing))
        vals = out
    return vals


def _step(step: tuple, v: Any, root: Any, allow_missing: bool) -> list[Any]:
    kind = step[0]
    if kind == "root":
        return [root]
    if kind == "current":
        return [v]
    if kind == "field":
        if isinstance(v, dict) and step[1] in v:
            return [v[step[1]]]
        if allow_missing or v is None:
            return []
        raise JSONPathError(f"{step[1]} is not found")
    if kind == "fields":
        return [v[k] for k in step[1] if isinstance(v, dict) and k in v]
    if kind == "all":
        if isinstance(v, dict):
            return [v[k] for k in sorted(v)]
        return list(v) if isinstance(v, list) else []
    if kind == "recursive":
        return _recursive(v, step[1])
    if kind == "union":
        return [x for s in step[1] for x in _step(s, v, root, allow_missing)]
    if not isinstance(v, list):
        return []
    if kind == "index":
        idx = step[1] + len(v) if step[1] < 0 else step[1]
        if not 0 <= idx < len(v):
            if allow_missing:
                return []
            raise JSONPathError(f"array index out of bounds: index {step[1]}, length {len(v)}")
        return [v[idx]]
    if kind == "slice":
        start, end, stride = step[1]
        return v[slice(start, end, stride)]
    if kind == "filter":
        return [item for item in v if _matches(step[1], root, item)]
    raise JSONPathError(f"unrecognized step {kind}")


def _recursive(v: Any, name: str) -> list[Any]:
    out = []
    if isinstance(v, dict):
        if name in v:
            out.append(v[name])
        for k in sorted(v):
            out.extend(_recursive(v[k], name))
    elif isinstance(v, list):
        for item in v:
            out.extend(_recursive(item, name))
    return out


def _matches(cond: tuple, root: Any, item: Any) -> bool:
    op, left, right = cond
    lv = _eval(left, root, item, True)
    if op == "exists":
        return bool(lv)
    rv = _eval(right, root, item, True)
    if not lv or not rv:
        return False
    a, b = lv[0], rv[0]
    try:
        return {
            "==": a == b,
            "!=": a != b,
            "<": a < b,
            ">": a > b,
            "<=": a <= b,
            ">=": a >= b,
            "=~": bool(re.search(str(b), str(a))),
        }[op]
    except TypeError:
        return False


def values(nodes: list[Any], obj: Any) -> list[Any]:
    """All values the expressions of a (one-action) template find on ``obj``."""
    out: list[Any] = []
    for node in nodes:
        if isinstance(node, Expr):
            out.extend(_eval(node, obj, obj, True))
    return out


def execute(
    nodes: list[Any],
    obj: Any,
    text: Callable[[Any], str],
    allow_missing: bool = True,
    current: Any = None,
    root: Any = None,
) -> str:
    """Render a parsed template; ``text`` turns one found value into output."""
    root = obj if root is None else root
    current = obj if current is None else current
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Range):
            for item in _eval(node.expr, root, current, allow_missing):
                out.append(execute(node.body, obj, text, allow_missing, item, root))
        else:
            found = _eval(node, root, current, allow_missing)
            if node.literal is not None:
                out.append(str(node.literal))
            else:
                out.append(" ".join(text(v) for v in found))
    return "".join(out)
