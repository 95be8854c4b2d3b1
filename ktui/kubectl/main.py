"""Dispatch a kubectl command line: find the command as cobra does, parse its flags, run it, report errors."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable

from ktui.api.errors import ApiError
from ktui.kubectl.env import KubectlEnv
from ktui.kubectl.errors import ExitError, KubectlError, format_error
from ktui.kubectl.flags import Flag, FlagError, FlagSet, ParsedArgs, flagset_for, help_text
from ktui.kubectl.printers import OutputError
from ktui.kubectl.validate import directive as validate_directive, wrap_client

__all__ = ["KubectlResult", "Command", "Invocation", "COMMANDS", "command", "run_kubectl", "split_line"]


@dataclass(frozen=True)
class KubectlResult:
    """What one kubectl run printed and how it ended."""

    stdout: str
    stderr: str
    exit_code: int


@dataclass(frozen=True)
class Command:
    """One command: its words (``"create deployment"``), its function, flags its help text does not list."""

    path: str
    run: Callable[["Invocation"], int | None]
    flags: tuple[Flag, ...] = ()
    aliases: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    """Flags cobra insists on (``error: required flag(s) "image" not set``) before the command runs."""


COMMANDS: dict[str, Command] = {}
"""Every registered command by its path; filled by the ``cmd_*`` modules as they are imported."""

_GROUPS = {"create", "create service", "create secret"}
"""Commands that only group subcommands (an unknown subcommand word is an error there)."""


def command(path: str, *, flags: tuple[Flag, ...] = (), aliases: tuple[str, ...] = (), required: tuple[str, ...] = ()):
    """Register the decorated ``fn(inv) -> exit code | None`` as ``kubectl PATH``."""

    def register(fn: Callable[["Invocation"], int | None]) -> Callable[["Invocation"], int | None]:
        cmd = Command(path, fn, flags, aliases, required)
        COMMANDS[path] = cmd
        parent, _, _ = path.rpartition(" ")
        for alias in aliases:
            COMMANDS[f"{parent} {alias}".strip()] = cmd
        return fn

    return register


@dataclass
class Invocation:
    """One running command: its parsed flags and arguments, its output, and helpers every command needs."""

    env: KubectlEnv
    path: str
    opts: ParsedArgs
    stdin: str = ""
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    _client: Any = None

    @property
    def args(self) -> list[str]:
        return self.opts.args

    @property
    def namespace(self) -> str:
        """``-n`` or the context's namespace."""
        return self.opts.get("namespace") or self.env.namespace

    @property
    def explicit_namespace(self) -> bool:
        return bool(self.opts.get("namespace"))

    @property
    def client(self) -> Any:
        """The env's client, impersonating ``--as``/``--as-group`` when given."""
        if self._client is None:
            user, groups = self.opts.get("as", ""), self.opts.get("as-group", [])
            client = self.env.client.impersonate(user, groups) if user else self.env.client
            self._client = wrap_client(client, self.opts, self.warn)  # --validate and server warnings
        return self._client

    def write(self, text: str) -> None:
        self.out.append(text)

    def warn(self, text: str) -> None:
        self.err.append(text if text.endswith("\n") else text + "\n")

    def error(self, exc: BaseException) -> None:
        """Report a failure on stderr and go on (commands handling several objects)."""
        self.err.append(format_error(exc))

    def usage_error(self, message: str) -> KubectlError:
        from ktui.kubectl.errors import UsageError

        return UsageError(message, self.path)

    def dry_run(self) -> str:
        """``none``, ``client`` or ``server`` from ``--dry-run`` (a bare ``--dry-run`` means client, with a warning)."""
        value = self.opts.get("dry-run", "none")
        if value == "unchanged":
            self.warn(
                "W0000 00:00:00.000000       1 helpers.go:714] --dry-run is deprecated and can be replaced "
                "with --dry-run=client."
            )
            return "client"
        if value in ("", "none", "false"):
            return "none"
        if value in ("client", "true"):
            return "client"
        if value == "server":
            return "server"
        raise KubectlError(f'Invalid dry-run value ({value}). Must be "none", "server", or "client".')


_loaded = False


def load_commands() -> None:
    """Import every ``ktui.kubectl.cmd_*`` module so each registers its commands."""
    global _loaded
    if _loaded:
        return
    for mod in sorted(m.name for m in pkgutil.iter_modules([os.path.dirname(__file__)])):
        if mod.startswith("cmd_"):
            importlib.import_module(f"ktui.kubectl.{mod}")
    _loaded = True


def _kubectl_commands() -> list[str]:
    """The command names the real kubectl lists (for ``Did you mean this?``)."""
    return re.findall(r"^  ([a-z][a-z-]+)\s", help_text(""), re.M)


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _close(word: str, name: str) -> bool:
    """cobra's SuggestionsFor: within Levenshtein distance 2, or ``name`` starts with ``word``."""
    if name.startswith(word):
        return True
    # the distance is at least the difference in length: no need to compute it for a long word
    return abs(len(word) - len(name)) <= 2 and _levenshtein(word, name) <= 2


_ADDED_LAST = ("config", "plugin", "version", "api-versions", "api-resources", "options", "kuberc")
"""Commands kubectl adds after its help groups, in the order it adds them (its suggestions follow that order)."""


def _suggestion_order() -> list[str]:
    """cobra's ``c.commands`` order for kubectl: the help groups' commands as listed, then :data:`_ADDED_LAST`."""
    text = help_text("").split("\nOther Commands:", 1)[0]
    grouped = re.findall(r"^  ([a-z][a-z-]+)\s", text, re.M)
    return grouped + [n for n in _ADDED_LAST if n not in grouped]


def _unknown_command(word: str) -> str:
    names = _suggestion_order()
    close = [n for n in names if _close(word.lower(), n.lower())]
    text = f'error: unknown command "{word}" for "kubectl"\n'
    if close:
        text += "\nDid you mean this?\n" + "".join(f"\t{n}\n" for n in close)
    return text


def _canonical(parent: str, word: str) -> str:
    """``create svc`` -> ``create service``: aliases as each command's help text lists them."""
    candidate = f"{parent} {word}".strip()
    if candidate in COMMANDS or candidate in _GROUPS:
        return candidate
    prefix = parent + " " if parent else ""
    for path in list(COMMANDS) + sorted(_GROUPS):
        if path.startswith(prefix) and " " not in path[len(prefix) :]:
            m = re.search(r"^Aliases:\n(.*)$", help_text(path), re.M)
            if m and word in [w.strip() for w in m.group(1).split(",")]:
                return path
    return candidate


def _find(argv: list[str]) -> tuple[str, list[str], str | None]:
    """Cobra's Find: the longest registered command path the non-flag words spell; the words left out."""
    path = ""
    rest = list(argv)
    i = 0
    fs: FlagSet = flagset_for("")
    while i < len(rest):
        a = rest[i]
        if a == "--":
            break
        if a.startswith("-") and len(a) > 1:
            i += 2 if ("=" not in a and fs.skip_value(a)) else 1
            continue
        candidate = _canonical(path, a)
        if candidate in COMMANDS or any(p.startswith(candidate + " ") for p in COMMANDS):
            path = candidate
            cmd = COMMANDS.get(path)
            fs = flagset_for(cmd.path if cmd else path, cmd.flags if cmd else ())
            del rest[i]
            continue
        if not path:
            return "", rest, a
        if path in _GROUPS - {"create"} or path not in COMMANDS:  # a command that only groups others
            return path, rest, a
        break
    return path, rest, None


def split_line(line: str) -> list[str]:
    """The words of a command line as ``bash -c`` splits them (quotes, backslashes).

    Raises:
        ShellSyntaxError: for a quote left open, with bash's words.
    """
    try:
        return shlex.split(line)
    except ValueError:
        pass
    quote = ""
    escaped = False
    for ch in line:
        if escaped:
            escaped = False
        elif quote == "'":
            quote = "" if ch == "'" else quote
        elif ch == "\\":
            escaped = True
        elif quote == '"':
            quote = "" if ch == '"' else quote
        elif ch in "'\"":
            quote = ch
    if quote:
        raise ShellSyntaxError(f"unexpected EOF while looking for matching `{quote}'")
    return shlex.split(line + "\\")  # a backslash at the very end stays a backslash, as in bash -c


class ShellSyntaxError(Exception):
    """A command line the shell cannot split (bash exits 2)."""


def run_kubectl(env: KubectlEnv, argv: list[str] | str, stdin: str = "") -> KubectlResult:
    """Run one kubectl command line against ``env``; never raises.

    What kubectl reports is printed as kubectl prints it; anything unexpected (a bug in ktui) becomes one
    ``error:`` line naming the log file that holds its traceback, with exit code 1.
    """
    try:
        return _run(env, argv, stdin)
    except Exception as e:  # noqa: BLE001 - the last guard: a bug is a message, never a traceback
        from ktui.kubectl.crash import bug_line

        shown = argv if isinstance(argv, str) else shlex.join(str(w) for w in argv)
        return KubectlResult("", f"error: {bug_line(e, 'kubectl ' + shown)}\n", 1)


def _run(env: KubectlEnv, argv: list[str] | str, stdin: str) -> KubectlResult:
    load_commands()
    if isinstance(argv, str):
        try:
            words = split_line(argv)
        except ShellSyntaxError as e:
            return KubectlResult("", f"error: {e}\n", 2)
    else:
        words = list(argv)
    if words and words[0] == "kubectl":
        words = words[1:]
    path, rest, unknown = _find(words)
    if not path:
        if unknown is not None:
            if unknown in _kubectl_commands():
                return KubectlResult("", f'error: ktui does not implement "kubectl {unknown}" yet\n', 1)
            return KubectlResult("", _unknown_command(unknown), 1)
        try:
            flagset_for("").parse(rest)
        except FlagError as e:
            return KubectlResult("", f"error: {e}\nSee 'kubectl --help' for usage.\n", 1)
        return KubectlResult(help_text(""), "", 0)
    cmd = COMMANDS.get(path)
    real_path = cmd.path if cmd else path
    fs = flagset_for(real_path, cmd.flags if cmd else ())
    try:
        opts = fs.parse(rest)
    except FlagError as e:
        return KubectlResult("", f"error: {e}\nSee 'kubectl {real_path} --help' for usage.\n", 1)
    if opts.get("help"):
        return KubectlResult(help_text(real_path), "", 0)
    if unknown is not None:
        return KubectlResult(
            "", f"error: unknown command \"{unknown}\"\nSee 'kubectl {real_path} -h' for help and examples\n", 1
        )
    if cmd is None:
        return KubectlResult("", help_text(real_path), 1)
    missing = [f'"{name}"' for name in cmd.required if not opts.given(name)]
    if missing:
        return KubectlResult("", f"error: required flag(s) {', '.join(missing)} not set\n", 1)
    if opts.given("request-timeout"):
        from ktui.kubectl.durations import parse_request_timeout

        try:
            parse_request_timeout(opts["request-timeout"])
        except ValueError as e:  # client-go refuses it while building the client, before any command runs
            return KubectlResult("", f"error: {e}\n", 1)
    inv = Invocation(env, real_path, opts, stdin)
    code = 0
    try:
        validate_directive(opts)  # a bad --validate fails before anything else
        code = cmd.run(inv) or 0
    except ExitError as e:
        code = e.exit_code
    except (ApiError, KubectlError, OutputError) as e:
        inv.err.append(format_error(e))
        code = getattr(e, "exit_code", 1)
    return KubectlResult("".join(inv.out), "".join(inv.err), code)
