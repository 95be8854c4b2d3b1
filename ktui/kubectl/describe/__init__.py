"""``kubectl describe`` layouts, as kubectl v1.37's describe.go prints them, read through the API client.

Public API:
    describe(client, resource_plural, obj, now) -> str
        The description of one object, with its Events section; related objects (events, the node's
        pods and lease, a deployment's replica sets, a namespace's quotas) are read through ``client``.
"""

from __future__ import annotations

from typing import Any

from ktui.kubectl.describe.autoscaling import describe_hpa
from ktui.kubectl.describe.base import Writer, events_section, search_events
from ktui.kubectl.describe.batch import describe_cronjob, describe_job
from ktui.kubectl.describe.certificates import describe_csr
from ktui.kubectl.describe.config_rbac import (
    describe_configmap,
    describe_endpointslice,
    describe_role,
    describe_rolebinding,
    describe_secret,
    describe_serviceaccount,
)
from ktui.kubectl.describe.generic import describe_generic
from ktui.kubectl.describe.namespaces import describe_limitrange, describe_namespace
from ktui.kubectl.describe.networking import describe_ingress, describe_ingressclass, describe_networkpolicy
from ktui.kubectl.describe.nodes import describe_node
from ktui.kubectl.describe.pods import describe_pod
from ktui.kubectl.describe.policy import describe_pdb, describe_priorityclass, describe_resourcequota
from ktui.kubectl.describe.services import describe_endpoints, describe_service
from ktui.kubectl.describe.statefulsets import describe_statefulset
from ktui.kubectl.describe.storage import describe_storageclass
from ktui.kubectl.describe.volumes import describe_pv, describe_pvc, pods_using_claim
from ktui.kubectl.describe.workloads import (
    describe_daemonset,
    describe_deployment,
    describe_replicaset,
    owned_by,
    selector_matches,
)

__all__ = ["describe"]


def _items(client: Any, resource: str, namespace: str | None, **kw: Any) -> list[dict]:
    try:
        return list(client.list(resource, namespace, **kw).get("items") or [])
    except Exception:  # noqa: BLE001 - a section the user may not read is left out, as kubectl does
        return []


def _deployment_rs(client: Any, d: dict) -> tuple[list[dict], dict | None]:
    """Old replica sets and the new one (``deploymentutil.GetAllReplicaSets``)."""
    md = d["metadata"]
    owned = [rs for rs in _items(client, "replicasets", md.get("namespace")) if owned_by(rs, md.get("uid", ""))]
    template = ((d.get("spec") or {}).get("template")) or {}

    def same(rs: dict) -> bool:
        t = dict(((rs.get("spec") or {}).get("template")) or {})
        tm = dict(t.get("metadata") or {})
        labels = {k: v for k, v in (tm.get("labels") or {}).items() if k != "pod-template-hash"}
        tm["labels"] = labels
        want = dict(template)
        wm = dict(want.get("metadata") or {})
        wm["labels"] = dict(wm.get("labels") or {})
        return {**t, "metadata": {k: v for k, v in tm.items() if v}} == {
            **want,
            "metadata": {k: v for k, v in wm.items() if v},
        }

    owned.sort(key=lambda r: (r["metadata"].get("creationTimestamp", ""), r["metadata"]["name"]))
    new = next((rs for rs in owned if same(rs)), None)
    old = [rs for rs in owned if rs is not new and int((rs.get("spec") or {}).get("replicas") or 0) > 0]
    return old, new


_WITH_EVENTS = {
    "configmaps": describe_configmap,
    "serviceaccounts": describe_serviceaccount,
    "endpointslices": describe_endpointslice,
    "jobs": describe_job,
    "cronjobs": describe_cronjob,
    "poddisruptionbudgets": describe_pdb,
    "priorityclasses": describe_priorityclass,
    "ingressclasses": describe_ingressclass,
    "storageclasses": describe_storageclass,
    "horizontalpodautoscalers": describe_hpa,
    "certificatesigningrequests": describe_csr,
}
_WITHOUT_EVENTS = {
    "secrets": describe_secret,
    "resourcequotas": describe_resourcequota,
    "networkpolicies": describe_networkpolicy,
    "limitranges": describe_limitrange,
}


def describe(client: Any, resource_plural: str, obj: dict, now: float, *, show_events: bool = True) -> str:
    """The ``kubectl describe`` text of ``obj`` at simulated time ``now`` (``--show-events=false``: no Events)."""
    w = Writer()
    md = obj.get("metadata") or {}
    ns = md.get("namespace")
    events: list[dict] | None = None
    if resource_plural == "pods":
        describe_pod(w, obj, now)
        # a mirror pod's events are about the static pod, whose UID the mirror annotation keeps
        mirror = (md.get("annotations") or {}).get("kubernetes.io/config.mirror")
        events = search_events(client, obj, uid=mirror) if mirror else search_events(client, obj)
    elif resource_plural == "nodes":
        pods = _items(
            client,
            "pods",
            None,
            field_selector=f"spec.nodeName={md.get('name')},status.phase!=Failed,status.phase!=Succeeded",
        )
        try:
            lease = client.get("leases", md.get("name", ""), "kube-node-lease")
        except Exception:  # noqa: BLE001
            lease = None
        describe_node(w, obj, pods, lease, now)
        events = search_events(client, obj) + search_events(client, obj, uid=md.get("name", ""))
    elif resource_plural == "deployments":
        old, new = _deployment_rs(client, obj)
        describe_deployment(w, obj, old, new)
        events = search_events(client, obj)
    elif resource_plural in ("replicasets", "replicationcontrollers"):
        selector = (obj.get("spec") or {}).get("selector")
        if resource_plural == "replicationcontrollers":
            selector = {"matchLabels": selector or {}}
        pods = [
            p
            for p in _items(client, "pods", ns)
            if owned_by(p, md.get("uid", "")) and selector_matches(selector, (p.get("metadata") or {}).get("labels"))
        ]
        describe_replicaset(w, obj, pods)
        events = search_events(client, obj)
    elif resource_plural in ("daemonsets", "statefulsets"):
        selector = (obj.get("spec") or {}).get("selector")
        pods = [
            p
            for p in _items(client, "pods", ns)
            if owned_by(p, md.get("uid", "")) and selector_matches(selector, (p.get("metadata") or {}).get("labels"))
        ]
        (describe_daemonset if resource_plural == "daemonsets" else describe_statefulset)(w, obj, pods)
        events = search_events(client, obj)
    elif resource_plural == "services":
        slices = _items(client, "endpointslices", ns, label_selector=f"kubernetes.io/service-name={md.get('name')}")
        describe_service(w, obj, slices)
        events = search_events(client, obj)
    elif resource_plural == "endpoints":
        describe_endpoints(w, obj)
        events = search_events(client, obj)
    elif resource_plural == "persistentvolumeclaims":
        describe_pvc(w, obj, pods_using_claim(obj, _items(client, "pods", ns)), now)
        events = search_events(client, obj)
    elif resource_plural == "persistentvolumes":
        describe_pv(w, obj, now)
        events = search_events(client, obj)
    elif resource_plural == "namespaces":
        describe_namespace(
            w, obj, _items(client, "resourcequotas", md.get("name")), _items(client, "limitranges", md.get("name"))
        )
    elif resource_plural in _WITH_EVENTS:
        _WITH_EVENTS[resource_plural](w, obj)
        events = search_events(client, obj)
    elif resource_plural in _WITHOUT_EVENTS:
        _WITHOUT_EVENTS[resource_plural](w, obj)
    elif resource_plural == "ingresses":
        describe_ingress(w, obj, client)
        events = search_events(client, obj)
    elif resource_plural in ("roles", "clusterroles"):
        describe_role(w, obj)
    elif resource_plural in ("rolebindings", "clusterrolebindings"):
        describe_rolebinding(w, obj)
    else:
        describe_generic(w, obj)
        events = search_events(client, obj)
    events_section(w, events if show_events else None, now)
    return w.text()
