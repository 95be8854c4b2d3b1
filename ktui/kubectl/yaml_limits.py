"""go-yaml's limits on a YAML document (kubectl decodes manifests with it), checked on PyYAML's node graph.

go-yaml v2 counts every node it decodes, and those decoded again through an alias; a document whose
decoding is mostly alias expansion (a "billion laughs" bomb) is refused with ``document contains
excessive aliasing``, an anchor used inside itself with ``anchor 'a' value contains itself``, and nesting
beyond 10,000 levels with ``exceeded max depth of 10000``. Checking before constructing anything keeps
ktui's work bounded by the size of the text, not by what the aliases would expand to.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

import yaml

__all__ = ["check_node", "deep_enough", "MAX_DEPTH"]

MAX_DEPTH = 10_000
"""go-yaml's parser depth limit."""

_RATIO_LOW, _RATIO_HIGH = 400_000, 4_000_000


def _allowed_alias_ratio(decoded: int) -> float:
    if decoded <= _RATIO_LOW:
        return 0.99
    if decoded >= _RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decoded - _RATIO_LOW) / (_RATIO_HIGH - _RATIO_LOW)


def check_node(root: yaml.Node, anchors: dict[int, str]) -> None:
    """Walk ``root`` as go-yaml's decoder would (aliases expanded), failing as it fails.

    Args:
        root: the composed document.
        anchors: ``id(node) -> anchor name`` for the anchored nodes.

    Raises:
        ValueError: with go-yaml's words (without the ``yaml: `` prefix).
    """
    decoded = aliased = 0
    seen: set[int] = set()
    expanding: set[int] = set()
    # (node, alias depth, depth, leaving): ``leaving`` entries close an alias expansion
    stack: list[tuple[yaml.Node, int, int, bool]] = [(root, 0, 1, False)]
    while stack:
        node, alias_depth, depth, leaving = stack.pop()
        if leaving:
            expanding.discard(id(node))
            continue
        if depth > MAX_DEPTH:
            raise ValueError(f"line {node.start_mark.line + 1}: exceeded max depth of {MAX_DEPTH}")
        decoded += 1
        if alias_depth:
            aliased += 1
        if aliased > 100 and decoded > 1000 and aliased / decoded > _allowed_alias_ratio(decoded):
            raise ValueError("document contains excessive aliasing")
        key = id(node)
        if key in seen and key in anchors:  # a use of the anchor: go-yaml decodes it all again
            if key in expanding:
                raise ValueError(f"anchor '{anchors[key]}' value contains itself")
            expanding.add(key)
            stack.append((node, alias_depth, depth, True))
            alias_depth += 1
            decoded += 1
            if alias_depth:
                aliased += 1
        seen.add(key)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        for child in reversed(children):
            stack.append((child, alias_depth, depth + 1, False))


@contextmanager
def deep_enough() -> Iterator[None]:
    """Let PyYAML's recursive composer and constructor reach go-yaml's depth (a few frames per level)."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 4 * MAX_DEPTH + 1000))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)
