"""kube-controller-manager's ``csrcleaner``: old CertificateSigningRequests are deleted, as upstream does.

Follows pkg/controller/certificates/cleaner (v1.37): once at start and then every hour, every CSR is checked;
it is deleted when it is pending for more than 24 hours, denied or failed for more than an hour (by the
condition's ``lastUpdateTime``), approved and issued for more than an hour, or issued with a certificate
that has expired. Times are the simulated clock's.
"""

from __future__ import annotations

import base64
import binascii

from cryptography import x509

from ktui.api.errors import ApiError
from ktui.api.pem import pem_blocks
from ktui.components.base import Controller
from ktui.sim.timefmt import EPOCH, parse_rfc3339

__all__ = ["CSRCleanerController", "expired_csr"]

POLLING_INTERVAL = 3600.0
APPROVED_EXPIRATION = 3600.0
DENIED_EXPIRATION = 3600.0
PENDING_EXPIRATION = 24 * 3600.0


def _older(stamp: object, seconds: float, now: float) -> bool:
    """``isOlderThan``: a set time more than ``seconds`` before ``now``."""
    if not stamp:
        return False
    try:
        return now - parse_rfc3339(str(stamp)) > seconds
    except ValueError:
        return False


def _certificate_end(csr: dict) -> float | None:
    try:
        pem = base64.b64decode(str((csr.get("status") or {}).get("certificate") or ""), validate=True)
        blocks = pem_blocks(pem)
        cert = x509.load_der_x509_certificate(blocks[0].der) if blocks else None
    except (binascii.Error, ValueError):
        return None
    return None if cert is None else (cert.not_valid_after_utc - EPOCH).total_seconds()


def expired_csr(csr: dict, now: float) -> bool:
    """Whether the cleaner deletes ``csr`` at simulated ``now`` (pure)."""
    status = csr.get("status") or {}
    conditions = [c for c in status.get("conditions") or [] if isinstance(c, dict)]
    issued = bool(status.get("certificate"))
    for c in conditions:
        if c.get("type") == "Approved" and issued:
            end = _certificate_end(csr)
            if end is not None and now > end:
                return True
            if _older(c.get("lastUpdateTime"), APPROVED_EXPIRATION, now):
                return True
        if c.get("type") in ("Denied", "Failed") and _older(c.get("lastUpdateTime"), DENIED_EXPIRATION, now):
            return True
    return not conditions and _older((csr.get("metadata") or {}).get("creationTimestamp"), PENDING_EXPIRATION, now)


class CSRCleanerController(Controller):
    """kube-controller-manager's ``csrcleaner`` controller (timer driven: a pass every hour).

    Args:
        ctx: the component context.
        informers: the shared informer factory.
    """

    name = "csrcleaner"

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers, component="csrcleaner")
        self.csrs = self.informer("certificatesigningrequests")
        self._tick = None

    def start(self) -> None:
        super().start()
        if self._tick is None:
            # wait.Until passes at start too; a cluster starts with no CSRs, so the first pass that can find
            # one is an hour on.
            self._tick = self.ctx.kernel.schedule(POLLING_INTERVAL, self.poll)

    def poll(self) -> None:
        """The timer's pass: reschedules itself an hour on, then checks every CSR."""
        self._tick = self.ctx.kernel.schedule(POLLING_INTERVAL, self.poll)
        for csr in sorted(self.csrs.list(), key=lambda c: c["metadata"]["name"]):
            self.reconcile(csr["metadata"]["name"])

    def reconcile(self, key: str) -> None:
        csr = self.csrs.get(key)
        if csr is None or not expired_csr(csr, self.ctx.now):
            return
        try:
            self.client.delete("certificatesigningrequests", key)
        except ApiError as e:
            if e.code != 404:
                raise
