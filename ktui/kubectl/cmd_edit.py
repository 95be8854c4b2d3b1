"""``kubectl edit``: the object as YAML in a temporary file, ``$KUBE_EDITOR``/``$EDITOR`` run on it, the
difference sent back as a patch (kubectl's ``editoptions.go``).

The editor must come from the environment kubectl was given (``KubectlEnv.environ``): a simulated
cluster has no terminal to open ``vi`` in, so without either variable ``edit`` refuses with a clear error.
:func:`save_edit` is what happens when the file is saved: it is shared with the terminal UI's editor screen,
which shows the same file (:func:`edit_file`) and gets the same answers.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any, Sequence

import yaml

from ktui.api.errors import ApiError
from ktui.api.object_rules import STRATEGIC_KINDS
from ktui.api.registry import Resource
from ktui.kubectl.builder import kind_prefix, resolve, resource_args
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.manifests import yaml_error_text
from ktui.kubectl.printers import to_yaml
from ktui.kubectl.validate import directive

__all__ = ["editor_command", "NO_EDITOR", "MAX_ROUNDS", "EditOutcome", "edit_file", "save_edit", "strip_comments"]

MAX_ROUNDS = 10
"""How often an invalid edit is reopened before it is cancelled (kubectl reopens it for as long as the editor
changes it; ktui may run inside the server's event loop, so an editor that never settles must not hold it)."""

NO_EDITOR = (
    "no editor to run: set KUBE_EDITOR or EDITOR to a command that edits the file named as its last "
    "argument (ktui cannot open an interactive editor for a simulated cluster)"
)
_HEADER = (
    "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
    "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
    "# reopened with the relevant failures.\n#\n"
)

Reasons = Sequence[tuple[str, list[str]]]
"""Why a saved file came back: (reason, its causes) pairs, as kubectl's edit header lists them."""


def editor_command(environ: dict[str, str]) -> list[str]:
    """The editor kubectl would run: ``$KUBE_EDITOR``, else ``$EDITOR``; refused when neither is set."""
    for var in ("KUBE_EDITOR", "EDITOR"):
        if environ.get(var, "").strip():
            return shlex.split(environ[var])
    raise KubectlError(NO_EDITOR)


def strip_comments(text: str) -> str:
    """The file without its ``#`` lines (``cmdutil.StripComments``)."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("#"))


def _header(reasons: Reasons) -> str:
    """kubectl's edit header, with the reasons the file came back (``editHeader.writeTo``)."""
    text = _HEADER
    for head, other in reasons:
        text += f"# {_hashed(head)}:\n" if other else f"# {_hashed(head)}\n"
        text += "".join(f"# * {_hashed(o)}\n" for o in other)
        text += "#\n"
    return text


def _hashed(text: str) -> str:
    """``hashOnLineBreak``: every line of a multi-line reason stays a comment."""
    return "".join(
        "\n# " if ch == "\n" and i + 1 < len(text) and text[i + 1] != "#" else ch for i, ch in enumerate(text)
    )


def edit_file(obj: dict, reasons: Reasons = ()) -> str:
    """The file kubectl opens: its header, the reasons a save failed (if any), then the object as YAML."""
    return _header(reasons) + to_yaml(obj)


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
    """The file kubectl reopens the editor with (an invalid edit): the header with the reasons, then the edited
    text; None when the edit is over."""


def _unparsable(text: str) -> str:
    """Why kubectl's validator refuses the edited text before anything is sent ("" when it reads as an object)."""
    try:
        obj = yaml.safe_load(text)
    except yaml.YAMLError as e:
        return f"error converting YAML to JSON: {yaml_error_text(e)}"
    if not isinstance(obj, dict) or not obj.get("kind"):
        return f"Object 'Kind' is missing in '{json.dumps(obj, separators=(',', ':'))}'"
    return ""


def save_edit(
    client: Any,
    r: Resource,
    namespace: str | None,
    original: str,
    edited: str,
    *,
    retry_of: str | None = None,
    file: str | None = None,
    validate: bool = True,
) -> EditOutcome:
    """Send what the user saved, as kubectl edit does: a two-way patch from the object shown to the one saved.

    Args:
        client: the API client (kubectl's user).
        r: the resource (from the registry).
        namespace: the namespace the object was fetched from (None for a cluster-scoped kind).
        original: the file as first opened (:func:`edit_file` of the object).
        edited: the file as saved.
        retry_of: the file as saved the previous time, when the editor was reopened after a failure.
        file: where the edited file is kept (kubectl names it in some errors); None leaves those lines out.
        validate: kubectl's client-side check of the edited text (off with ``--validate=ignore``).
    """
    body = strip_comments(edited)
    old = yaml.safe_load(strip_comments(original)) or {}
    name = (old.get("metadata") or {}).get("name", "")
    resource = r.group_resource
    if retry_of is not None and strip_comments(retry_of) == body:
        kept = f'A copy of your changes has been stored to "{file}"\n' if file and os.path.exists(file) else ""
        return EditOutcome(err=kept + "error: Edit cancelled, no valid changes were saved.\n", code=1)
    problem = _unparsable(body) if validate else ""
    if problem:  # kubectl's schema check comes first: an empty or unreadable file is an invalid edit
        reasons = [
            (
                f'{resource} "{name}" was not valid',
                [f'<nil>: Invalid value: "The edited file failed validation": {problem}'],
            )
        ]
        return EditOutcome(err=f'error: {resource} "{name}" is invalid\n', reopen=_header(reasons) + body)
    if body == strip_comments(original):
        return EditOutcome(err="Edit cancelled, no changes made.\n")
    if not body.strip():
        return EditOutcome(err="Edit cancelled, saved file was empty.\n")
    try:
        new = yaml.safe_load(body)
    except yaml.YAMLError as e:
        return EditOutcome(reopen=_header([(f"The edited file had a syntax error: {e}", [])]) + body)
    if not isinstance(new, dict):
        return EditOutcome(
            reopen=_header([("The edited file had a syntax error: Object 'Kind' is missing", [])]) + body
        )
    new_ns = (new.get("metadata") or {}).get("namespace")
    if r.namespaced and new_ns and namespace and new_ns != namespace:
        return EditOutcome(
            err=f'error: the namespace from the provided object "{new_ns}" does not match the '
            f"namespace \"{namespace}\". You must pass '--namespace={new_ns}' to perform this "
            "operation.\n",
            code=1,
        )
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
            causes = [
                f"{c.get('field', '')}: {c.get('message', '')}"
                for c in (e.status.get("details") or {}).get("causes") or []
            ]
            return EditOutcome(
                err=f'error: {resource} "{name}" is invalid\n',
                reopen=_header([(f'{resource} "{name}" was not valid', causes)]) + body,
            )
        if e.code == 404:
            saved = f'The edits you made on deleted resources have been saved to "{file}"\n' if file else ""
            return EditOutcome(err=f'error: {resource} "{name}" could not be found on the server\n' + saved, code=1)
        again = f"You can run `kubectl replace -f {file}` to try this update again.\n" if file else ""
        return EditOutcome(err=f'error: {resource} "{name}" could not be patched: {e.message}\n' + again, code=1)
    return EditOutcome(out=f"{kind_prefix(r)}/{name} edited\n")


def _launch(argv: list[str], environ: dict[str, str], text: str) -> tuple[str, str]:
    """Write ``text`` to a new ``kubectl-edit-*.yaml`` file (in ``$TMPDIR`` when set, as Go's ``os.TempDir``),
    run the editor on it: (what it saved, the file)."""
    fd, path = tempfile.mkstemp(prefix="kubectl-edit-", suffix=".yaml", dir=environ.get("TMPDIR") or None)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    try:
        done = subprocess.run([*argv, path], env={**os.environ, **environ}, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        raise KubectlError(f"there was a problem with the editor {argv[0]!r}: {e}") from None
    if done.returncode != 0:
        raise KubectlError(f"there was a problem with the editor {' '.join(argv)!r}")
    with open(path) as f:
        return f.read(), path


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _edit_one(inv: Invocation, r: Resource, name: str, argv: list[str]) -> int:
    """kubectl's edit loop for one object: an invalid change reopens the file with the reasons in its header;
    saving it unchanged then cancels the edit and keeps the file. Returns the exit code."""
    obj = inv.client.get(r.plural, name, inv.namespace)
    original = text = edit_file(obj)
    previous: str | None = None
    last = ""
    validate = directive(inv.opts) != "Ignore"
    for round_ in range(MAX_ROUNDS):
        edited, path = _launch(argv, inv.env.environ, text)
        if last:
            _remove(last)
        if round_ == MAX_ROUNDS - 1:
            previous = edited  # the last round: an edit still invalid is cancelled, as if saved unchanged
        result = save_edit(
            inv.client,
            r,
            inv.namespace if r.namespaced else None,
            original,
            edited,
            retry_of=previous,
            file=path,
            validate=validate,
        )
        if result.out:
            inv.write(result.out)
        if result.err:
            inv.warn(result.err)
        if result.reopen is None:
            if result.code == 0:
                _remove(path)
            return result.code
        text, previous, last = result.reopen, edited, path
    raise AssertionError("unreachable: the last round always ends the edit")


@command("edit")
def edit(inv: Invocation) -> int:
    """``kubectl edit (RESOURCE/NAME | -f FILENAME)``."""
    pairs = resource_args(inv, inv.args)
    if not pairs:
        raise (
            inv.usage_error("resource(s) were provided, but no name was specified")
            if inv.args
            else KubectlError("You must provide one or more resources by argument or filename.")
        )
    argv = editor_command(inv.env.environ)
    code = 0
    for word, name in pairs:
        r = resolve(inv, word)
        if not name:
            raise KubectlError("resource(s) were provided, but no name was specified")
        code = max(code, _edit_one(inv, r, name, argv))
    return code
