"""``kubectl delete``: by name, ``kind/name``, ``-f``, ``-l`` or ``--all``, with grace periods and cascading."""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.kubectl.builder import targets
from ktui.kubectl.errors import KubectlError, with_source
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.submit import report_errors

__all__: list[str] = []

FORCE_WARNING = (
    "Warning: Immediate deletion does not wait for confirmation that the running resource has been "
    "terminated. The resource may continue to run on the cluster indefinitely."
)


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
        raise KubectlError(f'invalid cascade value ({o["cascade"]}). Must be "background", "foreground", or "orphan".')
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
                inv.client.delete(
                    t.resource.plural,
                    t.name,
                    t.namespace,
                    dry_run=dry == "server",
                    grace_period_seconds=grace if grace >= 0 else None,
                    propagation_policy=propagation,
                )
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
