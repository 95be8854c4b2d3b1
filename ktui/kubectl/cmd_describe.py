"""``kubectl describe``: one description per object, names matched by prefix when none is exact."""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.kubectl.builder import no_resources, resolve, resource_args
from ktui.kubectl.describe import describe
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command

__all__: list[str] = []


def _matching(inv: Invocation, word: str, prefix: str, err: ApiError) -> list[tuple[str, dict]]:
    """``DescribeMatchingResources``: every object of the kind whose name starts with ``prefix``."""
    r = resolve(inv, word)
    items = inv.client.list(r.plural, inv.namespace if r.namespaced else None).get("items") or []
    found = [(r.plural, o) for o in items if o["metadata"]["name"].startswith(prefix)]
    if not found:
        raise err
    return found


@command("describe")
def describe_cmd(inv: Invocation) -> int:
    """``kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)``."""
    if not inv.args:
        raise KubectlError(
            'You must specify the type of resource to describe. Use "kubectl api-resources" for a '
            "complete list of supported resources.\n"
        )
    pairs = resource_args(inv, inv.args)
    all_ns = bool(inv.opts.get("all-namespaces"))
    found: list[tuple[str, dict]] = []
    errors: list[BaseException] = []
    namespaced = True
    warned = matched = False
    for word, name in pairs:
        r = resolve(inv, word)
        namespaced = namespaced and r.namespaced
        if r.plural == "endpoints" and r.group == "" and not warned:
            warned = True  # the server's Warning header, shown once as kubectl deduplicates warnings
            inv.warn("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice")
        ns = (None if all_ns else inv.namespace) if r.namespaced else None
        try:
            if name:
                found.append((r.plural, inv.client.get(r.plural, name, ns or inv.namespace)))
            else:
                items = inv.client.list(r.plural, ns, label_selector=inv.opts.get("selector") or "").get("items")
                found += [(r.plural, o) for o in items or []]
        except ApiError as e:
            if e.reason == "NotFound" and len(inv.args) == 2 and "/" not in inv.args[0]:
                try:
                    found += _matching(inv, word, name, e)
                    matched = True
                    continue
                except ApiError as e2:
                    errors.append(e2)
                    continue
            errors.append(e)
    now = inv.env.now()
    texts = []
    # kubectl 1.37 looks events up only when it describes one object found by name or selector
    show_events = bool(inv.opts.get("show-events", True)) and len(found) == 1 and not matched
    for plural, obj in found:
        texts.append(describe(inv.client, plural, obj, now, show_events=show_events))
    # a name-prefix match prints each description followed by a newline (DescribeMatchingResources)
    inv.write("".join(t + "\n" for t in texts) if matched else "\n\n".join(texts))
    if not found and not errors:
        inv.warn(no_resources(inv, namespaced))
    for err in errors:
        inv.error(err)
    return 1 if errors else 0
