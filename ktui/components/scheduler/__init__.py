"""kube-scheduler: the scheduling queue, the default profile's filter and score plugins, and binding."""

from ktui.components.scheduler.scheduler import Scheduler

__all__ = ["Scheduler"]
