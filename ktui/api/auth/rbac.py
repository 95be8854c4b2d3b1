"""RBAC authorization as pure functions, and an index of bindings by subject for fast checks.

Follows plugin/pkg/auth/authorizer/rbac/rbac.go, pkg/apis/rbac/v1/evaluation_helpers.go and
pkg/registry/rbac/validation/rule.go. The authorizer chain in front of RBAC is the one kubeadm
configures (``--authorization-mode=Node,RBAC``) behind the privileged-group authorizer: members of
``system:masters`` are always allowed, kubelets get the ``system:node`` rules, then RBAC decides.
Bindings are visited in name order (ClusterRoleBindings, then RoleBindings of the request's
namespace), so the reason naming the first binding that allows is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from ktui.api.auth.attributes import RequestAttributes
from ktui.api.auth.bootstrap import node_rules
from ktui.api.auth.user import (
    NODE_USER_PREFIX,
    NODES_GROUP,
    SERVICE_ACCOUNT_PREFIX,
    SYSTEM_MASTERS,
    UserInfo,
)

__all__ = [
    "Decision",
    "RbacIndex",
    "applies_to",
    "authorize",
    "node_allows",
    "rule_allows",
    "rules_allow",
]

_NODE_RULES = node_rules()


@dataclass(frozen=True)
class Decision:
    """An authorization answer: allowed or not, and the reason the authorizer gave (may be empty)."""

    allowed: bool
    reason: str = ""


# Rule matching -----------------------------------------------------------------


def _resource_matches(rule: dict[str, Any], combined: str, subresource: str) -> bool:
    for res in rule.get("resources") or ():
        if res == "*" or res == combined:
            return True
        if subresource and len(res) == len(subresource) + 2 and res.startswith("*/") and res.endswith(subresource):
            return True
    return False


def _url_matches(rule: dict[str, Any], path: str) -> bool:
    for url in rule.get("nonResourceURLs") or ():
        if url == "*" or url == path:
            return True
        if url.endswith("*") and path.startswith(url.rstrip("*")):
            return True
    return False


def rule_allows(attrs: RequestAttributes, rule: dict[str, Any]) -> bool:
    """Whether one PolicyRule allows the request, as ``rbac.RuleAllows``.

    ``resourceNames`` restrict a rule to requests that name an object, so a ``list`` or a ``create``
    without a name is never allowed by a rule that has them.
    """
    verbs = rule.get("verbs") or ()
    if "*" not in verbs and attrs.verb not in verbs:
        return False
    if not attrs.resource_request:
        return _url_matches(rule, attrs.path)
    groups = rule.get("apiGroups") or ()
    if "*" not in groups and attrs.api_group not in groups:
        return False
    if not _resource_matches(rule, attrs.combined_resource, attrs.subresource):
        return False
    names = rule.get("resourceNames")
    return not names or attrs.name in names


def rules_allow(attrs: RequestAttributes, rules: Iterable[dict[str, Any]]) -> bool:
    """Whether any of ``rules`` allows the request."""
    return any(rule_allows(attrs, r) for r in rules)


# Subjects ------------------------------------------------------------------------


def _applies_to_user(user: UserInfo, subject: dict[str, Any], namespace: str) -> bool:
    kind = subject.get("kind")
    if kind == "User":
        return user.name == subject.get("name")
    if kind == "Group":
        return subject.get("name") in user.groups
    if kind == "ServiceAccount":
        sa_namespace = subject.get("namespace") or namespace
        if not sa_namespace:
            return False
        return user.name == f"{SERVICE_ACCOUNT_PREFIX}{sa_namespace}:{subject.get('name', '')}"
    return False


def applies_to(user: UserInfo, subjects: Iterable[dict[str, Any]], namespace: str) -> int | None:
    """Index of the first subject that names ``user``, or None.

    Args:
        user: the requesting user.
        subjects: a binding's ``subjects``.
        namespace: the binding's namespace (empty for a ClusterRoleBinding); a ServiceAccount
            subject without a namespace defaults to it.
    """
    for i, subject in enumerate(subjects or ()):
        if _applies_to_user(user, subject, namespace):
            return i
    return None


def _describe_subject(subject: dict[str, Any], binding_namespace: str) -> str:
    kind, name = subject.get("kind", ""), subject.get("name", "")
    if kind == "ServiceAccount":
        return f'{kind} "{name}/{subject.get("namespace") or binding_namespace}"'
    return f'{kind} "{name}"'


def _describe(binding: dict[str, Any], subject: dict[str, Any]) -> str:
    meta, ref = binding.get("metadata") or {}, binding.get("roleRef") or {}
    namespace = meta.get("namespace", "")
    if binding.get("kind") == "ClusterRoleBinding":
        head = f'ClusterRoleBinding "{meta.get("name", "")}"'
    else:
        head = f'RoleBinding "{meta.get("name", "")}/{namespace}"'
    return f'{head} of {ref.get("kind", "")} "{ref.get("name", "")}" to {_describe_subject(subject, namespace)}'


# Evaluation ----------------------------------------------------------------------


def _resolve(
    ref: dict[str, Any],
    namespace: str,
    roles: dict[tuple[str, str], list[dict[str, Any]]],
    cluster_roles: dict[str, list[dict[str, Any]]],
) -> list[dict[str, Any]] | str:
    kind, name = ref.get("kind", ""), ref.get("name", "")
    if kind == "Role":
        found = roles.get((namespace, name))
        return found if found is not None else f'role.rbac.authorization.k8s.io "{name}" not found'
    if kind == "ClusterRole":
        found = cluster_roles.get(name)
        return found if found is not None else f'clusterrole.rbac.authorization.k8s.io "{name}" not found'
    return f'unsupported role reference kind: "{kind}"'


def _aggregate(errors: list[str]) -> str:
    """``utilerrors.NewAggregate(errs).Error()``: one message, or ``[a, b]`` with duplicates dropped."""
    if len(errors) == 1:
        return errors[0]
    unique = list(dict.fromkeys(errors))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def _evaluate(
    attrs: RequestAttributes,
    bindings: Iterator[dict[str, Any]],
    roles: dict[tuple[str, str], list[dict[str, Any]]],
    cluster_roles: dict[str, list[dict[str, Any]]],
) -> Decision:
    """RBAC over candidate bindings already in visiting order (cluster bindings first)."""
    errors: list[str] = []
    for binding in bindings:
        cluster = binding.get("kind") == "ClusterRoleBinding"
        binding_ns = "" if cluster else (binding.get("metadata") or {}).get("namespace", "")
        subjects = binding.get("subjects") or []
        index = applies_to(attrs.user, subjects, binding_ns)
        if index is None:
            continue
        rules = _resolve(binding.get("roleRef") or {}, binding_ns, roles, cluster_roles)
        if isinstance(rules, str):
            errors.append(rules)
            continue
        if rules_allow(attrs, rules):
            return Decision(True, f"RBAC: allowed by {_describe(binding, subjects[index])}")
    return Decision(False, f"RBAC: {_aggregate(errors)}" if errors else "")


_NODE_NAMES_MATTER = any(r.get("resourceNames") for r in _NODE_RULES)
_node_answers: dict[tuple, bool] = {}
"""The Node authorizer's answers by request shape: a pure function of constant rules (bounded, never saved)."""
_ALLOWED = Decision(True, "")


def _node_allows(attrs: RequestAttributes) -> bool:
    shape = (
        attrs.verb,
        attrs.api_group,
        attrs.resource,
        attrs.subresource,
        attrs.resource_request,
        attrs.path,
        attrs.name if _NODE_NAMES_MATTER else "",
    )
    allowed = _node_answers.get(shape)
    if allowed is None:
        allowed = rules_allow(attrs, _NODE_RULES)
        if len(_node_answers) < 4096:
            _node_answers[shape] = allowed
    return allowed


def node_allows(user: UserInfo, verb: str, api_group: str, resource: str, subresource: str, name: str) -> bool:
    """Whether the Node authorizer allows a kubelet's resource request (what :func:`authorize` would answer
    first for it), without building the request's attributes when its shape was decided before."""
    if NODES_GROUP not in user.groups or not user.name.startswith(NODE_USER_PREFIX):
        return False
    allowed = _node_answers.get((verb, api_group, resource, subresource, True, "", name if _NODE_NAMES_MATTER else ""))
    if allowed is None:
        attrs = RequestAttributes(
            user=user, verb=verb, api_group=api_group, resource=resource, subresource=subresource, name=name
        )
        allowed = _node_allows(attrs)
    return allowed


def _before_rbac(attrs: RequestAttributes) -> Decision | None:
    """The authorizers ahead of RBAC: privileged group, then (approximately) the Node authorizer."""
    groups = attrs.user.groups
    if SYSTEM_MASTERS in groups:
        return _ALLOWED
    if NODES_GROUP in groups and attrs.user.name.startswith(NODE_USER_PREFIX) and _node_allows(attrs):
        return _ALLOWED
    return None


def _name(obj: dict[str, Any]) -> str:
    return (obj.get("metadata") or {}).get("name", "")


def _ns(obj: dict[str, Any]) -> str:
    return (obj.get("metadata") or {}).get("namespace", "")


def authorize(
    attrs: RequestAttributes,
    roles: Iterable[dict[str, Any]],
    cluster_roles: Iterable[dict[str, Any]],
    role_bindings: Iterable[dict[str, Any]],
    cluster_role_bindings: Iterable[dict[str, Any]],
) -> Decision:
    """Decide a request by scanning every binding, as the apiserver's authorizer chain would.

    This is the reference evaluation; ``RbacIndex.authorize`` gives the same answers faster.

    Args:
        attrs: the request.
        roles: Role objects of any namespaces.
        cluster_roles: ClusterRole objects.
        role_bindings: RoleBinding objects of any namespaces.
        cluster_role_bindings: ClusterRoleBinding objects.

    Returns:
        The decision; a reason names the binding that allowed, or the role lookups that failed.
    """
    early = _before_rbac(attrs)
    if early is not None:
        return early
    role_map = {(_ns(r), _name(r)): r.get("rules") or [] for r in roles}
    cluster_map = {_name(r): r.get("rules") or [] for r in cluster_roles}
    ordered = sorted(cluster_role_bindings, key=_name)
    if attrs.namespace:
        ordered += sorted((b for b in role_bindings if _ns(b) == attrs.namespace), key=_name)
    return _evaluate(attrs, iter(ordered), role_map, cluster_map)


# The index -----------------------------------------------------------------------

_SubjectKey = tuple[str, str]


def _subject_key(subject: dict[str, Any], binding_namespace: str) -> _SubjectKey | None:
    kind, name = subject.get("kind"), subject.get("name", "")
    if kind in ("User", "Group"):
        return (kind, name)
    if kind == "ServiceAccount":
        sa_namespace = subject.get("namespace") or binding_namespace
        if not sa_namespace:
            return None
        return ("User", f"{SERVICE_ACCOUNT_PREFIX}{sa_namespace}:{name}")
    return None


_DECISIONS_KEPT = 32768
"""At most this many remembered decisions (requests that name objects are many; the cache starts over)."""


class RbacIndex:
    """Roles and bindings indexed so a check only looks at bindings naming the user or its groups.

    The API server keeps one up to date from watches: ``add`` on ADDED and MODIFIED (it replaces the
    object with the same key), ``remove`` on DELETED, or ``apply_event`` with the watch event type.
    """

    def __init__(self, objects: Iterable[dict[str, Any]] = ()) -> None:
        self._roles: dict[tuple[str, str], list[dict[str, Any]]] = {}
        """Rules of each Role by (namespace, name)."""
        self._cluster_roles: dict[str, list[dict[str, Any]]] = {}
        """Rules of each ClusterRole by name."""
        self._crbs: dict[str, dict[str, Any]] = {}
        """ClusterRoleBindings by name."""
        self._rbs: dict[tuple[str, str], dict[str, Any]] = {}
        """RoleBindings by (namespace, name)."""
        self._crb_by_subject: dict[_SubjectKey, set[str]] = {}
        """ClusterRoleBinding names by subject key."""
        self._rb_by_subject: dict[tuple[str, _SubjectKey], set[str]] = {}
        """RoleBinding names by (namespace, subject key)."""
        self._decisions: dict[RequestAttributes, Decision] = {}
        """Decisions already made since the last change of a role or binding (a cache: never saved)."""
        for obj in objects:
            self.add(obj)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_decisions"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._decisions = {}

    # Maintenance -----------------------------------------------------------------

    def add(self, obj: dict[str, Any]) -> None:
        """Add or replace a Role, ClusterRole, RoleBinding or ClusterRoleBinding; other kinds are ignored."""
        kind, name, ns = obj.get("kind"), _name(obj), _ns(obj)
        self._decisions.clear()
        if kind == "Role":
            self._roles[(ns, name)] = obj.get("rules") or []
        elif kind == "ClusterRole":
            self._cluster_roles[name] = obj.get("rules") or []
        elif kind == "ClusterRoleBinding":
            self._drop_crb(name)
            self._crbs[name] = obj
            for key in self._keys(obj, ""):
                self._crb_by_subject.setdefault(key, set()).add(name)
        elif kind == "RoleBinding":
            self._drop_rb(ns, name)
            self._rbs[(ns, name)] = obj
            for key in self._keys(obj, ns):
                self._rb_by_subject.setdefault((ns, key), set()).add(name)

    def remove(self, obj: dict[str, Any]) -> None:
        """Forget the object with the kind, namespace and name of ``obj``; absent objects are ignored."""
        kind, name, ns = obj.get("kind"), _name(obj), _ns(obj)
        self._decisions.clear()
        if kind == "Role":
            self._roles.pop((ns, name), None)
        elif kind == "ClusterRole":
            self._cluster_roles.pop(name, None)
        elif kind == "ClusterRoleBinding":
            self._drop_crb(name)
        elif kind == "RoleBinding":
            self._drop_rb(ns, name)

    def apply_event(self, event_type: str, obj: dict[str, Any]) -> None:
        """Apply a watch event: ADDED or MODIFIED adds, DELETED removes."""
        if event_type == "DELETED":
            self.remove(obj)
        elif event_type in ("ADDED", "MODIFIED"):
            self.add(obj)

    @staticmethod
    def _keys(binding: dict[str, Any], namespace: str) -> set[_SubjectKey]:
        keys = (_subject_key(s, namespace) for s in binding.get("subjects") or ())
        return {k for k in keys if k is not None}

    def _drop_crb(self, name: str) -> None:
        old = self._crbs.pop(name, None)
        if old is None:
            return
        for key in self._keys(old, ""):
            names = self._crb_by_subject.get(key)
            if names is not None:
                names.discard(name)
                if not names:
                    del self._crb_by_subject[key]

    def _drop_rb(self, ns: str, name: str) -> None:
        old = self._rbs.pop((ns, name), None)
        if old is None:
            return
        for key in self._keys(old, ns):
            names = self._rb_by_subject.get((ns, key))
            if names is not None:
                names.discard(name)
                if not names:
                    del self._rb_by_subject[(ns, key)]

    # Queries ---------------------------------------------------------------------

    def _user_keys(self, user: UserInfo) -> list[_SubjectKey]:
        return [("User", user.name)] + [("Group", g) for g in user.groups]

    def _candidates(self, attrs: RequestAttributes) -> Iterator[dict[str, Any]]:
        keys = self._user_keys(attrs.user)
        crb_names: set[str] = set()
        for key in keys:
            crb_names |= self._crb_by_subject.get(key, set())
        for name in sorted(crb_names):
            yield self._crbs[name]
        if attrs.namespace:
            rb_names: set[str] = set()
            for key in keys:
                rb_names |= self._rb_by_subject.get((attrs.namespace, key), set())
            for name in sorted(rb_names):
                yield self._rbs[(attrs.namespace, name)]

    def authorize(self, attrs: RequestAttributes) -> Decision:
        """Decide a request; the same answer as ``authorize`` over the indexed objects (RBAC's answers are
        remembered until a role or binding changes: they depend on nothing else)."""
        early = _before_rbac(attrs)
        if early is not None:
            return early
        decision = self._decisions.get(attrs)
        if decision is None:
            decision = _evaluate(attrs, self._candidates(attrs), self._roles, self._cluster_roles)
            if len(self._decisions) >= _DECISIONS_KEPT:
                self._decisions.clear()
            self._decisions[attrs] = decision
        return decision

    def rules_for(self, user: UserInfo, namespace: str = "") -> list[dict[str, Any]]:
        """Every rule granted to ``user`` in ``namespace`` (cluster-wide rules included), as ``RulesFor``."""
        probe = RequestAttributes(user=user, verb="", namespace=namespace)
        rules: list[dict[str, Any]] = []
        for binding in self._candidates(probe):
            cluster = binding.get("kind") == "ClusterRoleBinding"
            binding_ns = "" if cluster else _ns(binding)
            if applies_to(user, binding.get("subjects") or [], binding_ns) is None:
                continue
            resolved = _resolve(binding.get("roleRef") or {}, binding_ns, self._roles, self._cluster_roles)
            if not isinstance(resolved, str):
                rules.extend(resolved)
        return rules
