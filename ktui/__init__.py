"""ktui: a whole Kubernetes cluster simulated in one process, explored from a terminal UI."""

from ktui.api.errors import ApiError
from ktui.cluster import Cluster

__all__ = ["ApiError", "Cluster", "__version__"]
__version__ = "0.1.0"
