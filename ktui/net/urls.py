"""How curl 7.88.1 and busybox 1.37 wget refuse a URL or an option before connecting (exit 3, ``bad address``...).

Used by :mod:`ktui.net.programs`; every check is a pure function of the text typed.
"""

from __future__ import annotations

import ipaddress
import re

from ktui.net.trace import BadTarget, parse_target

__all__ = ["CURL_VALUE_OPTIONS", "CURL_HINT", "curl_seconds_problem", "curl_url_problem", "wget_url_problem"]

CURL_VALUE_OPTIONS = frozenset(
    {
        "-m",
        "--max-time",
        "--connect-timeout",
        "-o",
        "--output",
        "-w",
        "--write-out",
        "-H",
        "--header",
        "-X",
        "--request",
        "-A",
        "--user-agent",
        "-d",
        "--data",
    }
)
CURL_HINT = "curl: try 'curl --help' or 'curl --manual' for more information\n"
_STRTOD = re.compile(r"\s*[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|inf(inity)?|nan)", re.I)
_CURL_MAX_SECONDS = ((1 << 63) - 1) // 1000
"""curl keeps timeouts in milliseconds in a long: a larger number of seconds is ``too large number``."""


def curl_seconds_problem(text: str) -> str:
    """What curl 7.88 says about a seconds value (``-m 5``, ``-m 0.5``), or "" when it takes it."""
    if not _STRTOD.fullmatch(text):
        return "expected a proper numerical parameter"
    value = float(text)
    if value < 0:
        return "expected a positive numerical parameter"
    if value > _CURL_MAX_SECONDS:
        return "too large number"
    return ""


def curl_url_problem(url: str, globoff: bool) -> str:
    """Why curl 7.88 refuses ``url`` before connecting (its globbing, then its URL parser), or ""."""
    if not globoff:
        for i, ch in enumerate(url):
            if ch == "[" and not _ipv6_literal(url, i) and "]" not in url[i:]:
                return f"bad range specification in URL position {i + 2}:\n{url}\n{' ' * (i + 1)}^"
    try:
        parse_target(url)
    except BadTarget:
        return "URL using bad/illegal format or missing URL"
    return ""


def _ipv6_literal(url: str, i: int) -> bool:
    end = url.find("]", i)
    if end < 0:
        return False
    try:
        ipaddress.IPv6Address(url[i + 1 : end].split("%")[0])
        return True
    except ValueError:
        return False


def wget_url_problem(url: str) -> str:
    """Why busybox wget refuses ``url``'s ``host[:port]`` (``bad address``, ``bad port spec``), or ""."""
    rest = url.split("://", 1)[1] if "://" in url else url
    hostport = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    host = hostport
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0 or hostport[end + 1 : end + 2] not in ("", ":"):
            return f"bad address '{hostport}'"
        host = hostport[end + 1 :]
    if ":" in host:
        port = host.rsplit(":", 1)[1]
        if not port.isascii() or not port.isdigit() or int(port) > 0xFFFF:
            return f"bad port spec '{hostport}'"
    try:
        parse_target(url)
    except BadTarget:
        return f"bad address '{hostport}'"
    return ""
