"""``kubectl replace -f FILE``: write the whole object (``--force``: delete it, then create it again)."""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.kubectl import manifests
from ktui.kubectl.errors import KubectlError, with_source
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer
from ktui.kubectl.submit import annotate_last_applied, check_output, prepare, report_errors

__all__: list[str] = []


@command("replace")
def replace(inv: Invocation) -> int:
    """``kubectl replace -f FILENAME [--force]``."""
    if not inv.opts["filename"]:
        raise KubectlError("must specify --filename to replace")
    check_output(inv)
    dry = inv.dry_run()
    errs: list[BaseException] = []
    try:
        for m in manifests.read_manifests(
            inv.opts["filename"], recursive=inv.opts["recursive"], stdin=inv.stdin, cwd=inv.env.cwd
        ):
            try:
                r = manifests.resolve(m)
                obj = prepare(inv, m, r.namespaced)
                ns = obj["metadata"].get("namespace")
                if inv.opts["save-config"]:
                    annotate_last_applied(obj)
                if inv.opts["force"]:
                    if dry == "none":
                        inv.client.delete(r.plural, m.name, ns)
                        inv.write(
                            f'{r.singular}.{r.group} "{m.name}" deleted\n'
                            if r.group
                            else f'{r.singular} "{m.name}" deleted\n'
                        )
                        result = inv.client.create(r.plural, obj, ns)
                    else:
                        result = obj
                else:
                    current = inv.client.get(r.plural, m.name, ns)
                    if not obj["metadata"].get("resourceVersion"):
                        obj["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
                    result = obj if dry == "client" else inv.client.update(r.plural, obj, ns, dry_run=dry == "server")
                inv.write(Printer(inv.opts["output"], "replaced", dry).print(result))
            except ApiError as e:
                errs.append(with_source(e, "replacing", m.source))
            except KubectlError as e:
                errs.append(e)
    except KubectlError as e:
        errs.append(e)
    return report_errors(inv, errs)
