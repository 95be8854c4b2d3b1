"""The DaemonSet controller: one pod per eligible node, bound through a ``metadata.name`` node affinity.

As ``pkg/controller/daemon``: each node is checked with the DaemonSet's nodeSelector, required node affinity
and the taints its pods tolerate (the template's tolerations plus the ones every daemon pod gets). Missing
pods are created with a node affinity term for their node, so the default scheduler places them; pods on
nodes that no longer qualify, duplicates and failed pods are deleted. Template changes are recorded as
ControllerRevisions (``<ds>-<hash>``, label ``controller-revision-hash``) and rolled out with
``maxUnavailable`` (the RollingUpdate default is 1), or left to the user with OnDelete.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.api.labels import label_selector_from_dict
from ktui.api.objects import copy_json, key_of
from ktui.components.base import Controller
from ktui.components.controllers import deployment_math as dm
from ktui.components.controllers.daemonset_placement import (
    HASH_LABEL,
    daemon_pod_template,
    node_should_run,
    target_node,
    with_node_affinity,
)
from ktui.components.controllers.pods import (
    Expectations,
    controller_ref,
    controller_ref_of,
    is_pod_available,
    is_pod_ready,
    pod_from_template,
    pod_name_prefix,
)
from ktui.components.controllers.replicaset import by_controller_uid, by_namespace
from ktui.sim.timefmt import parse_rfc3339

__all__ = ["DaemonSetController"]


class DaemonSetController(Controller):
    """The ``daemonset`` controller of kube-controller-manager."""

    name = "daemonset-controller"
    min_sync_interval = 1.0
    """A DaemonSet sync looks at every node, so a burst of pod updates makes one sync per second, not one each."""

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.expectations = Expectations()
        """Pod creations and deletions not yet seen by the pod informer, per DaemonSet key."""
        self.sets = self.informer("daemonsets")
        self.sets.add_handler(self.enqueue, self._on_set_update, self.enqueue)
        self.nodes = self.informer("nodes")
        self.nodes.add_handler(self._on_node, self._on_node_update, self._on_node)
        self.revisions = self.informer("controllerrevisions")
        self.revisions.add_indexer("controller-uid", by_controller_uid)
        self.pods = self.informer("pods")
        self.pods.add_indexer("namespace", by_namespace)
        self.pods.add_indexer("controller-uid", by_controller_uid)
        self.pods.add_handler(self._on_pod, self._on_pod_update, self._on_pod_delete)
        self._should_run_cache: dict[tuple, tuple[bool, bool]] = {}

    # ------------------------------------------------------------------ handlers

    def _on_set_update(self, old: dict, new: dict) -> None:
        self.enqueue(new)

    def _owner(self, pod: dict) -> dict | None:
        ref = controller_ref_of(pod)
        if not ref or ref.get("kind") != "DaemonSet":
            return None
        ds = self.sets.get(f"{pod['metadata'].get('namespace', '')}/{ref.get('name', '')}")
        return ds if ds is not None and ds["metadata"].get("uid") == ref.get("uid") else None

    def _on_pod(self, pod: dict) -> None:
        ds = self._owner(pod)
        if ds is not None:
            self.expectations.creation_observed(key_of(ds))
            self.enqueue(ds)

    def _on_pod_update(self, old: dict, new: dict) -> None:
        ds = self._owner(new) or self._owner(old)
        if ds is None:
            return
        if new["metadata"].get("deletionTimestamp") and not old["metadata"].get("deletionTimestamp"):
            self.expectations.deletion_observed(key_of(ds), key_of(new))
        self.enqueue(ds)
        min_ready = int((ds.get("spec") or {}).get("minReadySeconds") or 0)
        if min_ready and not is_pod_ready(old) and is_pod_ready(new):
            self.queue.add_after(key_of(ds), min_ready + 1)

    def _on_pod_delete(self, pod: dict) -> None:
        ds = self._owner(pod)
        if ds is not None:
            self.expectations.deletion_observed(key_of(ds), key_of(pod))
            self.enqueue(ds)

    def _on_node(self, node: dict) -> None:
        for ds in sorted(self.sets.list(), key=key_of):
            self.enqueue(ds)

    def _should_run(self, ds: dict, node: dict) -> tuple[bool, bool]:
        """``node_should_run`` remembered per (DaemonSet generation, node resourceVersion): a sync after a pod
        event then costs a lookup per node instead of re-evaluating every node's taints and affinity."""
        dmd, nmd = ds["metadata"], node["metadata"]
        key = (dmd.get("uid"), dmd.get("generation"), nmd["name"], nmd.get("resourceVersion"))
        hit = self._should_run_cache.get(key)
        if hit is None:
            if len(self._should_run_cache) > 200_000:
                self._should_run_cache.clear()
            hit = self._should_run_cache[key] = node_should_run(ds, node)
        return hit

    def _on_node_update(self, old: dict, new: dict) -> None:
        keys = ("labels",)
        if any(old["metadata"].get(k) != new["metadata"].get(k) for k in keys) or old.get("spec") != new.get("spec"):
            self._on_node(new)

    # ------------------------------------------------------------------ reconcile

    def reconcile(self, key: str) -> None:
        ds = self.sets.get(key)
        if ds is None:
            self.expectations.forget(key)
            return
        try:
            selector = label_selector_from_dict((ds.get("spec") or {}).get("selector"))
        except ValueError:
            return
        if selector.empty:
            return
        ds = copy_json(ds)
        hash_ = self._current_revision(ds)
        nodes = sorted(self.nodes.list(), key=lambda n: n["metadata"]["name"])
        by_node = self._pods_by_node(ds, selector)
        if self.expectations.satisfied(key, self.ctx.now) and not ds["metadata"].get("deletionTimestamp"):
            self._manage(ds, nodes, by_node, hash_)
        self._update_status(ds, nodes, by_node, hash_)

    def _pods_by_node(self, ds: dict, selector) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        uid = ds["metadata"]["uid"]
        for pod in self.pods.by_index("controller-uid", uid):
            if pod["metadata"].get("deletionTimestamp") or not selector.matches(pod["metadata"].get("labels") or {}):
                continue
            out.setdefault(target_node(pod), []).append(pod)
        for pods in out.values():
            pods.sort(key=lambda p: (parse_rfc3339(p["metadata"]["creationTimestamp"]), p["metadata"]["name"]))
        return out

    def _manage(self, ds: dict, nodes: list[dict], by_node: dict[str, list[dict]], hash_: str) -> None:
        to_create: list[str] = []
        to_delete: list[dict] = []
        names = {n["metadata"]["name"] for n in nodes}
        for node in nodes:
            name = node["metadata"]["name"]
            run, keep = self._should_run(ds, node)
            pods = by_node.get(name, [])
            if run and not pods:
                to_create.append(name)
            elif keep and pods:
                failed = [p for p in pods if (p.get("status") or {}).get("phase") == "Failed"]
                for p in failed:
                    self.recorder.event(
                        ds,
                        "Warning",
                        "FailedDaemonPod",
                        f"Found failed daemon pod {key_of(p)} on node {name}, will try to kill it",
                    )
                to_delete += failed
                running = [p for p in pods if p not in failed]
                if not running and not failed:
                    to_create.append(name)
                to_delete += running[1:]
            elif not keep:
                to_delete += pods
        for node_name, pods in sorted(by_node.items()):
            if node_name not in names:
                to_delete += [p for p in pods if not (p.get("spec") or {}).get("nodeName")]
        to_delete += self._rolling_deletions(ds, nodes, by_node, hash_, to_delete)
        self._sync_nodes(ds, to_create, to_delete, hash_)

    def _rolling_deletions(
        self, ds: dict, nodes: list[dict], by_node: dict[str, list[dict]], hash_: str, already: list[dict]
    ) -> list[dict]:
        """RollingUpdate with maxSurge 0: replace old pods while at most maxUnavailable nodes lack one."""
        strategy = (ds.get("spec") or {}).get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return []
        min_ready = int(ds["spec"].get("minReadySeconds") or 0)
        wanted = [n for n in nodes if self._should_run(ds, n)[0]]
        max_unavailable = (
            dm.scaled_value((strategy.get("rollingUpdate") or {}).get("maxUnavailable", 1), len(wanted), True) or 1
        )
        unavailable = 0
        old_unavailable: list[dict] = []
        old_available: list[dict] = []
        for node in wanted:
            pods = [p for p in by_node.get(node["metadata"]["name"], []) if p not in already]
            pod = pods[0] if pods else None
            is_old = pod is not None and (pod["metadata"].get("labels") or {}).get(HASH_LABEL) != hash_
            if pod is None or not is_pod_available(pod, min_ready, self.ctx.now):
                unavailable += 1
                if is_old:
                    old_unavailable.append(pod)  # type: ignore[arg-type]
            elif is_old:
                old_available.append(pod)
        out = list(old_unavailable)
        for pod in old_available:
            if unavailable >= max_unavailable:
                break
            out.append(pod)
            unavailable += 1
        return out

    def _sync_nodes(self, ds: dict, to_create: list[str], to_delete: list[dict], hash_: str) -> None:
        key = key_of(ds)
        now = self.ctx.now
        ns = ds["metadata"].get("namespace", "default")
        if to_create:
            self.expectations.expect_creations(key, len(to_create), now)
        elif to_delete:
            self.expectations.expect_deletions(key, [key_of(p) for p in to_delete], now)
        template = daemon_pod_template(ds, hash_)
        ref = controller_ref(ds, "apps/v1", "DaemonSet")
        for node_name in to_create:
            t = copy_json(template)
            t["spec"]["affinity"] = with_node_affinity(t["spec"].get("affinity"), node_name)
            try:
                pod = self.client.create("pods", pod_from_template(t, ns, ref, pod_name_prefix(ds["metadata"]["name"])))
            except ApiError as e:
                self.expectations.creation_observed(key)
                self.recorder.event(ds, "Warning", "FailedCreate", f"Error creating: {e.message}")
                continue
            self.recorder.event(ds, "Normal", "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}")
        for pod in to_delete:
            try:
                self.client.delete("pods", pod["metadata"]["name"], ns)
            except ApiError as e:
                self.expectations.deletion_observed(key, key_of(pod))
                if e.code != 404:
                    self.recorder.event(ds, "Warning", "FailedDelete", f"Error deleting: {e.message}")
                continue
            self.recorder.event(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")

    # ------------------------------------------------------------------ history and status

    def _current_revision(self, ds: dict) -> str:
        """Find or create the ControllerRevision of the current template; returns its hash."""
        ns = ds["metadata"].get("namespace", "default")
        template = copy_json(ds["spec"].get("template") or {})
        data = {"spec": {"template": {**template, "$patch": "replace"}}}
        hash_ = dm.compute_hash(template, (ds.get("status") or {}).get("collisionCount"))
        owned = sorted(
            self.revisions.by_index("controller-uid", ds["metadata"]["uid"]), key=lambda r: int(r.get("revision", 0))
        )
        top = max([int(r.get("revision", 0)) for r in owned] or [0])
        current = next((r for r in owned if r.get("data") == data), None)
        if current is not None:
            if int(current.get("revision", 0)) < top:
                bumped = copy_json(current)
                bumped["revision"] = top + 1
                self.client.update("controllerrevisions", bumped)
            hash_ = (current["metadata"].get("labels") or {}).get(HASH_LABEL, hash_)
        else:
            labels = {**((template.get("metadata") or {}).get("labels") or {}), HASH_LABEL: hash_}
            rev: dict[str, Any] = {
                "apiVersion": "apps/v1",
                "kind": "ControllerRevision",
                "metadata": {
                    "name": f"{ds['metadata']['name']}-{hash_}",
                    "namespace": ns,
                    "labels": labels,
                    "ownerReferences": [controller_ref(ds, "apps/v1", "DaemonSet")],
                },
                "data": data,
                "revision": top + 1,
            }
            if ds["metadata"].get("annotations"):
                rev["metadata"]["annotations"] = dict(ds["metadata"]["annotations"])
            try:
                self.client.create("controllerrevisions", rev)
            except ApiError as e:
                if e.reason != "AlreadyExists":
                    raise
        limit = int(ds["spec"].get("revisionHistoryLimit", 10))
        live = {
            (p["metadata"].get("labels") or {}).get(HASH_LABEL)
            for p in self.pods.by_index("controller-uid", ds["metadata"]["uid"])
        }
        stale = [
            r for r in owned if r is not current and (r["metadata"].get("labels") or {}).get(HASH_LABEL) not in live
        ]
        for r in stale[: max(0, len(stale) - limit)]:
            try:
                self.client.delete("controllerrevisions", r["metadata"]["name"], ns)
            except ApiError:
                pass
        return hash_

    def _update_status(self, ds: dict, nodes: list[dict], by_node: dict[str, list[dict]], hash_: str) -> None:
        min_ready = int(ds["spec"].get("minReadySeconds") or 0)
        desired = current = misscheduled = ready = updated = available = 0
        for node in nodes:
            run, _ = self._should_run(ds, node)
            pods = by_node.get(node["metadata"]["name"], [])
            if run:
                desired += 1
                if pods:
                    current += 1
                    p = pods[0]
                    if is_pod_ready(p):
                        ready += 1
                        if is_pod_available(p, min_ready, self.ctx.now):
                            available += 1
                    if (p["metadata"].get("labels") or {}).get(HASH_LABEL) == hash_:
                        updated += 1
            elif pods:
                misscheduled += 1
        old = ds.get("status") or {}
        status: dict[str, Any] = {
            "currentNumberScheduled": current,
            "numberMisscheduled": misscheduled,
            "desiredNumberScheduled": desired,
            "numberReady": ready,
            "observedGeneration": ds["metadata"].get("generation"),
        }
        for k, v in (
            ("updatedNumberScheduled", updated),
            ("numberAvailable", available),
            ("numberUnavailable", desired - available),
        ):
            if v:
                status[k] = v
        for k in ("collisionCount", "conditions"):
            if old.get(k) is not None:
                status[k] = old[k]
        if status != old:
            ds["status"] = status
            self.client.update("daemonsets", ds, subresource="status")
        if min_ready and ready != available:
            self.queue.add_after(key_of(ds), min_ready)
