"""``kubectl describe`` for ResourceQuotas, PodDisruptionBudgets and PriorityClasses."""

from __future__ import annotations

from fractions import Fraction

from ktui.api.quantity import Quantity, QuantityError
from ktui.kubectl.cells import format_labels, selector_text
from ktui.kubectl.describe.base import Writer, name_and_namespace

__all__ = ["describe_resourcequota", "describe_pdb", "describe_priorityclass"]

_SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited lifespan on a node "
    "before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually include long "
    "running pods whose container command is not expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods have a best effort "
    "quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These pods have a "
    "burstable or guaranteed quality of service.",
}


def _quantity(text: object) -> Quantity:
    try:
        return Quantity.parse(text if text is not None else "0")
    except QuantityError:
        return Quantity.parse("0")


def _used_text(used: object, hard: object) -> str:
    """The Used cell: printed in the hard limit's format when the two differ (``NewQuantity(used.Value(), ...)``)."""
    u, h = _quantity(used), _quantity(hard)
    if u.format != h.format:
        u = Quantity(Fraction(u.int_value()), h.format)
    return str(u)


def describe_resourcequota(w: Writer, quota: dict) -> None:
    """``describeQuota``: scopes with their help text, then each hard resource with its usage."""
    spec, st = quota.get("spec") or {}, quota.get("status") or {}
    name_and_namespace(w, quota)
    scopes = sorted(spec.get("scopes") or [])
    if scopes:
        w.write(0, f"Scopes:\t{', '.join(scopes)}\n")
        for scope in scopes:
            if _SCOPE_HELP.get(scope):
                w.write(0, f" * {_SCOPE_HELP[scope]}\n")
    w.write(0, "Resource\tUsed\tHard\n")
    w.write(0, "--------\t----\t----\n")
    hard, used = st.get("hard") or {}, st.get("used") or {}
    for name in sorted(hard):
        w.write(0, f"{name}\t{_used_text(used.get(name), hard[name])}\t{_quantity(hard[name])}\n")


def describe_pdb(w: Writer, pdb: dict) -> None:
    """``describePodDisruptionBudgetV1``: min available or max unavailable, selector, the status counts."""
    spec, st = pdb.get("spec") or {}, pdb.get("status") or {}
    name_and_namespace(w, pdb)
    if spec.get("minAvailable") is not None:
        w.write(0, f"Min available:\t{spec['minAvailable']}\n")
    elif spec.get("maxUnavailable") is not None:
        w.write(0, f"Max unavailable:\t{spec['maxUnavailable']}\n")
    selector = spec.get("selector")
    w.write(0, f"Selector:\t{'<unset>' if selector is None else selector_text(selector) or '<none>'}\n")
    w.write(0, "Status:\n")
    w.write(2, f"Allowed disruptions:\t{st.get('disruptionsAllowed', 0)}\n")
    w.write(2, f"Current:\t{st.get('currentHealthy', 0)}\n")
    w.write(2, f"Desired:\t{st.get('desiredHealthy', 0)}\n")
    w.write(2, f"Total:\t{st.get('expectedPods', 0)}\n")


def describe_priorityclass(w: Writer, pc: dict) -> None:
    """``describePriorityClass``: value, global default, preemption policy, description, annotations."""
    md = pc.get("metadata") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Value:\t{pc.get('value', 0)}\n")
    w.write(0, f"GlobalDefault:\t{'true' if pc.get('globalDefault') else 'false'}\n")
    w.write(0, f"PreemptionPolicy:\t{pc.get('preemptionPolicy', '')}\n")
    w.write(0, f"Description:\t{pc.get('description', '')}\n")
    w.write(0, f"Annotations:\t{format_labels(md.get('annotations'))}\n")
