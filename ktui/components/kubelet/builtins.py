"""The commands a simulated container can run: echo, sleep, cat, touch, rm, date, env, hostname ...

Each runs instantly against the container's small in-memory file system and environment and returns what
it printed; ``sleep`` returns how long to wait. Messages are busybox's (or bash's in Debian-based images).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from ktui.components.kubelet.program import parse_sleep
from ktui.sim.timefmt import EPOCH

__all__ = ["Result", "Proc", "run_command", "expand", "date_text"]


@dataclass
class Result:
    """What one command did."""

    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    status: int = 0
    sleep: float | None = None
    exit: bool = False


@dataclass
class Proc:
    """The view a command has of its container."""

    env: dict[str, str]
    fs: dict[str, str]
    hostname: str
    now: float
    binaries: tuple[str, ...]
    bash: bool = False
    status: int = 0


def date_text(now: float) -> str:
    """``date``'s default output: ``Thu Jan  1 00:00:05 UTC 2026``."""
    t = EPOCH + _dt.timedelta(seconds=int(now))
    return f"{t.strftime('%a %b')} {t.day:>2} {t.strftime('%H:%M:%S')} UTC {t.year}"


_VAR = re.compile(r"\$\(([^)]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*|\?)")


def expand(word: str, proc: Proc) -> str:
    """Expand ``$VAR``, ``${VAR}``, ``$?`` and ``$(date)``/``$(hostname)`` command substitutions."""

    def sub(m: re.Match) -> str:
        if m.group(1) is not None:
            inner = m.group(1).strip().split()
            if not inner:
                return ""
            res = run_command(inner, proc)
            return "\n".join(res.out).strip()
        name = m.group(2) or m.group(3)
        if name == "?":
            return str(proc.status)
        return proc.env.get(name, "")

    return _VAR.sub(sub, word) if "$" in word else word


def _not_found(name: str, proc: Proc) -> Result:
    msg = f"bash: line 1: {name}: command not found" if proc.bash else f"sh: {name}: not found"
    return Result(err=[msg], status=127)


def run_command(words: list[str], proc: Proc) -> Result:
    """Run one simple command (already expanded)."""
    if not words:
        return Result()
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        k, v = words[0].split("=", 1)
        proc.env[k] = v
        words = words[1:]
    if not words:
        return Result()
    name, args = words[0].rsplit("/", 1)[-1], words[1:]
    fn = _COMMANDS.get(name)
    if fn is None:
        if name in proc.binaries:
            return Result()
        return _not_found(words[0], proc)
    return fn(args, proc)


def _echo(args: list[str], proc: Proc) -> Result:
    newline = True
    while args and args[0] in ("-n", "-e", "-ne", "-en"):
        newline = newline and "n" not in args[0]
        args = args[1:]
    text = " ".join(args).replace("\\n", "\n") if args else ""
    return Result(out=text.split("\n") if newline or text else [])


def _printf(args: list[str], proc: Proc) -> Result:
    if not args:
        return Result(err=["printf: usage: printf FORMAT [ARGUMENT]..."], status=1 if not proc.bash else 2)
    fmt, rest = args[0], list(args[1:])
    text = re.sub(r"%[sd]", lambda m: rest.pop(0) if rest else "", fmt).replace("\\n", "\n")
    lines = text.split("\n")
    return Result(out=lines[:-1] if text.endswith("\n") else lines)


def _sleep(args: list[str], proc: Proc) -> Result:
    if not args:
        return Result(
            err=[
                "sleep: missing operand"
                if proc.bash
                else "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: sleep [N]..."
            ],
            status=1,
        )
    total = 0.0
    for a in args:
        secs = parse_sleep(a)
        if secs is None:
            return Result(
                err=[f"sleep: invalid number '{a}'" if not proc.bash else f"sleep: invalid time interval '{a}'"],
                status=1,
            )
        total += secs
    return Result(sleep=total)


def _cat(args: list[str], proc: Proc) -> Result:
    res = Result()
    for path in args:
        if path == "-":
            continue
        content = proc.fs.get(_norm(path))
        if content is None and _is_dir(proc, _norm(path)):
            res.err.append(f"cat: {path}: Is a directory" if proc.bash else "cat: read error: Is a directory")
            res.status = 1
            continue
        if content is None:
            res.err.append(
                f"cat: {path}: No such file or directory"
                if proc.bash
                else f"cat: can't open '{path}': No such file or directory"
            )
            res.status = 1
            continue
        res.out.extend(content.rstrip("\n").split("\n") if content else [])
    return res


def _norm(path: str) -> str:
    path = path if path.startswith("/") else f"/{path}"
    return path.rstrip("/") or "/"


_STD_DIRS = ("/", "/tmp", "/etc", "/var", "/usr", "/bin", "/root", "/home")


def _is_dir(proc: Proc, path: str) -> bool:
    """A directory: a standard one, a mount point (or above one), or one holding files."""
    if path in _STD_DIRS:
        return True
    is_dir = getattr(proc.fs, "is_dir", None)
    if is_dir is not None:
        return bool(is_dir(path))
    prefix = path.rstrip("/") + "/"
    return any(k.startswith(prefix) for k in proc.fs)


def _read_only(proc: Proc, cmd: str, path: str, verb: str = "") -> str:
    if proc.bash:
        return f"{cmd}: {verb}'{path}': Read-only file system" if verb else f"{cmd}: '{path}': Read-only file system"
    return f"{cmd}: {path}: Read-only file system"


def _touch(args: list[str], proc: Proc) -> Result:
    res = Result()
    for p in args:
        if not p.startswith("-"):
            try:
                proc.fs.setdefault(_norm(p), "")
            except OSError:
                res.err.append(_read_only(proc, "touch", p, "cannot touch "))
                res.status = 1
    return res


def _rm(args: list[str], proc: Proc) -> Result:
    force = any(a.startswith("-") and "f" in a for a in args)
    res = Result()
    for p in (a for a in args if not a.startswith("-")):
        key = _norm(p)
        if key in proc.fs:
            try:
                del proc.fs[key]
            except OSError:
                res.err.append(
                    f"rm: cannot remove '{p}': Read-only file system"
                    if proc.bash
                    else f"rm: can't remove '{p}': Read-only file system"
                )
                res.status = 1
        elif not force:
            res.err.append(f"rm: can't remove '{p}': No such file or directory")
            res.status = 1
    return res


def _ls(args: list[str], proc: Proc) -> Result:
    paths = [a for a in args if not a.startswith("-")] or ["/"]
    res = Result()
    for p in paths:
        key = _norm(p)
        if key in proc.fs:
            res.out.append(p)
            continue
        prefix = key.rstrip("/") + "/"
        names = {k[len(prefix) :].split("/", 1)[0] for k in proc.fs if k.startswith(prefix)}
        names.update(
            m.path[len(prefix) :].split("/", 1)[0] for m in getattr(proc.fs, "mounts", ()) if m.path.startswith(prefix)
        )
        names.discard(".keep")
        if names:
            res.out.extend(sorted(names))
        elif not _is_dir(proc, key):
            res.err.append(
                f"ls: cannot access '{p}': No such file or directory"
                if proc.bash
                else f"ls: {p}: No such file or directory"
            )
            res.status = 1
    return res


def _exit(args: list[str], proc: Proc) -> Result:
    code = int(args[0]) if args and args[0].lstrip("-").isdigit() else proc.status
    return Result(status=code & 0xFF, exit=True)


def _test(args: list[str], proc: Proc) -> Result:
    if args and args[-1] == "]":
        args = args[:-1]
    ok = False
    if len(args) == 2 and args[0] in ("-f", "-e"):
        ok = _norm(args[1]) in proc.fs
    elif len(args) == 2 and args[0] == "-d":
        ok = _is_dir(proc, _norm(args[1]))
    elif len(args) == 2 and args[0] == "-z":
        ok = args[1] == ""
    elif len(args) == 2 and args[0] == "-n":
        ok = args[1] != ""
    elif len(args) == 3 and args[1] in ("=", "=="):
        ok = args[0] == args[2]
    elif len(args) == 3 and args[1] == "!=":
        ok = args[0] != args[2]
    elif len(args) == 1:
        ok = bool(args[0])
    return Result(status=0 if ok else 1)


def _mkdir(args: list[str], proc: Proc) -> Result:
    res = Result()
    for p in args:
        if not p.startswith("-"):
            try:
                proc.fs.setdefault(_norm(p).rstrip("/") + "/.keep", "")
            except OSError:
                res.err.append(
                    f"mkdir: cannot create directory '{p}': Read-only file system"
                    if proc.bash
                    else f"mkdir: can't create directory '{p}': Read-only file system"
                )
                res.status = 1
    return res


def _stat(args: list[str], proc: Proc) -> Result:
    """``stat -c FORMAT FILE`` (``%a`` mode, ``%n`` name, ``%s`` size); ``-L`` follows the volume's links."""
    fmt, files, i = "", [], 0
    while i < len(args):
        a = args[i]
        if a in ("-c", "--format") and i + 1 < len(args):
            fmt, i = args[i + 1], i + 2
            continue
        if a.startswith("--format="):
            fmt = a.split("=", 1)[1]
        elif not a.startswith("-"):
            files.append(a)
        i += 1
    res = Result()
    if not files:
        res.err.append("stat: missing operand")
        res.status = 1
        return res
    for p in files:
        key = _norm(p)
        content = proc.fs.get(key)
        is_dir = content is None and _is_dir(proc, key)
        if content is None and not is_dir:
            res.err.append(
                f"stat: cannot stat '{p}': No such file or directory"
                if proc.bash
                else f"stat: can't stat '{p}': No such file or directory"
            )
            res.status = 1
            continue
        mode_of = getattr(proc.fs, "mode", None)
        mode = 0o755 if is_dir else (mode_of(key) if mode_of is not None else None)
        mode = 0o644 if mode is None else mode
        size = 4096 if is_dir else len((content or "").encode())
        if not fmt:
            kind = "directory" if is_dir else ("regular empty file" if not size else "regular file")
            res.out.extend(
                [f"  File: {p}", f"  Size: {size:<15} Blocks: {(size + 511) // 512:<10} IO Block: 4096   {kind}"]
            )
            continue
        res.out.append(fmt.replace("%a", f"{mode:o}").replace("%n", p).replace("%s", str(size)))
    return res


_COMMANDS = {
    "echo": _echo,
    "printf": _printf,
    "sleep": _sleep,
    "cat": _cat,
    "touch": _touch,
    "rm": _rm,
    "ls": _ls,
    "exit": _exit,
    "test": _test,
    "[": _test,
    "mkdir": _mkdir,
    "stat": _stat,
    "true": lambda args, proc: Result(),
    ":": lambda args, proc: Result(),
    "false": lambda args, proc: Result(status=1),
    "date": lambda args, proc: Result(out=[date_text(proc.now)]),
    "hostname": lambda args, proc: Result(out=[proc.hostname]),
    "env": lambda args, proc: Result(out=[f"{k}={v}" for k, v in proc.env.items()]),
    "printenv": lambda args, proc: Result(
        out=[proc.env[a] for a in args if a in proc.env] if args else [f"{k}={v}" for k, v in proc.env.items()]
    ),
    "whoami": lambda args, proc: Result(out=["root"]),
    "id": lambda args, proc: Result(out=["uid=0(root) gid=0(root) groups=0(root),10(wheel)"]),
    "uname": lambda args, proc: Result(
        out=["Linux" if not args else "Linux " + proc.hostname + " 6.8.0-79-generic #79-Ubuntu SMP x86_64 GNU/Linux"]
    ),
    "pwd": lambda args, proc: Result(out=["/"]),
}
