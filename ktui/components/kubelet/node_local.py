"""What a node keeps for itself: its images (pulled one at a time, as ``serializeImagePulls``) and the
pod IPs CNI host-local hands out from the node's podCIDR."""

from __future__ import annotations

import ipaddress
from typing import Any, Callable

from ktui.components.kubelet.images import ImageRegistry, PullError, parse_image, pull_seconds

__all__ = ["NodeImages", "HostLocalIPAM"]


class NodeImages:
    """The images present on one node and its serial pull queue.

    Args:
        kernel: the simulation clock.
        registry: where pulls go.
    """

    def __init__(self, kernel: Any, registry: ImageRegistry) -> None:
        self.kernel = kernel
        self.registry = registry
        self.present: dict[str, tuple[str, str, int]] = {}
        """Full reference → (repository, digest, size)."""
        self._free_at = 0.0
        self._pulls: list[Any] = []

    changes = 0
    """How many times ``present`` changed (a class default: a world saved before it existed counts from 0)."""
    on_change: "Callable[[], None] | None" = None
    """Called after ``present`` changed (the kubelet's status tick then looks again)."""

    def add(self, image: str) -> None:
        """Put ``image`` on the node without a pull (kubeadm's pre-pulled images)."""
        try:
            _, ref, size, digest = self.registry.resolve(image)
        except PullError:
            return
        self._put(ref.full, (ref.name, digest, size))

    def _put(self, full: str, entry: tuple[str, str, int]) -> None:
        if self.present.get(full) != entry:
            self.present[full] = entry
            self.changes += 1
            if self.on_change is not None:
                self.on_change()

    def has(self, image: str) -> bool:
        return parse_image(image).full in self.present

    def get(self, image: str) -> tuple[str, str, int]:
        return self.present.get(parse_image(image).full, ("", "", 0))

    def pull(self, image: str, done: Callable[[Any, float], None]) -> None:
        """Pull ``image`` after the pulls already queued; ``done(info or PullError, seconds it took)``."""
        start = max(self.kernel.now, self._free_at)
        try:
            took = pull_seconds(self.registry.resolve(image)[2])
        except PullError:
            took = 0.5
        self._free_at = start + took
        self._pulls.append(self.kernel.schedule_at(start + took, self._finished, image, done, took))

    def _finished(self, image: str, done: Callable[[Any, float], None], took: float) -> None:
        self._pulls = [p for p in self._pulls if not p.cancelled and p.time > self.kernel.now]
        try:
            info, ref, size, digest = self.registry.resolve(image)
        except PullError as e:
            done(e, took)
            return
        self._put(ref.full, (ref.name, digest, size))
        done(info, took)

    def cancel(self) -> None:
        """Forget the queued pulls (the kubelet stopped)."""
        for p in self._pulls:
            p.cancel()
        self._pulls = []
        self._free_at = self.kernel.now


class HostLocalIPAM:
    """CNI host-local: the next free address after the last one handed out, wrapping round; ``.1`` is the
    bridge's gateway and the broadcast address is never used."""

    def __init__(self) -> None:
        self.ips: dict[str, str] = {}
        """Pod UID → IP."""
        self._last = 0

    def allocate(self, uid: str, cidr: str) -> str:
        if uid in self.ips:
            return self.ips[uid]
        net = ipaddress.ip_network(cidr, strict=False)
        size = net.num_addresses
        used = set(self.ips.values())
        for step in range(1, size):
            offset = (self._last + step) % (size - 1)
            if offset < 2:
                continue
            ip = str(net.network_address + offset)
            if ip not in used:
                self._last = offset
                self.ips[uid] = ip
                return ip
        return ""

    def release(self, uid: str) -> None:
        self.ips.pop(uid, None)
