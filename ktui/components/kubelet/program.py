"""What a simulated container runs: a tiny shell (``sh -c "..."``) compiled to flat instructions.

Programs are plain lists of tuples and the interpreter state is plain data, so a running container can be
deep-copied with the world (no generators, no closures). ``while``/``until``, ``for``, ``if``, ``;``, ``&&``,
``||``, ``>``/``>>`` redirections, ``$VAR``/``${VAR}`` and ``$(date)``/``$(hostname)`` are understood, and
the commands students use in exercises (echo, sleep, cat, touch, rm, date, env, exit ...).
"""

from __future__ import annotations

import re
import shlex
from typing import Any

__all__ = ["ShellSyntaxError", "compile_argv", "compile_script", "parse_sleep"]

Instr = tuple

_SHELLS = ("sh", "/bin/sh", "ash", "/bin/ash", "bash", "/bin/bash", "/usr/bin/bash", "/usr/bin/sh")


class ShellSyntaxError(ValueError):
    """A script the simulated shell cannot parse; the message is what busybox sh would print."""


def parse_sleep(arg: str) -> float | None:
    """Seconds for a ``sleep`` operand (``5``, ``1.5``, ``2m``, ``infinity``); None when invalid."""
    if arg in ("infinity", "inf"):
        return float("inf")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", arg)
    if not m:
        return None
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def compile_argv(argv: list[str], server: str = "", stdin: bool = False) -> list[Instr]:
    """The program for a container's argv (command + args after the image's entrypoint/cmd are applied).

    Args:
        argv: the process's argv.
        server: the image's server program, run when argv is the image's own default.
        stdin: whether the container's stdin is kept open (``stdin: true``): a shell or ``cat`` reading it then
            waits for input (``kubectl attach``) instead of reading EOF and exiting.
    """
    if not argv:
        return [("exit", 0)]
    if server and argv[0] != "sh" and _is_server(argv, server):
        return [("serve", server, list(argv))]
    reads_stdin = all(a in ("-i", "-l", "-il") for a in argv[1:]) if argv[0] in _SHELLS else argv == ["cat"]
    if stdin and reads_stdin:
        return [("cmd", ["sleep", "infinity"], None, None)]  # blocked reading a stdin that stays open
    if argv[0] in _SHELLS:
        if len(argv) >= 3 and argv[1] in ("-c", "-ec", "-xc", "-ce"):
            return compile_script(argv[2])
        if len(argv) == 1:
            return [("exit", 0)]  # a shell with no stdin reads EOF and exits
        return [("cmd", ["cat", argv[1]], None, None)]
    if argv[0] in ("tail",) and "-f" in argv:
        return [("cmd", ["sleep", "infinity"], None, None)]
    return [("cmd", list(argv), None, None), ("exit", None)]


def _is_server(argv: list[str], server: str) -> bool:
    names = {
        "nginx": ("/docker-entrypoint.sh", "nginx"),
        "httpd": ("httpd-foreground", "httpd"),
        "redis": ("docker-entrypoint.sh", "redis-server"),
        "mysql": ("docker-entrypoint.sh", "mysqld"),
        "postgres": ("docker-entrypoint.sh", "postgres"),
        "memcached": ("docker-entrypoint.sh", "memcached"),
        "stress": ("stress",),
    }.get(server, (server, f"/{server}", f"/usr/local/bin/{server}"))
    return argv[0] in names or argv[0].rsplit("/", 1)[-1] in names


# ------------------------------------------------------------------ parsing


def _tokens(script: str) -> list[str]:
    lex = shlex.shlex(script.replace("\n", " ; "), posix=True, punctuation_chars=";&|<>")
    lex.whitespace_split = True
    lex.commenters = "#"
    try:
        return list(lex)
    except ValueError:
        raise ShellSyntaxError("sh: syntax error: unterminated quoted string") from None


_KEYWORDS = {"do", "done", "then", "else", "elif", "fi"}


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.toks = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expect: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expect is not None and tok != expect):
            raise ShellSyntaxError(f"sh: syntax error: unexpected {'end of file' if tok is None else repr(tok)}")
        self.i += 1
        return tok

    def seq(self, stops: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
        items: list[tuple[str, Any]] = []
        op = ";"
        while True:
            while self.peek() == ";":
                self.take()
            tok = self.peek()
            if tok is None or tok in stops:
                return items
            items.append((op, self.command()))
            nxt = self.peek()
            if nxt in (";", "&&", "||", "&"):
                op = ";" if nxt == "&" else nxt
                self.take()
            else:
                op = ";"

    def command(self) -> Any:
        tok = self.peek()
        if tok in ("while", "until"):
            self.take()
            cond = self.seq(("do",))
            self.take("do")
            body = self.seq(("done",))
            self.take("done")
            return ("while", tok == "until", cond, body)
        if tok == "for":
            self.take()
            var = self.take()
            words: list[str] = []
            if self.peek() == "in":
                self.take()
                while self.peek() not in (";", "do", None):
                    words.append(self.take())
            while self.peek() == ";":
                self.take()
            self.take("do")
            body = self.seq(("done",))
            self.take("done")
            return ("for", var, words, body)
        if tok == "if":
            self.take()
            cond = self.seq(("then",))
            self.take("then")
            then = self.seq(("else", "fi"))
            other: list = []
            if self.peek() == "else":
                self.take()
                other = self.seq(("fi",))
            self.take("fi")
            return ("if", cond, then, other)
        words = []
        redirect = target = None
        while True:
            tok = self.peek()
            if tok is None or tok in (";", "&&", "||", "&") or (tok in _KEYWORDS and not words):
                break
            if tok in _KEYWORDS and words and tok in ("done", "fi", "then", "do", "else"):
                break
            if tok in (">", ">>", "<", ">&", "|"):
                self.take()
                if tok == "|":  # a pipeline: keep the last command's effect, as "cmd | cat" would
                    words = []
                    continue
                redirect, target = tok, self.take() if self.peek() is not None else ""
                continue
            words.append(self.take())
        if not words and redirect is None:
            raise ShellSyntaxError(
                f"sh: syntax error: unexpected {repr(self.peek()) if self.peek() else 'end of file'}"
            )
        return ("cmd", words, redirect, target)


def compile_script(script: str) -> list[Instr]:
    """Compile an ``sh -c`` script; a syntax error becomes a program that prints it and exits 2."""
    try:
        parser = _Parser(_tokens(script))
        tree = parser.seq()
        if parser.peek() is not None:
            raise ShellSyntaxError(f"sh: syntax error: unexpected {parser.peek()!r}")
    except ShellSyntaxError as e:
        return [("err", str(e)), ("exit", 2)]
    out: list[Instr] = []
    _emit_seq(tree, out)
    out.append(("exit", None))
    return out


def _emit_seq(items: list[tuple[str, Any]], out: list[Instr]) -> None:
    for op, node in items:
        if op in ("&&", "||"):
            jump_at = len(out)
            out.append(None)  # type: ignore[arg-type]  # patched below
            _emit(node, out)
            out[jump_at] = ("jfail" if op == "&&" else "jok", len(out))
        else:
            _emit(node, out)


def _emit(node: Any, out: list[Instr]) -> None:
    kind = node[0]
    if kind == "cmd":
        out.append(("cmd", node[1], node[2], node[3]))
    elif kind == "while":
        _, until, cond, body = node
        start = len(out)
        _emit_seq(cond, out)
        jump_at = len(out)
        out.append(None)  # type: ignore[arg-type]
        _emit_seq(body, out)
        out.append(("jmp", start))
        out[jump_at] = ("jok" if until else "jfail", len(out))
        out.append(("status", 0))
    elif kind == "for":
        _, var, words, body = node
        for w in words:
            out.append(("set", var, w))
            _emit_seq(body, out)
    elif kind == "if":
        _, cond, then, other = node
        _emit_seq(cond, out)
        jump_at = len(out)
        out.append(None)  # type: ignore[arg-type]
        _emit_seq(then, out)
        end_jump = len(out)
        out.append(None)  # type: ignore[arg-type]
        out[jump_at] = ("jfail", len(out))
        _emit_seq(other, out)
        out[end_jump] = ("jmp", len(out))
