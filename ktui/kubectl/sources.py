"""``--from-file``, ``--from-literal`` and ``--from-env-file`` of ``create configmap|secret``, read as kubectl does.

Files are read as bytes: a ConfigMap keeps UTF-8 text in ``data`` and anything else in ``binaryData``; a
Secret keeps every value as bytes. An env file is read line by line as Go's ``bufio.Scanner`` does: a line
longer than 64 KiB ends the reading (silently, as in kubectl), so ``/dev/zero`` is no endless read.
"""

from __future__ import annotations

import os
import re
from typing import Callable

from ktui.api.validation.names import is_config_map_key, regex_error
from ktui.kubectl.errors import KubectlError

__all__ = ["Sources", "read_sources", "read_bounded", "MAX_LINE", "MAX_FILE_BYTES"]

MAX_LINE = 64 * 1024
"""``bufio.MaxScanTokenSize``: the longest line an env file may have (including its newline)."""

_ENV_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
_ENV_NAME_MSG = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or "
    "'.', and must not start with a digit"
)
_BOM = b"\xef\xbb\xbf"


def _env_name_errors(key: str) -> list[str]:
    """``validation.IsEnvVarName`` as kubectl's env-file reader uses it (the strict, pre-1.34 rule)."""
    errs = []
    if not re.fullmatch(_ENV_NAME_FMT, key):
        errs.append(regex_error(_ENV_NAME_MSG, _ENV_NAME_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1"))
    if key == ".":
        errs.append("must not be '.'")
    elif key == "..":
        errs.append("must not be '..'")
    elif key.startswith(".."):
        errs.append("must not start with '..'")
    return errs


class Sources:
    """The keys read so far, in order, each with its bytes; ``add`` refuses what kubectl refuses."""

    def __init__(self, kind: str, name: str) -> None:
        self.kind = kind
        self.name = name
        self.values: dict[str, bytes] = {}
        self.binary: set[str] = set()

    def add(self, key: str, value: bytes, *, text: bool) -> None:
        """Add one key; ``text`` is False for a file whose bytes are not UTF-8 (a ConfigMap's binaryData)."""
        errs = is_config_map_key(key)
        if self.kind == "ConfigMap":
            if errs:
                raise KubectlError(f"{_go_quote(key)} is not a valid key name for a ConfigMap: {';'.join(errs)}")
            if key in self.values:
                where = "BinaryData" if key in self.binary else "Data"
                raise KubectlError(
                    f"cannot add key {_go_quote(key)}, another key by that name already exists in "
                    f"{where} for ConfigMap {_go_quote(self.name)}"
                )
        else:
            if errs:
                raise KubectlError(f"{_go_quote(key)} is not valid key name for a Secret {';'.join(errs)}")
            if key in self.values:
                raise KubectlError(f"cannot add key {key}, another key by that name already exists")
        self.values[key] = value
        if not text:
            self.binary.add(key)


def _go_quote(s: str) -> str:
    """Go's ``%q`` for the printable strings keys are."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _resolve(path: str, cwd: str | None) -> str:
    return path if os.path.isabs(path) or cwd is None else os.path.join(cwd, path)


def _stat_error(path: str, e: OSError) -> KubectlError:
    reason = {2: "no such file or directory", 13: "permission denied", 20: "not a directory"}.get(
        e.errno or 0, (e.strerror or str(e)).lower()
    )
    return KubectlError(f"error reading {path}: {reason}")


MAX_FILE_BYTES = 64 * 1024 * 1024
"""The most ktui reads from one file (kubectl reads ``/dev/zero`` until memory runs out; ktui says so)."""


def read_bounded(full: str, shown: str) -> bytes:
    """The bytes of a file named on the command line, at most :data:`MAX_FILE_BYTES` of them.

    Raises:
        OSError: as ``open`` and ``read`` raise it.
        KubectlError: for a file (or device) longer than the bound.
    """
    with open(full, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise KubectlError(
            f"error reading {shown}: ktui reads at most {MAX_FILE_BYTES // (1024 * 1024)} MiB from one file"
        )
    return data


def _read(full: str, shown: str) -> bytes:
    try:
        return read_bounded(full, shown)
    except OSError as e:
        raise _stat_error(shown, e) from None


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _add_file(out: Sources, key: str, full: str, shown: str) -> None:
    data = _read(full, shown)
    out.add(key, data, text=out.kind != "ConfigMap" or _utf8(data))


def _from_file(out: Sources, spec: str, cwd: str | None) -> None:
    key, eq, path = spec.partition("=")
    if eq:
        if not key:
            raise KubectlError(f"key name for file path {path} missing")
        if not path:
            raise KubectlError(f"file path for key name {key} missing")
    else:
        key, path = os.path.basename(spec), spec
    full = _resolve(path, cwd)
    try:
        is_dir = os.path.isdir(full)
        os.stat(full)
    except OSError as e:
        raise _stat_error(path, e) from None
    if not is_dir:
        _add_file(out, key, full, path)
        return
    if eq:
        raise KubectlError("cannot give a key name for a directory path")
    for entry in sorted(os.listdir(full)):
        item = os.path.join(full, entry)
        if os.path.isfile(item):
            _add_file(out, entry, item, os.path.join(path, entry))


def _lines(fh) -> list[bytes]:
    """The lines ``bufio.Scanner`` yields: up to the first one too long for its buffer."""
    lines: list[bytes] = []
    pending = b""
    while True:
        chunk = fh.read(MAX_LINE)
        if not chunk:
            if pending:
                lines.append(pending[:-1] if pending.endswith(b"\r") else pending)
            return lines
        pending += chunk
        parts = pending.split(b"\n")
        pending = parts.pop()
        for line in parts:
            lines.append(line[:-1] if line.endswith(b"\r") else line)
        if len(pending) >= MAX_LINE:
            return lines  # bufio.ErrTooLong: kubectl stops reading and keeps what it has


def _from_env_file(out: Sources, path: str, cwd: str | None, environ: dict[str, str]) -> None:
    full = _resolve(path, cwd)
    try:
        if os.path.isdir(full):
            what = "config" if out.kind == "ConfigMap" else "secret"
            raise KubectlError(f"env {what} file cannot be a directory")
        with open(full, "rb") as fh:
            lines = _lines(fh)
    except OSError as e:
        raise _stat_error(path, e) from None
    for number, raw in enumerate(lines, 1):
        if not _utf8(raw):
            raise KubectlError(
                f"env file {path} contains invalid utf8 bytes at line {number}: [{' '.join(str(b) for b in raw)}]"
            )
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        line = raw.decode("utf-8").lstrip()
        if not line or line.startswith("#"):
            continue
        key, eq, value = line.partition("=")
        errs = _env_name_errors(key)
        if errs:
            raise KubectlError(f"{_go_quote(key)} is not a valid key name: {';'.join(errs)}")
        out.add(key, (value if eq else environ.get(key, "")).encode("utf-8"), text=True)


def read_sources(
    kind: str, name: str, opts: Callable[[str], list[str]], cwd: str | None, environ: dict[str, str]
) -> Sources:
    """Every key the three flags give, in kubectl's order: files, then literals, then env files."""
    files, literals, env_files = opts("from-file"), opts("from-literal"), opts("from-env-file")
    if env_files and (files or literals):
        raise KubectlError("from-env-file cannot be combined with from-file or from-literal")
    out = Sources(kind, name)
    for spec in files:
        _from_file(out, spec, cwd)
    for spec in literals:
        key, eq, value = spec.partition("=")
        if not eq or not key:
            raise KubectlError(f"invalid literal source {spec}, expected key=value")
        out.add(key, value.encode("utf-8"), text=True)
    for path in env_files:
        _from_env_file(out, path, cwd, environ)
    return out
