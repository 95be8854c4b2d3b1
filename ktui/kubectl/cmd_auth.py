"""``kubectl auth can-i``: a SelfSubjectAccessReview, answered ``yes`` or ``no`` (exit code 0 or 1)."""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.kubectl.errors import ExitError, KubectlError
from ktui.kubectl.main import Invocation, command

__all__: list[str] = []


@command("auth can-i")
def can_i(inv: Invocation) -> int:
    """``kubectl auth can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]``."""
    args = inv.args
    if inv.opts.get("list"):
        raise inv.usage_error("ktui does not implement --list yet")
    if len(args) < 2:
        raise KubectlError("you must specify two arguments: verb resource or verb resource/resourceName.\n"
                           "See 'kubectl auth can-i -h' for help and examples.")
    if len(args) > 2:
        raise KubectlError("you must specify two arguments: verb resource or verb resource/resourceName.\n"
                           "See 'kubectl auth can-i -h' for help and examples.")
    verb, target = args
    ns = None if inv.opts.get("all-namespaces") else inv.namespace
    if target.startswith("/"):
        review = inv.client.can_i(verb, non_resource_url=target)
    else:
        word, _, name = target.partition("/")
        try:
            inv.client.resource(word)
        except ApiError:
            inv.warn(f"Warning: the server doesn't have a resource type '{word}'\n")
            review = {"allowed": False}
        else:
            review = inv.client.can_i(verb, word, ns, name=name, subresource=inv.opts.get("subresource") or "")
    allowed = bool(review.get("allowed"))
    if not inv.opts.get("quiet"):
        inv.write("yes\n" if allowed else "no\n")
    if not allowed:
        raise ExitError(1)
    return 0
