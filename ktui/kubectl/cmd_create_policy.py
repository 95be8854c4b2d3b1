"""``kubectl create quota``, ``create priorityclass`` and ``create poddisruptionbudget``: policy objects built
from flags by pure builders, in the Go struct field order of their types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ktui.kubectl.errors import KubectlError
from ktui.kubectl.flags import ParsedArgs
from ktui.kubectl.generate import meta_for, one_name, split_kv
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.submit import submit

__all__ = ["QuotaOptions", "quota_for", "PriorityClassOptions", "priorityclass_for", "PDBOptions", "pdb_for"]


def _resource_list(spec: str) -> dict[str, str]:
    """kubectl's populateResourceListV1: ``cpu=1,memory=1Gi`` as a ResourceList (canonical quantities)."""
    from ktui.api.quantity import QuantityError, canonical_quantity

    out: dict[str, str] = {}
    for statement in spec.split(","):
        parts = statement.split("=")
        if len(parts) != 2:
            raise KubectlError(f"Invalid argument syntax {statement}, expected <resource>=<value>")
        try:
            out[parts[0]] = canonical_quantity(parts[1])
        except QuantityError as e:
            raise KubectlError(str(e)) from None
    return out


@dataclass(frozen=True)
class QuotaOptions:
    """What ``kubectl create quota``'s flags say about the ResourceQuota."""

    hard: str = ""
    """``--hard`` as given: ``cpu=1,memory=1Gi``."""
    scopes: str = ""
    """``--scopes`` as given: ``BestEffort,NotTerminating``."""
    namespace: str = ""

    @classmethod
    def from_flags(cls, opts: ParsedArgs) -> "QuotaOptions":
        """The options of a parsed ``kubectl create quota NAME`` command line."""
        return cls(hard=opts["hard"] or "", scopes=opts["scopes"] or "", namespace=opts.get("namespace") or "")


def quota_for(name: str, options: QuotaOptions) -> dict:
    """The ResourceQuota ``kubectl create quota NAME`` builds (``QuotaOpts.createQuota``): pure.

    Raises:
        KubectlError: with kubectl's message for a bad ``--hard`` statement or quantity.
    """
    spec: dict[str, Any] = {}
    if options.hard:
        spec["hard"] = _resource_list(options.hard)
    if options.scopes:
        spec["scopes"] = [s.strip() for s in options.scopes.split(",")]
    return {
        "kind": "ResourceQuota",
        "apiVersion": "v1",
        "metadata": meta_for(name, options.namespace),
        "spec": spec,
        "status": {},
    }


@command("create quota")
def create_quota(inv: Invocation) -> None:
    name = one_name(inv)
    submit(inv, "resourcequotas", quota_for(name, QuotaOptions.from_flags(inv.opts)), failed="failed to create quota: ")


@dataclass(frozen=True)
class PriorityClassOptions:
    """What ``kubectl create priorityclass``'s flags say about the PriorityClass."""

    value: int = 0
    global_default: bool = False
    description: str = ""
    preemption_policy: str = "PreemptLowerPriority"

    @classmethod
    def from_flags(cls, opts: ParsedArgs) -> "PriorityClassOptions":
        """The options of a parsed ``kubectl create priorityclass NAME`` command line."""
        return cls(
            value=opts["value"],
            global_default=bool(opts["global-default"]),
            description=opts["description"] or "",
            preemption_policy=opts["preemption-policy"],
        )


def priorityclass_for(name: str, options: PriorityClassOptions) -> dict:
    """The PriorityClass ``kubectl create priorityclass NAME`` builds (cluster-scoped): pure."""
    obj: dict[str, Any] = {
        "kind": "PriorityClass",
        "apiVersion": "scheduling.k8s.io/v1",
        "metadata": {"name": name},
        "value": options.value,
    }
    if options.global_default:
        obj["globalDefault"] = True
    if options.description:
        obj["description"] = options.description
    obj["preemptionPolicy"] = options.preemption_policy
    return obj


@command("create priorityclass")
def create_priorityclass(inv: Invocation) -> None:
    name = one_name(inv)
    submit(
        inv,
        "priorityclasses",
        priorityclass_for(name, PriorityClassOptions.from_flags(inv.opts)),
        failed="failed to create priorityclass: ",
    )


def _int_or_string(value: str) -> int | str:
    return int(value) if re.fullmatch(r"-?\d+", value) else value


@dataclass(frozen=True)
class PDBOptions:
    """What ``kubectl create poddisruptionbudget``'s flags say about the PodDisruptionBudget."""

    selector: str = ""
    """``--selector`` as given: ``app=web,tier=front``."""
    min_available: str = ""
    max_unavailable: str = ""
    namespace: str = ""

    @classmethod
    def from_flags(cls, opts: ParsedArgs) -> "PDBOptions":
        """The options of a parsed ``kubectl create poddisruptionbudget NAME`` command line."""
        return cls(
            selector=opts["selector"] or "",
            min_available=opts["min-available"] or "",
            max_unavailable=opts["max-unavailable"] or "",
            namespace=opts.get("namespace") or "",
        )


def pdb_for(name: str, options: PDBOptions) -> dict:
    """The PodDisruptionBudget ``kubectl create poddisruptionbudget NAME`` builds (``PodDisruptionBudgetOpts``): pure.

    Raises:
        KubectlError: with kubectl's message for a missing selector, neither or both of the budgets, or a bad
            selector.
    """
    o = options
    if not o.selector:
        raise KubectlError("a selector must be specified")
    if not o.min_available and not o.max_unavailable:
        raise KubectlError("one of min-available or max-unavailable must be specified")
    if o.min_available and o.max_unavailable:
        raise KubectlError("min-available and max-unavailable cannot be both specified")
    spec: dict[str, Any] = {}
    if o.min_available:
        spec["minAvailable"] = _int_or_string(o.min_available)
    spec["selector"] = {"matchLabels": dict(split_kv(p, "selector") for p in o.selector.split(","))}
    if o.max_unavailable:
        spec["maxUnavailable"] = _int_or_string(o.max_unavailable)
    return {
        "kind": "PodDisruptionBudget",
        "apiVersion": "policy/v1",
        "metadata": meta_for(name, o.namespace),
        "spec": spec,
        "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0},
    }


@command("create poddisruptionbudget")
def create_pdb(inv: Invocation) -> None:
    name = one_name(inv)
    submit(
        inv,
        "poddisruptionbudgets",
        pdb_for(name, PDBOptions.from_flags(inv.opts)),
        failed="failed to create poddisruptionbudgets: ",
    )
