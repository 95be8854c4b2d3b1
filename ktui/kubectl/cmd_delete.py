"""``kubectl delete``: by name, ``kind/name``, ``-f``, ``-l`` or ``--all``, with grace periods and cascading."""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.kubectl import manifests
from ktui.kubectl.cmd_create import report_errors
from ktui.kubectl.cmd_expose import NO_RESOURCES, resource_args
from ktui.kubectl.errors import KubectlError, with_source
from ktui.kubectl.main import Invocation, command

__all__ = ["targets", "Target"]

FORCE_WARNING = ("Warning: Immediate deletion does not wait for confirmation that the running resource has been "
                 "terminated. The resource may continue to run on the cluster indefinitely.")


class Target:
    """One object a command acts on: its resource, name, namespace, and where it was named (a file)."""

    def __init__(self, resource: Any, name: str, namespace: str | None, source: str = "") -> None:
        self.resource = resource
        self.name = name
        self.namespace = namespace if resource.namespaced else None
        self.source = source

    @property
    def shown(self) -> str:
        """``pod``, ``deployment.apps``: how kubectl names the kind in its messages."""
        r = self.resource
        return f"{r.singular}.{r.group}" if r.group else r.singular


def targets(inv: Invocation, *, allow_selector: bool = True, errs: list[BaseException] | None = None) -> list[Target]:
    """The objects the arguments, ``-f``, ``-l``/``--all`` name (resource builder semantics)."""
    out: list[Target] = []
    if inv.opts.get("filename"):
        if inv.args:
            raise KubectlError("Unexpected args: " + str(inv.args).replace("'", "").replace(",", ""))
        for m in manifests.read_manifests(inv.opts["filename"], recursive=inv.opts.get("recursive", False),
                                          stdin=inv.stdin, cwd=inv.env.cwd):
            r = manifests.resolve(m)
            out.append(Target(r, m.name, m.namespace or inv.namespace, m.source))
        return out
    pairs = resource_args(inv, inv.args)
    if not pairs:
        raise KubectlError(NO_RESOURCES)
    selector = inv.opts.get("selector", "") if allow_selector else ""
    select_all = inv.opts.get("all", False)
    if select_all and selector:
        raise KubectlError("setting 'all' parameter but found a non empty selector. ")
    all_ns = inv.opts.get("all-namespaces", False)
    for resource, name in pairs:
        r = inv.client.resource(resource)
        if name:
            if selector or select_all:
                raise KubectlError("name cannot be provided when a selector is specified")
            out.append(Target(r, name, inv.namespace))
        elif selector or select_all:
            listed = inv.client.list(r.plural, None if all_ns else (inv.namespace if r.namespaced else None),
                                     label_selector=selector, field_selector=inv.opts.get("field-selector", ""))
            for item in listed.get("items", []):
                md = item["metadata"]
                out.append(Target(r, md["name"], md.get("namespace")))
        else:
            raise KubectlError("resource(s) were provided, but no name was specified")
    return out


@command("delete")
def delete(inv: Invocation) -> int:
    """``kubectl delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)])``."""
    o = inv.opts
    if o["now"] and o["grace-period"] != -1:
        raise KubectlError("--now and --grace-period cannot be specified together")
    grace = 1 if o["now"] else o["grace-period"]
    if o["force"] and grace < 0:
        grace = 0
    if grace == 0 and not o["force"]:
        grace = 1  # --grace-period=0 means "as soon as possible" unless forced
    if o["cascade"] not in ("background", "foreground", "orphan", "true", "false"):
        raise KubectlError(f'invalid cascade value ({o["cascade"]}). Must be "background", "foreground", or '
                           f'"orphan".')
    propagation = {"true": "Background", "false": "Orphan"}.get(o["cascade"], o["cascade"].capitalize())
    dry = inv.dry_run()
    if o["force"] and grace == 0:
        inv.warn(FORCE_WARNING)
    errs: list[BaseException] = []
    found = targets(inv)
    if not found and (o["selector"] or o["all"]):
        inv.write("No resources found\n")
        return 0
    for t in found:
        try:
            if dry != "client":
                inv.client.delete(t.resource.plural, t.name, t.namespace, dry_run=dry == "server",
                                  grace_period_seconds=grace if grace >= 0 else None,
                                  propagation_policy=propagation)
            elif not o["filename"]:
                inv.client.get(t.resource.plural, t.name, t.namespace)
        except ApiError as e:
            if e.code == 404 and o["ignore-not-found"]:
                continue
            errs.append(with_source(e, "deleting", t.source) if t.source else e)
            continue
        if o["output"] == "name":
            inv.write(f"{t.shown}/{t.name}\n")
            continue
        verb = "force deleted" if o["force"] and grace == 0 else "deleted"
        where = f" from {t.namespace} namespace" if t.namespace else ""
        suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry, "")
        inv.write(f'{t.shown} "{t.name}" {verb}{where}{suffix}\n')
    return report_errors(inv, errs)
