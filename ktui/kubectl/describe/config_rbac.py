"""``kubectl describe`` for config maps, secrets, service accounts, RBAC roles and bindings, and endpoint slices."""

from __future__ import annotations

import base64
import binascii

from ktui.kubectl.describe.base import Writer, annotations_multiline, labels_multiline

__all__ = [
    "describe_configmap",
    "describe_secret",
    "describe_serviceaccount",
    "describe_role",
    "describe_rolebinding",
    "describe_endpointslice",
    "rule_rows",
]


def _head(w: Writer, obj: dict, namespaced: bool = True) -> None:
    md = obj.get("metadata") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    if namespaced:
        w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))


def describe_configmap(w: Writer, cm: dict) -> None:
    """``describeConfigMap``: each data key over a ``----`` rule, then the binary keys with their sizes."""
    _head(w, cm)
    w.write(0, "\nData\n====\n")
    data = cm.get("data") or {}
    for key in sorted(data):
        w.write(0, f"{key}:\n----\n")
        w.write(0, f"{data[key]}\n")
        w.write(0, "\n")
    w.write(0, "\nBinaryData\n====\n")
    binary = cm.get("binaryData") or {}
    for key in sorted(binary):
        try:
            size = len(base64.b64decode(binary[key] or ""))
        except (binascii.Error, ValueError):
            size = len(binary[key] or "")
        w.write(0, f"{key}: {size} bytes\n")
    w.write(0, "\n")


def _decoded(value: str | None) -> bytes:
    try:
        return base64.b64decode(value or "")
    except (binascii.Error, ValueError):
        return (value or "").encode()


def describe_secret(w: Writer, secret: dict) -> None:
    """``describeSecret``: the type, then each data key with its size (a service account token shown whole)."""
    _head(w, secret)
    kind = secret.get("type", "")
    w.write(0, f"\nType:\t{kind}\n")
    w.write(0, "\nData\n====\n")
    data = secret.get("data") or {}
    for key in sorted(data):
        raw = _decoded(data[key])
        if key == "token" and kind == "kubernetes.io/service-account-token":
            w.write(0, f"{key}:\t{raw.decode('utf-8', 'replace')}\n")
        else:
            w.write(0, f"{key}:\t{len(raw)} bytes\n")


def describe_serviceaccount(w: Writer, sa: dict) -> None:
    """``describeServiceAccount``: the image pull secrets, one a line."""
    _head(w, sa)
    names = [s.get("name", "") for s in sa.get("imagePullSecrets") or []]
    if not names:
        w.write(0, "Image pull secrets:\t<none>\n")
    prefix = "Image pull secrets:"
    for name in names:
        w.write(0, f"{prefix}\t{name}\n")
        prefix = " " * len("Image pull secrets:")


def _go_list(items: list[str] | None) -> str:
    return "[" + " ".join(items or []) + "]"


def _breakdown(rule: dict) -> list[dict]:
    """``rbacutil.BreakdownRule``: one rule per group, resource and resource name, and per non-resource URL."""
    verbs = list(rule.get("verbs") or [])
    out = []
    for group in rule.get("apiGroups") or []:
        for resource in rule.get("resources") or []:
            for name in rule.get("resourceNames") or [None]:
                out.append(
                    {
                        "verbs": verbs,
                        "apiGroups": [group],
                        "resources": [resource],
                        "resourceNames": [name] if name is not None else [],
                    }
                )
    for url in rule.get("nonResourceURLs") or []:
        out.append({"verbs": verbs, "nonResourceURLs": [url]})
    return out


def _compact(rules: list[dict]) -> list[dict]:
    """``rbacutil.CompactRules``: rules naming one group and one resource (and at most one name) merge verbs."""
    compacted: list[dict] = []
    simple: dict[tuple, dict] = {}
    for rule in rules:
        names = rule.get("resourceNames") or []
        if (
            len(names) <= 1
            and not rule.get("nonResourceURLs")
            and len(rule.get("apiGroups") or []) == 1
            and len(rule.get("resources") or []) == 1
        ):
            key = (rule["apiGroups"][0], rule["resources"][0], bool(names), names[0] if names else "")
            if key in simple:
                simple[key]["verbs"] = simple[key]["verbs"] + list(rule.get("verbs") or [])
            else:
                simple[key] = {**rule, "verbs": list(rule.get("verbs") or [])}
        else:
            compacted.append(rule)
    return compacted + list(simple.values())


def _rule_string(rule: dict) -> str:
    """``PolicyRule.String()``, by which kubectl sorts the rules it prints."""
    return (
        f"&PolicyRule{{Verbs:{_go_list(rule.get('verbs'))},APIGroups:{_go_list(rule.get('apiGroups'))},"
        f"Resources:{_go_list(rule.get('resources'))},ResourceNames:{_go_list(rule.get('resourceNames'))},"
        f"NonResourceURLs:{_go_list(rule.get('nonResourceURLs'))},}}"
    )


def _resource_group(resources: list[str] | None, groups: list[str] | None) -> str:
    """``CombineResourceGroup``: ``deployments.apps/scale``."""
    if not resources:
        return ""
    resource, _, sub = resources[0].partition("/")
    if groups and groups[0]:
        resource += "." + groups[0]
    return resource + ("/" + sub if sub else "")


def describe_role(w: Writer, role: dict) -> None:
    """``describeRole`` / ``describeClusterRole``: the rules broken down, compacted and sorted, as a table."""
    _head(w, role, namespaced=False)
    w.write(0, "PolicyRule:\n")
    w.write(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n")
    w.write(1, "---------\t-----------------\t--------------\t-----\n")
    for row in rule_rows(role.get("rules") or []):
        w.write(1, "\t".join(row) + "\n")


def rule_rows(rules: list[dict]) -> list[list[str]]:
    """PolicyRules as kubectl prints them (``describe role``, ``auth can-i --list``): broken down, compacted and
    sorted; each row is Resources, Non-Resource URLs, Resource Names, Verbs."""
    broken = [sub for rule in rules for sub in _breakdown(rule)]
    return [
        [
            _resource_group(r.get("resources"), r.get("apiGroups")),
            _go_list(r.get("nonResourceURLs")),
            _go_list(r.get("resourceNames")),
            _go_list(r.get("verbs")),
        ]
        for r in sorted(_compact(broken), key=_rule_string)
    ]


def describe_rolebinding(w: Writer, binding: dict) -> None:
    """``describeRoleBinding`` / ``describeClusterRoleBinding``: the role and the subjects table."""
    _head(w, binding, namespaced=False)
    ref = binding.get("roleRef") or {}
    w.write(0, "Role:\n")
    w.write(1, f"Kind:\t{ref.get('kind', '')}\n")
    w.write(1, f"Name:\t{ref.get('name', '')}\n")
    w.write(0, "Subjects:\n")
    w.write(1, "Kind\tName\tNamespace\n")
    w.write(1, "----\t----\t---------\n")
    for s in binding.get("subjects") or []:
        w.write(1, f"{s.get('kind', '')}\t{s.get('name', '')}\t{s.get('namespace', '')}\n")


def describe_endpointslice(w: Writer, eps: dict) -> None:
    """``describeEndpointSliceV1``: address type, ports table and one block per endpoint."""
    _head(w, eps)
    w.write(0, f"AddressType:\t{eps.get('addressType', '')}\n")
    ports = eps.get("ports") or []
    if not ports:
        w.write(0, "Ports: <unset>\n")
    else:
        w.write(0, "Ports:\n")
        w.write(1, "Name\tPort\tProtocol\n")
        w.write(1, "----\t----\t--------\n")
        for p in ports:
            port = p.get("port")
            w.write(
                1, f"{p.get('name') or '<unset>'}\t{'<unset>' if port is None else port}\t{p.get('protocol', '')}\n"
            )
    endpoints = eps.get("endpoints") or []
    if not endpoints:
        w.write(0, "Endpoints: <none>\n")
        return
    w.write(0, "Endpoints:\n")
    for e in endpoints:
        w.write(1, f"- Addresses:\t{', '.join(e.get('addresses') or []) or '<none>'}\n")
        w.write(2, "Conditions:\n")
        ready = (e.get("conditions") or {}).get("ready")
        w.write(3, f"Ready:\t{'<unset>' if ready is None else str(bool(ready)).lower()}\n")
        w.write(2, f"Hostname:\t{e['hostname'] if e.get('hostname') is not None else '<unset>'}\n")
        if e.get("targetRef") is not None:
            w.write(2, f"TargetRef:\t{e['targetRef'].get('kind', '')}/{e['targetRef'].get('name', '')}\n")
        w.write(2, f"NodeName:\t{e['nodeName'] if e.get('nodeName') is not None else '<unset>'}\n")
        w.write(2, f"Zone:\t{e['zone'] if e.get('zone') is not None else '<unset>'}\n")
