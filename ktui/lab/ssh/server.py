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
import os
import time
from typing import Any, TextIO

import asyncssh

from ktui.lab.ssh.config import ServeConfig
from ktui.lab.ssh.pty_session import MENU_USER, PtySession
from ktui.lab.ssh.store import valid_name
from ktui.lab.texts import say

__all__ = ["ServeConfig", "LabServer", "NO_FORWARDING"]

NO_FORWARDING = "a lab server forwards no ports"
"""Why an ``ssh -L``/``-W`` channel is refused (the client shows it after "administratively prohibited")."""


class LabServer:
    """Sessions, limits and the listening socket.

    Args:
        config: the server's settings.
        log: where the instructor's log lines go (sessions starting and ending).
    """

    def __init__(self, config: ServeConfig, log: TextIO) -> None:
        self.config = config
        self.log = log
        self.sessions: set[PtySession] = set()
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
            lambda: _Connection(self),
            c.listen,
            c.port,
            server_host_keys=[c.host_key],
            encoding=None,
            line_editor=False,
            allow_pty=True,
            x11_forwarding=False,
            agent_forwarding=False,
            sftp_factory=None,
            allow_scp=False,
            login_timeout=60,
            keepalive_interval=30,
            keepalive_count_max=3,
        )
        return self.server.sockets[0].getsockname()[1]

    def publish(self) -> None:
        """Write ``sessions.json`` in the state directory: who is connected now (``ktui lab results`` shows it)."""
        from ktui.lab.ssh.store import write_sessions

        write_sessions(
            self.config.state_dir,
            [
                {
                    "learner": s.learner,
                    "lab": s.connection.lab,
                    "pid": s.proc.pid if s.proc else None,
                    "from": s.connection.address,
                    "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s.since)),
                }
                for s in sorted(self.sessions, key=lambda s: (s.learner, s.since))
            ],
        )

    async def stop(self) -> None:
        """Stop listening and end every session."""
        if self.server is not None:
            self.server.close()
        await asyncio.gather(*(s.end(say("stopping", s.lang)) for s in list(self.sessions)))
        self.publish()

    # ------------------------------------------------------------------ limits

    def rate_ok(self, address: str) -> bool:
        """Count a connection from ``address``; False when it made ``rate`` of them in the last minute."""
        now = time.monotonic()
        if len(self.connections) > 4096:  # forget addresses not seen for a minute
            self.connections = {a: d for a, d in self.connections.items() if d and now - d[-1] <= 60}
        seen = self.connections.setdefault(address, collections.deque())
        while seen and now - seen[0] > 60:
            seen.popleft()
        if len(seen) >= self.config.rate:
            return False
        seen.append(now)
        return True

    def admit(self, learner: str, lang: str = "en") -> str | None:
        """None when one more session of ``learner`` fits the limits, else what to tell them (in ``lang``)."""
        c = self.config
        if len(self.sessions) >= c.max_sessions:
            n = c.max_sessions
            return say("full", lang, n=n, sessions=say("session_1" if n == 1 else "session_n", lang)) + "\n"
        mine = sum(s.learner == learner for s in self.sessions)
        if mine >= c.max_per_learner:
            return (
                say(
                    "per_learner",
                    lang,
                    learner=learner,
                    n=mine,
                    max=c.max_per_learner,
                    sessions=say("session_1" if mine == 1 else "session_n", lang),
                )
                + "\n"
            )
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
            # before login nothing says the learner's language: the SSH client shows this as it comes, in English
            self.conn.disconnect(asyncssh.DISC_TOO_MANY_CONNECTIONS, say("rate", "en", address=self.address))
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
        return PtySession(self.server, self)

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int) -> Any:
        """``ssh -L`` and ``ssh -W``: refused, and said so (asyncssh's default answer is "Connection refused")."""
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, NO_FORWARDING)

    def unix_connection_requested(self, dest_path: str) -> Any:
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, NO_FORWARDING)

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        return False  # ssh -R

    def unix_server_requested(self, listen_path: str) -> bool:
        return False
