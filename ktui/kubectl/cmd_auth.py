"""``kubectl auth can-i`` (a SelfSubjectAccessReview, answered ``yes`` or ``no``) and ``auth whoami``."""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.kubectl.describe.config_rbac import rule_rows
from ktui.kubectl.errors import ExitError, KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer, tabwrite
from ktui.kubectl.submit import check_output
from ktui.kubectl.tables import render_table

__all__: list[str] = []


@command("auth can-i")
def can_i(inv: Invocation) -> int:
    """``kubectl auth can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]``."""
    args = inv.args
    if inv.opts.get("list"):
        return _can_i_list(inv)
    if len(args) < 2:
        raise KubectlError(
            "you must specify two arguments: verb resource or verb resource/resourceName.\n"
            "See 'kubectl auth can-i -h' for help and examples."
        )
    if len(args) > 2:
        raise KubectlError(
            "you must specify two arguments: verb resource or verb resource/resourceName.\n"
            "See 'kubectl auth can-i -h' for help and examples."
        )
    verb, target = args
    ns = None if inv.opts.get("all-namespaces") else inv.namespace
    if target.startswith("/"):
        _no_headers(inv)
        review = inv.client.can_i(verb, non_resource_url=target)
    else:
        word, _, name = target.partition("/")
        try:
            r = inv.client.resource(word)
        except ApiError:
            inv.warn(f"Warning: the server doesn't have a resource type '{word}'\n\n")
            _no_headers(inv)
            review = {"allowed": False}
        else:
            if ns and not r.namespaced:
                group = f" in group '{r.group}'" if r.group else ""
                inv.warn(f"Warning: resource '{r.plural}' is not namespace scoped{group}\n\n")
            _no_headers(inv)
            review = inv.client.can_i(verb, word, ns, name=name, subresource=inv.opts.get("subresource") or "")
    allowed = bool(review.get("allowed"))
    if not inv.opts.get("quiet"):
        inv.write("yes\n" if allowed else "no\n")
    if not allowed:
        raise ExitError(1)
    return 0


def _no_headers(inv: Invocation) -> None:
    """kubectl's last check of a single question: ``--no-headers`` belongs to ``--list``."""
    if inv.opts.get("no-headers"):
        raise KubectlError("--no-headers cannot be set without --list specified")


def _can_i_list(inv: Invocation) -> int:
    """``kubectl auth can-i --list``: a SelfSubjectRulesReview of the namespace, printed as kubectl prints it."""
    if inv.args:
        raise KubectlError("list option must be specified with no arguments")
    if inv.opts.get("quiet") or inv.opts.get("all-namespaces") or inv.opts.get("subresource"):
        raise KubectlError("list option can't be specified with neither quiet, all-namespaces nor subresource options")
    status = inv.client.rules_review(inv.namespace)
    rules = [
        {
            "verbs": r.get("verbs"),
            "apiGroups": r.get("apiGroups"),
            "resources": r.get("resources"),
            "resourceNames": r.get("resourceNames"),
        }
        for r in status.get("resourceRules") or []
    ]
    rules += [
        {"verbs": r.get("verbs"), "nonResourceURLs": r.get("nonResourceURLs")}
        for r in status.get("nonResourceRules") or []
    ]
    header = [] if inv.opts.get("no-headers") else [["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]]
    inv.write(tabwrite(header + rule_rows(rules)))
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
    review = {
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {},
        "status": {"userInfo": info},
    }
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
