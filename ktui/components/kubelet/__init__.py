"""The kubelet and its simulated container runtime: one per node, each an API client as ``system:node:<name>``."""

from ktui.components.kubelet.images import ImageInfo, ImageRegistry
from ktui.components.kubelet.kubelet import Kubelet
from ktui.components.kubelet.runtime import ContainerRuntime

__all__ = ["ContainerRuntime", "ImageInfo", "ImageRegistry", "Kubelet"]
