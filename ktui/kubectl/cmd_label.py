"""``kubectl label`` and ``kubectl annotate``: ``key=value`` sets, ``key-`` removes, ``--overwrite`` replaces."""

from __future__ import annotations

import json

from ktui.api.errors import ApiError
from ktui.kubectl.builder import targets
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer, resource_name
from ktui.kubectl.submit import check_output, report_errors

__all__: list[str] = []


def _split(inv: Invocation, what: str) -> tuple[list[str], dict[str, str], list[str]]:
    """Resource words, then ``key=value`` and ``key-`` changes (which must come last)."""
    resources: list[str] = []
    changes: list[str] = []
    for a in inv.args:
        if "=" in a or a.endswith("-"):
            changes.append(a)
        elif changes:
            raise KubectlError(f"all resources must be specified before {what} changes: {a}")
        else:
            resources.append(a)
    if not resources and not inv.opts.get("filename"):
        raise KubectlError("one or more resources must be specified as <resource> <name> or <resource>/<name>")
    if not changes:
        raise KubectlError(f"at least one {what} update is required")
    sets: dict[str, str] = {}
    removes: list[str] = []
    for c in changes:
        if c.endswith("-") and "=" not in c:
            removes.append(c[:-1])
        else:
            key, _, value = c.partition("=")
            sets[key] = value
    return resources, sets, removes


def _change(inv: Invocation, field: str, what: str) -> int:
    check_output(inv)
    resources, sets, removes = _split(inv, what)
    inv.opts.args[:] = resources
    dry = inv.dry_run()
    errs: list[BaseException] = []
    printer_ops = {"labels": ("labeled", "unlabeled", "not labeled"), "annotations": ("annotated",) * 3}[field]
    for t in targets(inv):
        try:
            obj = inv.client.get(t.resource.plural, t.name, t.namespace)
        except ApiError as e:
            errs.append(e)
            continue
        old = dict(obj["metadata"].get(field) or {})
        if not inv.opts["overwrite"]:
            clashes = [f"'{k}' already has a value ({old[k]})" for k, v in sets.items() if k in old and old[k] != v]
            if clashes:
                if field == "labels":
                    raise KubectlError(clashes[0] + ", and --overwrite is false")
                raise KubectlError(
                    "--overwrite is false but found the following declared annotation(s): " + "; ".join(clashes)
                )
        new = dict(old)
        for key in removes:
            if key not in new and field == "labels":
                inv.write(f'label "{key}" not found.\n')
            new.pop(key, None)
        new.update(sets)
        result = obj
        if new != old and dry != "client":
            patch = {
                "metadata": {
                    field: {
                        **{k: None for k in old if k not in new},
                        **{k: v for k, v in new.items() if old.get(k) != v},
                    }
                }
            }
            if inv.opts.get("resource-version"):
                patch["metadata"]["resourceVersion"] = inv.opts["resource-version"]
            try:
                result = inv.client.patch(
                    t.resource.plural, t.name, patch, t.namespace, patch_type="merge", dry_run=dry == "server"
                )
            except ApiError as e:
                errs.append(e)
                continue
        elif new != old:
            result = {**obj, "metadata": {**obj["metadata"], field: new}}
        op = printer_ops[2]
        if new != old:
            op = printer_ops[0]
            shrunk = len(json.dumps(new, separators=(",", ":"))) < len(json.dumps(old, separators=(",", ":")))
            if not inv.opts["overwrite"] and shrunk:
                op = printer_ops[1]
        if inv.opts.get("list") and field == "labels":
            inv.write("".join(f"{k}={v}\n" for k, v in new.items()))
            continue
        inv.write(
            Printer(inv.opts["output"], op, dry).print(result)
            if inv.opts["output"]
            else f"{resource_name(result)} {op}{ {'client': ' (dry run)', 'server': ' (server dry run)'}.get(dry, '') }\n"
        )
    return report_errors(inv, errs)


@command("label")
def label(inv: Invocation) -> int:
    """``kubectl label TYPE NAME KEY_1=VAL_1 ... KEY_N=VAL_N``."""
    return _change(inv, "labels", "label")


@command("annotate")
def annotate(inv: Invocation) -> int:
    """``kubectl annotate TYPE NAME KEY_1=VAL_1 ... KEY_N=VAL_N``."""
    return _change(inv, "annotations", "annotation")
