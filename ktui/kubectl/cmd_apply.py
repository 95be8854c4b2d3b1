"""``kubectl apply -f``: client-side apply with the last-applied annotation and a three-way strategic merge."""

from __future__ import annotations

import json

from ktui.api.errors import ApiError
from ktui.kubectl import manifests
from ktui.kubectl.errors import KubectlError, with_source
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer, to_json
from ktui.kubectl.submit import LAST_APPLIED, annotate_last_applied, check_output, prepare, report_errors

__all__ = ["MISSING_ANNOTATION"]

MISSING_ANNOTATION = (
    "Warning: resource {} is missing the kubectl.kubernetes.io/last-applied-configuration "
    "annotation which is required by kubectl apply. kubectl apply should only be used on resources "
    "created declaratively by either kubectl create --save-config or kubectl apply. The missing "
    "annotation will be patched automatically."
)


def _apply_one(inv: Invocation, m: manifests.Manifest, dry: str, fmt: str) -> None:
    from ktui.api.patch import PatchError, apply_strategic_merge_patch, three_way_merge

    r = manifests.resolve(m)
    modified = prepare(inv, m, r.namespaced)
    annotate_last_applied(modified)
    ns = modified["metadata"].get("namespace")
    try:
        current = inv.client.get(r.plural, m.name, ns)
    except ApiError as e:
        if e.code != 404:
            raise with_source(
                e,
                "retrieving current configuration of:\nResource: "
                f'"{r.group}/{r.version}, Resource={r.plural}", GroupVersionKind: '
                f'"{r.group}/{r.version}, Kind={r.kind}"\nName: "{m.name}", Namespace: '
                f'"{ns or ""}"\nfrom server for',
                m.source,
            ) from None
        try:
            result = modified if dry == "client" else inv.client.create(r.plural, modified, ns, dry_run=dry == "server")
        except ApiError as e:
            raise with_source(e, "creating", m.source) from None
        inv.write(Printer(fmt, "created", dry).print(result))
        return
    annotations = current["metadata"].get("annotations") or {}
    if LAST_APPLIED not in annotations:
        inv.warn(MISSING_ANNOTATION.format(f"{r.group_resource}/{m.name}"))
        original = None
    else:
        original = json.loads(annotations[LAST_APPLIED])
    try:
        patch = three_way_merge(original, modified, current, r.kind)
    except PatchError as e:  # strategicpatch.CreateThreeWayMergePatch failed: kubectl's nested wording
        raise KubectlError(
            f'error when applying patch:\n\nto:\n{_info(r, m.name, ns)}\nfor: "{m.source}": error when patching '
            f'"{m.source}": creating patch with:\noriginal:\n{annotations.get(LAST_APPLIED, "")}\nmodified:\n'
            f"{to_json(modified, indent=None)}\n\ncurrent:\n{to_json(current, indent=None)}\n\nfor: "
            f"{e.detail or e}"
        ) from None
    if not patch:
        inv.write(Printer(fmt, "unchanged", dry).print(current))
        return
    try:
        if dry == "client":
            result = apply_strategic_merge_patch(current, patch, r.kind)
        else:
            result = inv.client.patch(r.plural, m.name, patch, ns, patch_type="strategic", dry_run=dry == "server")
    except ApiError as e:
        raise with_source(
            e,
            "applying patch:\n" + json.dumps(patch, separators=(",", ":")) + f"\nto:\n{_info(r, m.name, ns)}\nfor",
            m.source,
        ) from None
    inv.write(Printer(fmt, "configured", dry).print(result))


def _info(r, name: str, ns: str | None) -> str:
    """A resource.Info as kubectl prints it in apply's errors."""
    return (
        f'Resource: "{r.group}/{r.version}, Resource={r.plural}", GroupVersionKind: "{r.group}/{r.version}, '
        f'Kind={r.kind}"\nName: "{name}", Namespace: "{ns or ""}"'
    )


@command("apply")
def apply(inv: Invocation) -> int:
    """``kubectl apply -f FILENAME``."""
    if inv.opts["server-side"]:
        raise KubectlError("ktui supports client-side apply only (no --server-side yet)")
    if inv.opts["prune"]:
        raise KubectlError("ktui does not support --prune yet")
    if not inv.opts["filename"]:
        raise KubectlError("error: must specify one of -f and -k")
    fmt = check_output(inv)
    dry = inv.dry_run()
    errs: list[BaseException] = []
    try:
        for m in manifests.read_manifests(
            inv.opts["filename"],
            recursive=inv.opts["recursive"],
            stdin=inv.stdin,
            validate=inv.opts.get("validate", "strict") not in ("false", "ignore"),
            cwd=inv.env.cwd,
        ):
            try:
                _apply_one(inv, m, dry, fmt)
            except (ApiError, KubectlError) as e:
                errs.append(e)
    except KubectlError as e:
        errs.append(e)
    return report_errors(inv, errs)
