"""Sending what a command built: ``-o`` checked as kubectl checks it, ``--dry-run``, ``--save-config``, errors.

Shared by every command that creates or replaces objects: :func:`submit` creates one object (or pretends) and
prints it as ``-o`` says; :func:`prepare` readies an object read from ``-f`` for its namespace;
:func:`report_errors` prints what went wrong as kubectl does and picks the exit code.
"""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.kubectl import manifests
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation
from ktui.kubectl.printers import Printer, to_json, valid_output

__all__ = ["LAST_APPLIED", "check_output", "submit", "annotate_last_applied", "report_errors", "prepare"]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
OUTPUTS = ("json", "yaml", "name", "jsonpath", "jsonpath-as-json", "custom-columns")
_ALLOWED = (
    "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,yaml"
)


def check_output(inv: Invocation) -> str:
    """The ``-o`` value, refused as kubectl refuses an unknown one."""
    fmt = inv.opts.get("output", "")
    base = fmt.split("=", 1)[0]
    if fmt and base not in _ALLOWED.split(","):
        raise KubectlError(
            f'unable to match a printer suitable for the output format "{fmt}", allowed formats are: {_ALLOWED}'
        )
    if fmt and base not in OUTPUTS:
        raise KubectlError(f'ktui does not support the output format "{fmt}" yet')
    valid_output(fmt, OUTPUTS)
    return fmt


def submit(
    inv: Invocation,
    resource: str,
    obj: dict,
    operation: str = "created",
    printer: Printer | None = None,
    namespace: str | None = None,
    failed: str = "",
) -> dict:
    """Create ``obj`` (or pretend, with ``--dry-run``) and print it as ``-o`` says.

    ``namespace`` is where it goes when not the command's own (``expose -f`` of another namespace's object).
    ``failed`` is the text that the generator wraps the server's refusal in (``failed to create job: ``);
    without it the refusal is printed as the server's error.
    """
    fmt = check_output(inv)
    dry = inv.dry_run()
    printer = printer or Printer(fmt, operation, dry)
    if inv.opts.get("save-config"):
        annotate_last_applied(obj, typed=True)
    if dry == "client":
        result, typed = obj, True
    else:
        try:
            result = inv.client.create(resource, obj, namespace or inv.namespace, dry_run=dry == "server")
        except ApiError as e:
            if not failed:
                raise
            raise KubectlError(failed + e.message) from None
        typed = False
    inv.write(printer.print(result, typed=typed))
    return result


def annotate_last_applied(obj: dict, typed: bool = False) -> None:
    """Record ``obj`` itself (as compact JSON) in the last-applied annotation, as ``--save-config`` does.

    kubectl's GetModifiedConfiguration empties the annotations before encoding: an object read from a file
    (unstructured) keeps ``"annotations":{}`` and sorted keys; a typed one drops the empty map and keeps
    its fields in struct order.
    """
    md = obj.setdefault("metadata", {})
    annotations = {k: v for k, v in (md.get("annotations") or {}).items() if k != LAST_APPLIED}
    if annotations or not typed:
        bare = {**obj, "metadata": {**md, "annotations": annotations}}
    else:
        bare = {**obj, "metadata": {k: v for k, v in md.items() if k != "annotations"}}
    md["annotations"] = {**annotations, LAST_APPLIED: to_json(bare, sort=not typed, indent=None) + "\n"}


def report_errors(inv: Invocation, errs: list[BaseException]) -> int:
    """Print what went wrong (one error as ``error: ...``, several one per line) and pick the exit code."""
    from ktui.kubectl.errors import format_api_error

    if len(errs) == 1:
        inv.error(errs[0])
    for e in errs if len(errs) > 1 else ():
        inv.err.append(
            format_api_error(e)
            if isinstance(e, ApiError)
            else (e.message if isinstance(e, KubectlError) else str(e)).rstrip("\n") + "\n"
        )
    return 1 if errs else 0


def prepare(inv: Invocation, m: manifests.Manifest, namespaced: bool) -> dict:
    """The object to send: the namespace filled in (or checked against ``-n``) for namespaced kinds."""
    obj = dict(m.obj)
    md = dict(obj.get("metadata") or {})
    if namespaced:
        if inv.explicit_namespace and md.get("namespace") and md["namespace"] != inv.namespace:
            raise KubectlError(
                f'the namespace from the provided object "{md["namespace"]}" does not match the '
                f"namespace \"{inv.namespace}\". You must pass '--namespace={md['namespace']}' to "
                f"perform this operation."
            )
        md["namespace"] = md.get("namespace") or inv.namespace
    obj["metadata"] = md
    return obj
