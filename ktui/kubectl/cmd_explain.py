"""``kubectl explain``: field documentation for the core kinds, in kubectl's plaintext layout.

The documentation comes from a compact data file (``data/explain.json``) holding the common fields of pods,
services, deployments, nodes and namespaces, not from the cluster's OpenAPI schema.
"""

from __future__ import annotations

import json
import textwrap
from functools import lru_cache
from importlib import resources

from ktui.kubectl.builder import resolve
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command

__all__ = ["explain_text"]


@lru_cache(maxsize=1)
def _docs() -> dict:
    return json.loads((resources.files("ktui.kubectl") / "data" / "explain.json").read_text())


def _wrap(text: str, indent: int) -> str:
    pad = " " * indent
    return (
        "\n".join(
            textwrap.wrap(
                text,
                80 - indent,
                initial_indent=pad,
                subsequent_indent=pad,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
        + "\n"
    )


def _fields(doc: dict, path: str) -> dict[str, list]:
    """The documented direct children of ``path`` (``""`` for the top level)."""
    out: dict[str, list] = dict(_docs()["_common"]) if not path else {}
    prefix = path + "." if path else ""
    for key, value in doc["fields"].items():
        if key.startswith(prefix) and "." not in key[len(prefix) :]:
            out[key[len(prefix) :]] = value
    return dict(sorted(out.items()))


def explain_text(plural: str, path: str) -> str:
    """What ``kubectl explain PLURAL[.PATH]`` prints."""
    docs = _docs()
    if plural not in docs:
        raise KubectlError(
            f"ktui has no field documentation for {plural!r}; it explains pods, services, "
            "deployments, nodes and namespaces"
        )
    doc = docs[plural]
    group, _, version = doc["version"].rpartition("/")
    head = f"GROUP:      {group}\n" if group else ""
    out = f"{head}KIND:       {doc['kind']}\nVERSION:    {version}\n\n"
    if path:
        field = doc["fields"].get(path) or (docs["_common"].get(path) if "." not in path else None)
        if field is None:
            raise KubectlError(f'field "{path.split(".")[-1]}" does not exist')
        out += f"FIELD: {path.split('.')[-1]} <{field[0]}>\n\nDESCRIPTION:\n{_wrap(field[1], 4)}    \n"
    else:
        out += f"DESCRIPTION:\n{_wrap(doc['description'], 4)}    \n"
    children = _fields(doc, path)
    if children:
        out += "FIELDS:\n"
        for name, (kind, desc, *req) in children.items():
            out += f"  {name}\t<{kind}>{' -required-' if req and req[0] else ''}\n{_wrap(desc, 4)}\n"
    return out


@command("explain")
def explain(inv: Invocation) -> None:
    """``kubectl explain TYPE[.FIELD...]``."""
    if not inv.args:
        raise KubectlError(
            'You must specify the type of resource to explain. Use "kubectl api-resources" for '
            "a complete list of supported resources."
        )
    word, _, path = inv.args[0].partition(".")
    r = resolve(inv, word)
    inv.write(explain_text(r.plural, path))
