"""kube-controller-manager: many controllers in one process, sharing one set of informers."""

from __future__ import annotations

from typing import Any

from ktui.api.informer import InformerFactory
from ktui.components.base import Context

__all__ = ["ControllerManager", "CONTROLLERS", "flag_defaults"]


def _controller_classes() -> list[tuple[str, Any]]:
    from ktui.components.controllers.cronjob import CronJobController
    from ktui.components.controllers.csr import CSRSigningController
    from ktui.components.controllers.csr_cleaner import CSRCleanerController
    from ktui.components.controllers.daemonset import DaemonSetController
    from ktui.components.controllers.deployment import DeploymentController
    from ktui.components.controllers.endpoints import EndpointsController
    from ktui.components.controllers.endpointslice import EndpointSliceController
    from ktui.components.controllers.garbage_collector import GarbageCollector
    from ktui.components.controllers.hpa import HorizontalPodAutoscalerController
    from ktui.components.controllers.job import JobController
    from ktui.components.controllers.namespace import NamespaceController
    from ktui.components.controllers.node_ipam import NodeIpamController
    from ktui.components.controllers.node_lifecycle import NodeLifecycleController
    from ktui.components.controllers.persistentvolume import PersistentVolumeController
    from ktui.components.controllers.podgc import PodGCController
    from ktui.components.controllers.replicaset import ReplicaSetController, ReplicationControllerController
    from ktui.components.controllers.resourcequota import ResourceQuotaController
    from ktui.components.controllers.service_lb import ServiceLBController
    from ktui.components.controllers.serviceaccount import ServiceAccountController
    from ktui.components.controllers.statefulset import StatefulSetController
    from ktui.components.controllers.taint_eviction import TaintEvictionController
    from ktui.components.controllers.volume_protection import PVCProtectionController, PVProtectionController

    # The names `kube-controller-manager --controllers` uses.
    return [
        ("serviceaccount", ServiceAccountController),
        ("nodeipam", NodeIpamController),
        ("nodelifecycle", NodeLifecycleController),
        ("taint-eviction-controller", TaintEvictionController),
        ("replicaset", ReplicaSetController),
        ("replicationcontroller", ReplicationControllerController),
        ("deployment", DeploymentController),
        ("daemonset", DaemonSetController),
        ("statefulset", StatefulSetController),
        ("job", JobController),
        ("cronjob", CronJobController),
        ("horizontalpodautoscaling", HorizontalPodAutoscalerController),
        ("endpoint", EndpointsController),
        ("endpointslice", EndpointSliceController),
        ("namespace", NamespaceController),
        ("resourcequota", ResourceQuotaController),
        ("garbagecollector", GarbageCollector),
        ("podgc", PodGCController),
        ("service-lb-controller", ServiceLBController),
        ("csrsigning", CSRSigningController),
        ("csrcleaner", CSRCleanerController),
        ("persistentvolume-binder", PersistentVolumeController),
        ("pvc-protection", PVCProtectionController),
        ("pv-protection", PVProtectionController),
    ]


CONTROLLERS = [name for name, _ in _controller_classes()]
"""Controller names, in start order."""


def flag_defaults() -> dict[str, object]:
    """Every kube-controller-manager flag a controller reads, with its default (each controller's ``FLAGS``)."""
    out: dict[str, object] = {}
    for _, cls in _controller_classes():
        out.update(getattr(cls, "FLAGS", {}))
    return out


class ControllerManager:
    """Builds every controller with one shared InformerFactory, then starts the informers once."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.informers = InformerFactory(ctx.client)
        self.controllers: dict[str, Any] = {name: cls(ctx, self.informers) for name, cls in _controller_classes()}

    def start(self) -> None:
        self.informers.start()
        for c in self.controllers.values():
            c.start()

    def controller(self, name: str) -> Any:
        return self.controllers[name]
