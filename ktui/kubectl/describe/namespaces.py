"""``kubectl describe namespace`` (status, conditions, quotas, limit ranges) and ``describe limitrange``."""

from __future__ import annotations

from ktui.api.quantity import canonical_quantity
from ktui.kubectl.describe.base import (
    Writer,
    annotations_multiline,
    labels_multiline,
    name_and_namespace,
    rfc1123z,
)

__all__ = ["describe_namespace", "describe_limitrange", "limit_range_rows"]


def describe_namespace(w: Writer, ns: dict, quotas: list[dict], limit_ranges: list[dict]) -> None:
    md, st = ns.get("metadata") or {}, ns.get("status") or {}
    name_and_namespace(w, ns, namespaced=False)
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Status:\t{st.get('phase', '')}\n")
    if st.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in st["conditions"]:
            w.write(
                1,
                f"{c.get('type')}\t{c.get('status')}\t{rfc1123z(c.get('lastTransitionTime'))}\t"
                f"{c.get('reason', '')}\t{c.get('message', '')}\n",
            )
    w.write(0, "\n")
    if not quotas:
        w.write(0, "No resource quota.\n")
    else:
        w.write(0, "Resource Quotas\n")
        for q in sorted(quotas, key=lambda q: q["metadata"]["name"]):
            qs = q.get("status") or {}
            w.write(1, f"Name:\t{q['metadata']['name']}\n")
            scopes = sorted((q.get("spec") or {}).get("scopes") or [])
            if scopes:
                w.write(1, f"Scopes:\t{', '.join(scopes)}\n")
            w.write(1, "Resource\tUsed\tHard\n")
            w.write(1, "--------\t---\t---\n")
            for name in sorted(qs.get("hard") or {}):
                used = canonical_quantity((qs.get("used") or {}).get(name, "0"))
                w.write(1, f"{name}\t{used}\t{canonical_quantity(qs['hard'][name])}\n")
    w.write(0, "\n")
    if not limit_ranges:
        w.write(0, "No LimitRange resource.\n")
        return
    w.write(0, "Resource Limits\n")
    _limit_header(w, " ")
    for lr in limit_ranges:
        limit_range_rows(w, lr, " ")


def _limit_header(w: Writer, prefix: str) -> None:
    w.write(0, f"{prefix}Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n")
    w.write(0, f"{prefix}----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")


def limit_range_rows(w: Writer, lr: dict, prefix: str = "") -> None:
    """``describeLimitRangeSpec``; kubectl prints a limit's resources in Go map order, ktui sorts them."""
    for item in (lr.get("spec") or {}).get("limits") or []:
        keys = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")
        names = sorted({n for k in keys for n in (item.get(k) or {})})
        for n in names:
            vals = [canonical_quantity(item[k][n]) if n in (item.get(k) or {}) else "-" for k in keys]
            w.write(0, f"{prefix}{item.get('type', '')}\t{n}\t" + "\t".join(vals) + "\n")


def describe_limitrange(w: Writer, lr: dict) -> None:
    """``describeLimitRange``: the name, the namespace and the limits table (no labels, no events)."""
    name_and_namespace(w, lr)
    _limit_header(w, "")
    limit_range_rows(w, lr)
