"""curl and wget refuse a malformed URL or option as curl 7.88.1 and busybox 1.37 do: a message, never a crash."""

import pytest

from ktui.net.trace import BadTarget, parse_target, trace

from tests.net.conftest import exec_in, run_pod


@pytest.fixture
def pods(cluster):
    run_pod(cluster, "curler", "nginx")
    run_pod(cluster, "client", "busybox", command=["sleep", "3600"])
    cluster.advance(20)
    return cluster


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["curl", "http://[::1"],
            ("", "curl: (3) bad range specification in URL position 9:\nhttp://[::1\n        ^\n", 3),
        ),
        (["curl", "-s", "http://[::1"], ("", "", 3)),
        (["curl", "-g", "http://[::1"], ("", "curl: (3) URL using bad/illegal format or missing URL\n", 3)),
        (["curl", "http://web:99999"], ("", "curl: (3) URL using bad/illegal format or missing URL\n", 3)),
        (["curl", "-sS", "http://web:abc/"], ("", "curl: (3) URL using bad/illegal format or missing URL\n", 3)),
        (["curl", "-s", "http://web:99999"], ("", "", 3)),
        (
            ["curl", "-m", "abc", "web"],
            (
                "",
                "curl: option -m: expected a proper numerical parameter\n"
                "curl: try 'curl --help' or 'curl --manual' for more information\n",
                2,
            ),
        ),
        (
            ["curl", "-m", "-1", "web"],
            (
                "",
                "curl: option -m: expected a positive numerical parameter\n"
                "curl: try 'curl --help' or 'curl --manual' for more information\n",
                2,
            ),
        ),
        (
            ["curl", "--max-time", "inf", "web"],
            (
                "",
                "curl: option --max-time: too large number\n"
                "curl: try 'curl --help' or 'curl --manual' for more information\n",
                2,
            ),
        ),
        (
            ["curl", "web", "-o"],
            (
                "",
                "curl: option -o: requires parameter\n"
                "curl: try 'curl --help' or 'curl --manual' for more information\n",
                2,
            ),
        ),
    ],
)
def test_curl_refuses_like_curl_7_88(pods, argv, expected):
    assert exec_in(pods, "default", "curler", *argv) == expected


@pytest.mark.parametrize(
    ("url", "err"),
    [
        ("http://web:99999", "wget: bad port spec 'web:99999'\n"),
        ("http://web:x/", "wget: bad port spec 'web:x'\n"),
        ("http://[::1", "wget: bad address '[::1'\n"),
    ],
)
def test_wget_refuses_like_busybox(pods, url, err):
    assert exec_in(pods, "default", "client", "wget", "-qO-", url) == ("", err, 1)


def test_a_trace_to_a_bad_url_is_a_failed_trace(pods):
    t = trace(pods.world, ("default", "client"), "http://web:99999")
    assert (t.ok, t.failure) == (False, "bad-url")
    with pytest.raises(BadTarget):
        parse_target("http://[::1")
