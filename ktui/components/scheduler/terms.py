"""Pod (anti-)affinity terms and pod matchers, parsed once per pod: what PodInfo, the filters and the topology
index share (below all three, so none of them imports another for these).

``AffinityTerm`` follows ``pkg/scheduler/framework/types.go``; a nil or invalid label selector matches
nothing, as ``metav1.LabelSelectorAsSelector`` leaves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ktui.api.labels import LabelSelector, label_selector_from_dict

__all__ = ["AffinityTerm", "Matcher", "parse_terms", "selector_of", "term_of"]


def selector_of(raw: Any) -> LabelSelector:
    """``metav1.LabelSelectorAsSelector``: nil matches nothing; an invalid selector matches nothing too."""
    try:
        return label_selector_from_dict(raw)
    except ValueError:
        return LabelSelector.match_nothing()


@dataclass(frozen=True)
class AffinityTerm:
    """``framework.AffinityTerm`` (with its weight for preferred terms)."""

    namespaces: frozenset
    ns_selector: LabelSelector
    selector: LabelSelector
    topology_key: str
    weight: int = 0

    def matches(self, namespace: str, labels: dict, ns_labels: dict | None) -> bool:
        """``AffinityTerm.Matches``: namespace listed or selected, and the label selector matches."""
        if namespace in self.namespaces or self.ns_selector.matches(ns_labels or {}):
            return self.selector.matches(labels)
        return False


def term_of(raw: dict, pod_namespace: str, weight: int = 0) -> AffinityTerm:
    names = list(raw.get("namespaces") or [])
    ns_sel = raw.get("namespaceSelector")
    if not names and ns_sel is None:
        names = [pod_namespace]
    return AffinityTerm(
        frozenset(names),
        selector_of(ns_sel),
        selector_of(raw.get("labelSelector")),
        raw.get("topologyKey") or "",
        weight,
    )


def parse_terms(affinity: dict | None, pod_namespace: str) -> tuple[list, list, list, list]:
    """(required affinity, required anti-affinity, preferred affinity, preferred anti-affinity) terms."""
    affinity = affinity or {}
    out: list[list[AffinityTerm]] = []
    for kind in ("podAffinity", "podAntiAffinity"):
        section = affinity.get(kind) or {}
        out.append(
            [term_of(t, pod_namespace) for t in section.get("requiredDuringSchedulingIgnoredDuringExecution") or []]
        )
    for kind in ("podAffinity", "podAntiAffinity"):
        section = affinity.get(kind) or {}
        prefs = []
        for w in section.get("preferredDuringSchedulingIgnoredDuringExecution") or []:
            weight = int(w.get("weight") or 0)
            if weight:
                prefs.append(term_of(w.get("podAffinityTerm") or {}, pod_namespace, weight))
        out.append(prefs)
    return out[0], out[1], out[2], out[3]


class MatchedPod(Protocol):
    """What a :class:`Matcher` reads of a pod (``podinfo.PodInfo`` has it)."""

    namespace: str
    labels: dict
    terminating: bool


@dataclass(frozen=True)
class Matcher:
    """Which pods count: every (namespaces, selector) conjunct matches (namespaces None: any namespace)."""

    conjuncts: tuple
    skip_terminating: bool = False

    def matches(self, pod: MatchedPod) -> bool:
        if self.skip_terminating and pod.terminating:
            return False
        for namespaces, selector in self.conjuncts:
            if namespaces is not None and pod.namespace not in namespaces:
                return False
            if not selector.matches(pod.labels):
                return False
        return True
