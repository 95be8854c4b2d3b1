"""The lab shell's input: lines split as bash would, into kubectl commands, lab commands and node commands.

One command per line. A kubectl line may send its output to a file (``> FILE``) and read a here-document
(``<<EOF`` ... ``EOF``, also as ``cat <<EOF | kubectl apply -f -``); ``cat FILE``, ``cat > FILE <<EOF`` and
``ls`` work on the session's working directory; ``ssh NODE`` opens a node's shell, where ``systemctl
start|stop|restart|enable --now kubelet`` work; ``k`` is ``kubectl``. Everything else is a lab command
(:data:`LAB_COMMANDS`).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Iterable, Iterator

from ktui.lab.texts import say

__all__ = ["LAB_COMMANDS", "SYSTEMCTL_VERBS", "Line", "LineError", "heredoc_end", "parse_lines", "split"]

LAB_COMMANDS = (
    "check",
    "hint",
    "solution",
    "next",
    "prev",
    "task",
    "tasks",
    "summary",
    "advance",
    "help",
    "quit",
    "exit",
)
"""Words the lab shell understands besides kubectl (``exit`` leaves a node's shell first)."""

SYSTEMCTL_VERBS = ("start", "stop", "restart", "enable")
"""What ``systemctl VERB kubelet`` can do on a node (``enable`` only with ``--now``, which starts it)."""

_OPERATORS = ("|", "||", "&&", ";", ">", ">>", "<", "<<", "&", "(", ")")


class LineError(ValueError):
    """A line the lab shell cannot run; the message says why (``str()`` in English, :meth:`message` in any).

    Args:
        key: the text's key in :mod:`ktui.lab.texts`.
        values: what the text is filled with.
    """

    text = ""
    """The line as typed (set by :func:`parse_lines`)."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(say(key, "en", **values))
        self.key = key
        self.values = values

    def message(self, lang: str = "en") -> str:
        return say(self.key, lang, **self.values)


@dataclass(frozen=True)
class Line:
    """One command of the lab shell, with its here-document if it had one."""

    kind: str
    """``kubectl``, ``lab``, ``ssh``, ``systemctl``, ``cat``, ``write`` (``cat > FILE``), ``ls`` or ``comment``."""
    argv: tuple[str, ...]
    """The command's words (``kubectl`` first for kubectl; the lab command's word first for lab commands)."""
    text: str
    """The line as typed (with the here-document's lines after it)."""
    stdin: str = ""
    """The here-document, for ``kubectl ... -f -`` and ``cat > FILE``."""
    redirect: str = ""
    """``> FILE``: where the command's standard output goes."""


def split(line: str) -> list[str]:
    """``line``'s words as bash splits them, with shell operators as words of their own; ``#`` starts a comment.

    Raises:
        LineError: an unterminated quote.
    """
    lexer = shlex.shlex(line, posix=True, punctuation_chars="|&;<>()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError as e:
        raise LineError("line_parse", line=line.strip(), error=e) from None


def _heredoc_word(words: list[str]) -> tuple[list[str], str | None, bool]:
    """``words`` without ``<<WORD``; the delimiter (None without one); whether leading tabs are stripped."""
    if "<<" not in words:
        return words, None, False
    i = words.index("<<")
    if i + 1 >= len(words):
        raise LineError("line_heredoc_word")
    word = words[i + 1]
    strip = word.startswith("-")
    return words[:i] + words[i + 2 :], word[1:] if strip else word, strip


def heredoc_end(line: str) -> str | None:
    """The line that ends the here-document ``line`` opens (``EOF`` for ``... <<EOF``), or None (a prompt asks
    for the document's lines with ``> ``, as bash does)."""
    try:
        _, delimiter, _ = _heredoc_word(split(line))
    except LineError:
        return None
    return delimiter


def _redirect(words: list[str]) -> tuple[list[str], str]:
    if ">" not in words:
        return words, ""
    i = words.index(">")
    if i + 1 >= len(words) or words[i + 1] in _OPERATORS:
        raise LineError("line_redirect_name")
    if i + 2 != len(words):
        raise LineError("line_redirect_end")
    return words[:i], words[i + 1]


def _classify(words: list[str], text: str, stdin: str | None) -> Line:
    """One line's words (here-document already read) as a :class:`Line`."""
    words, redirect = _redirect(words)
    # `cat <<EOF | kubectl apply -f -`: the here-document is kubectl's standard input.
    if words[:1] == ["cat"] and "|" in words and words.index("|") == 1:
        words = words[2:]
        if words[:1] not in (["kubectl"], ["k"]):
            raise LineError("line_pipe")
    ops = [w for w in words if w in _OPERATORS]
    if ops:
        raise LineError("line_operator", op=ops[0])
    head = words[0]
    if head in ("kubectl", "k"):
        return Line("kubectl", ("kubectl", *words[1:]), text, stdin or "", redirect)
    if redirect and not (head == "cat" and len(words) == 1):
        raise LineError("line_redirect_what")
    if head == "cat":
        if redirect:
            if stdin is None:
                raise LineError("line_cat_write")
            return Line("write", (redirect,), text, stdin)
        if len(words) < 2:
            raise LineError("line_cat_usage")
        return Line("cat", tuple(words[1:]), text)
    if head == "ls":
        return Line("ls", tuple(words[1:]), text)
    if head == "ssh":
        if len(words) != 2:
            raise LineError("line_ssh_usage")
        return Line("ssh", (words[1].split("@")[-1],), text)
    if head in ("systemctl", "sudo") and (head == "systemctl" or words[1:2] == ["systemctl"]):
        args = words[1:] if head == "systemctl" else words[2:]
        if len(args) < 2 or args[0] not in SYSTEMCTL_VERBS or args[-1] not in ("kubelet", "kubelet.service"):
            raise LineError("line_systemctl_usage", verbs="|".join(SYSTEMCTL_VERBS))
        if args[0] == "enable" and "--now" not in args:
            raise LineError("line_enable")
        return Line("systemctl", (args[0],), text)
    if head in LAB_COMMANDS:
        return Line("lab", tuple(words), text)
    raise LineError("line_not_found", head=head)


def parse_lines(lines: Iterable[str]) -> Iterator[Line | LineError]:
    """Every command in ``lines`` (here-documents gathered), or a :class:`LineError` for a line that is wrong.

    A here-document left open at the end of the input is an error.
    """
    it = iter(lines)
    for raw in it:
        line = raw.rstrip("\n")
        try:
            words = split(line)
            if not words:
                yield Line("comment", (), line)
                continue
            words, delimiter, strip_tabs = _heredoc_word(words)
        except LineError as e:
            e.text = line
            yield e
            continue
        body: list[str] = []
        if delimiter is not None:
            for more in it:
                more = more.rstrip("\n")
                if (more.lstrip("\t") if strip_tabs else more) == delimiter:
                    break
                body.append(more.lstrip("\t") if strip_tabs else more)
            else:
                error = LineError("line_heredoc_open", delimiter=delimiter)
                error.text = "\n".join([line, *body])
                yield error
                return
        text = "\n".join([line, *body, delimiter] if delimiter is not None else [line])
        try:
            yield _classify(words, text, "".join(b + "\n" for b in body) if delimiter is not None else None)
        except LineError as e:
            e.text = text
            yield e
