"""A simulated containerd: containers with states, programs that run on the clock, logs, exec and probes.

The runtime knows nothing about the API; the kubelet asks it to create, start and stop containers and is
told (through ``on_exit``, a bound method) when one exits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ktui.components.kubelet.builtins import Proc, expand, run_command
from ktui.components.kubelet.filesystem import FileSystem
from ktui.components.kubelet.images import ImageInfo
from ktui.components.kubelet.program import compile_argv, compile_script
from ktui.components.kubelet.servers import access_line, startup

__all__ = ["Container", "ContainerRuntime", "LogLine"]

LogLine = tuple[float, str, str]
"""(time, stream, text)."""

_MAX_STEPS = 2000

_PROGRAMS: dict[tuple, list] = {}
"""Compiled programs by (argv, server, stdin), shared by the containers that run the same one (a program is
only read); bounded, it starts afresh when full."""
_PROGRAMS_LIMIT = 4096


def _program(argv: list[str], server: str, stdin: bool) -> list:
    """``compile_argv``'s program, one list for every container with the same argv, server and stdin."""
    key = (tuple(argv), server, stdin)
    prog = _PROGRAMS.get(key)
    if prog is None:
        if len(_PROGRAMS) >= _PROGRAMS_LIMIT:
            _PROGRAMS.clear()
        prog = _PROGRAMS[key] = compile_argv(argv, server, stdin)
    return prog


@dataclass
class Container:
    """One container as containerd keeps it."""

    id: str
    pod_uid: str
    name: str
    attempt: int
    image: str
    image_id: str
    info: ImageInfo
    argv: list[str]
    env: dict[str, str]
    hostname: str
    ip: str
    memory_limit: int = 0
    state: str = "created"
    """created, running or exited."""
    created_at: float = 0.0
    started_at: float = 0.0
    finished_at: float = 0.0
    exit_code: int = 0
    reason: str = ""
    program: list = field(default_factory=list)
    pc: int = 0
    status: int = 0
    fs: FileSystem = field(default_factory=FileSystem)
    """Its files: its own, overlaid by its volume mounts."""
    logs: list[LogLine] = field(default_factory=list)
    listening_at: float | None = None
    serving: str = ""
    stopping: bool = False
    wake: Any = None
    stdin: bool = False
    """Whether its stdin stays open (the container spec's ``stdin: true``)."""

    def __post_init__(self) -> None:
        if not isinstance(self.fs, FileSystem):
            self.fs = FileSystem(self.fs)

    def write(self, path: str, text: str, append: bool, bash: bool) -> str | None:
        """A shell redirection into ``path``; the shell's error when it cannot be written."""
        path = path if path.startswith("/") else f"/{path}"
        if not self.fs.writable(path):
            return (
                f"bash: line 1: {path}: Read-only file system"
                if bash
                else f"sh: can't create {path}: Read-only file system"
            )
        if self.fs.is_dir(path):
            return f"bash: line 1: {path}: Is a directory" if bash else f"sh: can't create {path}: Is a directory"
        self.fs[path] = (self.fs.get(path, "") if append else "") + text
        return None

    def proc(self, now: float) -> Proc:
        bash = "bash" in self.info.binaries
        return Proc(self.env, self.fs, self.hostname, now, self.info.binaries, bash, self.status)  # type: ignore[arg-type]

    def listening(self, port: int, now: float) -> bool:
        return (
            self.state == "running"
            and self.listening_at is not None
            and now >= self.listening_at
            and port in self.info.ports
        )


class ContainerRuntime:
    """The containers of one node.

    Args:
        kernel: the simulation clock.
        cpus: the node's CPUs (nginx starts one worker per CPU).
        on_exit: called with a container's id when it exits (a bound method).
    """

    def __init__(self, kernel: Any, cpus: int, on_exit: Callable[[str], None] | None = None) -> None:
        self.kernel = kernel
        self.cpus = cpus
        self.on_exit = on_exit
        self.containers: dict[str, Container] = {}
        self.powered = True

    # ------------------------------------------------------------------ lifecycle

    def create(self, c: Container) -> Container:
        c.created_at = self.kernel.now
        c.fs.setdefault("/etc/hostname", c.hostname + "\n")
        if not c.logs:
            c.logs = _NO_LOGS  # most containers never log: one empty list for all of them until one does
        c.program = _program(c.argv, c.info.server, c.stdin)
        self.containers[c.id] = c
        return c

    def start(self, cid: str) -> None:
        c = self.containers[cid]
        c.state = "running"
        c.started_at = self.kernel.now
        c.pc = 0
        self._step(cid)

    def stop(self, cid: str, grace: float) -> None:
        """Send the stop signal; the program exits after its shutdown time, or is killed at ``grace``."""
        c = self.containers.get(cid)
        if c is None or c.state != "running" or c.stopping:
            return
        c.stopping = True
        self._cancel(c)
        shutdown = c.info.shutdown if c.serving else None
        if shutdown is not None and shutdown <= grace:
            c.wake = self.kernel.schedule(shutdown, self._finish, cid, 0, "Completed")
        else:
            c.wake = self.kernel.schedule(max(0.0, grace), self._finish, cid, 137, "Error")

    def kill(self, cid: str, code: int = 137, reason: str = "Error") -> None:
        """End a running container now (SIGKILL, a crash, the OOM killer)."""
        c = self.containers.get(cid)
        if c is not None and c.state == "running":
            self._finish(cid, code, reason)

    def power_off(self) -> None:
        """The machine stops: every container dies and nothing is reported until power returns."""
        self.powered = False
        for c in self.containers.values():
            if c.state in ("running", "created"):
                self._cancel(c)
                c.state, c.exit_code, c.reason = "exited", 255, "Unknown"
                c.finished_at = self.kernel.now
                c.listening_at = None

    def power_on(self) -> None:
        self.powered = True

    def remove(self, cid: str) -> None:
        c = self.containers.pop(cid, None)
        if c is not None:
            self._cancel(c)

    def _cancel(self, c: Container) -> None:
        if c.wake is not None:
            c.wake.cancel()
            c.wake = None

    def _finish(self, cid: str, code: int, reason: str) -> None:
        c = self.containers.get(cid)
        if c is None or c.state != "running":
            return
        self._cancel(c)
        c.state, c.exit_code, c.finished_at = "exited", code, self.kernel.now
        c.reason = reason or ("Completed" if code == 0 else "Error")
        c.listening_at = None
        c.stopping = False
        if self.on_exit is not None:
            self.on_exit(cid)

    # ------------------------------------------------------------------ running programs

    def _log(self, c: Container, stream: str, lines: list[str], at: float | None = None) -> None:
        t = self.kernel.now if at is None else at
        if lines:
            _logs(c).extend((t, stream, line) for line in lines)

    def _step(self, cid: str) -> None:
        c = self.containers.get(cid)
        if c is None or c.state != "running":
            return
        c.wake = None
        now = self.kernel.now
        for _ in range(_MAX_STEPS):
            if c.pc >= len(c.program):
                self._finish(cid, c.status, "")
                return
            instr = c.program[c.pc]
            c.pc += 1
            op = instr[0]
            if op == "cmd":
                proc = c.proc(now)
                words = [expand(w, proc) for w in instr[1]]
                if words and words[0] in ("tail",) and "-f" in words:
                    return  # blocks forever
                res = run_command(words, proc)
                c.status = res.status
                redirect, target = instr[2], instr[3]
                if redirect in (">", ">>") and target and target not in ("/dev/null", "&2", "/dev/stderr"):
                    problem = c.write(
                        target, "".join(line + "\n" for line in res.out), redirect == ">>", "bash" in c.info.binaries
                    )
                    if problem:
                        self._log(c, "stderr", [problem])
                        c.status = 1
                elif redirect in (">", ">>") and target in ("&2", "/dev/stderr"):
                    self._log(c, "stderr", res.out)
                elif redirect not in (">", ">>"):
                    self._log(c, "stdout", res.out)
                self._log(c, "stderr", res.err)
                if res.exit:
                    self._finish(cid, res.status, "")
                    return
                if res.sleep:
                    if res.sleep != float("inf"):
                        c.wake = self.kernel.schedule(res.sleep, self._step, cid)
                    return
            elif op == "jmp":
                c.pc = instr[1]
            elif op == "jfail":
                if c.status != 0:
                    c.pc = instr[1]
            elif op == "jok":
                if c.status == 0:
                    c.pc = instr[1]
            elif op == "set":
                c.env[instr[1]] = expand(instr[2], c.proc(now))
            elif op == "status":
                c.status = instr[1]
            elif op == "err":
                self._log(c, "stderr", [instr[1]])
            elif op == "exit":
                self._finish(cid, c.status if instr[1] is None else instr[1], "")
                return
            elif op == "serve":
                self._serve(c, instr[1], instr[2])
                return
        c.wake = self.kernel.schedule(0.001, self._step, cid)  # a busy loop: let time move

    def _serve(self, c: Container, server: str, argv: list[str]) -> None:
        now = self.kernel.now
        c.serving = server
        lines, code = startup(server, now, c.ip, self.cpus, c.env)
        for offset, stream, text in lines:
            _logs(c).append((now + offset, stream, text))
        used = c.info.memory
        if server == "stress":
            used = _stress_bytes(argv)
        if c.memory_limit and used > c.memory_limit:
            c.wake = self.kernel.schedule(0.1 if server == "stress" else 0.5, self._finish, c.id, 137, "OOMKilled")
            return
        if code is not None:
            last = max((o for o, _, _ in lines), default=0.0)
            c.wake = self.kernel.schedule(last, self._finish, c.id, code, "Error")
            return
        c.listening_at = now + c.info.ready_after

    # ------------------------------------------------------------------ exec and probes

    def exec(self, cid: str, argv: list[str]) -> tuple[str, str, int]:
        """Run ``argv`` in the container at once (sleeps return immediately); (stdout, stderr, exit code)."""
        c = self.containers.get(cid)
        if c is None or c.state != "running":
            raise LookupError(cid)
        if not argv:
            return "", "", 0
        name = argv[0].rsplit("/", 1)[-1]
        proc = c.proc(self.kernel.now)
        if name in ("sh", "ash", "bash") and len(argv) >= 3 and argv[1] == "-c":
            return self._exec_script(c, argv[2], proc)
        from ktui.components.kubelet.builtins import _COMMANDS

        if name not in _COMMANDS and name not in c.info.binaries:
            return (
                "",
                "OCI runtime exec failed: exec failed: unable to start container process: exec: "
                f'"{argv[0]}": executable file not found in $PATH: unknown\n',
                126,
            )
        res = run_command(list(argv), proc)
        return _join(res.out), _join(res.err), res.status

    def _exec_script(self, c: Container, script: str, proc: Proc) -> tuple[str, str, int]:
        prog = compile_script(script)
        out: list[str] = []
        err: list[str] = []
        pc = 0
        for _ in range(_MAX_STEPS):
            if pc >= len(prog):
                break
            instr = prog[pc]
            pc += 1
            if instr[0] == "cmd":
                res = run_command([expand(w, proc) for w in instr[1]], proc)
                proc.status = res.status
                if instr[2] in (">", ">>") and instr[3] and instr[3] != "/dev/null":
                    problem = c.write(instr[3], "".join(x + "\n" for x in res.out), instr[2] == ">>", proc.bash)
                    if problem:
                        err.append(problem)
                        proc.status = 1
                elif instr[2] not in (">", ">>"):
                    out.extend(res.out)
                err.extend(res.err)
                if res.exit:
                    break
            elif instr[0] == "jmp":
                pc = instr[1]
            elif instr[0] == "jfail" and proc.status != 0 or instr[0] == "jok" and proc.status == 0:
                pc = instr[1]
            elif instr[0] == "set":
                proc.env[instr[1]] = expand(instr[2], proc)
            elif instr[0] == "err":
                err.append(instr[1])
                proc.status = 2
            elif instr[0] == "exit":
                if instr[1] is not None:
                    proc.status = instr[1]
                break
        return _join(out), _join(err), proc.status

    def http_get(self, cid: str, port: int, path: str, client_ip: str, agent: str) -> tuple[int | None, str]:
        """An HTTP GET to the container: (status code, "") or (None, the dial error)."""
        c = self.containers.get(cid)
        now = self.kernel.now
        if c is None or not c.listening(port, now):
            return None, f"dial tcp {c.ip if c else ''}:{port}: connect: connection refused"
        code = 200 if (path.split("?", 1)[0] or "/") in c.info.paths else 404
        line = access_line(c.serving, now, client_ip, path, code, agent)
        if line is not None:
            _logs(c).append((now, line[0], line[1]))
        return code, ""

    def tcp_open(self, cid: str, port: int) -> bool:
        c = self.containers.get(cid)
        return c is not None and c.listening(port, self.kernel.now)


_NO_LOGS: list[LogLine] = []
"""The logs of every container that has written none (shared; never appended to, see :func:`_logs`)."""


def _logs(c: Container) -> list[LogLine]:
    """The container's own log list, to append to (a new one in place of an empty, perhaps shared, list)."""
    if not c.logs:
        c.logs = []
    return c.logs


def _join(lines: list[str]) -> str:
    return "".join(x + "\n" for x in lines)


def _stress_bytes(argv: list[str]) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "B": 1}
    for i, a in enumerate(argv[:-1]):
        if a == "--vm-bytes":
            v = argv[i + 1]
            mult = units.get(v[-1:].upper(), 1)
            num = v[:-1] if v[-1:].upper() in units else v
            try:
                return int(float(num) * mult)
            except ValueError:
                return 256 << 20
    return 256 << 20 if "--vm" in argv else 1 << 20
