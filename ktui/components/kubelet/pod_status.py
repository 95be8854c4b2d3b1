"""The PodStatus a kubelet writes, as pure functions: container statuses, phase and conditions.

Follows pkg/kubelet/kubelet_pods.go (``generateAPIPodStatus``, ``getPhase``, ``convertToAPIContainerStatuses``)
and pkg/kubelet/status/generate.go (the Initialized, ContainersReady and Ready conditions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ktui.sim.timefmt import rfc3339

__all__ = [
    "CState",
    "container_status",
    "terminated_state",
    "get_phase",
    "pod_conditions",
    "KUBELET_CONDITIONS",
    "is_sidecar",
    "same_status",
]

KUBELET_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")


@dataclass
class CState:
    """What the kubelet remembers about one container of a pod across restarts."""

    name: str
    init: bool = False
    waiting_reason: str = "ContainerCreating"
    waiting_message: str = ""
    current: str = ""
    """The runtime id of the newest container instance ("" before the first start)."""
    previous: str = ""
    """The instance before it, kept for ``logs --previous``."""
    last: dict | None = None
    """lastState.terminated of the previous instance."""
    restart_count: int = 0
    ready: bool = False
    started: bool = False
    image: str = ""
    image_id: str = ""
    pull_failed_at: float = -1.0
    probes: dict[str, Any] = field(default_factory=dict)


def is_sidecar(spec_c: dict) -> bool:
    return spec_c.get("restartPolicy") == "Always"


def terminated_state(c: Any) -> dict:
    """``state.terminated`` for an exited runtime container."""
    out: dict[str, Any] = {
        "exitCode": c.exit_code,
        "reason": c.reason or ("Completed" if c.exit_code == 0 else "Error"),
        "startedAt": rfc3339(c.started_at),
        "finishedAt": rfc3339(c.finished_at),
        "containerID": f"containerd://{c.id}",
    }
    return out


def container_status(spec_c: dict, cs: CState, c: Any) -> dict:
    """One entry of ``containerStatuses`` (keys in the Go struct's order)."""
    state: dict[str, Any]
    if c is not None and c.state == "running" and not cs.waiting_reason:
        state = {"running": {"startedAt": rfc3339(c.started_at)}}
    elif c is not None and c.state == "exited" and not cs.waiting_reason:
        state = {"terminated": terminated_state(c)}
    else:
        waiting: dict[str, Any] = {"reason": cs.waiting_reason or "ContainerCreating"}
        if cs.waiting_message:
            waiting["message"] = cs.waiting_message
        state = {"waiting": waiting}
    out: dict[str, Any] = {
        "name": spec_c["name"],
        "state": state,
        "lastState": {"terminated": dict(cs.last)} if cs.last else {},
        "ready": bool(cs.ready and c is not None and c.state == "running"),
        "restartCount": cs.restart_count,
        "image": cs.image or spec_c.get("image", ""),
        "imageID": cs.image_id,
    }
    if c is not None:
        out["containerID"] = f"containerd://{c.id}"
    out["started"] = bool(c is not None and c.state == "running" and cs.started)
    res = spec_c.get("resources") or {}
    if res.get("requests"):
        out["allocatedResources"] = dict(res["requests"])
    out["resources"] = {k: dict(res[k]) for k in ("limits", "requests") if res.get(k)}
    mounts = []
    for m in spec_c.get("volumeMounts") or []:
        entry: dict[str, Any] = {"name": m.get("name"), "mountPath": m.get("mountPath")}
        if m.get("readOnly"):
            entry["readOnly"] = True
            entry["recursiveReadOnly"] = "Disabled"
        mounts.append(entry)
    if mounts:
        out["volumeMounts"] = mounts
    if c is not None:
        out["user"] = {
            "linux": {
                "uid": c.info.uid,
                "gid": c.info.groups[0] if c.info.groups else 0,
                "supplementalGroups": list(c.info.groups),
            }
        }
    return out


def _is_terminated(st: dict) -> dict | None:
    return st["state"].get("terminated")


def get_phase(spec: dict, init_statuses: list[dict], statuses: list[dict], init_specs: list[dict]) -> str:
    """The pod phase from its container statuses, as the kubelet's ``getPhase``."""
    policy = spec.get("restartPolicy", "Always")
    pending_init = failed_init = 0
    for spec_c, st in zip(init_specs, init_statuses):
        if is_sidecar(spec_c):
            if "running" not in st["state"]:
                pending_init += 1
            continue
        term = _is_terminated(st)
        if term is not None:
            if term["exitCode"] != 0:
                failed_init += 1
        elif "waiting" in st["state"] and st["lastState"].get("terminated", {}).get("exitCode", 0) != 0:
            failed_init += 1
        elif "running" in st["state"] or "waiting" in st["state"]:
            pending_init += 1
    if failed_init and policy == "Never":
        return "Failed"
    running = waiting = stopped = succeeded = 0
    for st in statuses:
        s = st["state"]
        if "running" in s:
            running += 1
        elif "terminated" in s:
            stopped += 1
            if s["terminated"]["exitCode"] == 0:
                succeeded += 1
        elif st["lastState"].get("terminated"):
            stopped += 1
            if st["lastState"]["terminated"]["exitCode"] == 0:
                succeeded += 1
        else:
            waiting += 1
    if pending_init or failed_init:
        return "Pending"
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if stopped:
        if policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        return "Failed" if policy == "Never" else "Running"
    return "Pending"


def _cond(
    ctype: str,
    status: str,
    now: float,
    old: dict[str, dict],
    generation: int | None,
    reason: str = "",
    message: str = "",
) -> dict:
    prev = old.get(ctype)
    out: dict[str, Any] = {"type": ctype}
    if generation is not None:
        out["observedGeneration"] = generation
    out["status"] = status
    out["lastProbeTime"] = None
    keep = prev is not None and prev.get("status") == status and prev.get("lastTransitionTime")
    out["lastTransitionTime"] = prev["lastTransitionTime"] if keep else rfc3339(now)  # type: ignore[index]
    if reason:
        out["reason"] = reason
    if message:
        out["message"] = message
    return out


def pod_conditions(
    pod: dict,
    phase: str,
    sandbox_ready: bool,
    init_statuses: list[dict],
    statuses: list[dict],
    init_specs: list[dict],
    now: float,
) -> list[dict]:
    """The kubelet's four conditions, followed by conditions other writers own (PodScheduled ...)."""
    old_list = (pod.get("status") or {}).get("conditions") or []
    old = {c.get("type"): c for c in old_list}
    gen = (pod.get("metadata") or {}).get("generation")
    conds = [_cond("PodReadyToStartContainers", "True" if sandbox_ready else "False", now, old, gen)]
    incomplete = [
        st["name"]
        for spec_c, st in zip(init_specs, init_statuses)
        if not is_sidecar(spec_c) and (_is_terminated(st) or {}).get("exitCode", 1) != 0
    ]
    if not init_specs:
        conds.append(_cond("Initialized", "True", now, old, gen))
    elif phase == "Succeeded":
        conds.append(_cond("Initialized", "True", now, old, gen, "PodCompleted"))
    elif incomplete:
        conds.append(
            _cond(
                "Initialized",
                "False",
                now,
                old,
                gen,
                "ContainersNotInitialized",
                f"containers with incomplete status: [{' '.join(incomplete)}]",
            )
        )
    else:
        conds.append(_cond("Initialized", "True", now, old, gen))
    unready = [st["name"] for st in statuses if not st["ready"]]
    unready += [st["name"] for spec_c, st in zip(init_specs, init_statuses) if is_sidecar(spec_c) and not st["ready"]]
    if phase == "Succeeded":
        ready = ("False", "PodCompleted", "")
    elif unready:
        ready = ("False", "ContainersNotReady", f"containers with unready status: [{' '.join(unready)}]")
    else:
        ready = ("True", "", "")
    conds.append(_cond("Ready", ready[0], now, old, gen, ready[1], ready[2]))
    conds.append(_cond("ContainersReady", ready[0], now, old, gen, ready[1], ready[2]))
    conds.extend(c for c in old_list if c.get("type") not in KUBELET_CONDITIONS)
    return conds


_ABSENT = object()


def _go_equal(a: Any, b: Any) -> bool:
    """JSON equality where a ``null`` field of an object is the same as that field left out."""
    if a is b:
        return True
    t = type(a)
    if t is dict:
        if type(b) is not dict:
            return False
        matched = 0
        for k, v in a.items():
            w = b.get(k, _ABSENT)
            if w is _ABSENT:
                if v is not None:
                    return False
                continue
            matched += 1
            if v is None or w is None:
                if v is not w:
                    return False
            elif v != w and not _go_equal(v, w):  # (equal parts are compared in C, only a difference walked)
                return False
        return matched == len(b) or all(w is None for k, w in b.items() if k not in a)
    if t is list:
        return type(b) is list and len(a) == len(b) and all(v == w or _go_equal(v, w) for v, w in zip(a, b))
    return bool(a == b)


def same_status(a: dict | None, b: dict | None) -> bool:
    """Whether two pod statuses are the same to the kubelet's status manager, which compares Go structs: a
    field that is ``null`` (``lastProbeTime: null``, as Go writes a zero time) is the same as one left out
    (both are the zero value), so a status differing only so is not sent again."""
    if a is None or b is None:
        return a is b
    return a == b or _go_equal(a, b)  # (the common case, equal as JSON, compared in C)
