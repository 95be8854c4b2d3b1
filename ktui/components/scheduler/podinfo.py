"""The scheduler's record of a pod (``PodInfo``): what it asks of a node, derived once per spec (types.go)."""

from __future__ import annotations

from ktui.components.scheduler.resources import host_ports, pod_requests
from ktui.components.scheduler.terms import parse_terms

__all__ = ["PodInfo"]


class PodInfo:
    """What a pod asks of a node, computed once per pod version (the PreFilter state of each plugin)."""

    __slots__ = (
        "pod",
        "key",
        "uid",
        "priority",
        "requests",
        "non_zero",
        "ports",
        "tolerations",
        "node_selector",
        "required_terms",
        "preferred_terms",
        "images",
        "node_name",
        "namespace",
        "labels",
        "terminating",
        "spread",
        "req_affinity",
        "req_anti_affinity",
        "pref_affinity",
        "pref_anti_affinity",
        "has_affinity",
        "cycle",
    )

    def __init__(self, pod: dict, like: "PodInfo | None" = None, key: str | None = None) -> None:
        """``like``: an earlier PodInfo of the same pod; what it derived from the spec is reused when the
        spec is the same (a status update, or the binding that only set ``spec.nodeName``). Otherwise it is
        taken from a PodInfo of another pod whose spec has the very same parts (pods of one template, whose
        stored parts the store shares), or derived. ``key``: the pod's ``namespace/name`` when the caller
        has it already (one string for the scheduler's maps and this PodInfo)."""
        md = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        self.pod = pod
        self.key = key if key is not None else f"{md.get('namespace', '')}/{md.get('name', '')}"
        self.uid = md.get("uid", "")
        self.namespace = md.get("namespace", "")
        self.labels = md.get("labels") or _NO_LABELS
        """The pod's own (stored, never changed) labels."""
        self.terminating = bool(md.get("deletionTimestamp"))
        self.cycle = None
        """The PreFilter state of the current scheduling cycle (:class:`.cyclestate.CycleState`), or None."""
        self.node_name = spec.get("nodeName") or ""
        if like is not None and like.namespace == self.namespace and _same_spec(like.pod.get("spec") or {}, spec):
            for name in _FROM_SPEC:
                setattr(self, name, getattr(like, name))
            return
        tkey = (self.namespace, *[(k, id(v)) for k, v in spec.items() if k != "nodeName"])
        template = _TEMPLATES.get(tkey)
        if template is not None:
            for name, value in zip(_FROM_SPEC, template[1]):
                setattr(self, name, value)
            return
        self._derive(pod, spec)
        if len(_TEMPLATES) >= _TEMPLATE_LIMIT:
            _TEMPLATES.clear()
        _TEMPLATES[tkey] = (spec, tuple(getattr(self, name) for name in _FROM_SPEC))

    def _derive(self, pod: dict, spec: dict) -> None:
        """Compute what the plugins' PreFilter needs from the spec (the attributes of ``_FROM_SPEC``)."""
        self.priority = int(spec.get("priority") or 0)
        self.requests = pod_requests(pod)
        """For NodeResourcesFit's filter and the node's Requested total."""
        self.non_zero = pod_requests(pod, non_missing=True)
        """For LeastAllocated scoring and the node's NonZeroRequested total."""
        self.ports = host_ports(pod)
        self.tolerations = list(spec.get("tolerations") or [])
        self.node_selector = dict(spec.get("nodeSelector") or {})
        na = ((spec.get("affinity") or {}).get("nodeAffinity")) or {}
        required = na.get("requiredDuringSchedulingIgnoredDuringExecution")
        self.required_terms = None if required is None else list(required.get("nodeSelectorTerms") or [])
        """None when the pod has no required node affinity (an empty list matches nothing)."""
        self.preferred_terms = list(na.get("preferredDuringSchedulingIgnoredDuringExecution") or [])
        self.images = [c.get("image", "") for c in spec.get("containers") or []] + [
            c.get("image", "") for c in spec.get("initContainers") or []
        ]
        self.spread = list(spec.get("topologySpreadConstraints") or [])
        """The raw ``topologySpreadConstraints`` (PodTopologySpread)."""
        (self.req_affinity, self.req_anti_affinity, self.pref_affinity, self.pref_anti_affinity) = parse_terms(
            spec.get("affinity"), self.namespace
        )
        """InterPodAffinity's terms (``AffinityTerm``), required and preferred."""
        self.has_affinity = bool(
            self.req_affinity or self.req_anti_affinity or self.pref_affinity or self.pref_anti_affinity
        )


_FROM_SPEC = (
    "priority",
    "requests",
    "non_zero",
    "ports",
    "tolerations",
    "node_selector",
    "required_terms",
    "preferred_terms",
    "images",
    "spread",
    "req_affinity",
    "req_anti_affinity",
    "pref_affinity",
    "pref_anti_affinity",
    "has_affinity",
)
"""What :class:`PodInfo` derives from the spec and the namespace alone (besides ``node_name``); never
changed after it is computed, so PodInfos of one spec share it."""

_NO_LABELS: dict[str, str] = {}
"""The labels of a pod without any (shared; never changed)."""

_TEMPLATE_LIMIT = 4096
_TEMPLATES: dict[tuple, tuple[dict, tuple]] = {}
"""PodInfos by (namespace, then each key of the spec but ``nodeName`` with the identity of its value): pods of
one template share the stored parts of their specs (:mod:`ktui.store.sharing`), so their PodInfos share what
is derived from them (the values of ``_FROM_SPEC``, in order). Each entry keeps its spec alive, so the identities in its key stay its own; bounded
(starts afresh when full)."""


def _same_spec(a: dict, b: dict) -> bool:
    """Whether two specs are the same but perhaps for ``nodeName``."""
    if a is b or a == b:
        return True
    return a.get("nodeName") != b.get("nodeName") and {**a, "nodeName": b.get("nodeName")} == b
