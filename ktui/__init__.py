"""ktui: a whole Kubernetes cluster simulated in one process, explored from a terminal UI."""

from ktui.api.errors import ApiError
from ktui.cluster import Cluster, use_kubectl
from ktui.version import __version__

__all__ = ["ApiError", "Cluster", "__version__"]


def _run_kubectl(cluster: Cluster, line: str | list[str], stdin: str = "") -> tuple[str, str, int]:
    """``Cluster.kubectl``: kubectl as the cluster's admin (kubectl sits above the cluster, so it is wired here)."""
    from ktui.kubectl import KubectlEnv, run_kubectl

    r = run_kubectl(KubectlEnv.for_cluster(cluster), line, stdin=stdin)
    return r.stdout, r.stderr, r.exit_code


use_kubectl(_run_kubectl)
