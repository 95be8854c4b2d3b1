"""apps/v1 validation: Deployment, ReplicaSet, DaemonSet, StatefulSet, and core ReplicationController.

Follows pkg/apis/apps/validation/validation.go. The apps/v1 rule that ``spec.selector`` is immutable lives in
each registry strategy upstream; it is applied here in the update functions, after the spec checks.
"""

from __future__ import annotations

import re
from typing import Any

from ktui.api.errors import FieldError
from ktui.api.validation.meta import (
    immutable,
    label_selector_matches,
    non_negative,
    validate_label_selector,
    validate_labels,
    validate_object_meta,
    validate_object_meta_update,
)
from ktui.api.validation.names import is_percent, name_is_dns_subdomain
from ktui.api.validation.pod import validate_pod_template

__all__ = [
    "validate_daemon_set",
    "validate_daemon_set_update",
    "validate_deployment",
    "validate_deployment_update",
    "validate_replica_set",
    "validate_replica_set_update",
    "validate_replication_controller",
    "validate_stateful_set",
    "validate_stateful_set_update",
]

Obj = dict[str, Any]
SELECTOR_MISMATCH = "`selector` does not match template `labels`"


def _d(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _int_or_percent(value: Any) -> int:
    """``intstr.GetScaledValueFromIntOrPercent`` against 100 (unparseable values count as 0)."""
    if isinstance(value, str):
        m = re.fullmatch(r"([0-9]+)%", value)
        return int(m.group(1)) if m else 0
    return int(value or 0)


def _positive_int_or_percent(value: Any, path: str) -> list[FieldError]:
    if value is None:
        return []
    if isinstance(value, str):
        return [FieldError.invalid(path, value, m) for m in is_percent(value)]
    if isinstance(value, int) and not isinstance(value, bool):
        return non_negative(value, path)
    return [FieldError.invalid(path, value, "must be an integer or percentage (e.g '5%')")]


def _not_more_than_100_percent(value: Any, path: str) -> list[FieldError]:
    if isinstance(value, str) and not is_percent(value) and _int_or_percent(value) > 100:
        return [FieldError.invalid(path, value, "must not be greater than 100%")]
    return []


def _template_for_selector(spec: Obj, path: str, restart_path_owner: str) -> list[FieldError]:
    """``ValidatePodTemplateSpecForReplicaSet``: selector matches labels, template valid, restartPolicy Always."""
    template = spec.get("template")
    if template is None:
        return [FieldError.required(f"{path}.template")]
    labels = _d(_d(template).get("metadata")).get("labels")
    empty, matches = label_selector_matches(spec.get("selector"), labels)
    errs = []
    if not empty and not matches:
        errs.append(FieldError.invalid(f"{path}.template.metadata.labels", labels, SELECTOR_MISMATCH))
    errs += validate_pod_template(template, f"{path}.template")
    tspec = _d(_d(template).get("spec"))
    restart = tspec.get("restartPolicy") or ""
    if restart != "Always":
        errs.append(FieldError.not_supported(f"{path}.template.spec.restartPolicy", restart, ["Always"]))
    if tspec.get("activeDeadlineSeconds") is not None:
        errs.append(
            FieldError.invalid(
                f"{path}.template.spec.activeDeadlineSeconds",
                tspec["activeDeadlineSeconds"],
                f"activeDeadlineSeconds in {restart_path_owner} is not Supported",
            )
        )
    return errs


def _selector(spec: Obj, path: str, owner: str) -> list[FieldError]:
    selector = spec.get("selector")
    if selector is None:
        return [FieldError.required(f"{path}.selector")]
    errs = validate_label_selector(selector, f"{path}.selector")
    if not _d(selector).get("matchLabels") and not _d(selector).get("matchExpressions"):
        errs.append(FieldError.invalid(f"{path}.selector", selector, f"empty selector is invalid for {owner}"))
    return errs


def _replica_set_spec(spec: Obj, path: str = "spec") -> list[FieldError]:
    errs = non_negative(spec.get("replicas", 0), f"{path}.replicas")
    errs += non_negative(spec.get("minReadySeconds", 0), f"{path}.minReadySeconds")
    errs += _selector(spec, path, "deployment")
    return errs + _template_for_selector(spec, path, "ReplicaSet")


def validate_replica_set(rs: Obj) -> list[FieldError]:
    """``ValidateReplicaSet`` (the empty-selector message says "deployment", as upstream)."""
    errs = validate_object_meta(rs.get("metadata"), True, name_is_dns_subdomain)
    return errs + _replica_set_spec(_d(rs.get("spec")))


def validate_replica_set_update(new: Obj, old: Obj) -> list[FieldError]:
    """``ValidateReplicaSetUpdate`` plus the apps/v1 selector immutability."""
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"))
    errs += _replica_set_spec(_d(new.get("spec")))
    return errs + immutable(_d(new.get("spec")).get("selector"), _d(old.get("spec")).get("selector"), "spec.selector")


def _rolling_update_deployment(rolling: Obj, path: str) -> list[FieldError]:
    unavailable, surge = rolling.get("maxUnavailable", 0), rolling.get("maxSurge", 0)
    errs = _positive_int_or_percent(unavailable, f"{path}.maxUnavailable")
    errs += _positive_int_or_percent(surge, f"{path}.maxSurge")
    if _int_or_percent(unavailable) == 0 and _int_or_percent(surge) == 0:
        errs.append(FieldError.invalid(f"{path}.maxUnavailable", unavailable, "may not be 0 when `maxSurge` is 0"))
    return errs + _not_more_than_100_percent(unavailable, f"{path}.maxUnavailable")


def _deployment_spec(spec: Obj) -> list[FieldError]:
    errs = non_negative(spec.get("replicas", 0), "spec.replicas")
    errs += _selector(spec, "spec", "deployment")
    errs += _template_for_selector(spec, "spec", "ReplicaSet")
    strategy = _d(spec.get("strategy"))
    kind = strategy.get("type")
    if kind == "Recreate":
        if strategy.get("rollingUpdate") is not None:
            errs.append(
                FieldError.forbidden(
                    "spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"
                )
            )
    elif kind == "RollingUpdate":
        if strategy.get("rollingUpdate") is None:
            errs.append(FieldError.required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"))
        else:
            errs += _rolling_update_deployment(_d(strategy["rollingUpdate"]), "spec.strategy.rollingUpdate")
    else:
        errs.append(FieldError.not_supported("spec.strategy", strategy, ["Recreate", "RollingUpdate"]))
    min_ready = spec.get("minReadySeconds", 0) or 0
    errs += non_negative(min_ready, "spec.minReadySeconds")
    if spec.get("revisionHistoryLimit") is not None:
        errs += non_negative(spec["revisionHistoryLimit"], "spec.revisionHistoryLimit")
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is not None:
        errs += non_negative(deadline, "spec.progressDeadlineSeconds")
        if deadline <= min_ready:
            errs.append(
                FieldError.invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds")
            )
    return errs


def validate_deployment(deploy: Obj) -> list[FieldError]:
    """``ValidateDeployment``: replicas, selector vs template labels, template, strategy, deadlines."""
    errs = validate_object_meta(deploy.get("metadata"), True, name_is_dns_subdomain)
    return errs + _deployment_spec(_d(deploy.get("spec")))


def validate_deployment_update(new: Obj, old: Obj) -> list[FieldError]:
    """``ValidateDeploymentUpdate`` plus the apps/v1 selector immutability."""
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"))
    errs += _deployment_spec(_d(new.get("spec")))
    return errs + immutable(_d(new.get("spec")).get("selector"), _d(old.get("spec")).get("selector"), "spec.selector")


def _daemon_set_spec(spec: Obj) -> list[FieldError]:
    selector = spec.get("selector")
    errs = (
        [FieldError.required("spec.selector")]
        if selector is None
        else validate_label_selector(selector, "spec.selector")
    )
    template = _d(spec.get("template"))
    labels = _d(template.get("metadata")).get("labels")
    empty, matches = label_selector_matches(selector, labels)
    if not empty and not matches:
        errs.append(FieldError.invalid("spec.template.metadata.labels", labels, SELECTOR_MISMATCH))
    if selector is not None and not _d(selector).get("matchLabels") and not _d(selector).get("matchExpressions"):
        errs.append(FieldError.invalid("spec.selector", selector, "empty selector is invalid for daemonset"))
    errs += validate_pod_template(template, "spec.template")
    tspec = _d(template.get("spec"))
    if (tspec.get("restartPolicy") or "") != "Always":
        errs.append(
            FieldError.not_supported("spec.template.spec.restartPolicy", tspec.get("restartPolicy") or "", ["Always"])
        )
    if tspec.get("activeDeadlineSeconds") is not None:
        errs.append(
            FieldError.invalid(
                "spec.template.spec.activeDeadlineSeconds",
                tspec["activeDeadlineSeconds"],
                "activeDeadlineSeconds in DaemonSet is not Supported",
            )
        )
    errs += non_negative(spec.get("minReadySeconds", 0), "spec.minReadySeconds")
    strategy = _d(spec.get("updateStrategy"))
    kind = strategy.get("type")
    if kind == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if rolling is None:
            errs.append(FieldError.required("spec.updateStrategy.rollingUpdate"))
        else:
            errs += _rolling_update_daemon_set(_d(rolling), "spec.updateStrategy.rollingUpdate")
    elif kind != "OnDelete":
        errs.append(FieldError.not_supported("spec.updateStrategy", strategy, ["RollingUpdate", "OnDelete"]))
    if spec.get("revisionHistoryLimit") is not None:
        errs += non_negative(spec["revisionHistoryLimit"], "spec.revisionHistoryLimit")
    return errs


def _rolling_update_daemon_set(rolling: Obj, path: str) -> list[FieldError]:
    unavailable, surge = rolling.get("maxUnavailable", 0), rolling.get("maxSurge", 0)
    errs = _positive_int_or_percent(unavailable, f"{path}.maxUnavailable")
    errs += _positive_int_or_percent(surge, f"{path}.maxSurge")
    errs += _not_more_than_100_percent(unavailable, f"{path}.maxUnavailable")
    errs += _not_more_than_100_percent(surge, f"{path}.maxSurge")
    has_unavailable, has_surge = _int_or_percent(unavailable) != 0, _int_or_percent(surge) != 0
    if has_unavailable and has_surge:
        errs.append(FieldError.invalid(f"{path}.maxSurge", surge, "may not be set when maxUnavailable is non-zero"))
    elif not has_unavailable and not has_surge:
        errs.append(FieldError.required(f"{path}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
    return errs


def validate_daemon_set(ds: Obj) -> list[FieldError]:
    """``ValidateDaemonSet``."""
    errs = validate_object_meta(ds.get("metadata"), True, name_is_dns_subdomain)
    return errs + _daemon_set_spec(_d(ds.get("spec")))


def validate_daemon_set_update(new: Obj, old: Obj) -> list[FieldError]:
    """``ValidateDaemonSetUpdate`` plus the apps/v1 selector immutability."""
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"))
    errs += _daemon_set_spec(_d(new.get("spec")))
    return errs + immutable(_d(new.get("spec")).get("selector"), _d(old.get("spec")).get("selector"), "spec.selector")


def _stateful_set_spec(spec: Obj) -> list[FieldError]:
    errs: list[FieldError] = []
    policy = spec.get("podManagementPolicy") or ""
    if not policy:
        errs.append(FieldError.required("spec.podManagementPolicy"))
    elif policy not in ("OrderedReady", "Parallel"):
        errs.append(FieldError.invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"))
    strategy = _d(spec.get("updateStrategy"))
    kind = strategy.get("type") or ""
    if not kind:
        errs.append(FieldError.required("spec.updateStrategy"))
    elif kind == "OnDelete":
        if strategy.get("rollingUpdate") is not None:
            errs.append(
                FieldError.invalid(
                    "spec.updateStrategy.rollingUpdate",
                    strategy["rollingUpdate"],
                    "only allowed for updateStrategy 'RollingUpdate'",
                )
            )
    elif kind == "RollingUpdate":
        rolling = _d(strategy.get("rollingUpdate"))
        errs += non_negative(rolling.get("partition", 0), "spec.updateStrategy.rollingUpdate.partition")
    else:
        errs.append(FieldError.invalid("spec.updateStrategy", strategy, "must be 'RollingUpdate' or 'OnDelete'"))
    errs += non_negative(spec.get("replicas", 0), "spec.replicas")
    errs += non_negative(spec.get("minReadySeconds", 0), "spec.minReadySeconds")
    selector = spec.get("selector")
    if selector is None:
        errs.append(FieldError.required("spec.selector"))
    else:
        errs += validate_label_selector(selector, "spec.selector")
        if not _d(selector).get("matchLabels") and not _d(selector).get("matchExpressions"):
            errs.append(FieldError.invalid("spec.selector", selector, "empty selector is not valid for statefulset."))
    template = _d(spec.get("template"))
    labels = _d(template.get("metadata")).get("labels")
    empty, matches = label_selector_matches(selector, labels)
    if not empty and not matches:
        errs.append(FieldError.invalid("spec.template.metadata.labels", labels, SELECTOR_MISMATCH))
    errs += validate_pod_template(template, "spec.template")
    tspec = _d(template.get("spec"))
    if (tspec.get("restartPolicy") or "") != "Always":
        errs.append(
            FieldError.not_supported("spec.template.spec.restartPolicy", tspec.get("restartPolicy") or "", ["Always"])
        )
    if tspec.get("activeDeadlineSeconds") is not None:
        errs.append(
            FieldError.invalid(
                "spec.template.spec.activeDeadlineSeconds", tspec["activeDeadlineSeconds"], "must not be specified"
            )
        )
    retention = _d(spec.get("persistentVolumeClaimRetentionPolicy"))
    for key in ("whenDeleted", "whenScaled"):
        value = retention.get(key)
        if value is not None and value not in ("Retain", "Delete"):
            errs.append(
                FieldError.not_supported(
                    f"spec.persistentVolumeClaimRetentionPolicy.{key}", value, ["Retain", "Delete"]
                )
            )
    return errs


def validate_stateful_set(sts: Obj) -> list[FieldError]:
    """``ValidateStatefulSet``."""
    errs = validate_object_meta(sts.get("metadata"), True, name_is_dns_subdomain)
    return errs + _stateful_set_spec(_d(sts.get("spec")))


_STS_MUTABLE = (
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
)


def validate_stateful_set_update(new: Obj, old: Obj) -> list[FieldError]:
    """``ValidateStatefulSetUpdate``: only replicas, ordinals, template, strategies and limits may change."""
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"))
    errs += _stateful_set_spec(_d(new.get("spec")))
    nspec = {k: v for k, v in _d(new.get("spec")).items() if k not in _STS_MUTABLE and v is not None}
    ospec = {k: v for k, v in _d(old.get("spec")).items() if k not in _STS_MUTABLE and v is not None}
    if nspec != ospec:
        errs.append(
            FieldError.forbidden(
                "spec",
                (
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
                    "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
                ),
            )
        )
    return errs


def validate_replication_controller(rc: Obj) -> list[FieldError]:
    """``ValidateReplicationController``: a map selector that must match the template labels."""
    errs = validate_object_meta(rc.get("metadata"), True, name_is_dns_subdomain)
    spec = _d(rc.get("spec"))
    selector = spec.get("selector") or {}
    errs += non_negative(spec.get("replicas", 0), "spec.replicas")
    errs += non_negative(spec.get("minReadySeconds", 0), "spec.minReadySeconds")
    if not selector:
        errs.append(FieldError.required("spec.selector"))
    else:
        errs += validate_labels(selector, "spec.selector")
    template = spec.get("template")
    if template is None:
        return errs + [FieldError.required("spec.template")]
    labels = _d(_d(template).get("metadata")).get("labels") or {}
    if selector and any(labels.get(k) != v for k, v in selector.items()):
        errs.append(
            FieldError.invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`")
        )
    errs += validate_pod_template(template, "spec.template")
    restart = _d(_d(template).get("spec")).get("restartPolicy") or ""
    if restart != "Always":
        errs.append(FieldError.not_supported("spec.template.spec.restartPolicy", restart, ["Always"]))
    return errs
