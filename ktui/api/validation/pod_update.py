"""Pod update validation: which PodSpec fields may change, with ``ValidatePodUpdate``'s exact Forbidden message."""

from __future__ import annotations

import copy
from typing import Any

from ktui.api.errors import FieldError
from ktui.api.validation.meta import validate_object_meta_update
from ktui.api.validation.names import inclusive_range_error
from ktui.api.validation.pod import MAX_INT32, validate_pod_metadata_and_spec, validate_tolerations

__all__ = ["UPDATABLE_POD_SPEC_FIELDS", "validate_pod_update"]

Obj = dict[str, Any]
UPDATABLE_POD_SPEC_FIELDS = (
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
)


def _d(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _spec_diff(old: Any, new: Any, path: str = "spec") -> list[str]:
    """A short ``- old`` / ``+ new`` listing of changed leaves (stands in for Go's ``cmp.Diff`` output)."""
    if isinstance(old, dict) and isinstance(new, dict):
        lines: list[str] = []
        for key in list(old) + [k for k in new if k not in old]:
            lines += _spec_diff(old.get(key), new.get(key), f"{path}.{key}")
        return lines
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [line for i, (a, b) in enumerate(zip(old, new)) for line in _spec_diff(a, b, f"{path}[{i}]")]
    if old == new:
        return []
    return [f"- \t{path}: {old!r}", f"+ \t{path}: {new!r}"]


def _only_added_tolerations(new: list[Any], old: list[Any], path: str) -> list[FieldError]:
    for tol in old:
        base = {k: v for k, v in _d(tol).items() if k != "tolerationSeconds"}
        if not any({k: v for k, v in _d(n).items() if k != "tolerationSeconds"} == base for n in new):
            return [FieldError.forbidden(path, "existing toleration can not be modified except its tolerationSeconds")]
    return validate_tolerations(new, path)


def validate_pod_update(new: Obj, old: Obj, spec_valid: bool = False) -> list[FieldError]:
    """``ValidatePodUpdate``: only images, activeDeadlineSeconds, added tolerations and removed gates may change.

    The Forbidden message is the real one; the diff that follows it is a simplified listing of the changed
    fields rather than Go's ``cmp.Diff`` of the internal struct. ``spec_valid``: see
    :func:`validate_pod_metadata_and_spec`.
    """
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"))
    errs += validate_pod_metadata_and_spec(new, spec_valid)
    nspec, ospec = _d(new.get("spec")), _d(old.get("spec"))
    for key in ("containers", "initContainers"):
        ncs, ocs = _l(nspec.get(key)), _l(ospec.get(key))
        if len(ncs) != len(ocs):
            return errs + [FieldError.forbidden(f"spec.{key}", "pod updates may not add or remove containers")]
        for i, ctr in enumerate(ncs):
            image = str(_d(ctr).get("image") or "")
            if not image:
                errs.append(FieldError.required(f"spec.{key}[{i}].image"))
    deadline, old_deadline = nspec.get("activeDeadlineSeconds"), ospec.get("activeDeadlineSeconds")
    if deadline is not None:
        if not 0 <= deadline <= MAX_INT32:
            return errs + [
                FieldError.invalid("spec.activeDeadlineSeconds", deadline, inclusive_range_error(0, MAX_INT32))
            ]
        if old_deadline is not None and old_deadline < deadline:
            return errs + [
                FieldError.invalid(
                    "spec.activeDeadlineSeconds", deadline, "must be less than or equal to previous value"
                )
            ]
    elif old_deadline is not None:
        errs.append(
            FieldError.invalid(
                "spec.activeDeadlineSeconds", None, "must not update from a positive integer to nil value"
            )
        )
    if not (spec_valid and nspec is ospec):
        # (the same valid spec: every toleration is kept, and they passed validate_tolerations before)
        errs += _only_added_tolerations(_l(nspec.get("tolerations")), _l(ospec.get("tolerations")), "spec.tolerations")
    old_gates = {_d(g).get("name") for g in _l(ospec.get("schedulingGates"))}
    for i, gate in enumerate(_l(nspec.get("schedulingGates"))):
        if _d(gate).get("name") not in old_gates:
            errs.append(
                FieldError.forbidden(
                    f"spec.schedulingGates[{i}].name",
                    f"only deletion is allowed, but found new scheduling gate '{_d(gate).get('name')}'",
                )
            )
    if nspec == ospec:
        return errs
    munged = copy.deepcopy(nspec)
    for key in ("containers", "initContainers"):
        for ctr, octr in zip(_l(munged.get(key)), _l(ospec.get(key))):
            if isinstance(ctr, dict):
                ctr["image"] = _d(octr).get("image")
    for key in ("activeDeadlineSeconds", "schedulingGates", "tolerations", "ephemeralContainers"):
        munged.pop(key, None)
        if key in ospec:
            munged[key] = copy.deepcopy(ospec[key])
    old_grace = ospec.get("terminationGracePeriodSeconds")
    if old_grace is not None and old_grace < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if old_gates and munged.get("nodeSelector") != ospec.get("nodeSelector"):
        added_only = all(_d(munged.get("nodeSelector")).get(k) == v for k, v in _d(ospec.get("nodeSelector")).items())
        if added_only:
            munged["nodeSelector"] = copy.deepcopy(ospec.get("nodeSelector"))
    if _strip_empty(munged) != _strip_empty(ospec):
        diff = "\n".join(_spec_diff(ospec, munged))
        errs.append(
            FieldError.forbidden(
                "spec",
                "pod updates may not change fields other than " + ",".join(UPDATABLE_POD_SPEC_FIELDS) + "\n" + diff,
            )
        )
    return errs


def _strip_empty(value: Any) -> Any:
    """Drop null values so ``{"a": None}`` and ``{}`` compare equal, as Go's zero values do."""
    if isinstance(value, dict):
        return {k: _strip_empty(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_empty(v) for v in value]
    return value
