"""Where a DaemonSet's pods go: which nodes qualify (pkg/controller/daemon/util) and the pod made for a node."""

from __future__ import annotations

from ktui.api.objects import copy_json

__all__ = [
    "DAEMON_TOLERATIONS",
    "GENERATION_LABEL",
    "HASH_LABEL",
    "daemon_pod_template",
    "daemon_tolerations",
    "node_matches_affinity",
    "node_should_run",
    "target_node",
    "tolerates",
    "with_node_affinity",
]

HASH_LABEL = "controller-revision-hash"
GENERATION_LABEL = "pod-template-generation"

DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
"""``AddOrUpdateDaemonPodTolerations``; hostNetwork pods also tolerate network-unavailable:NoSchedule."""


def tolerates(tolerations: list[dict], taint: dict) -> bool:
    """Whether any toleration tolerates ``taint`` (``Toleration.ToleratesTaint``)."""
    for t in tolerations:
        if t.get("effect") and t["effect"] != taint.get("effect"):
            continue
        if t.get("key") and t["key"] != taint.get("key"):
            continue
        op = t.get("operator") or "Equal"
        if op == "Exists" or (op == "Equal" and (t.get("value") or "") == (taint.get("value") or "")):
            return True
    return False


def _requirement_matches(req: dict, value: str | None) -> bool:
    op, values = req.get("operator"), req.get("values") or []
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt") and value is not None and len(values) == 1:
        try:
            have, want = int(value), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def node_matches_affinity(pod_spec: dict, node: dict) -> bool:
    """nodeSelector and required node affinity (matchExpressions on labels, matchFields on metadata.name)."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    for k, v in (pod_spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    required = ((pod_spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if not required:
        return True
    fields = {"metadata.name": node["metadata"]["name"]}
    for term in required.get("nodeSelectorTerms") or []:
        exprs, mfields = term.get("matchExpressions") or [], term.get("matchFields") or []
        if not exprs and not mfields:
            continue
        if all(_requirement_matches(r, labels.get(r.get("key"))) for r in exprs) and all(
            _requirement_matches(r, fields.get(r.get("key"))) for r in mfields
        ):
            return True
    return False


def daemon_tolerations(pod_spec: dict) -> list[dict]:
    """The template's tolerations plus the daemon ones it does not already have."""
    out = [dict(t) for t in pod_spec.get("tolerations") or []]
    wanted = list(DAEMON_TOLERATIONS)
    if pod_spec.get("hostNetwork"):
        wanted.append(("node.kubernetes.io/network-unavailable", "NoSchedule"))
    for key, effect in wanted:
        tol = {"key": key, "operator": "Exists", "effect": effect}
        if not any(t.get("key") == key and t.get("effect") == effect and t.get("operator") == "Exists" for t in out):
            out.append(tol)
    return out


def node_should_run(ds: dict, node: dict) -> tuple[bool, bool]:
    """``NodeShouldRunDaemonPod``: (should run a pod here, may keep a running one)."""
    spec = ((ds.get("spec") or {}).get("template") or {}).get("spec") or {}
    if spec.get("nodeName") and spec["nodeName"] != node["metadata"]["name"]:
        return False, False
    if not node_matches_affinity(spec, node):
        return False, False
    tols = daemon_tolerations(spec)
    taints = [t for t in (node.get("spec") or {}).get("taints") or [] if t.get("effect") in ("NoSchedule", "NoExecute")]
    if all(tolerates(tols, t) for t in taints):
        return True, True
    return False, all(tolerates(tols, t) for t in taints if t.get("effect") == "NoExecute")


def with_node_affinity(affinity: dict | None, node_name: str) -> dict:
    """``ReplaceDaemonSetPodNodeNameNodeAffinity``: required terms become one ``metadata.name In [node]``."""
    out = copy_json(affinity or {})
    na = out.setdefault("nodeAffinity", {})
    req = na.setdefault("requiredDuringSchedulingIgnoredDuringExecution", {})
    req["nodeSelectorTerms"] = [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}]
    return out


def target_node(pod: dict) -> str:
    """``GetTargetNodeName``: spec.nodeName, else the node the affinity term names."""
    name = (pod.get("spec") or {}).get("nodeName")
    if name:
        return name
    req = (((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for term in req.get("nodeSelectorTerms") or []:
        for f in term.get("matchFields") or []:
            if f.get("key") == "metadata.name" and f.get("operator") == "In" and len(f.get("values") or []) == 1:
                return f["values"][0]
    return ""


def daemon_pod_template(ds: dict, hash_: str) -> dict:
    """``CreatePodTemplate``: daemon tolerations, ``pod-template-generation`` and ``controller-revision-hash``."""
    t = copy_json((ds.get("spec") or {}).get("template") or {})
    t.setdefault("spec", {})["tolerations"] = daemon_tolerations(t["spec"])
    md = t.setdefault("metadata", {})
    md["labels"] = {**(md.get("labels") or {}), GENERATION_LABEL: str(ds["metadata"].get("generation", 1))}
    if hash_:
        md["labels"][HASH_LABEL] = hash_
    return t
