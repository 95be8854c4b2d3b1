"""A pod vertex's attributes in the network graph, kept in slots instead of a dict of its own.

A cluster of 150,000 pods has 150,000 pod vertices; a dict per vertex is the largest part of the network
model's memory. :class:`PodAttrs` is the mapping networkx hands out for a pod vertex (``graph.nodes[v]``):
the same keys, values and order as the dict it replaces, readable and writable as one, in a fraction of the
memory.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

__all__ = ["PodAttrs"]

_KEYS = ("kind", "ip", "node", "host_network", "phase", "ready")


class PodAttrs(MutableMapping):
    """``{"kind": "pod", "ip", "node", "host_network", "phase", "ready"}`` (and any other key set later)."""

    __slots__ = ("ip", "node", "host_network", "phase", "ready", "extra")

    def __init__(self, ip: str, node: str, host_network: bool, phase: str, ready: bool) -> None:
        self.ip = ip
        self.node = node
        self.host_network = host_network
        self.phase = phase
        self.ready = ready
        self.extra: dict[str, Any] | None = None
        """Keys other than the pod's own five (none unless someone sets one)."""

    def __getitem__(self, key: str) -> Any:
        if key == "kind":
            return "pod"
        if key in _KEYS:
            return getattr(self, key)
        if self.extra is not None and key in self.extra:
            return self.extra[key]
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key == "kind":
            if value != "pod":
                raise ValueError(f"a pod vertex's kind is pod, not {value!r}")
        elif key in _KEYS:
            setattr(self, key, value)
        else:
            if self.extra is None:
                self.extra = {}
            self.extra[key] = value

    def __delitem__(self, key: str) -> None:
        if self.extra is None or key not in self.extra:
            raise KeyError(key)  # the pod's own attributes stay
        del self.extra[key]

    def __iter__(self) -> Iterator[str]:
        yield from _KEYS
        if self.extra is not None:
            yield from self.extra

    def __len__(self) -> int:
        return len(_KEYS) + (len(self.extra) if self.extra is not None else 0)

    def __eq__(self, other: object) -> bool:
        return dict(self.items()) == other if isinstance(other, (dict, PodAttrs)) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dict

    def copy(self) -> dict[str, Any]:
        """A plain dict of the same items (what networkx's graph copies call)."""
        return dict(self.items())

    def __repr__(self) -> str:
        return repr(dict(self.items()))
