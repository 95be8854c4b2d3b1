"""``kubectl edit``: the object as YAML in a temporary file, ``$KUBE_EDITOR``/``$EDITOR`` run on it, the
result written back.

The editor must come from the environment kubectl was given (``KubectlEnv.environ``): a simulated
cluster has no terminal to open ``vi`` in, so without either variable ``edit`` refuses with a clear error.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile

import yaml

from ktui.api.errors import ApiError
from ktui.api.registry import Resource
from ktui.kubectl.cmd_expose import resource_args
from ktui.kubectl.cmd_get import kind_prefix, resolve
from ktui.kubectl.errors import ExitError, KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import to_yaml
from ktui.kubectl.validate import directive

__all__ = ["editor_command", "NO_EDITOR", "MAX_ROUNDS"]

MAX_ROUNDS = 10
"""How often an invalid edit is reopened before it is cancelled (kubectl reopens it for as long as the editor
changes it; ktui may run inside the server's event loop, so an editor that never settles must not hold it)."""

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


def _header(reasons: list[tuple[str, list[str]]]) -> str:
    """kubectl's edit header, with the reasons the file came back (``editHeader.writeTo``)."""
    text = _HEADER
    for head, other in reasons:
        text += f"# {_hashed(head)}:\n" if other else f"# {_hashed(head)}\n"
        text += "".join(f"# * {_hashed(o)}\n" for o in other)
        text += "#\n"
    return text


def _hashed(text: str) -> str:
    """``hashOnLineBreak``: every line of a multi-line reason stays a comment."""
    return "".join("\n# " if ch == "\n" and i + 1 < len(text) and text[i + 1] != "#" else ch
                   for i, ch in enumerate(text))


def _launch(argv: list[str], environ: dict[str, str], text: str) -> tuple[str, str]:
    """Write ``text`` to a new ``kubectl-edit-*.yaml`` file (in ``$TMPDIR`` when set, as Go's ``os.TempDir``),
    run the editor on it: (what it saved, the file)."""
    fd, path = tempfile.mkstemp(prefix="kubectl-edit-", suffix=".yaml", dir=environ.get("TMPDIR") or None)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    try:
        done = subprocess.run([*argv, path], env={**os.environ, **environ}, capture_output=True, text=True,
                              timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        raise KubectlError(f"there was a problem with the editor {argv[0]!r}: {e}") from None
    if done.returncode != 0:
        raise KubectlError(f"there was a problem with the editor {' '.join(argv)!r}")
    with open(path) as f:
        return f.read(), path


def _unparsable(text: str) -> str:
    """Why kubectl's validator refuses the edited text before anything is sent ("" when it reads as an object)."""
    try:
        obj = yaml.safe_load(text)
    except yaml.YAMLError as e:
        return f"error converting YAML to JSON: {e}"
    if not isinstance(obj, dict) or not obj.get("kind"):
        return f"Object 'Kind' is missing in '{json.dumps(obj, separators=(',', ':'))}'"
    return ""


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _preserved(inv: Invocation, path: str, message: str) -> KubectlError:
    """``preservedFile``: say where the edited copy stays, then the error."""
    if path and os.path.exists(path):
        inv.warn(f'A copy of your changes has been stored to "{path}"\n')
    return KubectlError(message)


def _edit_one(inv: Invocation, r: Resource, name: str, argv: list[str]) -> None:
    """kubectl's edit loop for one object: an invalid change reopens the file with the reasons in its header;
    saving it unchanged then cancels the edit and keeps the file."""
    obj = inv.client.get(r.plural, name, inv.namespace)
    resource = f"{r.plural}.{r.group}" if r.group else r.plural
    original = to_yaml(obj)
    reasons: list[tuple[str, list[str]]] = []
    edited, last_file, error = "", "", False
    for round_ in range(MAX_ROUNDS):
        body = original if not error else _strip_comments(edited)
        previous = edited
        edited, path = _launch(argv, inv.env.environ, _header(reasons) + body)
        if error and (_strip_comments(previous) == _strip_comments(edited) or round_ == MAX_ROUNDS - 1):
            raise _preserved(inv, path, "Edit cancelled, no valid changes were saved.")
        if last_file:
            _remove(last_file)
        problem = _unparsable(_strip_comments(edited)) if directive(inv.opts) != "Ignore" else ""
        if problem:  # kubectl's schema check comes first: an empty or unreadable file is an invalid edit
            last_file, error = path, True
            reasons = [(f'{resource} "{name}" was not valid',
                        [f'<nil>: Invalid value: "The edited file failed validation": {problem}'])]
            inv.warn(f'error: {resource} "{name}" is invalid\n')
            continue
        if _strip_comments(edited) == original:
            _remove(path)
            inv.warn("Edit cancelled, no changes made.\n")
            return
        if not _strip_comments(edited).strip():
            _remove(path)
            inv.warn("Edit cancelled, saved file was empty.\n")
            return
        last_file, reasons = path, []
        try:
            new = yaml.safe_load(_strip_comments(edited))
        except yaml.YAMLError as e:
            error = True
            reasons.append((f"The edited file had a syntax error: {e}", []))
            continue
        error = False
        try:
            inv.client.update(r.plural, new, inv.namespace)
        except ApiError as e:
            if e.code == 422:
                causes = (e.status.get("details") or {}).get("causes") or []
                reasons.append((f'{resource} "{name}" was not valid',
                                [f"{c.get('field', '')}: {c.get('message', '')}" for c in causes]))
                inv.warn(f'error: {resource} "{name}" is invalid\n')
                error = True
                continue
            if e.code == 404:
                inv.warn(f'error: {resource} "{name}" could not be found on the server\n')
                inv.warn(f'The edits you made on deleted resources have been saved to "{path}"\n')
            else:
                inv.warn(f'error: {resource} "{name}" could not be patched: {e.message}\n')
                inv.warn(f"You can run `kubectl replace -f {path}` to try this update again.\n")
            raise ExitError(1) from None
        _remove(path)
        inv.write(f"{kind_prefix(r)}/{name} edited\n")
        return
    raise _preserved(inv, last_file, "Edit cancelled, no valid changes were saved.")


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
        _edit_one(inv, r, name, argv)
    return 0
