"""``kubectl auth can-i`` (a SelfSubjectAccessReview, answered ``yes`` or ``no``) and ``auth whoami``."""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.kubectl.errors import ExitError, KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer
from ktui.kubectl.submit import check_output
from ktui.kubectl.tables import render_table

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
            r = inv.client.resource(word)
        except ApiError:
            inv.warn(f"Warning: the server doesn't have a resource type '{word}'\n\n")
            review = {"allowed": False}
        else:
            if ns and not r.namespaced:
                group = f" in group '{r.group}'" if r.group else ""
                inv.warn(f"Warning: resource '{r.plural}' is not namespace scoped{group}\n\n")
            review = inv.client.can_i(verb, word, ns, name=name, subresource=inv.opts.get("subresource") or "")
    allowed = bool(review.get("allowed"))
    if not inv.opts.get("quiet"):
        inv.write("yes\n" if allowed else "no\n")
    if not allowed:
        raise ExitError(1)
    return 0


@command("auth whoami")
def whoami(inv: Invocation) -> int:
    """``kubectl auth whoami``: the SelfSubjectReview of the requesting user, as a table or as ``-o`` says."""
    fmt = check_output(inv)
    user = inv.client.user
    info: dict = {"username": user.name}
    if user.uid:
        info["uid"] = user.uid
    if user.groups:
        info["groups"] = list(user.groups)
    if user.extra:
        info["extra"] = {k: list(v) for k, v in user.extra.items()}
    review = {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1", "metadata": {},
              "status": {"userInfo": info}}
    if fmt == "name":  # kubectl's name printer says <unknown> for an object without a name
        inv.write("selfsubjectreview.authentication.k8s.io/<unknown>\n")
        return 0
    if fmt:
        inv.write(Printer(fmt).print(review, typed=True))
        return 0
    rows = [["Username", user.name]] if user.name else []
    if user.uid:
        rows.append(["UID", user.uid])
    if user.groups:
        rows.append(["Groups", f"[{' '.join(user.groups)}]"])
    for key in sorted(user.extra or {}):
        rows.append([f"Extra: {key}", f"[{' '.join(user.extra[key])}]"])
    inv.write(render_table(["ATTRIBUTE", "VALUE"], rows))
    return 0
