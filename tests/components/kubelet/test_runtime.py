"""The simulated container runtime: programs on the clock, the shell, stop signals, OOM, exec and probes."""

from __future__ import annotations

import copy

import pytest

from ktui.components.kubelet.images import ImageRegistry
from ktui.components.kubelet.program import compile_argv, compile_script, parse_sleep
from ktui.components.kubelet.runtime import Container, ContainerRuntime
from ktui.sim.kernel import Kernel

REGISTRY = ImageRegistry()


class Exits:
    """Records exits (a bound method, as the kubelet passes)."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, str]] = []
        self.kernel: Kernel | None = None

    def on_exit(self, cid: str) -> None:
        self.seen.append((self.kernel.now, cid))


def make(argv: list[str], image: str = "busybox", memory: int = 0, env: dict | None = None):
    kernel = Kernel()
    exits = Exits()
    exits.kernel = kernel
    rt = ContainerRuntime(kernel, 2, exits.on_exit)
    info = REGISTRY.info(image)
    c = Container("c1", "uid", "main", 0, image, "", info, argv, dict(env or {}), "pod", "10.244.1.2", memory)
    rt.create(c)
    rt.start("c1")
    return kernel, rt, c, exits


def text(c: Container) -> list[str]:
    return [line for _, _, line in c.logs]


def test_echo_then_exit_zero():
    kernel, rt, c, exits = make(["sh", "-c", "echo hello; echo world"])
    assert text(c) == ["hello", "world"]
    assert (c.state, c.exit_code, c.reason) == ("exited", 0, "Completed")
    assert exits.seen == [(0.0, "c1")]


def test_sleep_ends_after_simulated_seconds():
    kernel, rt, c, exits = make(["sleep", "5"])
    kernel.advance(4.9)
    assert c.state == "running"
    kernel.advance(0.2)
    assert (c.state, c.exit_code, c.finished_at) == ("exited", 0, 5.0)


def test_exit_codes_and_false():
    assert make(["sh", "-c", "exit 3"])[2].exit_code == 3
    assert make(["false"])[2].exit_code == 1
    assert make(["sh", "-c", "false && echo no || echo yes"])[2].logs[0][2] == "yes"


def test_no_command_exits_immediately():
    kernel, rt, c, exits = make(["sh"])
    assert (c.state, c.exit_code) == ("exited", 0)


def test_while_loop_logs_on_the_clock():
    kernel, rt, c, exits = make(["sh", "-c", "while true; do echo tick $(date); sleep 10; done"])
    kernel.advance(25)
    assert text(c) == [
        "tick Thu Jan  1 00:00:00 UTC 2026",
        "tick Thu Jan  1 00:00:10 UTC 2026",
        "tick Thu Jan  1 00:00:20 UTC 2026",
    ]
    assert c.state == "running"


def test_for_loop_and_variables():
    kernel, rt, c, exits = make(["sh", "-c", "for i in 1 2 3; do echo n=$i $GREETING; done"], env={"GREETING": "hi"})
    assert text(c) == ["n=1 hi", "n=2 hi", "n=3 hi"]


def test_files_touch_cat_rm():
    kernel, rt, c, exits = make(["sh", "-c", "echo data > /tmp/f; cat /tmp/f; rm /tmp/f; cat /tmp/f"])
    assert text(c) == ["data", "cat: can't open '/tmp/f': No such file or directory"]
    assert c.exit_code == 1


def test_unknown_command_and_syntax_error():
    c = make(["sh", "-c", "nosuch"])[2]
    assert (text(c), c.exit_code) == (["sh: nosuch: not found"], 127)
    c = make(["sh", "-c", "echo 'open"])[2]
    assert c.exit_code == 2


def test_server_starts_and_stops_gracefully():
    kernel, rt, c, exits = make(["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"], image="nginx")
    kernel.advance(1)
    assert c.serving == "nginx" and rt.tcp_open("c1", 80) and not rt.tcp_open("c1", 8080)
    rt.stop("c1", 30)
    kernel.advance(1)
    assert (c.state, c.exit_code, c.finished_at) == ("exited", 0, 1.1)


def test_shell_ignoring_sigterm_is_killed_at_grace():
    kernel, rt, c, exits = make(["sleep", "3600"])
    rt.stop("c1", 30)
    kernel.advance(29)
    assert c.state == "running"
    kernel.advance(2)
    assert (c.exit_code, c.finished_at) == (137, 30.0)


def test_oom_killed():
    kernel, rt, c, exits = make(["stress", "--vm", "1", "--vm-bytes", "200M"], image="polinux/stress", memory=100 << 20)
    kernel.advance(1)
    assert (c.reason, c.exit_code) == ("OOMKilled", 137)


def test_postgres_without_password_exits_1():
    kernel, rt, c, exits = make(["docker-entrypoint.sh", "postgres"], image="postgres")
    kernel.advance(1)
    assert c.exit_code == 1
    assert text(c)[0] == "Error: Database is uninitialized and superuser password is not specified."


def test_http_get_and_access_log():
    kernel, rt, c, exits = make(["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"], image="nginx")
    kernel.advance(1)
    assert rt.http_get("c1", 80, "/", "10.244.1.1", "curl/8.5.0") == (200, "")
    assert rt.http_get("c1", 80, "/missing", "10.244.1.1", "curl/8.5.0") == (404, "")
    assert rt.http_get("c1", 81, "/", "10.244.1.1", "x")[0] is None
    assert text(c)[-1].startswith('10.244.1.1 - - [01/Jan/2026:00:00:01 +0000] "GET /missing HTTP/1.1" 404')


def test_exec():
    kernel, rt, c, exits = make(["sleep", "infinity"])
    assert rt.exec("c1", ["hostname"]) == ("pod\n", "", 0)
    assert rt.exec("c1", ["sh", "-c", "echo a > /x; cat /x"]) == ("a\n", "", 0)
    out, err, code = rt.exec("c1", ["bash"])
    assert code == 126 and 'exec: "bash": executable file not found in $PATH' in err


def test_power_off_kills_everything_without_callbacks():
    kernel, rt, c, exits = make(["sleep", "infinity"])
    rt.power_off()
    assert (c.state, c.exit_code, c.reason) == ("exited", 255, "Unknown")
    assert exits.seen == []


def test_runtime_state_deep_copies():
    kernel, rt, c, exits = make(["sh", "-c", "while true; do echo x; sleep 1; done"])
    twin = copy.deepcopy((kernel, rt))
    twin[0].advance(3)
    assert len(twin[1].containers["c1"].logs) == 4 and len(c.logs) == 1


@pytest.mark.parametrize("arg,secs", [("5", 5.0), ("1.5", 1.5), ("2m", 120.0), ("infinity", float("inf")), ("x", None)])
def test_parse_sleep(arg, secs):
    assert parse_sleep(arg) == secs


def test_compile_shapes():
    assert compile_argv([]) == [("exit", 0)]
    assert compile_argv(["nginx", "-g", "daemon off;"], "nginx")[0][0] == "serve"
    prog = compile_script("if true; then echo a; else echo b; fi")
    assert prog[0][0] == "cmd" and prog[-1] == ("exit", None)
