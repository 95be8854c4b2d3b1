"""What the kubelet serves to the API server: a container's log (``kubectl logs``) and exec (``kubectl exec``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api import errors
from ktui.components.kubelet.logs import format_log

if TYPE_CHECKING:
    from ktui.components.kubelet.pod_worker import PodWorker
    from ktui.components.kubelet.runtime import ContainerRuntime

__all__ = ["KubeletServer"]


class KubeletServer:
    """The kubelet's server half (its ``/containerLogs`` and ``/exec`` endpoints), a mixin of the Kubelet."""

    kernel: Any
    workers: "dict[str, PodWorker]"
    exec_hook: Any
    runtime: "ContainerRuntime"

    def _worker_by_name(self, namespace: str, name: str) -> PodWorker | None:
        for w in self.workers.values():
            if w.name == name and w.namespace == namespace and not w.finished:
                return w
        return None

    def container_log(
        self,
        namespace: str,
        pod: str,
        container: str,
        previous: bool = False,
        tail_lines: int | None = None,
        timestamps: bool = False,
        since_seconds: float | None = None,
        **_: Any,
    ) -> str:
        """The log of one container (``kubectl logs``)."""
        w = self._worker_by_name(namespace, pod)
        cs = w.cstates.get(container) if w else None
        if previous:
            c = w.container(container, previous=True) if w else None
            if c is None:
                raise errors.bad_request(f'previous terminated container "{container}" in pod "{pod}" not found')
        else:
            c = w.container(container) if w else None
            if c is None:
                reason = (cs.waiting_reason if cs else "") or "ContainerCreating"
                raise errors.bad_request(f'container "{container}" in pod "{pod}" is waiting to start: {reason}')
        return format_log(
            c.logs, self.kernel.now, tail_lines=tail_lines, timestamps=timestamps, since_seconds=since_seconds
        )

    def exec(self, namespace: str, pod: str, container: str, argv: list[str]) -> tuple[str, str, int]:
        """Run a command in a running container (``kubectl exec``): (stdout, stderr, exit code)."""
        w = self._worker_by_name(namespace, pod)
        c = w.container(container) if w else None
        if c is None or c.state != "running":
            raise errors.bad_request(f'unable to upgrade connection: container not found ("{container}")')
        if self.exec_hook is not None:
            res = self.exec_hook(self, w.pod, c, list(argv))  # type: ignore[union-attr]
            if res is not None:
                return res
        return self.runtime.exec(c.id, list(argv))
