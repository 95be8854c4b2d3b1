"""``kubectl create token SA``: a TokenRequest on ``serviceaccounts/token``; prints the token (or ``-o``)."""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.generate import one_name
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer
from ktui.kubectl.submit import check_output

__all__: list[str] = []

_BOUND_KINDS = ("Node", "Pod", "Secret")
"""The kinds kubectl 1.37 may bind a token to (``boundObjectKindToAPIVersions``), all ``v1``."""


def _duration_seconds(text: str) -> int:
    """``--duration`` in whole seconds, refused as kubectl's ``Validate`` refuses it."""
    from ktui.kubectl.durations import parse_go_duration

    seconds = parse_go_duration(text or "0s")
    if seconds < 0:
        raise KubectlError("--duration must be greater than or equal to 0")
    nanos = round(seconds * 1e9)
    if nanos % 1_000_000_000:
        raise KubectlError("--duration cannot be expressed in units less than seconds")
    return nanos // 1_000_000_000


def _request(inv: Invocation) -> dict:
    """The TokenRequest the flags ask for (``TokenOptions.Validate`` then ``Run``)."""
    opts = inv.opts
    seconds = _duration_seconds(opts.get("duration", "0s"))
    audiences = list(opts.get("audience", []) or [])
    if any(not a for a in audiences):
        raise KubectlError("--audience must not be an empty string")
    kind, name, uid = (
        opts.get("bound-object-kind", ""),
        opts.get("bound-object-name", ""),
        opts.get("bound-object-uid", ""),
    )
    if not kind:
        if name:
            raise KubectlError("--bound-object-name can only be set if --bound-object-kind is provided")
        if uid:
            raise KubectlError("--bound-object-uid can only be set if --bound-object-kind is provided")
    else:
        if kind not in _BOUND_KINDS:
            raise KubectlError(f"supported --bound-object-kind values are {', '.join(_BOUND_KINDS)}")
        if not name:
            raise KubectlError("--bound-object-name is required if --bound-object-kind is provided")
    spec: dict[str, Any] = {"audiences": audiences or None}
    if seconds > 0:
        spec["expirationSeconds"] = seconds
    if kind:
        spec["boundObjectRef"] = {"kind": kind, "apiVersion": "v1", "name": name, "uid": uid}
    return {
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {},
        "spec": spec,
        "status": {"token": "", "expirationTimestamp": None},
    }


@command("create token")
def create_token(inv: Invocation) -> None:
    """Request a token for a service account and print it (without a newline, as kubectl does when its
    output is not a terminal)."""
    name = one_name(inv)
    fmt = check_output(inv)
    body = _request(inv)
    try:
        answer = inv.client.create("serviceaccounts", body, inv.namespace, subresource="token", name=name)
    except ApiError as e:
        raise KubectlError(f"failed to create token: {e.message}") from None
    token = (answer.get("status") or {}).get("token", "")
    if not token:
        raise KubectlError("failed to create token: no token in server response")
    if fmt:
        inv.write(Printer(fmt, "created", "").print(answer))
    else:
        inv.write(token)
