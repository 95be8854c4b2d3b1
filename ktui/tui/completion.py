"""Completion for the ``:`` line: kubectl subcommands, then resource types, then object names."""

from __future__ import annotations

import shlex
from typing import Callable, Iterable

__all__ = ["VERBS", "JUMPS", "complete"]

VERBS = (
    "annotate",
    "api-resources",
    "apply",
    "auth",
    "cordon",
    "create",
    "delete",
    "describe",
    "drain",
    "edit",
    "events",
    "exec",
    "explain",
    "expose",
    "get",
    "label",
    "logs",
    "patch",
    "replace",
    "rollout",
    "run",
    "scale",
    "set",
    "taint",
    "top",
    "uncordon",
    "version",
    "wait",
)
"""kubectl's subcommands as a learner types them."""

JUMPS = ("pods", "nodes", "svc", "ns")
"""``:pods`` and friends move to a panel."""

_TYPED = {
    "get",
    "describe",
    "delete",
    "edit",
    "label",
    "annotate",
    "patch",
    "scale",
    "explain",
    "rollout",
    "expose",
    "wait",
}
_NAMED_NODE = {"cordon", "uncordon", "drain", "taint"}
_NAMED_POD = {"logs", "exec"}


def complete(
    line: str,
    resource_types: Iterable[str],
    names: Callable[[str, str | None], list[str]],
    extra_commands: Iterable[str] = (),
) -> list[str]:
    """Whole-line candidates for ``line`` with its last word completed.

    Args:
        line: the text typed so far (no leading ``:``).
        resource_types: every name a resource answers to (plural, singular, short names).
        names: ``(resource type, namespace or None for all) -> object names``.
        extra_commands: more first words (registered kubectl commands).
    """
    words = line.split(" ")
    head, last = words[:-1], words[-1]
    if head and head[0] == "kubectl":
        head = head[1:]
    prefix = line[: len(line) - len(last)]
    if not head:
        pool = sorted(set(VERBS) | set(JUMPS) | set(extra_commands))
    else:
        verb = head[0]
        args = _positional(head[1:])
        ns = _namespace(head)
        if last.startswith("-"):
            pool = ["-n", "--namespace", "-A", "--all-namespaces", "-o", "-l", "-w", "--force", "--grace-period"]
        elif head[-1] in ("-n", "--namespace"):
            pool = names("namespaces", None)
        elif verb in _TYPED and not args:
            pool = sorted(set(resource_types))
        elif verb in _TYPED and len(args) >= 1:
            rtype = args[0].split("/")[0]
            pool = [n for n in names(rtype, ns) if n not in args[1:]]  # each name once
        elif verb in _NAMED_NODE and not args:
            pool = names("nodes", None)
        elif verb in _NAMED_POD and not args:
            pool = names("pods", ns)
        else:
            pool = []
    return [prefix + w for w in pool if w.startswith(last) and w != last]


_VALUED = {"-n", "--namespace", "-o", "--output", "-l", "--selector", "-c", "--container", "-f", "--filename"}
"""Flags whose value is the next word (not an argument of the command)."""


def _positional(words: list[str]) -> list[str]:
    """The arguments among ``words``: not flags, not the values of flags like ``-n NS``."""
    out, skip = [], False
    for w in words:
        if skip:
            skip = False
        elif w in _VALUED:
            skip = True
        elif w and not w.startswith("-"):
            out.append(w)
    return out


def _namespace(words: list[str]) -> str | None:
    for i, w in enumerate(words):
        if w in ("-n", "--namespace") and i + 1 < len(words):
            return words[i + 1]
        if w.startswith("--namespace="):
            return w.split("=", 1)[1]
        if w in ("-A", "--all-namespaces"):
            return None
    return "default"


def split(line: str) -> list[str]:
    """The words of a command line as bash splits them (unbalanced quotes: on spaces)."""
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()
