"""pflag/cobra-style command-line parsing for kubectl: flag sets read from kubectl's own help texts.

Each command's flags (name, shorthand, kind, default) come from the ``Options:`` section of the real
``kubectl CMD --help`` text stored under ``ktui/kubectl/help/``, and the global flags from ``kubectl
options``; a few properties help texts do not show (comma splitting, a value used when the flag is given
bare) are listed here. Parse errors carry the exact texts pflag prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["Flag", "FlagSet", "FlagError", "ParsedArgs", "help_text", "flagset_for", "GLOBAL_FLAGS"]

_OPTION = re.compile(r"^    (?:-(\S), )?--([a-z0-9-]+)=(.*):$")

SLICE_FLAGS = frozenset(
    {
        "filename",
        "from-file",
        "from-env-file",
        "tcp",
        "verb",
        "resource",
        "resource-name",
        "non-resource-url",
        "user",
        "group",
        "serviceaccount",
        "label-columns",
        "prune-allowlist",
        "categories",
    }
)
"""List flags that split each value on commas (pflag ``StringSlice``); the others are ``StringArray``."""

NO_OPT_DEFAULTS = {"dry-run": "unchanged", "cascade": "background", "validate": "strict"}
"""Value flags that may be given bare (pflag ``NoOptDefVal``)."""


class FlagError(Exception):
    """A command line pflag refuses; printed with ``See 'kubectl CMD --help' for usage.``."""


@dataclass(frozen=True)
class Flag:
    """One flag: ``kind`` is ``bool``, ``str``, ``int`` or ``list``."""

    name: str
    short: str = ""
    kind: str = "str"
    """``bool``, ``str``, ``int``, ``list``, ``map`` (``k=v,k2=v2``) or ``duration`` (a Go duration, kept as
    the text given)."""
    default: Any = ""
    no_opt: str | None = None

    @property
    def takes_value(self) -> bool:
        return self.kind != "bool" and self.no_opt is None


def _flag_from_help(short: str, name: str, raw: str) -> Flag:
    if raw in ("true", "false"):
        return Flag(name, short, "bool", raw == "true")
    if raw.startswith("["):
        return Flag(name, short, "list", [])
    if raw.startswith("'"):
        return Flag(name, short, "str", raw[1:-1], NO_OPT_DEFAULTS.get(name))
    if re.fullmatch(r"-?\d+", raw):
        return Flag(name, short, "int", int(raw))
    if re.fullmatch(r"(\d+h)?(\d+m)?\d+(\.\d+)?(ms|s)", raw):
        return Flag(name, short, "duration", raw)
    return Flag(name, short, "str", raw)


def parse_help_flags(text: str) -> list[Flag]:
    """The flags listed in a help text's ``Options:`` section (or all of ``kubectl options``)."""
    flags = []
    in_options = text.startswith("The following options")
    for line in text.splitlines():
        if line == "Options:" or line.startswith("The following options"):
            in_options = True
        elif in_options and not line.startswith((" ", "\t")) and line:
            in_options = False
        m = _OPTION.match(line) if in_options else None
        if m:
            flags.append(_flag_from_help(m.group(1) or "", m.group(2), m.group(3)))
    return flags


@lru_cache(maxsize=None)
def help_text(path: str) -> str:
    """The real kubectl help for a command path (``""``, ``"create deployment"``); empty when not stored."""
    fname = "_".join(["kubectl", *path.split()]) + ".txt"
    try:
        return (resources.files("ktui.kubectl") / "help" / fname).read_text()
    except FileNotFoundError:
        return ""


@dataclass
class ParsedArgs:
    """What a command line says: flag values, which flags were given, positional args."""

    values: dict[str, Any]
    changed: set[str] = field(default_factory=set)
    args: list[str] = field(default_factory=list)
    dash_index: int = -1
    """Index in ``args`` of the first argument after ``--`` (cobra's ArgsLenAtDash), -1 without ``--``."""

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def given(self, name: str) -> bool:
        return name in self.changed


class FlagSet:
    """A set of flags, parsed as pflag does with interspersed arguments."""

    def __init__(self, flags: list[Flag]) -> None:
        self.by_name: dict[str, Flag] = {}
        self.by_short: dict[str, Flag] = {}
        for f in flags:
            self.add(f)

    def add(self, f: Flag) -> None:
        """Add (or replace) a flag."""
        self.by_name[f.name] = f
        if f.short:
            self.by_short[f.short] = f

    def defaults(self) -> dict[str, Any]:
        return {
            n: (list(f.default) if f.kind == "list" else dict(f.default or {}) if f.kind == "map" else f.default)
            for n, f in self.by_name.items()
        }

    def _set(self, out: ParsedArgs, f: Flag, value: str) -> None:
        shown = f"-{f.short}, --{f.name}" if f.short else f"--{f.name}"  # as pflag names a flag in errors
        if f.kind == "bool":
            low = value
            if low in ("1", "t", "T", "true", "TRUE", "True"):
                out.values[f.name] = True
            elif low in ("0", "f", "F", "false", "FALSE", "False"):
                out.values[f.name] = False
            else:
                raise FlagError(
                    f'invalid argument "{value}" for "{shown}" flag: strconv.ParseBool: '
                    f'parsing "{value}": invalid syntax'
                )
        elif f.kind == "int":
            try:
                number = int(value, 0) if value.strip() == value else int("x")
            except ValueError:
                raise FlagError(
                    f'invalid argument "{value}" for "{shown}" flag: strconv.ParseInt: '
                    f'parsing "{value}": invalid syntax'
                ) from None
            if not -(1 << 63) <= number < (1 << 63):
                raise FlagError(
                    f'invalid argument "{value}" for "{shown}" flag: strconv.ParseInt: '
                    f'parsing "{value}": value out of range'
                )
            out.values[f.name] = number
        elif f.kind == "map":  # cliflag.MapStringString: key=value pairs, comma-separated, accumulating
            pairs = dict(out.values[f.name]) if f.name in out.changed else {}
            for item in value.split(","):
                item = item.strip()
                if not item:
                    continue
                key, eq, val = item.partition("=")
                if not eq:
                    raise FlagError(
                        f'invalid argument "{value}" for "{shown}" flag: malformed pair, expect string=string'
                    )
                pairs[key.strip()] = val.strip()
            out.values[f.name] = pairs
        elif f.kind == "duration":
            from ktui.kubectl.durations import parse_go_duration

            try:
                parse_go_duration(value)
            except ValueError as e:
                raise FlagError(f'invalid argument "{value}" for "{shown}" flag: {e}') from None
            out.values[f.name] = value
        elif f.kind == "list":
            items = out.values[f.name] if f.name in out.changed else []
            if f.name in SLICE_FLAGS:
                items = items + ([v for v in _split_csv(value)] if value else [])
            else:
                items = items + [value]
            out.values[f.name] = items
        else:
            out.values[f.name] = value
        out.changed.add(f.name)

    def parse(self, argv: list[str]) -> ParsedArgs:
        """Parse ``argv`` (without the command words), raising :class:`FlagError` as pflag would."""
        out = ParsedArgs(self.defaults())
        i = 0
        while i < len(argv):
            a = argv[i]
            i += 1
            if a == "--":
                out.dash_index = len(out.args)
                out.args.extend(argv[i:])
                break
            if a.startswith("--") and len(a) > 2:
                name, eq, value = a[2:].partition("=")
                f = self.by_name.get(name)
                if f is None:
                    raise FlagError(f"unknown flag: --{name}")
                if eq:
                    self._set(out, f, value)
                elif f.kind == "bool":
                    self._set(out, f, "true")
                elif f.no_opt is not None:
                    self._set(out, f, f.no_opt)
                elif i < len(argv):
                    self._set(out, f, argv[i])
                    i += 1
                else:
                    raise FlagError(f"flag needs an argument: --{name}")
            elif a.startswith("-") and len(a) > 1:
                i = self._parse_shorts(out, a, argv, i)
            else:
                out.args.append(a)
        return out

    def _parse_shorts(self, out: ParsedArgs, a: str, argv: list[str], i: int) -> int:
        shorts = a[1:]
        while shorts:
            c, rest = shorts[0], shorts[1:]
            f = self.by_short.get(c)
            if f is None:
                raise FlagError(f"unknown shorthand flag: '{c}' in -{shorts}")
            if rest.startswith("="):
                self._set(out, f, rest[1:])
                return i
            if f.kind == "bool":
                self._set(out, f, "true")
            elif f.no_opt is not None and not rest:
                self._set(out, f, f.no_opt)
            elif rest:
                self._set(out, f, rest)
                return i
            elif i < len(argv):
                self._set(out, f, argv[i])
                return i + 1
            else:
                raise FlagError(f"flag needs an argument: '{c}' in -{shorts}")
            shorts = rest
        return i

    def skip_value(self, token: str) -> bool:
        """Whether ``token`` (a flag without ``=``) consumes the next argument (cobra's stripFlags)."""
        if token.startswith("--"):
            f = self.by_name.get(token[2:])
        elif len(token) == 2:
            f = self.by_short.get(token[1])
        else:
            return False
        return f is not None and f.takes_value


def _split_csv(value: str) -> list[str]:
    """Split one StringSlice value as encoding/csv does (quotes may protect commas)."""
    import csv

    return next(csv.reader([value]))


@lru_cache(maxsize=1)
def _global_flags() -> tuple[Flag, ...]:
    return tuple(parse_help_flags(help_text("options")))


GLOBAL_FLAGS = _global_flags
"""The flags every command accepts (``kubectl options``), as a callable returning them."""


@lru_cache(maxsize=None)
def flagset_for(path: str, extra: tuple[Flag, ...] = ()) -> FlagSet:
    """The flags of ``kubectl PATH``: its help text's options, the global ones, ``-h/--help``, ``extra``."""
    fs = FlagSet(list(_global_flags()))
    for f in parse_help_flags(help_text(path)):
        fs.add(f)
    fs.add(Flag("help", "h", "bool", False))
    for f in extra:
        fs.add(f)
    return fs
