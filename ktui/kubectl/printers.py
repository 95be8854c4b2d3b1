"""kubectl's output printers: YAML as sigs.k8s.io/yaml writes it, JSON, ``name``, JSONPath, custom columns.

YAML follows go-yaml v2 (which sigs.k8s.io/yaml uses): keys in its "natural" order, strings quoted when
they would read back as another type, multi-line strings as literal blocks, long plain strings folded at
80 columns. JSON follows Go's encoding/json with kubectl's four-space indent.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import yaml

from ktui.kubectl import jsonpath as jsonpath_eval

__all__ = [
    "to_yaml",
    "to_json",
    "go_key_less",
    "sort_keys",
    "resource_name",
    "tabwrite",
    "Printer",
    "OutputError",
    "valid_output",
    "jsonpath_print",
    "custom_columns",
]


class OutputError(Exception):
    """A bad ``-o`` value or template; the message is printed after ``error: ``."""


# ---------------------------------------------------------------------------- YAML

_BOOL_NULL = {
    "y",
    "Y",
    "yes",
    "Yes",
    "YES",
    "n",
    "N",
    "no",
    "No",
    "NO",
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "on",
    "On",
    "ON",
    "off",
    "Off",
    "OFF",
    "",
    "~",
    "null",
    "Null",
    "NULL",
    "<<",
    ".nan",
    ".NaN",
    ".NAN",
    ".inf",
    ".Inf",
    ".INF",
    "+.inf",
    "+.Inf",
    "+.INF",
    "-.inf",
    "-.Inf",
    "-.INF",
}
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})"
    r"| [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?)?$"
)
_GO_INT = re.compile(r"^[-+]?(0[bB][01]+|0[oO]?[0-7]+|0[xX][0-9a-fA-F]+|[1-9][0-9]*|0)$")


def _resolves_to_str(s: str) -> bool:
    """Whether go-yaml v2 reads ``s`` back, unquoted, as a string."""
    if s in _BOOL_NULL:
        return False
    if not s or s[0] not in "+-0123456789.":
        return True
    plain = s.replace("_", "")
    if _GO_INT.match(plain) or _FLOAT.match(plain) or _TIMESTAMP.match(s):
        return False
    return not _BASE60.match(s)


class _GoDumper(yaml.SafeDumper):
    """A PyYAML (libyaml-equivalent) emitter told which style go-yaml picks for each string."""

    def resolve(self, kind, value, implicit):  # type: ignore[override]
        if kind is yaml.ScalarNode and implicit[0] and isinstance(value, str) and _resolves_to_str(value):
            return "tag:yaml.org,2002:str"
        return super().resolve(kind, value, implicit)


def _represent_str(dumper: yaml.SafeDumper, s: str) -> yaml.ScalarNode:
    if "\n" in s:
        style = "|"
    elif _resolves_to_str(s):
        style = None
    else:
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)


def _represent_float(dumper: yaml.SafeDumper, f: float) -> yaml.ScalarNode:
    if f.is_integer() and abs(f) < 1e21:
        return dumper.represent_int(int(f))
    return dumper.represent_scalar("tag:yaml.org,2002:float", repr(f).lower())


def _represent_none(dumper: yaml.SafeDumper, _: None) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "null")


_GoDumper.add_representer(str, _represent_str)
_GoDumper.add_representer(float, _represent_float)
_GoDumper.add_representer(type(None), _represent_none)


def go_key_less(a: str, b: str) -> bool:
    """go-yaml v2's key order (sorter.go): letters after other characters, digit runs compared as numbers."""
    for i in range(min(len(a), len(b))):
        if a[i] == b[i]:
            continue
        al, bl = a[i].isalpha(), b[i].isalpha()
        if al and bl:
            return a[i] < b[i]
        if al or bl:
            return bl
        an = bn = 0
        if a[i] == "0" or b[i] == "0":
            j = i - 1
            while j >= 0 and a[j].isdigit():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdigit():
            an = an * 10 + int(a[ai])
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdigit():
            bn = bn * 10 + int(b[bi])
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return a[i] < b[i]
    return len(a) < len(b)


class _GoKey:
    __slots__ = ("s",)

    def __init__(self, s: str) -> None:
        self.s = s

    def __lt__(self, other: "_GoKey") -> bool:
        return go_key_less(self.s, other.s)


def sort_keys(value: Any) -> Any:
    """A copy of a JSON value with every map's keys in go-yaml's order."""
    if isinstance(value, dict):
        return {k: sort_keys(value[k]) for k in sorted(value, key=_GoKey)}
    if isinstance(value, list):
        return [sort_keys(v) for v in value]
    return value


def to_yaml(obj: Any) -> str:
    """``yaml.JSONToYAML(json.Marshal(obj))``."""
    return yaml.dump(
        sort_keys(obj),
        Dumper=_GoDumper,
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=80,
        indent=2,
    )


# ---------------------------------------------------------------------------- JSON


def _go_escape(text: str) -> str:
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


_MAP_FIELDS = frozenset(
    {
        "labels",
        "annotations",
        "matchLabels",
        "nodeSelector",
        "data",
        "binaryData",
        "stringData",
        "hard",
        "used",
        "limits",
        "requests",
        "capacity",
        "allocatable",
        "selector",
        "parameters",
    }
)
"""Fields whose Go type is a map (encoding/json sorts their keys) rather than a struct (kept in field order)."""
_SELECTOR_STRUCT = frozenset({"matchLabels", "matchExpressions"})


def _sort_maps(value: Any) -> Any:
    """A typed object with its map-typed fields' keys sorted, as Go's encoder writes maps; structs untouched."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _sort_maps(v)
            if k in _MAP_FIELDS and isinstance(v, dict) and not (k == "selector" and _SELECTOR_STRUCT & set(v)):
                v = {mk: v[mk] for mk in sorted(v)}
            out[k] = v
        return out
    if isinstance(value, list):
        return [_sort_maps(v) for v in value]
    return value


def to_json(obj: Any, *, sort: bool = True, indent: int | None = 4) -> str:
    """Go's ``json.MarshalIndent`` (``sort`` for maps; typed objects keep their field order, their maps
    sorted), no newline."""
    if not sort:
        obj = _sort_maps(obj)
    text = json.dumps(
        obj,
        indent=indent,
        sort_keys=sort,
        ensure_ascii=False,
        separators=(",", ": ") if indent is not None else (",", ":"),
    )
    return _go_escape(text)


# ---------------------------------------------------------------------------- name


def resource_name(obj: dict) -> str:
    """``pod/nginx``, ``deployment.apps/nginx``: the kind lower-cased, with its group."""
    api_version = obj.get("apiVersion", "")
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    kind = obj.get("kind", "").lower()
    name = (obj.get("metadata") or {}).get("name", "")
    return f"{kind}.{group}/{name}" if group else f"{kind}/{name}"


# ---------------------------------------------------------------------------- tables


def _width(s: str) -> int:
    return sum(0 if unicodedata.combining(c) else 1 for c in s)


def tabwrite(rows: list[list[str]], minwidth: int = 6, padding: int = 3) -> str:
    """Go's text/tabwriter as kubectl sets it up: each row's cells but the last padded to the column width."""
    widths: dict[int, int] = {}
    for row in rows:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths.get(i, minwidth), _width(cell) + padding)
    lines = []
    for row in rows:
        parts = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row[:-1])]
        lines.append("".join(parts) + (row[-1] if row else ""))
    return "".join(line + "\n" for line in lines)


# ---------------------------------------------------------------------------- JSONPath and custom columns


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return to_json(value, indent=None)
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def jsonpath_print(template: str, obj: Any, allow_missing: bool = True) -> str:
    """Execute a kubectl JSONPath template (``{.a.b}``, ``{range}``/``{end}``, filters) on ``obj``."""
    try:
        nodes = jsonpath_eval.parse(template)
        return jsonpath_eval.execute(nodes, obj, _text, allow_missing)
    except jsonpath_eval.JSONPathError as e:
        raise OutputError(str(e)) from None


def relaxed(expr: str) -> str:
    """kubectl's RelaxedJSONPathExpression: ``.a.b``, ``a.b`` and ``{.a.b}`` all mean ``{.a.b}``."""
    m = re.fullmatch(r"\{?\.?([^{}]*?)\}?", expr)
    if not m:
        raise OutputError(
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'"
        )
    inner = m.group(1)
    return "{." + inner + "}" if inner else "{.}"


def custom_columns(spec: str, objs: list[dict], no_headers: bool = False) -> str:
    """``-o custom-columns=HEADER:.path,...``: one row per object, ``<none>`` where nothing is found."""
    if not spec:
        raise OutputError("custom-columns format specified but no custom columns given")
    columns = []
    for part in spec.split(","):
        header, sep, path = part.partition(":")
        if not sep:
            raise OutputError(f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
        columns.append((header, jsonpath_eval.parse(relaxed(path))))
    rows = [] if no_headers else [[h for h, _ in columns]]
    for obj in objs:
        row = []
        for _, nodes in columns:
            values = jsonpath_eval.values(nodes, obj)
            row.append(",".join(_text(v) for v in values) if values else "<none>")
        rows.append(row)
    return tabwrite(rows)


# ---------------------------------------------------------------------------- -o

_FORMATS = (
    "json",
    "yaml",
    "name",
    "go-template",
    "go-template-file",
    "template",
    "templatefile",
    "jsonpath",
    "jsonpath-as-json",
    "jsonpath-file",
    "custom-columns",
    "custom-columns-file",
    "wide",
    "kyaml",
)


def valid_output(
    fmt: str, allowed: tuple[str, ...] = ("json", "yaml", "name", "jsonpath", "jsonpath-as-json", "custom-columns")
) -> None:
    """Refuse an ``-o`` value the command does not support, as kubectl's printer flags do."""
    base = fmt.split("=", 1)[0]
    if fmt and base not in allowed:
        allowed_text = ",".join(
            sorted(
                a
                for a in _FORMATS
                if a in allowed
                or a in ("go-template", "template", "go-template-file", "templatefile", "jsonpath-file", "kyaml")
            )
        )
        raise OutputError(
            f'unable to match a printer suitable for the output format "{fmt}", allowed formats are: {allowed_text}'
        )


class Printer:
    """Prints objects for one ``-o`` value; ``operation`` is the verb the default and name outputs add."""

    def __init__(self, output: str, operation: str = "", dry_run: str = "none", *, allow_missing: bool = True) -> None:
        self.output = output
        self.operation = operation
        self.dry_run = dry_run
        self.allow_missing = allow_missing
        self.count = 0

    def print(self, obj: dict, *, typed: bool = False) -> str:
        """The text for one object; ``typed`` objects keep their field order in JSON (client-built objects)."""
        self.count += 1
        fmt, _, arg = self.output.partition("=")
        if fmt == "yaml":
            return ("---\n" if self.count > 1 else "") + to_yaml(obj)
        if fmt == "json":
            return to_json(obj, sort=not typed) + "\n"
        if fmt in ("jsonpath", "jsonpath-as-json"):
            return jsonpath_print(arg, obj, self.allow_missing)
        if fmt == "custom-columns":
            return custom_columns(arg, [obj])
        suffix = ""
        if self.operation and fmt != "name":
            suffix = " " + self.operation
            if self.dry_run == "client":
                suffix += " (dry run)"
            elif self.dry_run == "server":
                suffix += " (server dry run)"
        return resource_name(obj) + suffix + "\n"
