"""One learner's SSH session of ``ktui lab serve``: its process on a PTY of its own, relayed to the channel.

The process is a session leader with the PTY as its controlling terminal: closing the master (a dropped
connection, a timeout, the server stopping) hangs it up, and a window change sets the PTY's size, which sends
it SIGWINCH. Idle and absolute timeouts are watched here, with a warning before the end.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import resource
import signal
import struct
import sys
import termios
import time
from pathlib import Path
from typing import Any, Protocol

import asyncssh

from ktui.lab.ssh.config import ServeConfig
from ktui.lab.ssh.store import valid_name
from ktui.lab.texts import duration, say


class SessionHost(Protocol):
    """What a session may use of the server that accepted it (:class:`ktui.lab.ssh.server.LabServer`)."""

    config: ServeConfig
    sessions: set[Any]

    def guest(self) -> str: ...
    def admit(self, learner: str, lang: str = "en") -> str | None: ...
    def say(self, text: str) -> None: ...
    def publish(self) -> None: ...


__all__ = ["MENU_USER", "PASSED_ENV", "PtySession", "session_command"]

KTUI_ROOT = str(Path(__file__).resolve().parents[3])
"""The directory holding the ``ktui`` package the server runs."""
MENU_USER = "lab"
"""The SSH user name that shows a menu of the labs."""
PASSED_ENV = ("TERM", "LANG", "COLORTERM")
"""The only variables of the client's environment that reach the session process."""


def session_command(config: ServeConfig, learner: str, lab: str, lang: str) -> list[str]:
    """The session process's command line (see :mod:`ktui.lab.ssh.worker`)."""
    cmd = [
        sys.executable,
        "-m",
        "ktui.lab.ssh.worker",
        "--learner",
        learner,
        "--state",
        str(config.state_dir),
        "--lang",
        lang,
    ]
    if lab:
        cmd += ["--lab", lab]
    if config.labs_dir is not None:
        cmd += ["--labs", str(config.labs_dir)]
    return cmd


class PtySession(asyncssh.SSHServerSession):
    """One learner's session: a process on a PTY, relayed to the SSH channel, watched for idleness and time."""

    def __init__(self, server: SessionHost, connection: Any) -> None:
        self.server = server
        self.connection = connection
        self.learner = connection.learner or ""
        self.chan: Any = None
        self.term = "xterm"
        self.size = (80, 24, 0, 0)
        self.master: int | None = None
        self.proc: asyncio.subprocess.Process | None = None
        self.started = self.last_input = time.monotonic()
        self.since = time.time()
        """When the session began (wall clock, for the instructor)."""
        self.watch: asyncio.Task | None = None
        self.ended = False
        self.reason = "left"
        self.pending = bytearray()
        """What the learner typed before the process was there."""
        self.lang = "en"
        """The learner's language: ``ko`` when the client's LANG is Korean (``ko_KR.UTF-8``), else ``en``."""

    # ------------------------------------------------------------------ the channel

    def connection_made(self, chan: Any) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple, term_modes: Any) -> bool:
        self.term = term_type or "xterm"
        if term_size and term_size[0] and term_size[1]:
            self.size = tuple(term_size)
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        return False

    def session_started(self) -> None:
        asyncio.ensure_future(self._start())

    def data_received(self, data: bytes, datatype: Any) -> None:
        self.last_input = time.monotonic()
        if self.master is None:
            self.pending += data[: 65536 - len(self.pending)]
            return
        try:
            os.write(self.master, data)
        except OSError:
            pass

    def eof_received(self) -> bool:
        if self.master is not None:  # the client's input ended: ctrl-d at the prompt
            try:
                os.write(self.master, b"\x04")
            except OSError:
                pass
        return True

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self.size = (width, height, pixwidth, pixheight)
        if self.master is not None:  # the kernel sends SIGWINCH to the session's foreground process group
            fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, pixwidth, pixheight))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ended:
            self.reason = "dropped" if exc else "disconnected"
            asyncio.ensure_future(self.end(None))

    def _write(self, text: str) -> None:
        try:
            self.chan.write(text.replace("\n", "\r\n").encode("utf-8"))
        except Exception:  # noqa: BLE001 - the channel is gone already
            pass

    # ------------------------------------------------------------------ the process

    async def _start(self) -> None:
        server, c = self.server, self.server.config
        lab = self.connection.lab
        env_in = self.chan.get_environment()
        self.lang = lang = "ko" if (env_in.get("LANG") or "").startswith("ko") else "en"
        if lab and lab not in c.catalogue.sources:
            names = ", ".join(c.catalogue.names())
            self._write(say("no_lab", lang, lab=lab, names=names, menu=MENU_USER) + "\n")
            self.ended = True
            self.chan.exit(2)
            return
        named = self.connection.named
        if named is not None and not valid_name(named):
            self._write(say("bad_name", lang, named=named, lab=lab or MENU_USER) + "\n")
            self.ended = True
            self.chan.exit(2)
            return
        if not self.learner:
            self.learner = server.guest()
        old = next((o for o in server.sessions if o.learner == self.learner and lab and o.connection.lab == lab), None)
        if old is not None:  # the same learner and lab again (a connection that died unnoticed): this one takes over
            old.reason = "taken over"
            await old.end(say("taken_over", old.lang))
            if self.ended:
                return
        refusal = server.admit(self.learner, lang)
        if refusal:
            why = (server.admit(self.learner) or "").split(": ", 1)[-1].strip()  # the instructor's log is English
            server.say(f"{self.learner} {lab or MENU_USER}: refused ({why})")
            self._write(refusal)
            self.ended = True
            self.chan.exit(1)
            return
        server.sessions.add(self)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONIOENCODING": "utf-8",
            "TERM": self.term,
            "PYTHONPATH": KTUI_ROOT,
        }  # the session runs the server's own ktui, installed or not
        for k in PASSED_ENV[1:]:
            if env_in.get(k):
                env[k] = env_in[k]
        master, slave = pty.openpty()
        cols, rows, pw, ph = self.size
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, pw, ph))
        limit = c.memory

        def in_child() -> None:  # after setsid: the PTY becomes the controlling terminal
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            if limit:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        home = c.state_dir / "learners" / self.learner
        home.mkdir(parents=True, exist_ok=True)
        env["HOME"] = str(home)
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *session_command(c, self.learner, lab, lang),
                stdin=slave,
                stdout=slave,
                stderr=slave,
                start_new_session=True,
                preexec_fn=in_child,
                env=env,
                cwd=str(home),
                close_fds=True,
            )
        except OSError as e:
            os.close(master)
            os.close(slave)
            server.sessions.discard(self)
            self._write(say("cannot_start", lang, error=e.strerror or e) + "\n")
            self.ended = True
            self.chan.exit(1)
            return
        os.close(slave)
        if self.ended:  # the connection went while the process started: it goes too
            os.close(master)
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            await self.proc.wait()
            return
        os.set_blocking(master, False)
        self.master = master
        if self.pending:
            try:
                os.write(master, bytes(self.pending))
            except OSError:
                pass
            self.pending.clear()
        asyncio.get_running_loop().add_reader(master, self._readable)
        n = len(server.sessions)
        server.say(
            f"{self.learner} {lab or MENU_USER}: started, pid {self.proc.pid}, from "
            f"{self.connection.address} ({n} session{'s' if n != 1 else ''})"
        )
        server.publish()
        self.watch = asyncio.ensure_future(self._watch())
        asyncio.ensure_future(self._reap())

    def _readable(self) -> None:
        try:
            data = os.read(self.master, 65536)  # type: ignore[arg-type]
        except BlockingIOError:
            return
        except OSError:  # EIO: the process closed its side
            data = b""
        if not data:
            asyncio.get_running_loop().remove_reader(self.master)  # type: ignore[arg-type]
            return
        try:
            self.chan.write(data)
        except Exception:  # noqa: BLE001 - the channel closed; the session ends by connection_lost
            pass

    def _drain(self) -> None:
        """Relay what the process wrote before it ended."""
        for _ in range(64):
            try:
                data = os.read(self.master, 65536)  # type: ignore[arg-type]
            except OSError:
                return
            if not data:
                return
            try:
                self.chan.write(data)
            except Exception:  # noqa: BLE001 - the channel is gone already
                return

    async def _reap(self) -> None:
        code = await self.proc.wait()  # type: ignore[union-attr]
        if not self.ended:
            self.reason = "quit"
            await self.end(None, code)

    async def _watch(self) -> None:
        c, lang = self.server.config, self.lang
        warned: set[str] = set()
        while not self.ended:
            await asyncio.sleep(min(1.0, c.warn_before / 4 or 1.0))
            now = time.monotonic()
            idle, total = now - self.last_input, now - self.started
            if total >= c.session_timeout:
                await self.end(
                    say("time_limit_end", lang, limit=duration(c.session_timeout, lang)), reason="time limit"
                )
            elif idle >= c.idle_timeout:
                await self.end(say("idle_end", lang, idle=duration(c.idle_timeout, lang)), reason="idle")
            elif total >= c.session_timeout - c.warn_before and "total" not in warned:
                warned.add("total")
                self._write(
                    f"\n*** {say('time_limit_warn', lang, left=duration(c.session_timeout - total, lang))} ***\n"
                )
            elif idle >= c.idle_timeout - c.warn_before and "idle" not in warned:
                warned.add("idle")
                left = duration(c.idle_timeout - idle, lang)
                self._write(f"\n*** {say('idle_warn', lang, idle=duration(idle, lang), left=left)} ***\n")
            elif idle < c.idle_timeout - c.warn_before:
                warned.discard("idle")

    async def end(self, message: str | None, code: int | None = None, reason: str | None = None) -> None:
        """End the session: tell the learner why (if still connected), hang up the process, reap it."""
        if self.ended:
            return
        self.ended = True
        self.reason = reason or self.reason
        if message:
            self._write(f"\n\n*** {message} ***\n")
        if self.master is not None:  # closing the PTY's master hangs up its session
            asyncio.get_running_loop().remove_reader(self.master)
            self._drain()
            os.close(self.master)
            self.master = None
        if self.proc is not None and self.proc.returncode is None:
            try:
                await asyncio.wait_for(asyncio.shield(self.proc.wait()), 3.0)
            except asyncio.TimeoutError:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                await self.proc.wait()
        if self.watch is not None and self.watch is not asyncio.current_task():
            self.watch.cancel()
        self.server.sessions.discard(self)
        rc = self.proc.returncode if self.proc is not None else 0
        n = len(self.server.sessions)
        self.server.say(
            f"{self.learner} {self.connection.lab or MENU_USER}: ended ({self.reason}, exit {rc}; "
            f"{n} session{'s' if n != 1 else ''})"
        )
        self.server.publish()
        try:
            self.chan.exit(code if code is not None and code >= 0 else (rc if rc and rc > 0 else 0))
        except Exception:  # noqa: BLE001 - the channel is gone already
            pass
