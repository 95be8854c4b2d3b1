"""The image catalogue and registry: reference parsing, sizes, digests, pull errors and pull times."""

from __future__ import annotations

import pytest

from ktui.components.kubelet.backoff import Backoff, go_duration
from ktui.components.kubelet.images import ImageRegistry, PullError, parse_image, pull_seconds


@pytest.mark.parametrize(
    "image,full",
    [
        ("nginx", "docker.io/library/nginx:latest"),
        ("nginx:1.25", "docker.io/library/nginx:1.25"),
        ("bitnami/redis:7.2", "docker.io/bitnami/redis:7.2"),
        ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"),
        ("localhost:5000/app", "localhost:5000/app:latest"),
    ],
)
def test_parse_image(image, full):
    assert parse_image(image).full == full


def test_known_images_resolve_with_size_and_digest():
    reg = ImageRegistry()
    info, ref, size, digest = reg.resolve("nginx")
    assert (size, ref.full) == (72223946, "docker.io/library/nginx:latest")
    assert digest.startswith("sha256:") and len(digest) == 71
    assert reg.resolve("nginx")[3] == digest  # stable
    assert reg.resolve("nginx:1.27")[2] != size
    assert info.ports == (80,)
    assert reg.resolve("registry.k8s.io/coredns/coredns:v1.12.1")[0].server == "coredns"
    assert reg.resolve("busybox:1.36")[0].server == ""


def test_unknown_repository_on_docker_hub():
    with pytest.raises(PullError) as e:
        ImageRegistry().resolve("ngnix")
    assert str(e.value) == (
        'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/ngnix:latest": '
        'failed to resolve reference "docker.io/library/ngnix:latest": pull access denied, repository does not '
        "exist or may require authorization: server message: insufficient_scope: authorization failed"
    )


def test_unknown_tag_and_unknown_registry():
    with pytest.raises(PullError, match="docker.io/library/nginx:1.255: not found"):
        ImageRegistry().resolve("nginx:1.255")
    with pytest.raises(PullError, match="lookup myregistry.example.com: no such host"):
        ImageRegistry().resolve("myregistry.example.com/team/app:1.0")
    with pytest.raises(PullError, match="registry.k8s.io/nope:1: not found"):
        ImageRegistry().resolve("registry.k8s.io/nope:1")


def test_make_unpullable_by_repository_or_tag():
    reg = ImageRegistry()
    reg.make_unpullable("nginx:1.27")
    reg.resolve("nginx:1.26")
    with pytest.raises(PullError, match="i/o timeout"):
        reg.resolve("nginx:1.27")
    reg.make_unpullable("redis", "toomanyrequests: You have reached your pull rate limit.")
    with pytest.raises(PullError, match="toomanyrequests"):
        reg.resolve("redis:7.2")
    reg.make_pullable("redis")
    reg.resolve("redis:7.2")


def test_pull_time_from_size():
    assert pull_seconds(72223946) == 2.205
    assert pull_seconds(320368) == 0.408


@pytest.mark.parametrize(
    "secs,text", [(2.205, "2.205s"), (0.453, "453ms"), (10, "10s"), (80, "1m20s"), (300, "5m0s"), (0, "0s")]
)
def test_go_duration(secs, text):
    assert go_duration(secs) == text


def test_backoff_doubles_to_cap_and_resets():
    b = Backoff(10, 300)
    b.next("k", 0)
    assert b.get("k") == 10 and b.in_backoff_since_update("k", 5) and not b.in_backoff_since_update("k", 10)
    for t in range(1, 10):
        b.next("k", t)
    assert b.get("k") == 300
    b.next("k", 10 + 601)  # quiet for more than twice the cap: start again
    assert b.get("k") == 10
