"""``kubectl scale``: set ``spec.replicas`` through the scale subresource."""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.kubectl.builder import targets
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer
from ktui.kubectl.submit import check_output, report_errors

__all__: list[str] = []

_SCALABLE = {"deployments", "replicasets", "statefulsets", "replicationcontrollers"}


@command("scale", required=("replicas",))
def scale(inv: Invocation) -> int:
    """``kubectl scale [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)``."""
    if not inv.opts.given("replicas"):
        raise KubectlError('required flag(s) "replicas" not set')
    if inv.opts["replicas"] < 0:
        raise KubectlError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    check_output(inv)
    dry = inv.dry_run()
    printer = Printer(inv.opts["output"], "scaled", dry)
    errs: list[BaseException] = []
    for t in targets(inv):
        try:
            if t.resource.plural not in _SCALABLE:
                raise ApiError(
                    {
                        "kind": "Status",
                        "apiVersion": "v1",
                        "metadata": {},
                        "status": "Failure",
                        "message": f'{t.resource.plural}/scale "{t.name}" not found',
                        "reason": "NotFound",
                        "code": 404,
                    }
                )
            obj = inv.client.get(t.resource.plural, t.name, t.namespace)
            current = (obj.get("spec") or {}).get("replicas", 1)
            if inv.opts["current-replicas"] >= 0 and inv.opts["current-replicas"] != current:
                raise KubectlError(f"Expected replicas to be {inv.opts['current-replicas']}, was {current}")
            if dry != "client":
                obj = inv.client.patch(
                    t.resource.plural,
                    t.name,
                    {"spec": {"replicas": inv.opts["replicas"]}},
                    t.namespace,
                    patch_type="merge",
                    dry_run=dry == "server",
                )
            inv.write(printer.print(obj))
        except (ApiError, KubectlError) as e:
            errs.append(e)
    return report_errors(inv, errs)
