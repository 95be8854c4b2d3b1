"""``kubectl describe storageclass``: provisioner, parameters, policies and allowed topologies."""

from __future__ import annotations

from ktui.kubectl.cells import format_labels
from ktui.kubectl.describe.base import Writer

__all__ = ["describe_storageclass"]

_DEFAULT_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


def _bool_ptr(value: object) -> str:
    if value is None:
        return "<unset>"
    return "True" if value else "False"


def describe_storageclass(w: Writer, sc: dict) -> None:
    """``describeStorageClass``; annotations and parameters as ``k=v`` lists, as kubectl prints them."""
    md = sc.get("metadata") or {}
    annotations = md.get("annotations") or {}
    default = any(annotations.get(k) == "true" for k in _DEFAULT_ANNOTATIONS)
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"IsDefaultClass:\t{'Yes' if default else 'No'}\n")
    w.write(0, f"Annotations:\t{format_labels(annotations)}\n")
    w.write(0, f"Provisioner:\t{sc.get('provisioner', '')}\n")
    w.write(0, f"Parameters:\t{format_labels(sc.get('parameters'))}\n")
    w.write(0, f"AllowVolumeExpansion:\t{_bool_ptr(sc.get('allowVolumeExpansion'))}\n")
    options = sc.get("mountOptions") or []
    if not options:
        w.write(0, "MountOptions:\t<none>\n")
    else:
        w.write(0, "MountOptions:\n")
        for option in options:
            w.write(1, f"{option}\n")
    if sc.get("reclaimPolicy") is not None:
        w.write(0, f"ReclaimPolicy:\t{sc['reclaimPolicy']}\n")
    if sc.get("volumeBindingMode") is not None:
        w.write(0, f"VolumeBindingMode:\t{sc['volumeBindingMode']}\n")
    topologies = sc.get("allowedTopologies")
    if topologies is not None:
        w.write(0, "AllowedTopologies:\t")
        if not topologies:
            w.write(0, "<none>\n")
            return
        w.write(0, "\n")
        for i, term in enumerate(topologies):
            w.write(1, f"Term {i}:\t")
            reqs = term.get("matchLabelExpressions") or []
            if not reqs:
                w.write(0, "<none>\n")
            for j, req in enumerate(reqs):
                if j:
                    w.write(1, "\t")
                text = f"{req.get('key', '')} in"
                if req.get("values"):
                    text += f" [{', '.join(req['values'])}]"
                w.write(0, text + "\n")
