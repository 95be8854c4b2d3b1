"""``kubectl certificate approve|deny``: add the Approved or Denied condition through ``/approval``.

As kubectl's ``pkg/cmd/certificates``: each CSR named (or in ``-f``) is read, refused if it already has the
opposite condition, given the condition unless it has it already (or ``--force``), written through the
``approval`` subresource (retried on a conflict), and printed as ``...NAME approved``. Errors are collected
and printed after the CSRs that succeeded.
"""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.kubectl.builder import targets
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.flags import help_text
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer, resource_name
from ktui.kubectl.submit import check_output, report_errors
from ktui.sim.timefmt import rfc3339

__all__: list[str] = []

_CSRS = "certificatesigningrequests"
_RETRIES = 10


def _add_condition(csr: dict, must_not: str, ctype: str, reason: str, message: str, now: float) -> bool:
    """``addConditionIfNeeded``: True when ``csr`` has ``ctype`` already; raises when it has ``must_not``."""
    conditions = list((csr.get("status") or {}).get("conditions") or [])
    has = False
    for c in conditions:
        if c.get("type") == must_not:
            name = csr["metadata"]["name"]
            raise KubectlError(f'certificate signing request "{name}" is already {c.get("type")}')
        has = has or c.get("type") == ctype
    if has:
        return True
    conditions.append(
        {"type": ctype, "status": "True", "reason": reason, "message": message, "lastUpdateTime": rfc3339(now)}
    )
    csr["status"] = {**(csr.get("status") or {}), "conditions": conditions}
    return False


def _modify(inv: Invocation, operation: str, must_not: str, ctype: str, reason: str, message: str) -> int:
    output = check_output(inv)
    if not inv.args and not inv.opts.get("filename"):
        raise KubectlError("one or more CSRs must be specified as <name> or -f <filename>")
    if inv.args and not inv.opts.get("filename"):
        inv.opts.args[:] = [_CSRS, *inv.args]
    errs: list[BaseException] = []
    printer = Printer(output, operation)
    found = 0
    for t in targets(inv):
        if t.resource.plural != _CSRS:
            errs.append(
                KubectlError(
                    f"can only handle CertificateSigningRequest.certificates.k8s.io objects, got {t.resource.kind}"
                    + (f".{t.resource.group}" if t.resource.group else "")
                )
            )
            continue
        try:
            shown = inv.client.get(_CSRS, t.name)
            for attempt in range(_RETRIES + 1):
                csr = inv.client.get(_CSRS, t.name)
                has = _add_condition(csr, must_not, ctype, reason, message, inv.env.now())
                if has and not inv.opts["force"]:
                    break
                try:
                    inv.client.update(_CSRS, csr, subresource="approval")
                except ApiError as e:
                    if e.code == 409 and attempt < _RETRIES:
                        shown = inv.client.get(_CSRS, t.name)
                        continue
                    raise
                break
        except (ApiError, KubectlError) as e:
            errs.append(e)
            continue
        found += 1
        inv.write(printer.print(shown) if output else f"{resource_name(shown)} {operation}\n")
    if not found and not errs:
        inv.write("No resources found\n")
    return report_errors(inv, errs)


@command("certificate")
def certificate(inv: Invocation) -> int:
    """``kubectl certificate``: its help."""
    inv.write(help_text("certificate"))
    return 0


@command("certificate approve")
def approve(inv: Invocation) -> int:
    """``kubectl certificate approve (-f FILENAME | NAME)``."""
    return _modify(
        inv, "approved", "Denied", "Approved", "KubectlApprove", "This CSR was approved by kubectl certificate approve."
    )


@command("certificate deny")
def deny(inv: Invocation) -> int:
    """``kubectl certificate deny (-f FILENAME | NAME)``."""
    return _modify(
        inv, "denied", "Approved", "Denied", "KubectlDeny", "This CSR was denied by kubectl certificate deny."
    )
