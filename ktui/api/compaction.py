"""The API server's compaction of the store's history (``--etcd-compaction-interval``), node Leases sooner."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ktui.sim.kernel import Kernel
    from ktui.store.protocol import Store

__all__ = ["Compaction", "HEARTBEAT_PREFIX"]

HEARTBEAT_PREFIX = "/registry/leases/kube-node-lease/"
"""The node heartbeats' Leases, whose history is compacted at every compaction tick."""


class Compaction:
    """The compaction part of :class:`ktui.api.server.APIServer` (which sets what is declared here)."""

    kernel: "Kernel"
    store: "Store"

    def start_compaction(self, interval: float = 300.0) -> None:
        """Compact the store every ``interval`` simulated seconds to the revision seen at the previous tick,
        as kube-apiserver does (``--etcd-compaction-interval=5m``)."""
        self._compaction_interval = interval
        self._compact_at = 0
        self.kernel.schedule(interval, self._compact_tick)

    def _compact_tick(self) -> None:
        if self._compact_at > getattr(self.store, "compacted_revision", 0):
            self.store.compact(self._compact_at)
        self._compact_at = self.store.revision
        if hasattr(self.store, "compact_prefix"):
            # Node Leases change every 10 s per node and nobody reads their old versions: their history is kept
            # until this tick only (0-5 minutes), not until the next (5-10 minutes), which halves the log.
            self.store.compact_prefix(HEARTBEAT_PREFIX, self._compact_at)
        self.kernel.schedule(self._compaction_interval, self._compact_tick)
