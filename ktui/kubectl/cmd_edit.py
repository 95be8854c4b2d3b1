"""``kubectl edit``: the object as YAML in a temporary file, ``$KUBE_EDITOR``/``$EDITOR`` run on it, the
result written back.

The editor must come from the environment kubectl was given (``KubectlEnv.environ``): a simulated
cluster has no terminal to open ``vi`` in, so without either variable ``edit`` refuses with a clear error.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile

import yaml

from ktui.kubectl.builder import kind_prefix, resolve, resource_args
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import to_yaml

__all__ = ["editor_command", "NO_EDITOR"]

NO_EDITOR = ("no editor to run: set KUBE_EDITOR or EDITOR to a command that edits the file named as its last "
             "argument (ktui cannot open an interactive editor for a simulated cluster)")
_HEADER = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
           "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
           "# reopened with the relevant failures.\n#\n")


def editor_command(environ: dict[str, str]) -> list[str]:
    """The editor kubectl would run: ``$KUBE_EDITOR``, else ``$EDITOR``; refused when neither is set."""
    for var in ("KUBE_EDITOR", "EDITOR"):
        if environ.get(var, "").strip():
            return shlex.split(environ[var])
    raise KubectlError(NO_EDITOR)


def _strip_comments(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("#"))


@command("edit")
def edit(inv: Invocation) -> int:
    """``kubectl edit (RESOURCE/NAME | -f FILENAME)``."""
    pairs = resource_args(inv, inv.args)
    if not pairs:
        raise inv.usage_error("resource(s) were provided, but no name was specified") if inv.args else \
            KubectlError("You must provide one or more resources by argument or filename.")
    argv = editor_command(inv.env.environ)
    for word, name in pairs:
        r = resolve(inv, word)
        if not name:
            raise KubectlError("resource(s) were provided, but no name was specified")
        obj = inv.client.get(r.plural, name, inv.namespace)
        original = to_yaml(obj)
        fd, path = tempfile.mkstemp(prefix="kubectl-edit-", suffix=".yaml")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(_HEADER + original)
            env = {**os.environ, **inv.env.environ}
            try:
                done = subprocess.run([*argv, path], env=env, capture_output=True, text=True, timeout=60)
            except (OSError, subprocess.SubprocessError) as e:
                raise KubectlError(f"there was a problem with the editor {argv[0]!r}: {e}") from None
            if done.returncode != 0:
                raise KubectlError(f"there was a problem with the editor {' '.join(argv)!r}")
            with open(path) as f:
                edited = _strip_comments(f.read())
        finally:
            os.unlink(path)
        if not edited.strip():
            inv.warn("Edit cancelled, saved file was empty.")
            continue
        if edited == original:
            inv.warn("Edit cancelled, no changes made.")
            continue
        try:
            new = yaml.safe_load(edited)
        except yaml.YAMLError as e:
            raise KubectlError(f"error parsing edited object: {e}") from None
        inv.client.update(r.plural, new, inv.namespace)
        inv.write(f"{kind_prefix(r)}/{name} edited\n")
    return 0
