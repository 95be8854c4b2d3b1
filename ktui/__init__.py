"""ktui: a whole Kubernetes cluster simulated in one process, explored from a terminal UI.

``from ktui import Cluster`` is the library's entry point. The package root imports nothing heavy itself
(``ktui kubectl`` against a running server must start fast); ``Cluster`` and ``ApiError`` load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.version import __version__

if TYPE_CHECKING:
    from ktui.api.errors import ApiError
    from ktui.cluster import Cluster

__all__ = ["ApiError", "Cluster", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "ApiError":
        from ktui.api.errors import ApiError

        return ApiError
    if name == "Cluster":
        import ktui.kubectl  # noqa: F401  # installs Cluster.kubectl (see ktui.kubectl.wire)
        from ktui.cluster import Cluster

        return Cluster
    raise AttributeError(f"module 'ktui' has no attribute {name!r}")
