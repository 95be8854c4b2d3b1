"""The simulated image registry: a catalogue of common images with their sizes, ports and behaviour.

Image references are normalised as containerd does (``nginx`` → ``docker.io/library/nginx:latest``).
Pull errors use the text containerd 2.x and the kubelet produce for the same failure.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass, field

__all__ = ["ImageInfo", "ImageRef", "ImageRegistry", "PullError", "parse_image", "pull_seconds"]

_KNOWN_HOSTS = ("docker.io", "registry.k8s.io", "quay.io", "ghcr.io", "gcr.io", "mcr.microsoft.com")


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference."""

    host: str
    repository: str
    tag: str
    digest: str = ""

    @property
    def name(self) -> str:
        """``docker.io/library/nginx``."""
        return f"{self.host}/{self.repository}"

    @property
    def full(self) -> str:
        """``docker.io/library/nginx:latest`` (or ``...@sha256:...`` for a digest reference)."""
        return f"{self.name}@{self.digest}" if self.digest and not self.tag else f"{self.name}:{self.tag}"


def parse_image(image: str) -> ImageRef:
    """Normalise a reference as the docker reference library does (default host, ``library/``, ``latest``)."""
    ref, digest = (image.split("@", 1) + [""])[:2]
    parts = ref.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        host, rest = parts[0], "/".join(parts[1:])
    else:
        host, rest = "docker.io", ref
    if host == "index.docker.io":
        host = "docker.io"
    last = rest.rsplit("/", 1)[-1]
    tag = ""
    if ":" in last:
        rest, tag = rest.rsplit(":", 1)
    if host == "docker.io" and "/" not in rest:
        rest = f"library/{rest}"
    if not tag and not digest:
        tag = "latest"
    return ImageRef(host, rest, tag, digest)


@dataclass
class ImageInfo:
    """What the simulation knows about one image repository.

    Attributes:
        repository: host and path, ``docker.io/library/nginx``.
        size: compressed size in bytes of the ``latest`` tag (other tags vary slightly).
        tags: a regular expression the known tags match.
        entrypoint: the image's ENTRYPOINT.
        cmd: the image's CMD.
        server: the program the default command runs (``nginx``, ``httpd``...), or ``""`` for a shell image.
        ports: TCP ports the server listens on.
        memory: resident memory of the default program, in bytes.
        ready_after: seconds from start until the server accepts connections.
        shutdown: seconds the program takes to exit on its stop signal; None when PID 1 ignores SIGTERM.
        paths: HTTP paths the server answers 200 on.
        uid: the image's user id (``user.linux`` in the container status).
        groups: the supplementary groups of that user.
        binaries: executables the image has besides the shell builtins.
    """

    repository: str
    size: int
    tags: str = r"latest"
    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    server: str = ""
    ports: tuple[int, ...] = ()
    memory: int = 4 << 20
    ready_after: float = 0.0
    shutdown: float | None = 0.1
    paths: tuple[str, ...] = ("/",)
    uid: int = 0
    groups: tuple[int, ...] = (0,)
    binaries: tuple[str, ...] = ()

    def size_of(self, tag: str) -> int:
        """The size of one tag: ``latest`` is ``size``; others differ by a stable few percent."""
        if tag in ("latest", ""):
            return self.size
        if "alpine" in tag:
            return int(self.size * 0.3) + zlib.crc32(tag.encode()) % 100_000
        return (
            self.size - int(self.size * 0.08) + zlib.crc32(f"{self.repository}:{tag}".encode()) % int(self.size * 0.1)
        )

    def digest(self, tag: str) -> str:
        """A stable ``sha256:...`` manifest digest for one tag."""
        return "sha256:" + hashlib.sha256(f"{self.repository}:{tag}".encode()).hexdigest()


def _mi(n: float) -> int:
    return int(n * (1 << 20))


_SHELL_BINS = (
    "sh",
    "ash",
    "echo",
    "sleep",
    "cat",
    "ls",
    "env",
    "hostname",
    "touch",
    "rm",
    "date",
    "true",
    "false",
    "printf",
    "mkdir",
    "wget",
    "nslookup",
    "ping",
    "ps",
    "id",
    "whoami",
    "uname",
    "top",
    "nc",
    "test",
)
_DEBIAN_BINS = (
    "sh",
    "bash",
    "echo",
    "sleep",
    "cat",
    "ls",
    "env",
    "hostname",
    "touch",
    "rm",
    "date",
    "true",
    "false",
    "printf",
    "mkdir",
    "id",
    "whoami",
    "uname",
    "test",
)
_V = r"v1\.\d+\.\d+"

CATALOGUE: tuple[ImageInfo, ...] = (
    ImageInfo(
        "docker.io/library/nginx",
        72223946,
        r"latest|stable|mainline|alpine|perl|1\.\d{1,2}(\.\d{1,2})?(-alpine|-perl|-bookworm|-alpine-slim)?",
        ["/docker-entrypoint.sh"],
        ["nginx", "-g", "daemon off;"],
        "nginx",
        (80,),
        _mi(3.5),
        0.05,
        0.1,
        ("/", "/index.html"),
        0,
        (0,),
        _DEBIAN_BINS + ("nginx", "curl"),
    ),
    ImageInfo(
        "docker.io/library/httpd",
        58201812,
        r"latest|alpine|2\.4(\.\d{1,2})?(-alpine)?",
        [],
        ["httpd-foreground"],
        "httpd",
        (80,),
        _mi(6),
        0.1,
        0.1,
        ("/", "/index.html"),
        0,
        (0,),
        _DEBIAN_BINS + ("httpd", "httpd-foreground"),
    ),
    ImageInfo(
        "docker.io/library/redis",
        49453470,
        r"latest|alpine|[67](\.\d)?(\.\d{1,2})?(-alpine)?|8(\.\d)?(\.\d{1,2})?(-alpine)?",
        ["docker-entrypoint.sh"],
        ["redis-server"],
        "redis",
        (6379,),
        _mi(8),
        0.1,
        0.2,
        (),
        999,
        (999,),
        _DEBIAN_BINS + ("redis-server", "redis-cli"),
    ),
    ImageInfo(
        "docker.io/library/busybox",
        2156519,
        r"latest|stable|musl|glibc|uclibc|1\.\d{2}(\.\d)?(-(musl|glibc|uclibc))?",
        [],
        ["sh"],
        "",
        (),
        _mi(0.5),
        0.0,
        None,
        (),
        0,
        (0, 10),
        _SHELL_BINS,
    ),
    ImageInfo(
        "docker.io/library/alpine",
        3653068,
        r"latest|edge|3(\.\d{1,2})?(\.\d{1,2})?",
        [],
        ["/bin/sh"],
        "",
        (),
        _mi(0.5),
        0.0,
        None,
        (),
        0,
        (0, 1, 2, 3, 4, 6, 10, 11, 20, 26, 27),
        _SHELL_BINS + ("apk",),
    ),
    ImageInfo(
        "docker.io/library/ubuntu",
        29754422,
        r"latest|2[024]\.04|jammy|noble|focal",
        [],
        ["/bin/bash"],
        "",
        (),
        _mi(1),
        0.0,
        None,
        (),
        0,
        (0,),
        _DEBIAN_BINS,
    ),
    ImageInfo(
        "docker.io/library/mysql",
        233479262,
        r"latest|lts|[589](\.\d)?(\.\d{1,2})?(-oracle|-debian)?",
        ["docker-entrypoint.sh"],
        ["mysqld"],
        "mysql",
        (3306, 33060),
        _mi(360),
        12.0,
        1.5,
        (),
        999,
        (999,),
        _DEBIAN_BINS + ("mysqld", "mysql", "mysqladmin"),
    ),
    ImageInfo(
        "docker.io/library/postgres",
        158327141,
        r"latest|alpine|1[0-8](\.\d{1,2})?(-alpine|-bookworm)?",
        ["docker-entrypoint.sh"],
        ["postgres"],
        "postgres",
        (5432,),
        _mi(30),
        3.0,
        0.5,
        (),
        999,
        (999,),
        _DEBIAN_BINS + ("postgres", "psql", "pg_isready"),
    ),
    ImageInfo(
        "docker.io/library/memcached",
        33165401,
        r"latest|alpine|1\.6(\.\d{1,2})?(-alpine)?",
        ["docker-entrypoint.sh"],
        ["memcached"],
        "memcached",
        (11211,),
        _mi(2),
        0.05,
        0.1,
        (),
        11211,
        (11211,),
        ("sh", "memcached"),
    ),
    ImageInfo(
        "docker.io/polinux/stress",
        4313542,
        r"latest|1\.0\.4",
        [],
        ["stress"],
        "stress",
        (),
        _mi(1),
        0.0,
        0.1,
        (),
        0,
        (0,),
        _SHELL_BINS + ("stress",),
    ),
    ImageInfo(
        "registry.k8s.io/etcd",
        23645223,
        r"3\.\d\.\d{1,2}-0",
        ["etcd"],
        [],
        "etcd",
        (2379, 2380, 2381),
        _mi(45),
        1.0,
        0.5,
        ("/health", "/readyz", "/livez"),
        0,
        (0,),
        ("etcd", "etcdctl"),
    ),
    ImageInfo(
        "registry.k8s.io/kube-apiserver",
        30071307,
        _V,
        ["kube-apiserver"],
        [],
        "kube-apiserver",
        (6443,),
        _mi(260),
        4.0,
        1.0,
        ("/livez", "/readyz"),
        0,
        (0,),
        ("kube-apiserver",),
    ),
    ImageInfo(
        "registry.k8s.io/kube-controller-manager",
        27012154,
        _V,
        ["kube-controller-manager"],
        [],
        "kube-controller-manager",
        (10257,),
        _mi(50),
        1.0,
        0.5,
        ("/healthz",),
        0,
        (0,),
        ("kube-controller-manager",),
    ),
    ImageInfo(
        "registry.k8s.io/kube-scheduler",
        21135123,
        _V,
        ["kube-scheduler"],
        [],
        "kube-scheduler",
        (10259,),
        _mi(22),
        1.0,
        0.5,
        ("/livez", "/readyz"),
        0,
        (0,),
        ("kube-scheduler",),
    ),
    ImageInfo(
        "registry.k8s.io/kube-proxy",
        31927478,
        _V,
        ["/usr/local/bin/kube-proxy"],
        [],
        "kube-proxy",
        (10249, 10256),
        _mi(18),
        0.5,
        0.3,
        ("/healthz",),
        0,
        (0,),
        ("kube-proxy", "iptables", "sh"),
    ),
    ImageInfo(
        "registry.k8s.io/coredns/coredns",
        22384805,
        r"v1\.1[0-2]\.\d",
        ["/coredns"],
        [],
        "coredns",
        (53, 8080, 8181, 9153),
        _mi(14),
        0.5,
        0.5,
        ("/health", "/ready"),
        65532,
        (65532,),
        ("coredns",),
    ),
    ImageInfo(
        "registry.k8s.io/metrics-server/metrics-server",
        19608104,
        r"v0\.[5-8]\.\d",
        ["/metrics-server"],
        [],
        "metrics-server",
        (10250,),
        _mi(20),
        2.0,
        0.5,
        ("/readyz", "/livez"),
        65534,
        (65534,),
        ("metrics-server",),
    ),
    ImageInfo(
        "registry.k8s.io/pause",
        320368,
        r"3\.\d+(\.\d)?",
        ["/pause"],
        [],
        "pause",
        (),
        _mi(0.2),
        0.0,
        0.0,
        (),
        65535,
        (65535,),
        ("pause",),
    ),
)


class PullError(Exception):
    """A failed pull; ``str(e)`` is the CRI error the kubelet reports, ``code`` the gRPC code."""

    def __init__(self, message: str, code: str = "Unknown") -> None:
        super().__init__(f"rpc error: code = {code} desc = {message}")
        self.code = code


def pull_seconds(size: int) -> float:
    """Simulated pull time: 0.4 s to resolve and fetch the manifest, then 40 MB/s, truncated to ms."""
    return int((0.4 + size / 40_000_000) * 1000) / 1000


class ImageRegistry:
    """Every registry the cluster can reach, as one object shared by the kubelets of a world.

    Args:
        extra: more images beyond :data:`CATALOGUE`.
    """

    def __init__(self, extra: tuple[ImageInfo, ...] = ()) -> None:
        self._images: dict[str, ImageInfo] = {i.repository: i for i in CATALOGUE + tuple(extra)}
        self._unpullable: dict[str, str] = {}
        """Repository (or full reference) → error text, for images made unpullable by tests and faults."""

    def add(self, info: ImageInfo) -> None:
        """Make one more image repository known."""
        self._images[info.repository] = info

    def make_unpullable(self, image: str, message: str = "") -> None:
        """Fail every pull of ``image`` (a repository like ``nginx`` or one tag like ``nginx:1.27``)."""
        self._unpullable[self._key(image)] = message

    def make_pullable(self, image: str) -> None:
        self._unpullable.pop(self._key(image), None)

    def _key(self, image: str) -> str:
        ref = parse_image(image)
        return ref.full if (":" in image.rsplit("/", 1)[-1] or "@" in image) else ref.name

    def info(self, image: str) -> ImageInfo | None:
        """The catalogue entry for ``image``'s repository, or None."""
        return self._images.get(parse_image(image).name)

    def resolve(self, image: str) -> tuple[ImageInfo, ImageRef, int, str]:
        """What a pull of ``image`` would fetch: (info, ref, size in bytes, digest).

        Raises:
            PullError: with containerd's message when the pull cannot succeed.
        """
        ref = parse_image(image)
        full = ref.full
        fail = f'failed to pull and unpack image "{full}"'
        for key in (full, ref.name):
            if key in self._unpullable:
                why = self._unpullable[key] or (
                    f'failed to resolve reference "{full}": failed to do request: Head '
                    f'"https://{_api_host(ref.host)}/v2/{ref.repository}/manifests/{ref.tag or ref.digest}": '
                    "dial tcp: i/o timeout"
                )
                raise PullError(f"{fail}: {why}")
        if ref.host not in _KNOWN_HOSTS:
            raise PullError(
                f'{fail}: failed to resolve reference "{full}": failed to do request: Head '
                f'"https://{ref.host}/v2/{ref.repository}/manifests/{ref.tag or ref.digest}": '
                f"dial tcp: lookup {ref.host.split(':')[0]}: no such host"
            )
        info = self._images.get(ref.name)
        if info is None:
            if ref.host == "docker.io":
                raise PullError(
                    f'{fail}: failed to resolve reference "{full}": pull access denied, repository does '
                    "not exist or may require authorization: server message: insufficient_scope: "
                    "authorization failed"
                )
            raise PullError(f'{fail}: failed to resolve reference "{full}": {full}: not found', "NotFound")
        tag = ref.tag
        if tag and not re.fullmatch(info.tags, tag):
            raise PullError(f'{fail}: failed to resolve reference "{full}": {full}: not found', "NotFound")
        if not tag:
            return info, ref, info.size, ref.digest
        return info, ref, info.size_of(tag), info.digest(tag)


def _api_host(host: str) -> str:
    return "registry-1.docker.io" if host == "docker.io" else host
