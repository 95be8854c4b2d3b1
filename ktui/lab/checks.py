"""Grade a task: run its checks against the cluster as pure reads (no write, no watch, no clock movement)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

from ktui.api.errors import ApiError
from ktui.lab.model import KubectlCheck, LabCheck, ObjectCheck, ObjectRef, ScriptCheck
from ktui.lab.sandbox import ExecSandbox

__all__ = ["CheckOutcome", "ReadOnlyViolation", "READ_VERBS", "evaluate", "remember", "SCRIPT_UNAVAILABLE"]

READ_VERBS = frozenset({"get", "list", "log", "can_i", "resource"})
"""The only API client calls a check may make."""

SCRIPT_UNAVAILABLE = (
    "needs the HTTP API: script checks run the real kubectl over HTTPS, and nothing serves this cluster"
)


class ReadOnlyViolation(RuntimeError):
    """A check tried to write to the cluster or move its clock (a bug in the lab or in ktui)."""


class _ReadOnlyClient:
    """An API client that lets through reads only; anything else raises :class:`ReadOnlyViolation`. Its
    ``kubelet_exec`` (``kubectl exec``) runs in a throwaway copy of the cluster (:mod:`ktui.lab.sandbox`)."""

    def __init__(self, client: Any, refused: list[str] | None = None, sandbox: ExecSandbox | None = None) -> None:
        self._client = client
        self.refused: list[str] = [] if refused is None else refused
        """What was refused (shared with derived clients): kubectl's last-resort guard turns the exception into
        an exit code, so the caller looks here to know that a check tried to write."""
        self._sandbox = sandbox

    @property
    def server(self) -> Any:  # kubectl get all reads the server's resource registry
        return self._client.server

    @property
    def user(self) -> Any:
        return self._client.user

    def impersonate(self, user: str, groups: tuple[str, ...] | list[str] = ()) -> "_ReadOnlyClient":
        return _ReadOnlyClient(self._client.impersonate(user, groups), self.refused, self._sandbox)

    def with_warning_handler(self, handler: Any) -> "_ReadOnlyClient":
        return _ReadOnlyClient(self._client.with_warning_handler(handler), self.refused, self._sandbox)

    def kubelet_exec(
        self, node: str, namespace: str, pod: str, container: str, argv: list[str]
    ) -> tuple[str, str, int]:
        """``kubectl exec``, authorized as this client's user, run in the sandbox's copy of the cluster."""
        if self._sandbox is None:
            self.refused.append("a check may only read the cluster, not exec")
            raise ReadOnlyViolation(self.refused[-1])
        if not self._client.can_i("create", "pods", namespace, pod, "exec")["allowed"]:
            return self._client.kubelet_exec(node, namespace, pod, container, argv)  # the 403, recording nothing
        return self._sandbox.exec(node, namespace, pod, container, argv)

    def __getattr__(self, verb: str) -> Any:
        if verb not in READ_VERBS:
            self.refused.append(f"a check may only read the cluster, not call {verb}()")
            raise ReadOnlyViolation(self.refused[-1])
        return getattr(self._client, verb)


@dataclass(frozen=True)
class CheckOutcome:
    """One check's verdict."""

    check: LabCheck
    ok: bool
    detail: str = ""
    """What was seen, for a failed check (``saw "ImagePullBackOff"``); empty when it passed."""
    unavailable: bool = False
    """True when the check could not run here (a script check without a server or without kubectl)."""

    def message(self, lang: str = "en") -> str:
        return self.check.message(lang)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        d: dict[str, Any] = {
            "line": self.check.line,
            "kind": self.check.kind,
            "check": self.check.describe(),
            "ok": self.ok,
        }
        if not self.ok:
            d.update(message=self.message(lang), detail=self.detail)
        if self.unavailable:
            d["unavailable"] = True
        return d


def _quote(text: str, limit: int = 200) -> str:
    body = text.rstrip("\n").replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + (body[:limit] + "..." if len(body) > limit else body) + '"'


def _jsonpath_text(template: str, obj: Any) -> str:
    from ktui.kubectl.printers import jsonpath_print

    return jsonpath_print(template, obj)


def _jsonpath_values(template: str, obj: Any) -> list[Any]:
    from ktui.kubectl import jsonpath

    return jsonpath.values(jsonpath.parse(template), obj)


def _compare(
    text: str, equals: str | None, contains: tuple[str, ...], not_contains: tuple[str, ...], matches: str | None
) -> str:
    """Empty when ``text`` meets every expectation, else what was seen and against what."""
    if equals is not None and text.rstrip("\n") != equals.rstrip("\n"):
        return f"saw {_quote(text)}, expected {_quote(equals)}"
    for want in contains:
        if want not in text:
            return f"saw {_quote(text)}, expected it to contain {_quote(want)}"
    for unwanted in not_contains:
        if unwanted in text:
            return f"saw {_quote(text)}, expected it not to contain {_quote(unwanted)}"
    if matches is not None and re.search(matches, text, re.DOTALL | re.MULTILINE) is None:
        return f"saw {_quote(text)}, expected it to match {_quote(matches)}"
    return ""


def _kubectl(cluster: Any, check: KubectlCheck) -> CheckOutcome:
    from ktui.kubectl import KubectlEnv, run_kubectl

    client = _ReadOnlyClient(cluster.api, sandbox=ExecSandbox(cluster))

    def no_advance(seconds: float) -> None:
        client.refused.append("a check may not move the cluster's clock")
        raise ReadOnlyViolation(client.refused[-1])

    env = KubectlEnv(client=client, advance=no_advance, now=lambda: cluster.now)
    r = run_kubectl(env, list(check.check.argv)[1:])
    if client.refused:
        raise ReadOnlyViolation(client.refused[0])
    c = check.check
    if c.exit is not None and r.exit_code != c.exit:
        last = (r.stderr or r.stdout).strip().split("\n")[-1]
        return CheckOutcome(check, False, f"exit code {r.exit_code}, expected {c.exit}" + (f": {last}" if last else ""))
    output = r.stdout + r.stderr
    if check.jsonpath:
        if r.exit_code != 0:
            return CheckOutcome(check, False, (r.stderr or r.stdout).strip().split("\n")[-1])
        try:
            output = _jsonpath_text(check.jsonpath, json.loads(r.stdout))
        except ValueError:
            return CheckOutcome(check, False, f"the output is not JSON: {_quote(r.stdout)}")
    detail = _compare(output, c.equals, c.contains, c.not_contains, c.matches)
    return CheckOutcome(check, not detail, detail)


def _fetch(client: Any, resource: str, name: str, namespace: str) -> dict | None:
    try:
        return client.get(resource, name, namespace)
    except ApiError as e:
        if e.status.get("code") == 404:
            return None
        raise


def remember(cluster: Any, check: ObjectCheck) -> dict[str, Any] | None:
    """What a ``not_recreated``/``unchanged`` check compares with later: the object's uid and the values of its
    ``unchanged`` JSONPath now (when setup ends); None when the object does not exist."""
    obj = _fetch(_ReadOnlyClient(cluster.api), check.resource, check.name or "", check.namespace)
    if obj is None:
        return None
    return {
        "uid": obj["metadata"].get("uid"),
        "values": _jsonpath_values(check.unchanged, obj) if check.unchanged else None,
    }


def _selector_matches(selector: Any, labels: Mapping[str, str] | None) -> bool:
    from ktui.api.labels import label_selector_from_dict, selector_from_set

    if not selector:
        return False
    if "matchLabels" in selector or "matchExpressions" in selector:
        return label_selector_from_dict(selector).matches(labels)
    return selector_from_set(selector).matches(labels)


def _other(client: Any, check: ObjectCheck, ref: ObjectRef, this: dict) -> tuple[dict | None, str]:
    resource = ref.resource or check.resource
    name = ref.name or check.name or ""
    ns = ref.namespace or check.namespace
    if resource == check.resource and name == check.name and ns == check.namespace:
        return this, f"{resource}/{name}"
    return _fetch(client, resource, name, ns), f"{resource}/{name}"


def _object(cluster: Any, check: ObjectCheck, baseline: Mapping[int, Mapping[str, Any]]) -> CheckOutcome:
    client = _ReadOnlyClient(cluster.api)
    ns = check.namespace
    if check.name is None:
        items = (
            client.list(check.resource, ns, label_selector=check.selector, field_selector=check.field_selector).get(
                "items"
            )
            or []
        )
        if check.count is not None and len(items) != check.count:
            return CheckOutcome(check, False, f"found {len(items)} {check.target()}, expected {check.count}")
        if check.jsonpath:
            text = _jsonpath_text(check.jsonpath, {"kind": "List", "apiVersion": "v1", "items": items})
            detail = _compare(text, check.equals, check.contains, check.not_contains, check.matches)
            return CheckOutcome(check, not detail, detail)
        return CheckOutcome(check, True)
    obj = _fetch(client, check.resource, check.name, ns)
    if check.exists is False:
        return CheckOutcome(check, obj is None, f"{check.target()} exists" if obj is not None else "")
    if obj is None:
        return CheckOutcome(check, False, f"{check.target()} not found")
    before = baseline.get(check.line) or {}
    if check.not_recreated:
        now = obj["metadata"].get("uid")
        if before.get("uid") != now:
            return CheckOutcome(
                check,
                False,
                f"{check.target()} has uid {now}; when the lab started it had "
                f"{before.get('uid')} (it was deleted and created again)",
            )
    if check.unchanged:
        now_values = _jsonpath_values(check.unchanged, obj)
        if before.get("values") != now_values:
            return CheckOutcome(
                check,
                False,
                f"{check.unchanged} is {_show(now_values)}; when the lab started it "
                f"was {_show(before.get('values') or [])}",
            )
    if check.jsonpath and (check.equals is not None or check.contains or check.not_contains or check.matches):
        detail = _compare(
            _jsonpath_text(check.jsonpath, obj), check.equals, check.contains, check.not_contains, check.matches
        )
        if detail:
            return CheckOutcome(check, False, f"{check.jsonpath}: {detail}")
    if check.same_as is not None:
        other, what = _other(client, check, check.same_as, obj)
        if other is None:
            return CheckOutcome(check, False, f"{what} not found")
        mine = _jsonpath_values(check.jsonpath or "", obj)
        theirs = _jsonpath_values(check.same_as.jsonpath or "", other)
        if mine != theirs:
            return CheckOutcome(
                check, False, f"{check.jsonpath} is {_show(mine)}; {what} {check.same_as.jsonpath} is {_show(theirs)}"
            )
    if check.selects is not None:
        other, what = _other(client, check, check.selects, obj)
        if other is None:
            return CheckOutcome(check, False, f"{what} not found")
        selector = (obj.get("spec") or {}).get("selector")
        labels = (other.get("metadata") or {}).get("labels")
        if not _selector_matches(selector, labels):
            return CheckOutcome(
                check, False, f"selector {_show([selector])} does not match {what}'s labels {_show([labels or {}])}"
            )
    return CheckOutcome(check, True)


def _show(values: list[Any]) -> str:
    if not values:
        return "nothing"
    return " ".join(json.dumps(v, sort_keys=True, separators=(",", ":")) for v in values)


def _script(check: ScriptCheck, scripts: Any) -> CheckOutcome:
    if scripts is None:
        return CheckOutcome(check, False, SCRIPT_UNAVAILABLE, unavailable=True)
    try:
        ok, detail = scripts.run(check.script, check.timeout)
    except FileNotFoundError as e:
        return CheckOutcome(check, False, str(e), unavailable=True)
    return CheckOutcome(check, ok, detail)


def evaluate(
    cluster: Any, check: LabCheck, baseline: Mapping[int, Mapping[str, Any]] | None = None, scripts: Any = None
) -> CheckOutcome:
    """Run one check against ``cluster``: a pure read.

    Args:
        cluster: a :class:`ktui.cluster.Cluster`.
        check: the check.
        baseline: what :func:`remember` said when setup ended, for each check that needs it, by the check's line.
        scripts: a :class:`ktui.lab.script_check.ScriptRunner` for ``script:`` checks; without one they report
            that they cannot run here.

    Raises:
        ReadOnlyViolation: the check tried to write or to move the clock (a bug, never a learner's doing).
    """
    if isinstance(check, KubectlCheck):
        return _kubectl(cluster, check)
    if isinstance(check, ObjectCheck):
        try:
            return _object(cluster, check, baseline or {})
        except ApiError as e:
            return CheckOutcome(check, False, e.status.get("message") or str(e))
    if isinstance(check, ScriptCheck):
        return _script(check, scripts)
    raise TypeError(f"not a lab check: {check!r}")  # pragma: no cover - the loader makes only these
