"""``ktui lab serve``'s parts without a network: roster and token files, the host key, a learner's lab kept and
loaded again, results for the instructor, usage errors, and the layout of task text to the terminal's width."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess

import pytest

from ktui.lab.cli import lab_main
from ktui.lab.session import LabSession
from ktui.lab.ssh.auth import AuthError, Roster, Tokens, host_key
from ktui.lab.ssh.store import LearnerLab
from ktui.lab.ssh.worker import fit


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = lab_main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def pubkey(tmp_path, name: str) -> str:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(tmp_path / name)], check=True, timeout=30
    )
    return (tmp_path / f"{name}.pub").read_text().strip()


def test_roster_errors_name_the_file_and_line(tmp_path):
    key = pubkey(tmp_path, "k")
    f = tmp_path / "roster"
    f.write_text(f"# names and keys\nalice {key}\n\nBob {key}\n")
    with pytest.raises(AuthError, match=rf"^{f}:4: 'Bob' is not a learner name"):
        Roster(f)
    f.write_text(f"alice {key}\nbob {key}\n")
    with pytest.raises(AuthError, match=rf"^{f}:2: this key is alice's already"):
        Roster(f)
    f.write_text("alice ssh-ed25519 AAAAnotakey\n")
    with pytest.raises(AuthError, match=rf"^{f}:1: not a public key"):
        Roster(f)
    f.write_text("alice\n")
    with pytest.raises(AuthError, match=rf"^{f}:1: expected a learner's name and a public key"):
        Roster(f)
    f.write_text(f"alice {key}\n")
    assert len(Roster(f).keys) == 1


def test_tokens_are_used_once_even_across_a_restart(tmp_path):
    f = tmp_path / "tokens"
    f.write_text("alice abcdef1\nbob abcdef2\n")
    used = tmp_path / "state" / "tokens-used"
    t = Tokens(f, used)
    assert t.use("abcdef2", "alice") is None  # bob's token, for alice: refused and still unused
    assert t.use("abcdef1") == "alice"
    assert t.use("abcdef1") is None
    assert Tokens(f, used).use("abcdef1") is None
    assert Tokens(f, used).use("abcdef2") == "bob"
    assert "abcdef" not in used.read_text()  # kept as digests, not as the tokens
    f.write_text("alice abc\n")
    with pytest.raises(AuthError, match=rf"^{f}:1: the token is too short"):
        Tokens(f, used)
    f.write_text("alice abcdef1 extra\n")
    with pytest.raises(AuthError, match=rf"^{f}:1: expected a learner's name and a token"):
        Tokens(f, used)


def test_the_host_key_is_made_once_and_kept(tmp_path):
    path = tmp_path / "state" / "host_key"
    key, made = host_key(path)
    assert made and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again, made = host_key(path)
    assert not made and again.get_fingerprint() == key.get_fingerprint()
    path.write_text("junk")
    with pytest.raises(AuthError, match="not a usable host key"):
        host_key(path)


def test_a_learners_lab_is_kept_and_loaded_as_it_was(tmp_path):
    s = LabSession("expose-clusterip")
    s.cluster.kubectl("expose pod web --port=80")
    s.cluster.advance(30)
    s.check()
    s.hint()
    place = LearnerLab(tmp_path, "alice", "expose-clusterip")
    place.save(s)
    back = place.load(s.lab, "ko")
    assert back is not None and back.lang == "ko"
    assert back.cluster.now == s.cluster.now and back.elapsed == s.elapsed
    assert [(a.checks, a.passed_at, a.hints_shown) for a in back.states] == [
        (a.checks, a.passed_at, a.hints_shown) for a in s.states
    ]
    assert back.check().ok == s.check().ok
    assert back.cluster.kubectl(["get", "svc", "web", "-o", "name"])[0] == "service/web\n"
    assert LearnerLab(tmp_path, "alice", "cordon-drain").load(s.lab, "en") is None
    (place.dir / "cluster.json").write_text("{broken")
    assert place.load(s.lab, "en") is None  # a state that does not load: the lab starts afresh


def test_results_for_the_instructor(tmp_path):
    code, out, _ = run("results", "--state", str(tmp_path))
    assert (code, out) == (0, "no results yet\n")
    s = LabSession("kubelet-not-running")
    s.check()
    LearnerLab(tmp_path, "alice", s.lab.name).save(s)
    code, out, _ = run("results", "--state", str(tmp_path))
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["LEARNER", "LAB", "PASSED", "HINTS", "SOLUTIONS", "TIME", "UPDATED"]
    assert lines[1].split()[:6] == ["alice", "kubelet-not-running", "0/1", "0", "0", "00:00:00"]
    code, out, _ = run("results", "--state", str(tmp_path), "--json")
    doc = json.loads(out)
    assert doc[0]["learner"] == "alice" and doc[0]["labs"]["kubelet-not-running"]["tasks"][0]["checks"] == 1
    assert json.loads((tmp_path / "results" / "alice.json").read_text()) == doc[0]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--auth", "keys"], "ktui lab serve: --auth: expected open, keys FILE or tokens FILE"),
        (["--auth", "open", "x"], "ktui lab serve: --auth: expected open, keys FILE or tokens FILE"),
        (["--idle-timeout", "soon"], "ktui lab serve: argument --idle-timeout: bad duration 'soon'"),
        (["--max-sessions", "0"], "ktui lab serve: argument --max-sessions: '0' is not a positive number"),
        (["--memory", "lots"], "ktui lab serve: argument --memory: bad size 'lots'"),
        (["--labs", "/nonexistent"], "ktui lab serve: --labs /nonexistent: not a directory"),
    ],
)
def test_serve_usage_errors(tmp_path, args, message):
    code, out, err = run("serve", "--state", str(tmp_path), *args)
    assert code == 2 and out == ""
    assert err.startswith(message), err


def test_serve_refuses_a_bad_roster_before_listening(tmp_path):
    f = tmp_path / "roster"
    f.write_text("alice\n")
    code, out, err = run("serve", "--state", str(tmp_path), "--auth", "keys", str(f))
    assert (code, out) == (2, "")
    assert err == f"ktui lab serve: {f}:1: expected a learner's name and a public key (NAME ssh-ed25519 AAAA...)\n"


def test_fit_wraps_prose_to_the_width_and_keeps_code():
    text = (
        "Make the pod run on node01 and check that it is Running afterwards.\n"
        "- a list item that is long enough to wrap onto a second line\n"
        "```\nkubectl get pods -o wide --all-namespaces --show-labels\n```\n"
        "    an indented line of code that is longer than the width"
    )
    lines = fit(text, 30).split("\n")
    assert lines[:3] == ["Make the pod run on node01 and", "check that it is Running", "afterwards."]
    assert lines[3:6] == ["- a list item that is long", "  enough to wrap onto a second", "  line"]
    assert "kubectl get pods -o wide --all-namespaces --show-labels" in lines
    assert lines[-1] == "    an indented line of code that is longer than the width"


def test_serve_says_when_the_port_is_taken(tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        code, out, err = run("serve", "--listen", "127.0.0.1", "--port", str(port), "--state", str(tmp_path))
    assert (code, out) == (1, "")
    assert err.startswith(f"ktui lab serve: cannot listen on 127.0.0.1:{port}: ")
    assert "address already in use" in err


def test_labs_dir_offers_its_lab_files_only(tmp_path):
    from ktui.lab.loader import BUILTIN_DIR
    from ktui.lab.model import LabError
    from ktui.lab.ssh.catalogue import Catalogue

    labs = tmp_path / "labs"
    labs.mkdir()
    (labs / "mine.yaml").write_text(
        (BUILTIN_DIR / "cordon-drain.yaml").read_text().replace("name: cordon-drain", "name: my-drain")
    )
    c = Catalogue(labs)
    assert c.names() == ["my-drain"]
    assert c.load("my-drain").name == "my-drain"
    with pytest.raises(LabError, match=r"no lab 'cordon-drain' here \(labs: my-drain\)"):
        c.load("cordon-drain")
    (labs / "copy.yml").write_text((labs / "mine.yaml").read_text())
    with pytest.raises(LabError, match=r"mine\.yaml: a lab named 'my-drain' is in .*copy\.yml already"):
        Catalogue(labs)
    (labs / "copy.yml").write_text("name: broken\ntasks: 3\n")
    with pytest.raises(LabError, match=r"copy.yml:\d+"):
        Catalogue(labs)
