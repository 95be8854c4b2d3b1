"""The SSH server of ``ktui lab serve`` (asyncssh): authenticates, applies the limits, and relays each session
to its own process on its own PTY.

The user name picks the lab (``node-failure@host``; ``lab@host`` shows a menu); in ``open`` mode a learner
names themselves with ``alice+node-failure@host`` (without a name they are a guest, whose lab is not resumed).
No shell, exec, SFTP, SCP, port, X11 or agent forwarding; ``line_editor`` off (the PTY's line discipline
edits); of the client's environment only TERM, LANG and COLORTERM reach the session.
"""

from __future__ import annotations

import asyncio
import collections
import fcntl
import os
import pty
import resource
import signal
import struct
import sys
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import asyncssh

from ktui.lab.ssh.auth import Roster, Tokens
from ktui.lab.ssh.catalogue import Catalogue
from ktui.lab.ssh.store import valid_name

__all__ = ["ServeConfig", "LabServer", "session_command"]

MENU_USER = "lab"
PASSED_ENV = ("TERM", "LANG", "COLORTERM")


@dataclass
class ServeConfig:
    """What ``ktui lab serve`` was asked for (see its usage)."""

    state_dir: Path
    catalogue: Catalogue
    listen: str = "0.0.0.0"
    port: int = 2222
    auth: str = "open"
    roster: Roster | None = None
    tokens: Tokens | None = None
    max_sessions: int = 40
    max_per_learner: int = 1
    rate: int = 30
    """Connections per address per minute."""
    idle_timeout: float = 1800.0
    session_timeout: float = 4 * 3600.0
    warn_before: float = 60.0
    memory: int = 1024 * 1024 * 1024
    """Address space per session process (RLIMIT_AS), bytes."""
    labs_dir: Path | None = None
    host_key: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def session_command(config: ServeConfig, learner: str, lab: str, lang: str) -> list[str]:
    """The session process's command line (see :mod:`ktui.lab.ssh.worker`)."""
    cmd = [sys.executable, "-m", "ktui.lab.ssh.worker", "--learner", learner, "--state", str(config.state_dir),
           "--lang", lang]
    if lab:
        cmd += ["--lab", lab]
    if config.labs_dir is not None:
        cmd += ["--labs", str(config.labs_dir)]
    return cmd


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds // 60} minute{'s' if seconds != 60 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


class LabServer:
    """Sessions, limits and the listening socket.

    Args:
        config: the server's settings.
        log: where the instructor's log lines go (sessions starting and ending).
    """

    def __init__(self, config: ServeConfig, log: TextIO) -> None:
        self.config = config
        self.log = log
        self.sessions: set[_Session] = set()
        self.connections: dict[str, collections.deque[float]] = {}
        self.guests = 0
        self.server: Any = None

    def say(self, text: str) -> None:
        self.log.write(time.strftime("%H:%M:%S ") + text + "\n")
        self.log.flush()

    async def start(self) -> int:
        """Listen; returns the port (useful with port 0)."""
        c = self.config
        self.server = await asyncssh.create_server(
            lambda: _Connection(self), c.listen, c.port, server_host_keys=[c.host_key], encoding=None,
            line_editor=False, allow_pty=True, x11_forwarding=False, agent_forwarding=False, sftp_factory=None,
            allow_scp=False, login_timeout=60, keepalive_interval=30, keepalive_count_max=3)
        return self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and end every session."""
        if self.server is not None:
            self.server.close()
        await asyncio.gather(*(s.end("the server is stopping") for s in list(self.sessions)))

    # ------------------------------------------------------------------ limits

    def rate_ok(self, address: str) -> bool:
        """Count a connection from ``address``; False when it made ``rate`` of them in the last minute."""
        now = time.monotonic()
        seen = self.connections.setdefault(address, collections.deque())
        while seen and now - seen[0] > 60:
            seen.popleft()
        if len(seen) >= self.config.rate:
            return False
        seen.append(now)
        return True

    def admit(self, learner: str) -> str | None:
        """None when one more session of ``learner`` fits the limits, else what to tell them."""
        c = self.config
        if len(self.sessions) >= c.max_sessions:
            return (f"ktui lab serve: the server is full ({c.max_sessions} session{'s' if c.max_sessions != 1 else ''}"
                    ", its --max-sessions); "
                    "try again in a few minutes.\n")
        mine = sum(s.learner == learner for s in self.sessions)
        if mine >= c.max_per_learner:
            return (f"ktui lab serve: {learner} has {mine} session{'s' if mine != 1 else ''} open already "
                    f"(at most {c.max_per_learner} per learner); close it first.\n")
        return None

    def guest(self) -> str:
        self.guests += 1
        return f"guest-{os.getpid()}-{self.guests}"


class _Connection(asyncssh.SSHServer):
    """One SSH connection: who it is (auth) and which lab it asked for."""

    def __init__(self, server: LabServer) -> None:
        self.server = server
        self.conn: Any = None
        self.address = "?"
        self.learner: str | None = None
        self.named: str | None = None
        self.lab = ""
        self.refused = False

    def connection_made(self, conn: Any) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.address = peer[0] if peer else "?"
        self.refused = not self.server.rate_ok(self.address)

    def begin_auth(self, username: str) -> bool:
        if self.refused:  # said after the key exchange, so that the client shows the reason
            self.server.say(f"refused a connection from {self.address} (--rate {self.server.config.rate} per minute)")
            self.conn.disconnect(asyncssh.DISC_TOO_MANY_CONNECTIONS, f"too many connections from {self.address} in "
                                 "the last minute; try again in a minute")
            return True
        named, _, lab = username.rpartition("+")
        self.named = named or None
        self.lab = "" if lab == MENU_USER else lab
        if self.server.config.auth == "open":
            self.learner = self.named if self.named and valid_name(self.named) else None
            return False
        return True

    def public_key_auth_supported(self) -> bool:
        return self.server.config.roster is not None

    def validate_public_key(self, username: str, key: Any) -> bool:
        roster = self.server.config.roster
        who = roster.learner(key.public_data) if roster is not None else None
        if who is None or (self.named is not None and self.named != who):
            return False
        self.learner = who
        return True

    def password_auth_supported(self) -> bool:
        return self.server.config.tokens is not None

    def validate_password(self, username: str, password: str) -> bool:
        tokens = self.server.config.tokens
        who = tokens.use(password, self.named) if tokens is not None else None
        if who is None:
            self.server.say(f"refused a token for {username!r} from {self.address}")
            return False
        self.learner = who
        return True

    def session_requested(self) -> Any:
        return _Session(self.server, self)


class _Session(asyncssh.SSHServerSession):
    """One learner's session: a process on a PTY, relayed to the SSH channel, watched for idleness and time."""

    def __init__(self, server: LabServer, connection: _Connection) -> None:
        self.server = server
        self.connection = connection
        self.learner = connection.learner or ""
        self.chan: Any = None
        self.term = "xterm"
        self.size = (80, 24, 0, 0)
        self.master: int | None = None
        self.proc: asyncio.subprocess.Process | None = None
        self.started = self.last_input = time.monotonic()
        self.watch: asyncio.Task | None = None
        self.ended = False
        self.reason = "left"

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
        if self.master is not None:
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
        if lab and lab not in c.catalogue.sources:
            names = ", ".join(c.catalogue.names())
            self._write(f"ktui lab serve: no lab {lab!r} here. Labs: {names} (or {MENU_USER}@ for a menu).\n")
            self.ended = True
            self.chan.exit(2)
            return
        named = self.connection.named
        if named is not None and not valid_name(named):
            self._write(f"ktui lab serve: {named!r} is not a learner name: use lower-case letters, digits, '.', '_' "
                        f"and '-' (ssh -p PORT alice+{lab or MENU_USER}@HOST).\n")
            self.ended = True
            self.chan.exit(2)
            return
        if not self.learner:
            self.learner = server.guest()
        refusal = server.admit(self.learner)
        if refusal:
            server.say(f"{self.learner} {lab or MENU_USER}: refused ({refusal.split(': ', 1)[1].strip()})")
            self._write(refusal)
            self.ended = True
            self.chan.exit(1)
            return
        server.sessions.add(self)
        env_in = self.chan.get_environment()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONIOENCODING": "utf-8", "TERM": self.term}
        for k in PASSED_ENV[1:]:
            if env_in.get(k):
                env[k] = env_in[k]
        lang = "ko" if env.get("LANG", "").startswith("ko") else "en"
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
                *session_command(c, self.learner, lab, lang), stdin=slave, stdout=slave, stderr=slave,
                start_new_session=True, preexec_fn=in_child, env=env, cwd=str(home), close_fds=True)
        except OSError as e:
            os.close(master)
            os.close(slave)
            server.sessions.discard(self)
            self._write(f"ktui lab serve: cannot start the session: {e.strerror or e}\n")
            self.ended = True
            self.chan.exit(1)
            return
        os.close(slave)
        os.set_blocking(master, False)
        self.master = master
        asyncio.get_event_loop().add_reader(master, self._readable)
        n = len(server.sessions)
        server.say(f"{self.learner} {lab or MENU_USER}: started, pid {self.proc.pid}, from "
                   f"{self.connection.address} ({n} session{'s' if n != 1 else ''})")
        self.watch = asyncio.ensure_future(self._watch())
        asyncio.ensure_future(self._reap())

    def _readable(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO: the process closed its side
            data = b""
        if not data:
            asyncio.get_event_loop().remove_reader(self.master)
            return
        try:
            self.chan.write(data)
        except Exception:  # noqa: BLE001 - the channel closed; the session ends by connection_lost
            pass

    def _drain(self) -> None:
        """Relay what the process wrote before it ended."""
        for _ in range(64):
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            try:
                self.chan.write(data)
            except Exception:  # noqa: BLE001 - the channel is gone already
                return

    async def _reap(self) -> None:
        code = await self.proc.wait()
        if not self.ended:
            self.reason = "quit"
            await self.end(None, code)

    async def _watch(self) -> None:
        c = self.server.config
        warned: set[str] = set()
        while not self.ended:
            await asyncio.sleep(min(1.0, c.warn_before / 4 or 1.0))
            now = time.monotonic()
            idle, total = now - self.last_input, now - self.started
            if total >= c.session_timeout:
                await self.end(f"This session has reached its time limit ({_clock(c.session_timeout)}); your lab "
                               "is saved: connect again to go on.", reason="time limit")
            elif idle >= c.idle_timeout:
                await self.end(f"No input for {_clock(c.idle_timeout)}: this session ends. Your lab is saved: "
                               "connect again to go on.", reason="idle")
            elif total >= c.session_timeout - c.warn_before and "total" not in warned:
                warned.add("total")
                self._write(f"\n*** This session ends in {_clock(c.session_timeout - total)} (its time limit); "
                            "your lab is saved. ***\n")
            elif idle >= c.idle_timeout - c.warn_before and "idle" not in warned:
                warned.add("idle")
                self._write(f"\n*** No input for {_clock(idle)}: this session ends in "
                            f"{_clock(c.idle_timeout - idle)} unless you type something. ***\n")
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
            asyncio.get_event_loop().remove_reader(self.master)
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
        if self.proc is not None:
            try:  # a process the session left in its group (none should) goes too
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        rc = self.proc.returncode if self.proc is not None else 0
        n = len(self.server.sessions)
        self.server.say(f"{self.learner} {self.connection.lab or MENU_USER}: ended ({self.reason}, exit {rc}; "
                        f"{n} session{'s' if n != 1 else ''})")
        try:
            self.chan.exit(code if code is not None and code >= 0 else (rc if rc and rc > 0 else 0))
        except Exception:  # noqa: BLE001 - the channel is gone already
            pass
