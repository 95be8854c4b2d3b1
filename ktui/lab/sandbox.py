"""Where a check's ``kubectl exec`` runs: a throwaway copy of the lab's cluster, so that a check stays a pure read.

A program run in a container can change it: ``wget`` and ``curl`` leave a line in the log of the server they
reach, ``touch`` or ``> FILE`` write a file, and the exec itself is an input the cluster records. A check must
leave the learner's cluster as it found it, so its exec runs in a copy of the cluster made for that check
(:meth:`ktui.cluster.Cluster.snapshot`, a deep copy of the whole simulated world at this instant), which is
thrown away afterwards. The copy is the same world, so the program sees and prints exactly what it would in the
learner's cluster; what it changes goes with the copy.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ExecSandbox"]


class ExecSandbox:
    """A copy of ``cluster`` made on the first exec of a check and kept for that check's other execs (a script
    sees what its own earlier execs did, as it would on a real cluster); :meth:`reset` drops it.

    Args:
        cluster: the learner's :class:`ktui.cluster.Cluster`; it is only read (copied).
    """

    def __init__(self, cluster: Any) -> None:
        self.cluster = cluster
        self._copy: Any = None
        self.copies = 0
        """How many copies were made (one per check that execs)."""

    def exec(self, node: str, namespace: str, pod: str, container: str, argv: list[str]) -> tuple[str, str, int]:
        """Run ``argv`` in the container of the copy: ``(stdout, stderr, exit code)``.

        Raises:
            ApiError: as :meth:`ktui.cluster.ClusterClient.kubelet_exec` (no kubelet for the node, the container is
                not running).
        """
        copy = self._copy
        if copy is None:
            copy = self._copy = type(self.cluster)(self.cluster.spec, world=self.cluster.snapshot())
            self.copies += 1
        return copy.api.kubelet_exec(node, namespace, pod, container, list(argv))

    def reset(self) -> None:
        """Forget the copy: the next exec copies the cluster as it is then."""
        self._copy = None
