"""``-f FILE|DIR|-`` and ``-R``: read manifests as kubectl's resource builder does, with its error texts.

Documents are split on ``---`` lines, converted from YAML (JSON is YAML too), empty ones skipped and
``kind: List`` expanded. Errors are raised where kubectl meets them, so objects before a bad document are
still handled (the builder streams).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any, Iterator

import yaml

from ktui.api.limits import MAX_DEPTH as API_MAX_DEPTH, depth_exceeds
from ktui.api.registry import REGISTRY, Resource, UnknownResource
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.manifest_checks import decode_problem, json_data, type_problems
from ktui.kubectl.yaml_limits import MAX_DEPTH, check_node, deep_enough

__all__ = ["Manifest", "ManifestError", "read_manifests", "resolve", "yaml_error_text"]

EXTENSIONS = (".json", ".yaml", ".yml")


class ManifestError(KubectlError):
    """A file that cannot be read or understood; the builder goes on with the next file."""


@dataclass
class Manifest:
    """One object read from ``source`` (a path as given, or ``STDIN``)."""

    source: str
    obj: dict[str, Any]

    @property
    def name(self) -> str:
        return (self.obj.get("metadata") or {}).get("name", "")

    @property
    def namespace(self) -> str:
        return (self.obj.get("metadata") or {}).get("namespace", "") or ""


_PROBLEMS = (
    ("mapping values are not allowed here", "mapping values are not allowed in this context"),
    ("that cannot start any token", "found character that cannot start any token"),
    ("expected the node content", "did not find expected node content"),
    ("expected ',' or ']'", "did not find expected ',' or ']'"),
    ("expected ',' or '}'", "did not find expected ',' or '}'"),
)


def yaml_error_text(e: yaml.YAMLError) -> str:
    """A PyYAML error as go-yaml v2 words it: ``yaml: line 3: mapping values are not allowed in this context``."""
    problem = getattr(e, "problem", None) or str(e)
    context = getattr(e, "context", None) or ""
    for needle, text in _PROBLEMS:
        if needle in problem:
            problem = text
            break
    else:
        if problem.startswith("expected <block end>"):
            problem = "did not find expected '-' indicator" if "collection" in context else "did not find expected key"
    scanner = isinstance(e, yaml.scanner.ScannerError)
    pm, cm = getattr(e, "problem_mark", None), getattr(e, "context_mark", None)
    line = 0
    if pm is not None and pm.line != 0:
        line = pm.line + (1 if scanner else 0)
    elif cm is not None and cm.line != 0:
        line = cm.line
    return f"yaml: line {line}: {problem}" if line else f"yaml: {problem}"


def _documents(text: str) -> Iterator[str]:
    """kubectl's YAMLReader: documents separated by lines starting with ``---``."""
    doc: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("---"):
            rest = line[3:].strip()
            if not rest or rest.startswith("#"):
                yield "".join(doc)
                doc = []
                continue
        doc.append(line)
    yield "".join(doc)


def _objects(text: str, source: str, validate: bool = True) -> Iterator[Manifest]:
    shown = source
    for doc in _documents(text):
        if not doc.strip():
            continue
        try:
            obj = _load(doc)
        except yaml.YAMLError as e:
            raise ManifestError(f"error parsing {shown}: error converting YAML to JSON: {yaml_error_text(e)}") from None
        except (ValueError, RecursionError) as e:
            text = str(e) if isinstance(e, ValueError) else f"exceeded max depth of {MAX_DEPTH}"
            text = text if text.startswith("json: ") else "yaml: " + text
            raise ManifestError(f"error parsing {shown}: error converting YAML to JSON: {text}") from None
        if obj is None:
            continue
        if depth_exceeds(obj, API_MAX_DEPTH):
            # Go's decoders go 10,000 levels deep; ktui's (Python) copies and encoders stop at the API server's
            # limit, so a deeper manifest is refused here, with the server's words, before anything is sent.
            raise ManifestError(
                f"error parsing {shown}: error converting YAML to JSON: json: exceeded max depth of {API_MAX_DEPTH}"
            )
        if not isinstance(obj, dict):
            raise ManifestError(
                f"error parsing {shown}: error unmarshaling JSON: while decoding JSON: json: "
                f"cannot unmarshal {_go_type(obj)} into Go value of type map[string]interface {{}}"
            )
        problems = type_problems(obj) or _validation_problems(obj)
        if problems and validate:
            detail = problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]"
            raise ManifestError(
                f'error validating "{source}": error validating data: {detail}; if you choose to '
                f"ignore these errors, turn validation off with --validate=false"
            )
        if _is_list(obj):
            items = obj.get("items")
            if items is not None and not isinstance(items, list):
                raise ManifestError(
                    f'unable to decode "{source}": json: cannot unmarshal {_go_type(items)} into Go '
                    f"struct field decodeList.items of type []json.RawMessage"
                )
            for item in items or []:  # the whole list is decoded before its first object is handled
                if not isinstance(item, dict):
                    raise ManifestError(
                        f'unable to decode "{source}": json: cannot unmarshal {_go_type(item)} into '
                        f"Go value of type map[string]interface {{}}"
                    )
                _check_decodes(item, source)
            for item in items or []:
                yield Manifest(source, item)
        else:
            _check_decodes(obj, source)
            yield Manifest(source, obj)


def _check_decodes(obj: dict, source: str) -> None:
    problem = decode_problem(obj)
    if problem:
        raise ManifestError(f'unable to decode "{source}": {problem}')


def _is_list(obj: dict) -> bool:
    return str(obj.get("kind", "")).endswith("List") and "items" in obj


def _missing_type(obj: dict) -> list[str]:
    return [f"{k} not set" for k in ("apiVersion", "kind") if not obj.get(k)]


def _validation_problems(obj: dict) -> list[str]:
    """What kubectl's schema validation says before the server is asked (``apiVersion not set``...)."""
    problems = _missing_type(obj)
    if problems or not _is_list(obj):
        return problems
    items = obj.get("items")
    if not isinstance(items, list):
        return ["invalid object to validate"] if items is not None else []
    for item in items:
        problems += _missing_type(item) if isinstance(item, dict) else ["invalid object to validate"]
    return problems


def _go_type(value: Any) -> str:
    return {list: "array", str: "string", bool: "bool", int: "number", float: "number"}.get(type(value), "value")


class _JSONLoader(yaml.SafeLoader):
    """YAML as sigs.k8s.io/yaml reads it into JSON: timestamps stay strings, keys become strings."""

    anchor_names: dict[int, str] = {}

    # PyYAML scans every pending simple key on every token, which is quadratic in flow nesting ("[[[[...").
    # Keys are saved in order of position (and token number), so the stale ones are a prefix and the
    # first one has the smallest token number: the same answers in constant time.
    def next_possible_simple_key(self) -> int | None:
        for key in self.possible_simple_keys.values():
            return key.token_number
        return None

    def stale_possible_simple_keys(self) -> None:
        while self.possible_simple_keys:
            level, key = next(iter(self.possible_simple_keys.items()))
            if key.line == self.line and self.index - key.index <= 1024:
                return
            if key.required:
                raise yaml.scanner.ScannerError(
                    "while scanning a simple key", key.mark, "could not find expected ':'", self.get_mark()
                )
            del self.possible_simple_keys[level]

    def compose_document(self) -> yaml.Node:
        """PyYAML's, keeping which node each anchor named (for go-yaml's alias checks)."""
        self.get_event()
        node = self.compose_node(None, None)  # type: ignore[arg-type]
        self.get_event()
        self.anchor_names = {id(n): name for name, n in self.anchors.items()}  # type: ignore[has-type]
        self.anchors = {}  # type: ignore[var-annotated]
        return node


def _load(doc: str) -> Any:
    """One YAML document as JSON data, refused as go-yaml refuses it (aliasing, depth) before it is built."""
    loader = _JSONLoader(doc)
    try:
        with deep_enough():
            node = loader.get_single_node()
            if node is None:
                return None
            check_node(node, loader.anchor_names)
            return json_data(loader.construct_document(node))
    finally:
        loader.dispose()


for _first, _resolvers in list(_JSONLoader.yaml_implicit_resolvers.items()):
    _JSONLoader.yaml_implicit_resolvers[_first] = [
        (tag, rx) for tag, rx in _resolvers if tag != "tag:yaml.org,2002:timestamp"
    ]


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    return {
        (k if isinstance(k, str) else json.dumps(k) if not isinstance(k, (int, float)) else str(k)): v
        for k, v in mapping.items()
    }


_JSONLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _construct_untagged(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """A tag YAML does not define (``!custom x``): go-yaml keeps the plain value."""
    if isinstance(node, yaml.MappingNode):
        return _construct_mapping(loader, node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_JSONLoader.add_constructor(None, _construct_untagged)


def _files(path: str, recursive: bool) -> list[str]:
    found = []
    for entry in sorted(os.listdir(path)):
        full = os.path.join(path, entry)
        if os.path.isdir(full):
            if recursive:
                found.extend(_files(full, recursive))
        elif entry.endswith(EXTENSIONS):
            found.append(full)
    return found


def read_manifests(
    filenames: list[str], *, recursive: bool = False, stdin: str = "", cwd: str | None = None, validate: bool = True
) -> Iterator[Manifest]:
    """Every object the ``-f`` arguments name, in order; raises :class:`ManifestError` where reading fails.

    ``validate`` False (``--validate=false``) skips the client-side checks and lets decoding speak instead.
    """
    for name in filenames:
        if name == "-":
            yield from _objects(stdin, "STDIN", validate)
            continue
        if re.match(r"^https?://", name):
            raise ManifestError(f'unable to read URL "{name}", server reported 404 Not Found, status code=404')
        full = name if os.path.isabs(name) or cwd is None else os.path.join(cwd, name)
        if not os.path.exists(full):
            raise ManifestError(f'the path "{name}" does not exist')
        if os.path.isdir(full):
            files = _files(full, recursive)
            if not files:
                raise ManifestError(f"error reading [{name}]: recognized file extensions are [.json .yaml .yml]")
            for f in files:
                shown = os.path.join(name, os.path.relpath(f, full))
                yield from _read_file(f, shown, validate)
        else:
            yield from _read_file(full, name, validate)


def _read_file(full: str, shown: str, validate: bool = True) -> Iterator[Manifest]:
    from ktui.kubectl.sources import read_bounded

    try:
        data = read_bounded(full, shown)
    except KubectlError as e:
        raise ManifestError(e.message) from None
    text = data.decode("utf-8", errors="replace")  # go-yaml reads bytes that are not UTF-8 too
    yield from _objects(text, shown, validate)


def resolve(m: Manifest) -> Resource:
    """The resource an object's ``apiVersion``/``kind`` maps to, or kubectl's mapping error."""
    api_version, kind = str(m.obj.get("apiVersion", "")), str(m.obj.get("kind", ""))
    try:
        r = REGISTRY.for_kind(api_version, kind)
        if r.api_version != api_version:
            raise UnknownResource(kind)
        return r
    except UnknownResource:
        group, _, version = api_version.rpartition("/")
        where = f'version "{api_version}"' if not group else f'version "{group}/{version}"'
        raise ManifestError(
            f'resource mapping not found for name: "{m.name}" namespace: "{m.namespace}" from '
            f'"{m.source}": no matches for kind "{kind}" in {where}\n'
            f"ensure CRDs are installed first"
        ) from None
