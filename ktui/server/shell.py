"""An interactive session in a container (``kubectl exec -i[t] POD -- sh``, ``kubectl attach -i[t]``): the
simulated in-pod shell reads lines from the client's stdin and runs each one as an exec through the API.

With a terminal (``tty``) the session behaves as a pty does: it echoes what is typed (``\\r`` ends a line,
DEL erases, Ctrl-C drops the line, Ctrl-D on an empty line ends the input), writes ``\\r\\n`` for each newline
and prompts (``/ # `` in ash, ``root@POD:/# `` in bash). Without one it prints only what the commands print,
as ``sh`` does when its stdin is a pipe. Each line is one recorded exec, so RBAC, history and rewind see it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["SHELLS", "Session", "is_shell"]

SHELLS = ("sh", "ash", "bash")
"""Programs that run as the interactive in-pod shell when nothing else is asked of them."""

Run = Callable[[str], tuple[str, str, int]]
"""Runs one command line in the container: (stdout, stderr, exit code)."""


def is_shell(argv: list[str]) -> bool:
    """Whether ``argv`` starts an interactive shell (``sh``, ``/bin/bash``, ``sh -i``; not ``sh -c ...``)."""
    return bool(argv) and argv[0].rsplit("/", 1)[-1] in SHELLS and all(a in ("-i", "-l", "-il") for a in argv[1:])


@dataclass
class Session:
    """One shell session: feed it the client's stdin, send what it returns to stdout and stderr.

    Attributes:
        run: runs one line in the container.
        tty: whether the client asked for a terminal.
        prompt: the shell's prompt (with a terminal only).
    """

    run: Run
    tty: bool
    prompt: str = "/ # "
    status: int = 0
    """The exit status of the last command (the shell's own when it ends)."""
    ended: bool = False
    """Set once ``exit`` ran or the input ended."""
    _line: str = ""
    _pending: str = field(default="", repr=False)

    def start(self, show_prompt: bool = True) -> tuple[str, str]:
        """What the shell prints before reading (its prompt, with a terminal)."""
        return (self.prompt if self.tty and show_prompt else ""), ""

    def feed(self, data: str) -> tuple[str, str]:
        """Take stdin bytes; (stdout, stderr) to send back."""
        out: list[str] = []
        err: list[str] = []
        if not self.tty:
            self._pending += data
            while "\n" in self._pending and not self.ended:
                line, self._pending = self._pending.split("\n", 1)
                self._execute(line, out, err)
            return "".join(out), "".join(err)
        for ch in data:
            if self.ended:
                break
            if ch in "\r\n":
                out.append("\r\n")
                line, self._line = self._line, ""
                self._execute(line, out, err)
                if not self.ended:
                    out.append(self.prompt)
            elif ch in "\x7f\x08":
                if self._line:
                    self._line = self._line[:-1]
                    out.append("\b \b")
            elif ch == "\x03":  # Ctrl-C: the line is dropped
                self._line = ""
                out.append("^C\r\n" + self.prompt)
            elif ch == "\x04":  # Ctrl-D: end of input on an empty line
                if not self._line:
                    self.ended = True
            elif ch >= " " or ch == "\t":
                self._line += ch
                out.append(ch)
        return "".join(out), "".join(err)

    def close(self) -> tuple[str, str]:
        """The client closed stdin: a last line without a newline runs, then the shell ends."""
        out: list[str] = []
        err: list[str] = []
        rest = self._pending if not self.tty else ""
        self._pending = ""
        if rest.strip() and not self.ended:
            self._execute(rest, out, err)
        self.ended = True
        return "".join(out), "".join(err)

    def _execute(self, line: str, out: list[str], err: list[str]) -> None:
        text = line.strip()
        if not text or text.startswith("#"):
            return
        words = _words(text)
        if words and words[0] == "exit":
            if len(words) > 1:
                self.status = int(words[1]) & 255 if words[1].lstrip("-").isdigit() else 2
            self.ended = True
            return
        stdout, stderr, self.status = self.run(text)
        nl = "\r\n" if self.tty else "\n"
        out.append(stdout.replace("\n", nl))
        (out if self.tty else err).append(stderr.replace("\n", nl))


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()
