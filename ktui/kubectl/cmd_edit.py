"""``kubectl edit``: the object as YAML in a temporary file, ``$KUBE_EDITOR``/``$EDITOR`` run on it, the
difference sent back as a patch.

The editor must come from the environment kubectl was given (``KubectlEnv.environ``): a simulated
cluster has no terminal to open ``vi`` in, so without either variable ``edit`` refuses with a clear error.
:func:`save_edit` is what happens when the file is saved (kubectl's ``editoptions.go``): it is shared with the
terminal UI's editor screen, which shows the same file and gets the same answers.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any

import yaml

from ktui.api.errors import ApiError
from ktui.api.object_rules import STRATEGIC_KINDS
from ktui.kubectl.cmd_expose import resource_args
from ktui.kubectl.cmd_get import kind_prefix, resolve
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.manifests import yaml_error_text
from ktui.kubectl.printers import to_yaml

__all__ = ["editor_command", "NO_EDITOR", "EditOutcome", "edit_file", "save_edit", "strip_comments"]

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


def strip_comments(text: str) -> str:
    """The file without its ``#`` lines (cmdutil.StripComments / ManualStrip)."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("#"))


def _comment(text: str) -> str:
    """hashOnLineBreak: continuation lines of a reason stay comments."""
    return text.replace("\n", "\n# ")


def edit_file(obj: dict, reasons: list[tuple[str, list[str]]] = ()) -> str:  # type: ignore[assignment]
    """The file kubectl opens: its header, the reasons a save failed (if any), then the object as YAML."""
    head = _HEADER
    for reason, causes in reasons:
        head += f"# {_comment(reason)}{':' if causes else ''}\n" + "".join(f"# * {_comment(c)}\n" for c in causes)
        head += "#\n"
    return head + to_yaml(obj)


@dataclass
class EditOutcome:
    """What saving the edited file did, as kubectl reports it."""

    out: str = ""
    """Standard output (``deployment.apps/web edited``)."""
    err: str = ""
    """Standard error (``Edit cancelled, no changes made.``, ``error: ... is invalid``)."""
    code: int = 0
    """kubectl's exit code when the edit ends here."""
    reopen: str | None = None
    """The file kubectl reopens the editor with (an invalid or unparsable edit): the header with the reasons,
    then the edited text; None when the edit is over."""


def _rewrap(edited: str, reasons: list[tuple[str, list[str]]]) -> str:
    body = strip_comments(edited)
    return edit_file({}, reasons).removesuffix(to_yaml({})) + body


def save_edit(client: Any, r: Any, namespace: str | None, original: str, edited: str, *,
              retry_of: str | None = None, file: str | None = None) -> EditOutcome:
    """Send what the user saved, as kubectl edit does: a two-way patch from the object shown to the one saved.

    Args:
        client: the API client (kubectl's user).
        r: the resource (from the registry).
        namespace: the namespace the object was fetched from (None for a cluster-scoped kind).
        original: the file as first opened (:func:`edit_file` of the object).
        edited: the file as saved.
        retry_of: the file as saved the previous time, when the editor was reopened after a failure.
        file: where the edited file is kept (kubectl names it in some errors); None leaves those lines out.
    """
    if retry_of is not None and strip_comments(retry_of) == strip_comments(edited):
        kept = f'A copy of your changes has been stored to "{file}"\n' if file else ""
        return EditOutcome(err=kept + "error: Edit cancelled, no valid changes were saved.\n", code=1)
    if strip_comments(original) == strip_comments(edited):
        return EditOutcome(err="Edit cancelled, no changes made.\n")
    if not strip_comments(edited).strip():
        return EditOutcome(err="Edit cancelled, saved file was empty.\n")
    try:
        new = yaml.safe_load(strip_comments(edited))
    except yaml.YAMLError as e:
        reason = f"The edited file had a syntax error: error parsing edited-file: error converting YAML to JSON: " \
                 f"{yaml_error_text(e)}"
        return EditOutcome(reopen=_rewrap(edited, [(reason, [])]))
    if not isinstance(new, dict) or not new.get("kind"):
        reason = "The edited file had a syntax error: Object 'Kind' is missing in 'edited-file'"
        return EditOutcome(reopen=_rewrap(edited, [(reason, [])]))
    old = yaml.safe_load(strip_comments(original)) or {}
    name = (old.get("metadata") or {}).get("name", "")
    new_ns = (new.get("metadata") or {}).get("namespace")
    if r.namespaced and new_ns and namespace and new_ns != namespace:
        return EditOutcome(err=f'error: the namespace from the provided object "{new_ns}" does not match the '
                               f'namespace "{namespace}". You must pass \'--namespace={new_ns}\' to perform this '
                               "operation.\n", code=1)
    gr = r.group_resource
    if json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True):
        return EditOutcome(out=f"{kind_prefix(r)}/{name} skipped\n")
    from ktui.api.patch import create_merge_patch, create_two_way_merge_patch

    strategic = r.kind in STRATEGIC_KINDS
    patch = create_two_way_merge_patch(old, new, r.kind) if strategic else create_merge_patch(old, new)
    if "apiVersion" in patch or "kind" in patch or "name" in (patch.get("metadata") or {}):
        return EditOutcome(err="error: At least one of apiVersion, kind and name was changed\n", code=1)
    try:
        client.patch(r.plural, name, patch, namespace, patch_type="strategic" if strategic else "merge")
    except ApiError as e:
        if e.code == 422:
            causes = [f"{c.get('field', '')}: {c.get('message', '')}"
                      for c in (e.status.get("details") or {}).get("causes") or []]
            return EditOutcome(err=f'error: {gr} "{name}" is invalid\n',
                               reopen=_rewrap(edited, [(f'{gr} "{name}" was not valid', causes)]))
        if e.code == 404:
            saved = f'The edits you made on deleted resources have been saved to "{file}"\n' if file else ""
            return EditOutcome(err=f'error: {gr} "{name}" could not be found on the server\n' + saved, code=1)
        again = f"You can run `kubectl replace -f {file}` to try this update again.\n" if file else ""
        return EditOutcome(err=f'error: {gr} "{name}" could not be patched: {e.message}\n' + again, code=1)
    return EditOutcome(out=f"{kind_prefix(r)}/{name} edited\n")


def _run_editor(argv: list[str], text: str, environ: dict[str, str]) -> tuple[str, str]:
    """Write ``text`` to a temporary file, run the editor on it; the saved text and the file's path."""
    fd, path = tempfile.mkstemp(prefix="kubectl-edit-", suffix=".yaml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    try:
        done = subprocess.run([*argv, path], env={**os.environ, **environ}, capture_output=True, text=True,
                              timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        os.unlink(path)
        raise KubectlError(f"there was a problem with the editor {argv[0]!r}: {e}") from None
    if done.returncode != 0:
        os.unlink(path)
        raise KubectlError(f"there was a problem with the editor {' '.join(argv)!r}")
    with open(path) as f:
        return f.read(), path


@command("edit")
def edit(inv: Invocation) -> int:
    """``kubectl edit (RESOURCE/NAME | -f FILENAME)``."""
    pairs = resource_args(inv, inv.args)
    if not pairs:
        raise inv.usage_error("resource(s) were provided, but no name was specified") if inv.args else \
            KubectlError("You must provide one or more resources by argument or filename.")
    argv = editor_command(inv.env.environ)
    code = 0
    for word, name in pairs:
        r = resolve(inv, word)
        if not name:
            raise KubectlError("resource(s) were provided, but no name was specified")
        obj = inv.client.get(r.plural, name, inv.namespace)
        original = text = edit_file(obj)
        previous: str | None = None
        for _ in range(100):  # an editor that keeps saving invalid objects ends as "no valid changes"
            edited, path = _run_editor(argv, text, inv.env.environ)
            result = save_edit(inv.client, r, inv.namespace if r.namespaced else None, original, edited,
                               retry_of=previous, file=path)
            if result.out:
                inv.write(result.out)
            if result.err:
                inv.err.append(result.err)
            if result.reopen is None:
                if result.code == 0:
                    os.unlink(path)
                code = max(code, result.code)
                break
            os.unlink(path)
            text, previous = result.reopen, edited
    return code
