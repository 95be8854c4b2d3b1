"""Programs run inside simulated containers that need the network: nslookup, curl, wget, ip addr, iptables-save,
and the files and variables the kubelet gives every container (/etc/resolv.conf, /etc/hosts, service env vars).

:class:`Programs` is registered as each kubelet's ``exec_hook``. It answers only what it knows and only when the
image has the binary (busybox has nslookup and wget, nginx's Debian image has curl, kube-proxy's has iptables);
anything else is left to the container runtime (``None``). Output follows busybox 1.37, curl 7.88 and
iptables-save 1.8.
"""

from __future__ import annotations

import ipaddress
import shlex
from typing import Any

from ktui.net.dns import resolv_conf
from ktui.net.graph import Network
from ktui.net.iptables import render
from ktui.net.trace import Trace, dns_lookup, parse_target, trace
from ktui.net.urls import CURL_HINT, CURL_VALUE_OPTIONS, curl_seconds_problem, curl_url_problem, wget_url_problem
from ktui.sim.timefmt import parse_rfc3339

__all__ = ["Programs", "service_env", "hosts_file", "NGINX_WELCOME", "HTTPD_IT_WORKS", "SERVER_PAGES"]

Result = tuple[str, str, int]

NGINX_WELCOME = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""
NGINX_404 = (
    "<html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not Found</h1></center>\n"
    "<hr><center>nginx/1.29.1</center>\n</body>\n</html>\n"
)
HTTPD_IT_WORKS = "<html><body><h1>It works!</h1></body></html>\n"
HTTPD_404 = (
    '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n'
    "</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n"
)
_BODIES = {"nginx": (NGINX_WELCOME, NGINX_404), "httpd": (HTTPD_IT_WORKS, HTTPD_404)}
SERVER_PAGES = _BODIES
"""Each HTTP server's pages: (its 200 body, its 404 body)."""
_SHELL_META = set(";&|<>`()")


def service_env(services: list[dict], before: float | None = None) -> dict[str, str]:
    """The ``{SVC}_SERVICE_HOST``/``{SVC}_PORT_*`` variables for the Services of a pod's namespace.

    Args:
        services: the namespace's Services.
        before: only Services created at or before this simulated time (when the container started).
    """
    env: dict[str, str] = {}
    for svc in sorted(services, key=lambda s: s["metadata"]["name"]):
        spec = svc.get("spec") or {}
        ip = spec.get("clusterIP") or ""
        if not ip or ip == "None" or spec.get("type") == "ExternalName":
            continue
        ts = svc["metadata"].get("creationTimestamp")
        if before is not None and ts and parse_rfc3339(ts) > before:
            continue
        ports = spec.get("ports") or []
        if not ports:
            continue
        name = svc["metadata"]["name"].upper().replace("-", "_")
        first = ports[0]
        env[f"{name}_SERVICE_HOST"] = ip
        env[f"{name}_SERVICE_PORT"] = str(first["port"])
        for p in ports:
            if p.get("name"):
                env[f"{name}_SERVICE_PORT_{p['name'].upper().replace('-', '_')}"] = str(p["port"])
        proto = (first.get("protocol") or "TCP").lower()
        env[f"{name}_PORT"] = f"{proto}://{ip}:{first['port']}"
        for p in ports:
            pr = p.get("protocol") or "TCP"
            base = f"{name}_PORT_{p['port']}_{pr}"
            env[base] = f"{pr.lower()}://{ip}:{p['port']}"
            env[f"{base}_PROTO"] = pr.lower()
            env[f"{base}_PORT"] = str(p["port"])
            env[f"{base}_ADDR"] = ip
    return env


def hosts_file(pod: dict, ip: str, domain: str) -> str:
    """The kubelet-managed /etc/hosts of a pod (hostNetwork pods see the node's own file)."""
    spec = pod.get("spec") or {}
    md = pod.get("metadata") or {}
    lines = [
        "# Kubernetes-managed hosts file.",
        "127.0.0.1\tlocalhost",
        "::1\tlocalhost ip6-localhost ip6-loopback",
        "fe00::0\tip6-localnet",
        "fe00::0\tip6-mcastprefix",
        "fe00::1\tip6-allnodes",
        "fe00::2\tip6-allrouters",
    ]
    hostname = spec.get("hostname") or md.get("name", "")
    if spec.get("subdomain"):
        lines.append(f"{ip}\t{hostname}.{spec['subdomain']}.{md.get('namespace', '')}.svc.{domain}\t{hostname}")
    else:
        lines.append(f"{ip}\t{hostname}")
    aliases = spec.get("hostAliases") or []
    if aliases:
        lines += ["", "# Entries added by HostAliases."]
        lines += [f"{a.get('ip', '')}\t" + "\t".join(a.get("hostnames") or []) for a in aliases]
    return "".join(x + "\n" for x in lines)


class Programs:
    """The exec hook: ``programs(kubelet, pod, container, argv)`` → (stdout, stderr, code) or None."""

    def __init__(self, network: Network) -> None:
        self.network = network

    def __call__(self, kubelet: Any, pod: dict, container: Any, argv: list[str]) -> Result | None:
        return self.run(pod, container, argv)

    def run(self, pod: dict, c: Any, argv: list[str]) -> Result | None:
        if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in ("sh", "ash", "bash") and argv[1] == "-c":
            script = argv[2].strip()
            if _SHELL_META & set(script) or "$" in script:
                return None
            try:
                argv = shlex.split(script)
            except ValueError:
                return None
        if not argv:
            return None
        name, args = argv[0].rsplit("/", 1)[-1], argv[1:]
        bins = set(getattr(c.info, "binaries", ()))
        if name == "cat" and args and all(a in ("/etc/resolv.conf", "/etc/hosts") for a in args):
            return "".join(self._file(pod, c, a) for a in args), "", 0
        if name in ("env", "printenv"):
            return self._env(pod, c, args)
        if (
            name not in bins
            and not (name == "ip" and "nslookup" in bins)
            and not (name == "iptables-save" and "iptables" in bins)
        ):
            return None
        fn = {
            "nslookup": self._nslookup,
            "curl": self._curl,
            "wget": self._wget,
            "ip": self._ip,
            "iptables-save": self._iptables_save,
            "iptables": self._iptables,
        }.get(name)
        return fn(pod, c, args) if fn else None

    # ---------------------------------------------------------------- files and variables

    def _file(self, pod: dict, c: Any, path: str) -> str:
        if path in c.fs:
            return c.fs[path]
        if path == "/etc/resolv.conf":
            return resolv_conf(pod, self.network.spec).text()
        return hosts_file(pod, c.ip, self.network.domain)

    def _env(self, pod: dict, c: Any, args: list[str]) -> Result | None:
        if args and not all(a.isidentifier() for a in args):
            return None
        ns = pod["metadata"].get("namespace", "default")
        env = dict(c.env)
        if (pod.get("spec") or {}).get("enableServiceLinks", True) is not False:
            extra = service_env(self.network.services.list(ns), c.started_at)
        else:
            extra = {}
        for k, v in extra.items():
            env.setdefault(k, v)
        if args:
            vals = [env[a] for a in args if a in env]
            return "".join(v + "\n" for v in vals), "", 0 if len(vals) == len(args) else 1
        return "".join(f"{k}={v}\n" for k, v in env.items()), "", 0

    # ---------------------------------------------------------------- nslookup

    def _nslookup(self, pod: dict, c: Any, args: list[str]) -> Result:
        names = [a for a in args if not a.startswith("-")]
        if not names:
            return (
                "",
                "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n",
                1,
            )
        look = dns_lookup(self.network, pod, names[0])
        server = names[1] if len(names) > 1 else look.server
        if look.error:
            return ";; connection timed out; no servers could be reached\n\n", "", 1
        out = [f"Server:\t\t{server}", f"Address:\t{server}:53", ""]
        ans = look.answer
        if ans is None:
            for a in look.tried:
                out += [f"** server can't find {a.name}: NXDOMAIN", ""]
            return "\n".join(out) + "\n", "", 1
        if ans.cname:
            out += [f"{ans.name}\tcanonical name = {ans.cname}", ""]
        for ip in ans.addresses:
            out += [f"Name:\t{ans.name}", f"Address: {ip}"]
        out.append("")
        return "\n".join(out) + "\n", "", 0

    # ---------------------------------------------------------------- HTTP clients

    def _request(self, pod: dict, url: str, agent: str) -> tuple[Trace, int | None, str]:
        md = pod["metadata"]
        t = trace(self.network, (md.get("namespace", "default"), md["name"]), url)
        if not t.ok or t.listener is None:
            return t, None, ""
        _, _, path = parse_target(url)
        c = t.listener.container
        port = int(t.endpoint.rsplit(":", 1)[1]) if t.endpoint else t.port
        code, err = t.listener.kubelet.runtime.http_get(c.id, port, path, t.client_ip, agent)
        if code is None:
            t.fail("refused", err)
            return t, None, ""
        bodies = _BODIES.get(c.serving or c.info.server)
        if bodies is None:
            return t, 0, ""
        return t, code, bodies[0] if code == 200 else bodies[1]

    def _curl(self, pod: dict, c: Any, args: list[str]) -> Result:
        silent = show_err = fail = head = globoff = False
        max_time: float | None = None
        out_file = write_out = ""
        url = ""
        it = iter(args)
        for a in it:
            if a in CURL_VALUE_OPTIONS:
                value = next(it, None)
                if value is None:
                    return "", f"curl: option {a}: requires parameter\n{CURL_HINT}", 2
                if a in ("-m", "--max-time", "--connect-timeout"):
                    problem = curl_seconds_problem(value)
                    if problem:
                        return "", f"curl: option {a}: {problem}\n{CURL_HINT}", 2
                    max_time = float(value) if float(value) == float(value) else None
                elif a in ("-o", "--output"):
                    out_file = value
                elif a in ("-w", "--write-out"):
                    write_out = value
            elif a in ("-g", "--globoff"):
                globoff = True
            elif a.startswith("-") and not a.startswith("--") and len(a) > 1:
                silent |= "s" in a
                show_err |= "S" in a
                fail |= "f" in a
                head |= "I" in a
            elif a == "--silent":
                silent = True
            elif a == "--fail":
                fail = True
            elif a == "--head":
                head = True
            elif not a.startswith("-"):
                url = a
        if not url:
            return "", "curl: try 'curl --help' or 'curl --manual' for more information\n", 2
        bad = curl_url_problem(url, globoff)
        if bad:
            return "", f"curl: (3) {bad}\n" if (not silent or show_err) else "", 3
        meter = (
            ""
            if silent
            else (
                "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
                "                                 Dload  Upload   Total   Spent    Left  Speed\n"
            )
        )
        t, code, body = self._request(pod, url, "curl/7.88.1")
        host, port = t.host, t.port
        if code is None:
            codes = {"resolve": 6, "dns-timeout": 6, "refused": 7, "unreachable": 7, "timeout": 28}
            exit_code = codes.get(t.failure, 7)
            if exit_code == 6:
                msg = f"curl: (6) Could not resolve host: {host}"
            elif exit_code == 28 and max_time:
                msg = f"curl: (28) Connection timed out after {int(max_time * 1000) + 1} milliseconds"
            elif exit_code == 28:
                msg = f"curl: (28) Failed to connect to {host} port {port} after 134231 ms: Couldn't connect to server"
            else:
                ms = 3067 if t.failure == "unreachable" else 0
                msg = f"curl: ({exit_code}) Failed to connect to {host} port {port} after {ms} ms: Couldn't connect to server"
            err = meter + (
                "  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0\n" if meter else ""
            )
            err += msg + "\n" if (not silent or show_err) else ""
            return "", err, exit_code
        if code == 0:
            err = "curl: (52) Empty reply from server\n" if (not silent or show_err) else ""
            return "", err, 52
        if fail and code >= 400:
            err = f"curl: (22) The requested URL returned error: {code}\n" if (not silent or show_err) else ""
            return "", err, 22
        if head:
            reason = "OK" if code == 200 else "Not Found"
            body = f"HTTP/1.1 {code} {reason}\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
        size = len(body)
        err = meter + (
            f"100   {size:>3}  100   {size:>3}    0     0   {size}k      0 --:--:-- --:--:-- --:--:--  {size}k\n"
            if meter
            else ""
        )
        out = "" if out_file else body
        if out_file and out_file != "/dev/null":
            path = out_file if out_file.startswith("/") else f"/{out_file}"
            if not _write_file(c, path, body):
                return "", f"curl: (23) Failure writing output to destination, passed {len(body)} returned 0\n", 23
        if write_out:
            out += write_out.replace("%{http_code}", str(code)).replace("\\n", "\n")
        return out, err, 0

    def _wget(self, pod: dict, c: Any, args: list[str]) -> Result:
        quiet = False
        out_file = ""
        url = ""
        it = iter(args)
        for a in it:
            if a in ("-T", "--timeout", "-U", "--user-agent", "--header"):
                next(it, "")
            elif a.startswith("-") and not a.startswith("--") and len(a) > 1:
                flags, _, rest = a[1:].partition("O")
                quiet |= "q" in flags
                if "O" in a[1:]:
                    out_file = rest or next(it, "")
            elif not a.startswith("-"):
                url = a
        if not url:
            return (
                "",
                "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n",
                1,
            )
        bad = wget_url_problem(url)
        if bad:
            return "", f"wget: {bad}\n", 1
        t, code, body = self._request(pod, url, "Wget")
        head = "" if quiet else f"Connecting to {t.host}:{t.port} ({t.dest_ip or t.host}:{t.port})\n"
        if t.host and not t.dest_ip and t.failure in ("resolve", "dns-timeout"):
            return "", f"wget: bad address '{t.host}'\n", 1
        if code is None:
            reason = {"refused": "Connection refused", "unreachable": "Host is unreachable"}.get(t.failure)
            if reason is None:
                return "", head + "wget: download timed out\n", 1
            return "", head + f"wget: can't connect to remote host ({t.dest_ip}): {reason}\n", 1
        if code == 0:
            return "", head + "wget: error getting response: Connection reset by peer\n", 1
        if code >= 400:
            return "", head + f"wget: server returned error: HTTP/1.1 {code} Not Found\n", 1
        to_stdout = out_file == "-"
        target = "stdout" if to_stdout else f"'{out_file or 'index.html'}'"
        name = "-" if to_stdout else (out_file or "index.html")
        prog = (
            ""
            if quiet
            else (
                f"{head}writing to {target}\n{name:<20} 100% |********************************|"
                f" {len(body):>5}  0:00:00 ETA\nwritten to {target}\n"
            )
        )
        if not to_stdout:
            path = out_file or "index.html"
            if not _write_file(c, path if path.startswith("/") else f"/{path}", body):
                return "", f"wget: can't open '{path}': Read-only file system\n", 1
            return "", prog, 0
        return body, prog, 0

    # ---------------------------------------------------------------- interfaces and rules

    def _ip(self, pod: dict, c: Any, args: list[str]) -> Result | None:
        if not args or args[0] not in ("a", "addr", "address"):
            return None
        if (pod.get("spec") or {}).get("hostNetwork"):
            return None
        node = (pod.get("spec") or {}).get("nodeName") or ""
        cidr = (self.network.graph.nodes.get(("node", node)) or {}).get("pod_cidr") or "10.244.0.0/24"
        prefix = cidr.split("/")[1]
        octets = [int(x) for x in c.ip.split(".")] if c.ip else [0, 0, 0, 0]
        mac = "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}".format(0x0A, 0x58, *octets)
        index = 2 + (octets[3] if c.ip else 0)
        bcast = str(ipaddress.ip_network(cidr, strict=False).broadcast_address)
        lines = [
            "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000",
            "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
            "    inet 127.0.0.1/8 scope host lo",
            "       valid_lft forever preferred_lft forever",
            "    inet6 ::1/128 scope host ",
            "       valid_lft forever preferred_lft forever",
            f"2: eth0@if{index}: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue ",
            f"    link/ether {mac} brd ff:ff:ff:ff:ff:ff",
            f"    inet {c.ip}/{prefix} brd {bcast} scope global eth0",
            "       valid_lft forever preferred_lft forever",
        ]
        return "".join(x + "\n" for x in lines), "", 0

    def _node_table(self, pod: dict):
        node = (pod.get("spec") or {}).get("nodeName") or ""
        if not (pod.get("spec") or {}).get("hostNetwork") or node not in self.network.tables:
            return None
        return self.network.table(node)

    def _iptables_save(self, pod: dict, c: Any, args: list[str]) -> Result | None:
        table = self._node_table(pod)
        if table is None:
            return None
        tables: tuple[str, ...] = ("filter", "nat")
        if "-t" in args and args.index("-t") + 1 < len(args):
            name = args[args.index("-t") + 1]
            if name not in ("nat", "filter"):
                return "", f"iptables-save v1.8.11 (nf_tables): Table '{name}' does not exist\n", 1
            tables = (name,)
        return render(table, tables, now=self.network.kernel.now), "", 0

    def _iptables(self, pod: dict, c: Any, args: list[str]) -> Result | None:
        if "-S" not in args:
            return None
        table = self._node_table(pod)
        if table is None:
            return None
        name = args[args.index("-t") + 1] if "-t" in args and args.index("-t") + 1 < len(args) else "filter"
        text = render(table, (name,))
        out = []
        for line in text.splitlines():
            if line.startswith(":"):
                chain, policy = line[1:].split()[:2]
                out.append(f"-P {chain} {policy}" if policy != "-" else f"-N {chain}")
            elif line.startswith("-A"):
                out.append(line)
        return "".join(x + "\n" for x in out), "", 0


def _write_file(c: Any, path: str, body: str) -> bool:
    """Write a file into the container; False where the path is a read-only mount (ConfigMap, Secret)."""
    from ktui.components.kubelet.filesystem import ReadOnlyFileSystem

    try:
        c.fs[path] = body
    except ReadOnlyFileSystem:
        return False
    return True
