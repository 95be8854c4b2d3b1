"""Keep a learner's kubectl to their lab's working directory: in a session served over SSH, the files a kubectl
line names (``-f``, ``-k``, ``--from-file``, ``--from-env-file``, ``--cert``/``--key``, ``--patch-file``, ...)
must be inside it once symbolic links are followed, or kubectl would read any file of the server's user.

The line is parsed with kubectl's own flag parser (the same command path and flags ``ktui kubectl`` finds), so
``-f``, ``--filename=``, ``-Rf``, ``-f a.yaml,b.yaml`` and ``--from-file=key=path`` are all seen; a directory is
looked into as kubectl reads it (every entry, links followed).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

__all__ = ["PATH_FLAGS", "FILE_OUTPUTS", "outside_workdir"]

PATH_FLAGS = frozenset(
    {
        "filename",
        "kustomize",
        "from-file",
        "from-env-file",
        "cert",
        "key",
        "patch-file",
        "kubeconfig",
        "certificate-authority",
        "client-certificate",
        "client-key",
        "cache-dir",
        "profile-output",
        "output-directory",
    }
)
"""kubectl's flags (long names) whose values are local paths it reads or writes."""

FILE_OUTPUTS = ("jsonpath-file", "go-template-file", "custom-columns-file", "templatefile")
"""``-o FORMAT=PATH`` formats (and ``--template PATH`` with them) that read a template file."""


def _flag_values(argv: list[str]) -> Iterator[tuple[str, str]]:
    """``(flag, path as typed)`` for each local path in a kubectl line (``kubectl`` first or not)."""
    from ktui.kubectl.flags import FlagError, flagset_for
    from ktui.kubectl.main import COMMANDS, _find, load_commands

    load_commands()
    words = argv[1:] if argv[:1] == ["kubectl"] else list(argv)
    path, rest, _ = _find(words)
    cmd = COMMANDS.get(path)
    try:
        opts = flagset_for(cmd.path if cmd else path, cmd.flags if cmd else ()).parse(rest)
    except FlagError:
        return  # kubectl refuses the line before it reads anything
    for name in sorted(PATH_FLAGS):
        if not opts.given(name):
            continue
        value = opts.get(name)
        for v in value if isinstance(value, list) else [value]:
            v = str(v)
            if name == "from-file" and "=" in v:
                v = v.partition("=")[2]  # key=path
            if v and not (name in ("filename", "kustomize") and v == "-"):
                yield name, v
    output = str(opts.get("output") or "")
    fmt, eq, template = output.partition("=")
    if fmt in FILE_OUTPUTS:
        if eq and template:
            yield "output", template
        elif opts.given("template") and opts.get("template"):
            yield "template", str(opts.get("template"))


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _walk_outside(path: Path, root: Path, shown: str, depth: int = 0) -> str | None:
    """When ``path`` (inside ``root``) is a directory holding, at any depth, an entry that leads outside: that
    entry's name (under ``shown``, the directory's name as typed); else None."""
    if depth > 32 or not path.is_dir():
        return None
    try:
        entries = sorted(os.listdir(path))
    except OSError:
        return None
    for entry in entries:
        real = (path / entry).resolve()
        name = f"{shown.rstrip('/')}/{entry}"
        if not _inside(real, root):
            return name
        deeper = _walk_outside(real, root, name, depth + 1)
        if deeper:
            return deeper
    return None


def outside_workdir(argv: list[str], workdir: Path, lang: str = "en") -> str | None:
    """The error for the first file of ``argv`` (a kubectl line) that is outside ``workdir`` (in kubectl's
    ``error:`` form, naming the path as typed), or None when every file it names is inside (relative paths are
    relative to ``workdir``; links are followed)."""
    from ktui.lab.texts import say

    root = Path(workdir).resolve()
    for _, name in _flag_values(list(argv)):
        if name.startswith(("http://", "https://")):
            continue  # kubectl fetches no URL here (ktui has no network); it says so itself
        real = (root / name).resolve()  # an absolute name replaces root
        if not _inside(real, root):
            return say("kubectl_outside", lang, name=name) + "\n"
        entry = _walk_outside(real, root, name)
        if entry:
            return say("kubectl_outside", lang, name=entry) + "\n"
    return None
