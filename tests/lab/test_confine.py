"""In a session served over SSH, kubectl reads files from the learner's working directory only: every file
argument (``-f``, ``-k``, ``--from-file``, ...) is refused with a clear message when it is outside, links followed,
before kubectl runs; ``ktui lab run`` on one's own machine still reads any file, and ``> FILE`` stays inside."""

import os
import re
from importlib import resources

import pytest

from ktui.lab import LabSession
from ktui.lab.confine import FILE_OUTPUTS, PATH_FLAGS, outside_workdir
from ktui.lab.lines import parse_lines
from ktui.lab.shell import LabShell

from tests.lab.conftest import cluster_state

SECRET = """apiVersion: v1
kind: ConfigMap
metadata: {name: leaked}
data: {secret: "server's own file"}
"""


def _message(name: str) -> str:
    return (
        f"error: {name}: outside the lab's working directory; in this session kubectl reads files only from "
        "there (ls lists them)\n"
    )


@pytest.fixture
def workdir(tmp_path):
    """``tmp/work`` with a manifest, a link out, a directory with a link out deep inside; ``tmp/secret.yaml`` out."""
    (tmp_path / "secret.yaml").write_text(SECRET)
    work = tmp_path / "work"
    (work / "manifests" / "deep").mkdir(parents=True)
    (work / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: mine}\nspec:\n  containers: [{name: c, image: nginx}]\n"
    )
    (work / "manifests" / "cm.yaml").write_text(SECRET.replace("leaked", "fine"))
    os.symlink(tmp_path / "secret.yaml", work / "link.yaml")
    os.symlink(tmp_path, work / "manifests" / "deep" / "up")
    os.symlink("pod.yaml", work / "same.yaml")  # a link that stays inside
    return work


@pytest.mark.parametrize(
    "line, outside",
    [
        ("kubectl apply -f ../secret.yaml", "../secret.yaml"),
        ("kubectl apply -f /etc/passwd", "/etc/passwd"),
        ("kubectl apply --filename=/etc/passwd", "/etc/passwd"),
        ("kubectl create -Rf /etc", "/etc"),
        ("kubectl apply -f pod.yaml,/etc/hosts", "/etc/hosts"),
        ("kubectl apply -f pod.yaml -f ../secret.yaml", "../secret.yaml"),
        ("kubectl apply -f link.yaml", "link.yaml"),  # a link inside that leads out
        ("kubectl apply -R -f manifests", "manifests/deep/up"),  # a directory with a link out deep inside
        ("kubectl apply -k /", "/"),
        ("kubectl replace --force -f ./../secret.yaml", "./../secret.yaml"),
        ("kubectl delete -f /etc/passwd", "/etc/passwd"),
        ("kubectl create configmap c --from-file=/etc/passwd", "/etc/passwd"),
        ("kubectl create cm c --from-file=key=../secret.yaml", "../secret.yaml"),
        ("kubectl create configmap c --from-env-file /proc/self/environ", "/proc/self/environ"),
        ("kubectl create secret generic s --from-file=/etc", "/etc"),
        (
            "kubectl create secret tls t --cert=/etc/ssl/certs/ca-certificates.crt --key=pod.yaml",
            "/etc/ssl/certs/ca-certificates.crt",
        ),
        ("kubectl patch deployment web --patch-file /etc/passwd", "/etc/passwd"),
        ("kubectl get pods -o jsonpath-file=/etc/passwd", "/etc/passwd"),
        ("kubectl get pods -o go-template-file --template=../secret.yaml", "../secret.yaml"),
        ("kubectl --kubeconfig=/etc/kubernetes/admin.conf get pods", "/etc/kubernetes/admin.conf"),
        ("kubectl get pods --client-key /root/key", "/root/key"),
    ],
)
def test_a_file_outside_is_named_in_the_error(workdir, line, outside):
    assert outside_workdir(line.split(), workdir) == _message(outside)


@pytest.mark.parametrize(
    "line",
    [
        "kubectl apply -f pod.yaml",
        "kubectl apply -f ./pod.yaml",
        "kubectl apply -f same.yaml",
        "kubectl apply -f WORKDIR/pod.yaml",
        "kubectl apply -f -",
        "kubectl create -f manifests/cm.yaml",
        "kubectl create configmap c --from-file=k=pod.yaml",
        "kubectl logs -f web",
        "kubectl logs web --follow",
        "kubectl get pods -o jsonpath={.items}",
        "kubectl get pods",
        "kubectl apply -f no-such-file.yaml",
        "kubectl apply -f /etc/passwd --no-such-flag",  # kubectl refuses the flag before it reads anything
    ],
)
def test_files_inside_and_lines_without_files_pass(workdir, line):
    assert outside_workdir(line.replace("WORKDIR", str(workdir)).split(), workdir) is None


def test_every_kubectl_flag_named_for_a_file_or_path_is_confined():
    """A flag that a new help text brings, named like a path, must be looked at here."""
    from ktui.kubectl.flags import parse_help_flags

    not_paths = {
        "allow-missing-template-keys",
        "cached",
        "delete-emptydir-data",
        "detach-keys",
        "output-patch",
        "output-watch-events",
        "profile",
        "save-config",
        "output",
        "template",
    }  # -o/--template: see below
    names = set()
    for f in (resources.files("ktui.kubectl") / "help").iterdir():
        names |= {fl.name for fl in parse_help_flags(f.read_text()) if fl.kind != "bool"}
    suspicious = {
        n for n in names if re.search(r"file|path|dir|cert|key|config|template|kustom|cache|profile|output", n)
    }
    assert suspicious - not_paths <= PATH_FLAGS, suspicious - not_paths - PATH_FLAGS
    assert "jsonpath-file" in FILE_OUTPUTS and "go-template-file" in FILE_OUTPUTS


def _shell(workdir, confine):
    session = LabSession("imperative-pods")
    return session, LabShell(session, workdir, confine=confine)


def _do(shell, text):
    [line] = list(parse_lines([text + "\n"]))
    return shell.run(line)


def test_in_an_ssh_session_kubectl_is_refused_a_file_outside_and_nothing_changes(workdir):
    session, shell = _shell(workdir, confine=True)
    before = cluster_state(session.cluster)
    for text, name in [
        ("kubectl apply -f ../secret.yaml", "../secret.yaml"),
        ("kubectl apply -f link.yaml", "link.yaml"),
        ("kubectl create configmap leaked --from-file=../secret.yaml", "../secret.yaml"),
        (f"kubectl apply -f {workdir.parent}/secret.yaml", f"{workdir.parent}/secret.yaml"),
    ]:
        r = _do(shell, text)
        assert (r.code, r.out, r.err) == (1, "", _message(name)), text
    assert cluster_state(session.cluster) == before
    assert session.cluster.kubectl("get configmap leaked")[2] == 1
    r = _do(shell, "kubectl apply -f pod.yaml")  # the learner's own files work as before
    assert (r.code, r.out) == (0, "pod/mine created\n")


def test_on_ones_own_machine_ktui_lab_run_reads_any_file(workdir):
    session, shell = _shell(workdir, confine=False)
    r = _do(shell, "kubectl apply -f ../secret.yaml")
    assert (r.code, r.out) == (0, "configmap/leaked created\n")


@pytest.mark.parametrize("confine", [True, False])
def test_kubectl_output_goes_to_a_file_inside_only(workdir, confine):
    session, shell = _shell(workdir, confine)
    outside = workdir.parent / "out.txt"
    for target in (str(outside), "../out.txt"):
        r = _do(shell, f"kubectl get nodes -o name > {target}")
        assert (r.code, r.err) == (1, f"bash: {target}: outside the lab's working directory\n")
    assert not outside.exists()
    r = _do(shell, "kubectl get nodes -o name > nodes.txt")
    assert r.code == 0 and (workdir / "nodes.txt").read_text().startswith("node/controlplane\n")


def test_the_terminal_ui_of_an_ssh_session_confines_kubectl_too(workdir):
    from ktui.lab.tui import SessionDriver

    session = LabSession("imperative-pods")
    before = cluster_state(session.cluster)
    driver = SessionDriver(session, workdir, confine=True)  # what ktui lab serve's run_tui opens
    r = driver.feed("kubectl apply -f ../secret.yaml")
    assert r is not None and (r.code, r.out, r.err) == (1, "", _message("../secret.yaml"))
    assert cluster_state(session.cluster) == before
    r = driver.feed("kubectl apply -f pod.yaml")
    assert r is not None and (r.code, r.out) == (0, "pod/mine created\n")
    local = SessionDriver(LabSession("imperative-pods"), workdir)  # ktui lab run on one's own machine: not confined
    r = local.feed("kubectl apply -f ../secret.yaml")
    assert r is not None and r.err != _message("../secret.yaml")
