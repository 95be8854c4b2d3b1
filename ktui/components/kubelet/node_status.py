"""The Node a kubelet registers, the status it posts and its Lease, as pure functions.

Follows pkg/kubelet/kubelet_node_status.go (initialNode, labels, annotations) and
pkg/kubelet/nodestatus/setters.go (capacity, allocatable, conditions, addresses, nodeInfo, images).
"""

from __future__ import annotations

from typing import Any

from ktui.api.quantity import parse_quantity
from ktui.api.renewal import same_json
from ktui.sim.timefmt import rfc3339, rfc3339_micro

__all__ = [
    "KUBELET_VERSION",
    "node_object",
    "node_status",
    "lease_object",
    "images_list",
    "update_conditions",
    "EPHEMERAL_STORAGE_KI",
    "status_changed",
    "keep_stored_parts",
]

KUBELET_VERSION = "v1.37.1"
CONTAINER_RUNTIME = "containerd://2.1.4"
OS_IMAGE = "Ubuntu 24.04.3 LTS"
KERNEL = "6.8.0-79-generic"
EPHEMERAL_STORAGE_KI = 102626232
"""A 100 GB root file system, as ``df`` reports it in KiB."""
EVICTION_HARD_MEMORY_KI = 100 * 1024
"""``--eviction-hard=memory.available<100Mi``."""

_CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)


def _memory_ki(memory: str) -> int:
    return int(parse_quantity(str(memory))) // 1024


def node_object(node: dict[str, Any], ids: dict[str, str], now: float, images: list[dict] | None = None) -> dict:
    """The Node as the kubelet creates it on registration (kubeadm's label and taint included).

    Args:
        node: the node's entry in the cluster spec (name, role, cpu, memory, pods, labels, taints, ip).
        ids: ``machineID``, ``systemUUID`` and ``bootID`` for nodeInfo.
        now: the simulated time.
        images: ``status.images`` (see :func:`images_list`).
    """
    name = node["name"]
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    taints = [dict(t) for t in node.get("taints") or []]
    if node.get("role") == "control-plane":
        labels["node-role.kubernetes.io/control-plane"] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
        if node.get("taints") is None:
            taints = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
    labels.update(node.get("labels") or {})
    spec: dict[str, Any] = {}
    if taints:
        spec["taints"] = taints
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
            "labels": dict(sorted(labels.items())),
            "name": name,
        },
        "spec": spec,
        "status": node_status(node, ids, now, images or [], None),
    }


def node_status(
    node: dict[str, Any], ids: dict[str, str], now: float, images: list[dict], previous: dict | None
) -> dict:
    """The NodeStatus the kubelet posts: heartbeat times move, transition times keep unless a condition changed."""
    mem_ki = _memory_ki(node.get("memory", "4Gi"))
    storage = EPHEMERAL_STORAGE_KI
    capacity = {
        "cpu": str(node.get("cpu", "2")),
        "ephemeral-storage": f"{storage}Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": f"{mem_ki}Ki",
        "pods": str(node.get("pods", 110)),
    }
    allocatable = dict(capacity)
    allocatable["ephemeral-storage"] = str(storage * 1024 * 9 // 10)
    allocatable["memory"] = f"{mem_ki - EVICTION_HARD_MEMORY_KI}Ki"
    ip = node["ip"]
    return {
        "capacity": capacity,
        "allocatable": allocatable,
        "conditions": update_conditions((previous or {}).get("conditions") or [], now),
        "addresses": [{"address": ip, "type": "InternalIP"}, {"address": node["name"], "type": "Hostname"}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {
            "machineID": ids["machineID"],
            "systemUUID": ids["systemUUID"],
            "bootID": ids["bootID"],
            "kernelVersion": KERNEL,
            "osImage": OS_IMAGE,
            "containerRuntimeVersion": CONTAINER_RUNTIME,
            "kubeletVersion": KUBELET_VERSION,
            "kubeProxyVersion": "",
            "operatingSystem": "linux",
            "architecture": "amd64",
            "swap": {"capacity": 0},
        },
        "images": images,
        "runtimeHandlers": [
            {"name": "runc", "features": {"recursiveReadOnlyMounts": True, "userNamespaces": True}},
            {"name": "", "features": {"recursiveReadOnlyMounts": True, "userNamespaces": True}},
        ],
        "features": {"supplementalGroupsPolicy": True},
    }


def update_conditions(previous: list[dict], now: float) -> list[dict]:
    """The four kubelet conditions with a fresh heartbeat; lastTransitionTime kept when the status holds."""
    old = {c.get("type"): c for c in previous}
    out = []
    for ctype, status, reason, message in _CONDITIONS:
        prev = old.get(ctype)
        transition = prev["lastTransitionTime"] if prev and prev.get("status") == status else rfc3339(now)
        out.append(
            {
                "type": ctype,
                "status": status,
                "lastHeartbeatTime": rfc3339(now),
                "lastTransitionTime": transition,
                "reason": reason,
                "message": message,
            }
        )
    return out


def status_changed(old: dict, new: dict) -> bool:
    """``nodeStatusHasChanged``: the statuses differ in anything but the conditions' heartbeat times."""
    if old.keys() != new.keys():
        return True
    for key, value in new.items():
        if key == "conditions":
            if not _same_conditions(old.get(key) or [], value or []):
                return True
        elif old.get(key) != value:
            return True
    return False


def _same_conditions(old: list[dict], new: list[dict]) -> bool:
    if len(old) != len(new):
        return False
    for a, b in zip(old, new):
        if {k: v for k, v in a.items() if k != "lastHeartbeatTime"} != {
            k: v for k, v in b.items() if k != "lastHeartbeatTime"
        }:
            return False
    return True


def keep_stored_parts(stored: dict, status: dict) -> dict:
    """``status`` with each part that equals the stored status's, types included, replaced by the stored one
    (conditions aside: their heartbeat times always move): the same bytes, and parts the API server's store
    already holds shared."""
    for key, value in status.items():
        was = stored.get(key)
        if was is not None and was is not value and key != "conditions" and same_json(was, value):
            status[key] = was
    return status


def images_list(present: dict[str, tuple[str, str, int]]) -> list[dict]:
    """``status.images``: ``present`` maps a full reference to (repository name, digest, size).

    Biggest first and at most 50, as ``--node-status-max-images``; each image names its digest reference
    and its tags.
    """
    by_digest: dict[str, dict] = {}
    for full in sorted(present):
        repo, digest, size = present[full]
        entry = by_digest.setdefault(f"{repo}@{digest}", {"names": [f"{repo}@{digest}"], "sizeBytes": size})
        if full not in entry["names"]:
            entry["names"].append(full)
    return sorted(by_digest.values(), key=lambda e: (-e["sizeBytes"], e["names"][0]))[:50]


def lease_object(node_name: str, node_uid: str, now: float, duration: int = 40) -> dict:
    """The node's Lease in ``kube-node-lease``, owned by its Node."""
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {
            "name": node_name,
            "namespace": "kube-node-lease",
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": node_name, "uid": node_uid}],
        },
        "spec": {"holderIdentity": node_name, "leaseDurationSeconds": duration, "renewTime": rfc3339_micro(now)},
    }
