"""Cluster components — scheduler, controller-manager, kubelets, kube-proxy — each an API client."""

from __future__ import annotations

from typing import Any

__all__ = ["install"]


def install(world: Any) -> None:
    """Start the components the spec asks for. (The control plane arrives with its own issue.)"""
    return None
