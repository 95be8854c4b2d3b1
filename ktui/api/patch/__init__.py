"""The three patch kinds of kube-apiserver (JSON, merge, strategic merge) and kubectl apply's three-way merge."""

from ktui.api.patch.json_patch import PatchError, apply_json_patch
from ktui.api.patch.merge_patch import apply_merge_patch, create_merge_patch, three_way_json_merge
from ktui.api.patch.schema import FieldMeta, field_meta, schema_for
from ktui.api.patch.strategic import (
    apply_strategic_merge_patch,
    create_two_way_merge_patch,
    three_way_merge,
)

__all__ = [
    "PatchError",
    "apply_json_patch",
    "apply_merge_patch",
    "create_merge_patch",
    "apply_strategic_merge_patch",
    "create_two_way_merge_patch",
    "three_way_merge",
    "three_way_json_merge",
    "FieldMeta",
    "field_meta",
    "schema_for",
]
