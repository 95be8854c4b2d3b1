"""What the catalogue's servers print when they start, and the access-log lines they write per request.

Lines follow the real images' startup output (nginx's entrypoint scripts, httpd's AH00558, the redis
banner, postgres and mysql refusing to initialise without a password ...), with times from the clock.
"""

from __future__ import annotations

import datetime as _dt

from ktui.sim.timefmt import EPOCH

__all__ = ["startup", "access_line"]

Line = tuple[float, str, str]


def _t(now: float) -> _dt.datetime:
    return EPOCH + _dt.timedelta(microseconds=round(now * 1e6))


def startup(server: str, now: float, ip: str, cpus: int, env: dict[str, str]) -> tuple[list[Line], int | None]:
    """Lines ``(offset seconds, stream, text)`` a server writes on start, and its exit code if it stops at once."""
    fn = _SERVERS.get(server)
    if fn is None:
        return [], None
    return fn(now, ip, cpus, env)


def _nginx(now: float, ip: str, cpus: int, env: dict[str, str]) -> tuple[list[Line], int | None]:
    ts = _t(now + 0.02).strftime("%Y/%m/%d %H:%M:%S")
    pre = [
        "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
        "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
        "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
        "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
        "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
        "/docker-entrypoint.sh: Configuration complete; ready for start up",
    ]
    notices = [
        'using the "epoll" event method',
        "nginx/1.29.1",
        "built by gcc 12.2.0 (Debian 12.2.0-14+deb12u1) ",
        "OS: Linux 6.8.0-79-generic",
        "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
        "start worker processes",
    ] + [f"start worker process {29 + i}" for i in range(max(1, cpus))]
    lines = [(0.0, "stdout", t) for t in pre] + [(0.02, "stderr", f"{ts} [notice] 1#1: {n}") for n in notices]
    return lines, None


def _httpd(now: float, ip: str, cpus: int, env: dict[str, str]) -> tuple[list[Line], int | None]:
    t = _t(now + 0.05)
    stamp = f"{t.strftime('%a %b %d %H:%M:%S')}.{t.microsecond:06d} {t.year}"
    fqdn = (
        "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using "
        f"{ip}. Set the 'ServerName' directive globally to suppress this message"
    )
    return [
        (0.0, "stderr", fqdn),
        (0.0, "stderr", fqdn),
        (
            0.05,
            "stderr",
            f"[{stamp}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.65 (Unix) configured "
            "-- resuming normal operations",
        ),
        (0.05, "stderr", f"[{stamp}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'"),
    ], None


def _redis(now: float, ip: str, cpus: int, env: dict[str, str]) -> tuple[list[Line], int | None]:
    def ts(dt: float) -> str:
        t = _t(now + dt)
        return f"{t.strftime('%d %b %Y %H:%M:%S')}.{t.microsecond // 1000:03d}"

    c = [
        "# WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail "
        "under low memory condition. Being disabled, it can also cause failures without low memory condition, "
        "see https://github.com/jemalloc/jemalloc/issues/1328. To fix this issue add 'vm.overcommit_memory = 1' "
        "to /etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take "
        "effect.",
        "* oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
        "* Redis version=8.2.1, bits=64, commit=00000000, modified=1, pid=1, just started",
        "# Warning: no config file specified, using the default config. In order to specify a config file use "
        "redis-server /path/to/redis.conf",
    ]
    m = [
        "* monotonic clock: POSIX clock_gettime",
        "* Running mode=standalone, port=6379.",
        "* Server initialized",
        "* Ready to accept connections tcp",
    ]
    return (
        [(0.0, "stdout", f"1:C {ts(0)} {x}") for x in c] + [(0.001, "stdout", f"1:M {ts(0.001)} {x}") for x in m]
    ), None


def _postgres(now: float, ip: str, cpus: int, env: dict[str, str]) -> tuple[list[Line], int | None]:
    if not env.get("POSTGRES_PASSWORD") and env.get("POSTGRES_HOST_AUTH_METHOD") != "trust":
        text = [
            "Error: Database is uninitialized and superuser password is not specified.",
            "       You must specify POSTGRES_PASSWORD to a non-empty value for the",
            '       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".',
            "",
            '       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all',
            "       connections without a password. This is *not* recommended.",
            "",
            '       See PostgreSQL documentation about "trust":',
            "       https://www.postgresql.org/docs/current/auth-trust.html",
        ]
        return [(0.0, "stderr", x) for x in text], 1
    t = _t(now + 2.5).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"
    return [
        (0.0, "stdout", 'The files belonging to this database system will be owned by user "postgres".'),
        (2.0, "stdout", "PostgreSQL init process complete; ready for start up."),
        (2.5, "stderr", f"{t} [1] LOG:  starting PostgreSQL 17.6 (Debian 17.6-1.pgdg13+1) on x86_64-pc-linux-gnu"),
        (2.5, "stderr", f'{t} [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432'),
        (2.5, "stderr", f"{t} [1] LOG:  database system is ready to accept connections"),
    ], None


def _mysql(now: float, ip: str, cpus: int, env: dict[str, str]) -> tuple[list[Line], int | None]:
    ts = _t(now).strftime("%Y-%m-%d %H:%M:%S+00:00")
    first = [
        f"{ts} [Note] [Entrypoint]: Entrypoint script for MySQL Server 9.4.0-1.el9 started.",
        f"{ts} [Note] [Entrypoint]: Switching to dedicated user 'mysql'",
        f"{ts} [Note] [Entrypoint]: Entrypoint script for MySQL Server 9.4.0-1.el9 started.",
    ]
    keys = ("MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD")
    if not any(env.get(k) for k in keys):
        err = [
            f"{ts} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified",
            "    You need to specify one of the following as an environment variable:",
            "    - MYSQL_ROOT_PASSWORD",
            "    - MYSQL_ALLOW_EMPTY_PASSWORD",
            "    - MYSQL_RANDOM_ROOT_PASSWORD",
        ]
        return [(0.0, "stdout", x) for x in first] + [(0.0, "stderr", x) for x in err], 1
    ready = _t(now + 12).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
    return [(0.0, "stdout", x) for x in first] + [
        (
            12.0,
            "stderr",
            f"{ready} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. "
            "Version: '9.4.0'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.",
        ),
    ], None


def _klog(component: str, message: str):
    def fn(now: float, ip: str, cpus: int, env: dict[str, str]) -> tuple[list[Line], int | None]:
        t = _t(now)
        head = f"I{t.strftime('%m%d %H:%M:%S')}.{t.microsecond:06d}       1 "
        return [(0.0, "stderr", f"{head}{component}] {message}")], None

    return fn


_SERVERS = {
    "nginx": _nginx,
    "httpd": _httpd,
    "redis": _redis,
    "postgres": _postgres,
    "mysql": _mysql,
    "memcached": lambda now, ip, cpus, env: ([], None),
    "pause": lambda now, ip, cpus, env: ([], None),
    "stress": lambda now, ip, cpus, env: (
        [(0.0, "stdout", "stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd")],
        None,
    ),
    "etcd": _klog("embed.go:137", '{"level":"info","msg":"serving client traffic securely","address":"[::]:2379"}'),
    "kube-apiserver": _klog("secure_serving.go:213", "Serving securely on [::]:6443"),
    "kube-controller-manager": _klog("serving.go:386", "Generated self-signed cert in-memory"),
    "kube-scheduler": _klog("serving.go:386", "Generated self-signed cert in-memory"),
    "kube-proxy": _klog("server_linux.go:53", '"Using iptables proxy"'),
    "metrics-server": _klog("serving.go:374", "Generated self-signed cert (/tmp/apiserver.crt, /tmp/apiserver.key)"),
    "coredns": lambda now, ip, cpus, env: (
        [
            (0.0, "stdout", x)
            for x in (
                ".:53",
                "[INFO] plugin/reload: Running configuration SHA512 = 1b226df79860026c6a52e67daa10d7f0d57ec5b023288ec00c5e05f93523c894564e15b91770d3a07ae1cfbe861d15b37d4a0027e69c546ab112970993a3b03b",
                "CoreDNS-1.12.1",
                "linux/amd64, go1.24.1, 707c7c1",
            )
        ],
        None,
    ),
}


def access_line(server: str, now: float, client_ip: str, path: str, status: int, agent: str) -> tuple[str, str] | None:
    """The (stream, line) a server logs for one HTTP request, or None if it does not log requests."""
    t = _t(now)
    if server == "nginx":
        size = 615 if status == 200 else 153
        return "stdout", (
            f'{client_ip} - - [{t.strftime("%d/%b/%Y:%H:%M:%S")} +0000] "GET {path} HTTP/1.1" '
            f'{status} {size} "-" "{agent}" "-"'
        )
    if server == "httpd":
        size = 45 if status == 200 else 196
        return (
            "stdout",
            f'{client_ip} - - [{t.strftime("%d/%b/%Y:%H:%M:%S")} +0000] "GET {path} HTTP/1.1" {status} {size}',
        )
    return None
