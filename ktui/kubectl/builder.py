"""kubectl's resource builder (cli-runtime ``resource.Builder``): which objects a command's arguments name.

``TYPE NAME...``, ``TYPE/NAME...``, ``-f FILE``, ``-l selector`` and ``--all`` become resources and names, with
the builder's own error messages. Shared by every command that acts on existing objects.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.api.registry import Resource
from ktui.kubectl import manifests
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation

__all__ = ["NO_RESOURCES", "resource_args", "resolve", "kind_prefix", "no_resources", "Target", "targets"]

NO_RESOURCES = (
    "You must provide one or more resources by argument or filename.\n"
    "Example resource specifications include:\n"
    "   '-f rsrc.yaml'\n"
    "   '--filename=rsrc.json'\n"
    "   '<resource> <name>'\n"
    "   '<resource>'"
)


def resource_args(inv: Invocation, args: list[str]) -> list[tuple[str, str]]:
    """``TYPE NAME...`` or ``TYPE/NAME...`` as (resource, name) pairs; kubectl's builder errors otherwise."""
    if not args:
        return []
    if all("/" in a for a in args):
        return [tuple(a.split("/", 1)) for a in args]  # type: ignore[misc]
    if any("/" in a for a in args):
        raise KubectlError(
            "there is no need to specify a resource type as a separate argument when passing "
            "arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead "
            "of 'kubectl get resource resource/<resource_name>'"
        )
    kinds, names = args[0], args[1:]
    return [(k, n) for k in kinds.split(",") for n in names] if names else [(k, "") for k in kinds.split(",")]


def resolve(inv: Invocation, name: str) -> Resource:
    """The resource a user's word means, or kubectl's ``the server doesn't have a resource type`` error."""
    try:
        return inv.client.resource(name)
    except ApiError:
        raise KubectlError(f'the server doesn\'t have a resource type "{name}"') from None


def kind_prefix(r: Resource) -> str:
    """``pod``, ``deployment.apps``: how kubectl names a kind before ``/name``."""
    return f"{r.kind.lower()}.{r.group}" if r.group else r.kind.lower()


def no_resources(inv: Invocation, all_namespaced: bool) -> str:
    """``No resources found in NS namespace.`` (or without the namespace), as ``get`` and ``describe`` warn."""
    if all_namespaced and not inv.opts.get("all-namespaces"):
        return f"No resources found in {inv.namespace} namespace.\n"
    return "No resources found\n"


class Target:
    """One object a command acts on: its resource, name, namespace, and where it was named (a file)."""

    def __init__(self, resource: Any, name: str, namespace: str | None, source: str = "") -> None:
        self.resource = resource
        self.name = name
        self.namespace = namespace if resource.namespaced else None
        self.source = source

    @property
    def shown(self) -> str:
        """``pod``, ``deployment.apps``: how kubectl names the kind in its messages."""
        r = self.resource
        return f"{r.singular}.{r.group}" if r.group else r.singular


def targets(inv: Invocation, *, allow_selector: bool = True, errs: list[BaseException] | None = None) -> list[Target]:
    """The objects the arguments, ``-f``, ``-l``/``--all`` name (resource builder semantics)."""
    out: list[Target] = []
    if inv.opts.get("filename"):
        if inv.args:
            raise KubectlError("Unexpected args: " + str(inv.args).replace("'", "").replace(",", ""))
        for m in manifests.read_manifests(
            inv.opts["filename"], recursive=inv.opts.get("recursive", False), stdin=inv.stdin, cwd=inv.env.cwd
        ):
            r = manifests.resolve(m)
            out.append(Target(r, m.name, m.namespace or inv.namespace, m.source))
        return out
    pairs = resource_args(inv, inv.args)
    if not pairs:
        raise KubectlError(NO_RESOURCES)
    selector = inv.opts.get("selector", "") if allow_selector else ""
    select_all = inv.opts.get("all", False)
    if select_all and selector:
        raise KubectlError("setting 'all' parameter but found a non empty selector. ")
    all_ns = inv.opts.get("all-namespaces", False)
    for resource, name in pairs:
        r = inv.client.resource(resource)
        if name:
            if selector or select_all:
                raise KubectlError("name cannot be provided when a selector is specified")
            out.append(Target(r, name, inv.namespace))
        elif selector or select_all:
            listed = inv.client.list(
                r.plural,
                None if all_ns else (inv.namespace if r.namespaced else None),
                label_selector=selector,
                field_selector=inv.opts.get("field-selector", ""),
            )
            for item in listed.get("items", []):
                md = item["metadata"]
                out.append(Target(r, md["name"], md.get("namespace")))
        else:
            raise KubectlError("resource(s) were provided, but no name was specified")
    return out
