"""Who may connect to ``ktui lab serve``: the roster of learners' public keys, one-time tokens, the host key.

A roster file (``--auth keys FILE``) has a line per key: the learner's name, then the key as in
``authorized_keys`` (``alice ssh-ed25519 AAAA... alice@laptop``); a learner may have several lines. A tokens
file (``--auth tokens FILE``) has a line per one-time password: the learner's name and the token
(``alice 7f3k-q9zp``). A token logs in once; the used ones are remembered in the state directory, so a
restarted server does not take them again. ``#`` starts a comment in both files.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
from pathlib import Path

from ktui.lab.ssh.store import valid_name

__all__ = ["AuthError", "Roster", "Tokens", "host_key"]


class AuthError(ValueError):
    """A roster, tokens or host key file that cannot be used; the message names the file and line."""


def _lines(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise AuthError(f"{path}: cannot be read: {getattr(e, 'strerror', None) or e}") from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if words:
            out.append((n, words))
    return out


def _learner(path: Path, n: int, name: str) -> str:
    if not valid_name(name):
        raise AuthError(f"{path}:{n}: {name!r} is not a learner name (lower-case letters, digits, '.', '_', '-')")
    return name


class Roster:
    """Learners' public keys (``--auth keys FILE``).

    Raises:
        AuthError: the file cannot be read, or a line is not ``NAME KEYTYPE BASE64 [comment]``, or one key is
            given to two learners.
    """

    def __init__(self, path: Path) -> None:
        import asyncssh

        self.path = Path(path)
        self.keys: dict[bytes, str] = {}
        for n, words in _lines(self.path):
            if len(words) < 3:
                raise AuthError(
                    f"{self.path}:{n}: expected a learner's name and a public key (NAME ssh-ed25519 AAAA...)"
                )
            name = _learner(self.path, n, words[0])
            try:
                key = asyncssh.import_public_key(" ".join(words[1:3]))
            except (asyncssh.KeyImportError, ValueError) as e:
                raise AuthError(f"{self.path}:{n}: not a public key: {e}") from None
            other = self.keys.setdefault(key.public_data, name)
            if other != name:
                raise AuthError(
                    f"{self.path}:{n}: this key is {other}'s already (line of {other}); a key names one learner"
                )
        if not self.keys:
            raise AuthError(f"{self.path}: no keys in it")

    def learner(self, key_data: bytes) -> str | None:
        """Whose key this is, or None."""
        return self.keys.get(key_data)


class Tokens:
    """One-time passwords (``--auth tokens FILE``); used ones are kept in ``used_file``.

    Raises:
        AuthError: the file cannot be read, or a line is not ``NAME TOKEN``, or a token appears twice.
    """

    def __init__(self, path: Path, used_file: Path) -> None:
        self.path = Path(path)
        self.used_file = Path(used_file)
        self.tokens: dict[str, str] = {}
        for n, words in _lines(self.path):
            if len(words) != 2:
                raise AuthError(f"{self.path}:{n}: expected a learner's name and a token (NAME TOKEN)")
            name = _learner(self.path, n, words[0])
            if len(words[1]) < 6:
                raise AuthError(f"{self.path}:{n}: the token is too short (6 characters at least)")
            if words[1] in self.tokens:
                raise AuthError(f"{self.path}:{n}: this token is given twice")
            self.tokens[words[1]] = name
        if not self.tokens:
            raise AuthError(f"{self.path}: no tokens in it")

    @staticmethod
    def _digest(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    def use(self, token: str, learner: str | None = None) -> str | None:
        """The learner the token belongs to, marking it used; None (and nothing marked) when it is unknown, used
        already, or belongs to another learner than ``learner``."""
        name = next((n for t, n in self.tokens.items() if hmac.compare_digest(t, token)), None)
        if name is None or (learner is not None and learner != name):
            return None
        digest = self._digest(token)
        self.used_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.used_file, "a+", encoding="utf-8") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            f.seek(0)
            if digest in f.read().split():
                return None
            f.write(digest + "\n")
            f.flush()
            os.fsync(f.fileno())
        return name


def host_key(path: Path) -> tuple[object, bool]:
    """The server's host key from ``path``, made (ed25519, mode 0600) the first time; returns ``(key, made)``.

    Raises:
        AuthError: the file exists but is not a private key, or cannot be written.
    """
    import asyncssh

    path = Path(path)
    if path.exists():
        try:
            return asyncssh.read_private_key(str(path)), False
        except (OSError, asyncssh.KeyImportError, ValueError) as e:
            raise AuthError(f"{path}: not a usable host key: {e}") from None
    key = asyncssh.generate_private_key("ssh-ed25519")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key.export_private_key())
        path.with_name(path.name + ".pub").write_bytes(key.export_public_key())
    except OSError as e:
        raise AuthError(f"{path}: cannot write the host key: {e.strerror or e}") from None
    return key, True
