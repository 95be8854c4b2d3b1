"""``kubectl patch``: a strategic merge, JSON merge or JSON patch, inline (``-p``) or from a file."""

from __future__ import annotations

import os
from typing import Any

import yaml

from ktui.api.errors import ApiError
from ktui.kubectl.builder import targets
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.manifests import yaml_error_text
from ktui.kubectl.printers import Printer
from ktui.kubectl.submit import check_output, report_errors

__all__: list[str] = []


def _patch_body(inv: Invocation) -> Any:
    text = inv.opts["patch"]
    if inv.opts["patch-file"]:
        if text:
            raise KubectlError("cannot specify --patch and --patch-file together")
        path = inv.opts["patch-file"]
        full = path if os.path.isabs(path) or inv.env.cwd is None else os.path.join(inv.env.cwd, path)
        try:
            with open(full, encoding="utf-8") as fh:
                text = fh.read()
        except OSError:
            raise KubectlError(f"unable to read patch file: open {path}: no such file or directory") from None
    if not text:
        raise KubectlError("must specify --patch or --patch-file containing the contents of the patch")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise KubectlError(f'unable to parse "{text}": {yaml_error_text(e)}') from None


@command("patch")
def patch(inv: Invocation) -> int:
    """``kubectl patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE] [--type strategic|merge|json]``."""
    kind = inv.opts["type"] or "strategic"
    if kind not in ("json", "merge", "strategic"):
        raise KubectlError(f'--type must be one of [json merge strategic], not "{kind}"')
    body = _patch_body(inv)
    check_output(inv)
    dry = inv.dry_run()
    errs: list[BaseException] = []
    for t in targets(inv):
        try:
            before = inv.client.get(t.resource.plural, t.name, t.namespace)
            if dry == "client":
                from ktui.api import patch as patches

                after = (
                    patches.apply_json_patch(before, body)
                    if kind == "json"
                    else patches.apply_merge_patch(before, body)
                    if kind == "merge"
                    else patches.apply_strategic_merge_patch(before, body, before.get("kind", ""))
                )
            else:
                after = inv.client.patch(
                    t.resource.plural,
                    t.name,
                    body,
                    t.namespace,
                    patch_type=kind,
                    dry_run=dry == "server",
                    subresource=inv.opts.get("subresource", ""),
                )
        except ApiError as e:
            errs.append(e)
            continue

        def strip(o: dict) -> dict:
            return {
                **o,
                "metadata": {k: v for k, v in o["metadata"].items() if k not in ("resourceVersion", "managedFields")},
            }

        op = "patched" if strip(before) != strip(after) else "patched (no change)"
        inv.write(Printer(inv.opts["output"], op, dry).print(after))
    return report_errors(inv, errs)
