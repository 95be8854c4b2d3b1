"""``kubectl describe node``: lease, conditions, capacity, system info, the pods on it and their requests."""

from __future__ import annotations

from typing import Any

from ktui.api.quantity import Quantity, canonical_quantity
from ktui.kubectl.describe.base import Writer, annotations_multiline, labels_multiline, rfc1123z
from ktui.kubectl.rows_core import node_roles

__all__ = ["describe_node", "pod_requests_limits"]


def pod_requests_limits(pod: dict) -> tuple[dict[str, Quantity], dict[str, Quantity]]:
    """``PodRequestsAndLimits``: containers summed, each init container as a floor, plus pod overhead."""
    spec = pod.get("spec") or {}

    def add(into: dict[str, Quantity], values: dict) -> None:
        for k, v in (values or {}).items():
            q = Quantity.parse(v)
            into[k] = into[k] + q if k in into else q

    reqs: dict[str, Quantity] = {}
    limits: dict[str, Quantity] = {}
    for c in spec.get("containers") or []:
        add(reqs, (c.get("resources") or {}).get("requests"))  # type: ignore[arg-type]
        add(limits, (c.get("resources") or {}).get("limits"))  # type: ignore[arg-type]
    for c in spec.get("initContainers") or []:
        for into, key in ((reqs, "requests"), (limits, "limits")):
            for k, v in ((c.get("resources") or {}).get(key) or {}).items():
                q = Quantity.parse(v)
                if k not in into or q.value > into[k].value:
                    into[k] = q
    add(reqs, spec.get("overhead"))  # type: ignore[arg-type]
    add(limits, spec.get("overhead"))  # type: ignore[arg-type]
    return reqs, limits


def _q(d: dict[str, Quantity], key: str) -> Quantity:
    return d.get(key) or Quantity.parse("0")


def _pct(part: Quantity, whole: Any, milli: bool) -> int:
    total = Quantity.parse(whole or "0")
    denom = total.milli_value() if milli else total.int_value()
    if not denom:
        return 0
    return int((part.milli_value() if milli else part.int_value()) / denom * 100)


def _node_pods(w: Writer, node: dict, pods: list[dict], now: float) -> None:
    from ktui.kubectl.cells import age

    st = node.get("status") or {}
    alloc = st.get("allocatable") or st.get("capacity") or {}
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    tot_r: dict[str, Quantity] = {}
    tot_l: dict[str, Quantity] = {}
    for pod in pods:
        r, lim = pod_requests_limits(pod)
        for src, dst in ((r, tot_r), (lim, tot_l)):
            for k, q in src.items():
                dst[k] = dst[k] + q if k in dst else q
        cells = []
        for d in (r, lim):
            q = _q(d, "cpu")
            cells.append(f"{q} ({_pct(q, alloc.get('cpu'), True)}%)")
        for d in (r, lim):
            q = _q(d, "memory")
            cells.append(f"{q} ({_pct(q, alloc.get('memory'), False)}%)")
        md = pod.get("metadata") or {}
        w.write(
            1,
            f"{md.get('namespace')}\t{md.get('name')}\t\t{cells[0]}\t{cells[1]}\t{cells[2]}\t{cells[3]}\t"
            f"{age(md.get('creationTimestamp'), now)}\n",
        )
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    for name, milli in (("cpu", True), ("memory", False), ("ephemeral-storage", False)):
        rq, lq = _q(tot_r, name), _q(tot_l, name)
        w.write(1, f"{name}\t{rq} ({_pct(rq, alloc.get(name), milli)}%)\t{lq} ({_pct(lq, alloc.get(name), milli)}%)\n")
    for name in sorted(k for k in alloc if k.startswith("hugepages-")):
        rq, lq = _q(tot_r, name), _q(tot_l, name)
        w.write(1, f"{name}\t{rq} ({_pct(rq, alloc.get(name), False)}%)\t{lq} ({_pct(lq, alloc.get(name), False)}%)\n")
    std = {"cpu", "memory", "ephemeral-storage", "pods", "storage"}
    for name in sorted(k for k in alloc if k not in std and not k.startswith("hugepages-") and "/" in k):
        w.write(1, f"{name}\t{_q(tot_r, name)}\t{_q(tot_l, name)}\n")


def _resource_order(names: list[str]) -> list[str]:
    return sorted(names)


def describe_node(w: Writer, node: dict, pods: list[dict], lease: dict | None, now: float) -> None:
    """``describeNode`` without its events."""
    md, spec, st = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Roles:\t{','.join(node_roles(node)) or '<none>'}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    taints = spec.get("taints") or []
    if not taints:
        w.write(0, "Taints:\t<none>\n")
    for i, t in enumerate(taints):
        text = t.get("key", "") + (f"={t['value']}" if t.get("value") else "") + f":{t.get('effect', '')}"
        w.write(0, ("Taints:\t" if i == 0 else "\t") + text + "\n")
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    ls = (lease or {}).get("spec") or {}
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{ls.get('holderIdentity') or '<unset>'}\n")
    w.write(1, f"AcquireTime:\t{rfc1123z(ls['acquireTime']) if ls.get('acquireTime') else '<unset>'}\n")
    w.write(1, f"RenewTime:\t{rfc1123z(ls['renewTime']) if ls.get('renewTime') else '<unset>'}\n")
    if st.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in st["conditions"]:
            w.write(
                1,
                f"{c.get('type')} \t{c.get('status')} \t{rfc1123z(c.get('lastHeartbeatTime'))} \t"
                f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n",
            )
    w.write(0, "Addresses:\n")
    for a in st.get("addresses") or []:
        w.write(1, f"{a.get('type')}:\t{a.get('address')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        values = st.get(key) or {}
        if values:
            w.write(0, f"{title}:\n")
            for name in _resource_order(list(values)):
                w.write(0, f"  {name}:\t{canonical_quantity(values[name])}\n")
    info = st.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for title, key in (
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
        ("Kube-Proxy Version", "kubeProxyVersion"),
    ):
        if key == "kubeProxyVersion" and not info.get(key):
            continue  # deprecated and left empty by kubelets since v1.31; kubectl prints it only when set
        w.write(0, f"  {title}:\t{info.get(key, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    _node_pods(w, node, pods, now)
