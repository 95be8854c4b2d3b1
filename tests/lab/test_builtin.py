"""Every built-in lab, done as a learner does it in ``ktui lab run``: untouched, every task fails with its
messages; a wrong attempt fails with the specific message; the lab's own solution passes every check.

One run per lab (one cluster): the wrong attempt is undone before the solution, as a learner would.
"""

import io
import json

import pytest

from ktui.lab import LabSession, builtin_names, load_builtin
from ktui.lab.cli import lab_main

from tests.lab.conftest import cluster_state

BUILTIN = [
    "imperative-pods",
    "dry-run-manifest",
    "expose-clusterip",
    "nodeport-30080",
    "replicaset-selector",
    "namespace-quota",
    "kubelet-not-running",
    "rollout-image-typo",
    "apply-remove-field",
    "cordon-drain",
    "configmap-env",
]

BROKEN_RS = """kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
spec:
  replicas: 3
  selector:
    matchLabels: {app: frontend}
  template:
    metadata:
      labels: {app: front-end}
    spec:
      containers: [{name: nginx, image: nginx}]
EOF"""

WRONG = {
    # lab: (task, what a learner might try, the message it must get, how the learner undoes it)
    "imperative-pods": (
        1,
        "kubectl run nginx --image=nginx:1.27",
        "The pod nginx does not have the label tier=web.",
        "kubectl delete pod nginx --now",
    ),
    "dry-run-manifest": (
        1,
        "kubectl run web --image=nginx",
        "The pod web was not created with kubectl apply (it has no last-applied-configuration annotation).",
        "kubectl delete pod web --now",
    ),
    "expose-clusterip": (
        1,
        "kubectl create service clusterip web-svc --tcp=80:80",
        "The Service's selector is not the pod's labels (app=web, tier=frontend); kubectl expose copies them.",
        "kubectl delete service web-svc",
    ),
    "nodeport-30080": (
        1,
        "kubectl expose deployment shop --type=NodePort --port=80",
        "The Service shop does not use the node port 30080.",
        "kubectl delete service shop",
    ),
    "replicaset-selector": (1, BROKEN_RS, "There is no ReplicaSet frontend.", ""),
    "namespace-quota": (
        1,
        "kubectl run app --image=nginx -n team-a",
        "There is no pod app in the namespace team-a.",
        "",
    ),
    "kubelet-not-running": (1, "kubectl uncordon node01", "node01 is not Ready.", ""),
    "rollout-image-typo": (
        2,
        "kubectl rollout undo deployment/web",
        "The Deployment web does not run the image nginx:1.28 (a rollback to 1.27 is not the fix).",
        "",
    ),
    "apply-remove-field": (
        1,
        "kubectl label deployment api debug-",
        "The last applied manifest still has the label debug; apply a manifest without it "
        "(kubectl label changes only the live object).",
        "",
    ),
    "cordon-drain": (1, "kubectl cordon node01", "Pods of web still run on node01.", ""),
    # a script check (verify.sh): the variable set by hand, not from the ConfigMap
    "configmap-env": (
        1,
        "kubectl -n shop run app --image=busybox --env=APP_MODE=production --command -- sleep 3600",
        "The pod app does not take its variables from the ConfigMap app-config (envFrom with a configMapRef).",
        "kubectl -n shop delete pod app --now",
    ),
}


def test_the_builtin_labs_exist_in_the_order_the_notes_teach():
    assert builtin_names() == BUILTIN


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_labs_are_written_in_english_and_korean(name):
    lab = load_builtin(name)
    assert lab.name == name and set(lab.titles) == {"en", "ko"} and set(lab.descriptions) == {"en", "ko"}
    for task in lab.tasks:
        where = f"task {task.number}"
        assert set(task.titles) == {"en", "ko"} and set(task.texts) == {"en", "ko"}, where
        assert task.hints and all(set(h) == {"en", "ko"} for h in task.hints), where
        assert task.solutions, where
        assert all(set(c.messages) == {"en", "ko"} for c in task.checks), where


def _run(name: str, lines: list[str], lang: str = "en") -> list[dict]:
    out, err = io.StringIO(), io.StringIO()
    code = lab_main(
        ["run", name, "--json", "--lang", lang], stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, stderr=err
    )
    assert err.getvalue() == ""
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    records[-1]["exit"] = code
    return records


def _failed_messages(record: dict) -> list[str]:
    return [c["message"] for c in record["checks"] if not c["ok"]]


@pytest.fixture
def checks_must_only_read(monkeypatch):
    """Every check of the run is a pure read: the cluster is as it was before each one."""
    original = LabSession.check

    def check(self, number=None):
        before = cluster_state(self.cluster)
        result = original(self, number)
        assert cluster_state(self.cluster) == before, f"checking task {result.task.number} changed the cluster"
        return result

    monkeypatch.setattr(LabSession, "check", check)


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_lab_fails_untouched_fails_a_wrong_attempt_and_passes_with_its_solution(name, checks_must_only_read):
    lab = load_builtin(name)
    wrong_task, wrong, wrong_message, undo = WRONG[name]
    lines = ["check all"]
    for task in lab.tasks:
        lines.append(f"task {task.number}")
        if task.number == wrong_task:
            lines += [wrong, f"check {task.number}"] + ([undo] if undo else [])
        lines += [task.solution("en"), f"check {task.number}"]
    records = _run(name, lines)
    checks = [r for r in records if r["type"] == "check"]

    untouched = checks[0]["tasks"]
    assert [t["task"] for t in untouched] == [t.number for t in lab.tasks]
    for task, result in zip(lab.tasks, untouched):
        assert not result["ok"], f"task {task.number} passes before anything was done"
        first = next(c for c in result["checks"] if not c["ok"])
        assert first["message"] == task.checks[[c["line"] for c in result["checks"]].index(first["line"])].message()

    after_wrong = checks[wrong_task]  # checks[1..wrong_task-1] are the earlier tasks' passing checks
    assert after_wrong["task"] == wrong_task and not after_wrong["ok"]
    assert wrong_message in _failed_messages(after_wrong)

    solved = [c for c in checks[1:] if c is not after_wrong]
    assert [(c["task"], c["ok"], _failed_messages(c)) for c in solved] == [(t.number, True, []) for t in lab.tasks]
    summary = records[-1]
    assert summary["type"] == "summary" and summary["passed"] == summary["total"] == len(lab.tasks)
    assert summary["exit"] == 0 and summary["hints_used"] == 0 and summary["solutions_shown"] == 0


def test_configmap_env_a_key_added_to_the_configmap_is_not_seen_by_the_running_pod():
    lab = load_builtin("configmap-env")
    patch = (
        """kubectl -n shop patch configmap app-config -p '{"data":{"SHOP_URL":"http://web.shop.svc.cluster.local"}}'"""
    )
    records = _run("configmap-env", [lab.tasks[0].solution("en"), "next", patch, "check", "quit"], lang="ko")
    check = [r for r in records if r["type"] == "check"][0]
    assert check["task"] == 2 and _failed_messages(check) == [
        "Pod app에 SHOP_URL이 보이지 않습니다. ConfigMap에서 온 변수는 컨테이너가 시작할 때 읽힙니다.",
        "Pod app 안에서 wget -qO- $SHOP_URL로 nginx 환영 페이지를 가져오지 못합니다.",
    ]
    assert [c["detail"] for c in check["checks"] if not c["ok"]] == [
        "exit code 1: printenv SHOP_URL in app: not set",
        "exit code 1: command terminated with exit code 1",
    ]


def test_a_lab_in_korean_gives_korean_messages():
    records = _run("kubelet-not-running", ["check"], lang="ko")
    assert _failed_messages(records[1])[0] == "node01이 Ready 상태가 아닙니다."
    assert records[-1]["title"] == "NotReady 노드: kubelet이 실행되고 있지 않음" and records[-1]["exit"] == 1


def test_a_lab_transcript_is_the_same_bytes_in_another_process_whatever_the_hash_seed(tmp_path):
    import os
    import subprocess
    import sys

    lab = load_builtin("expose-clusterip")
    answers = "\n".join(["check all"] + [f"task {t.number}\n{t.solution()}\ncheck" for t in lab.tasks]) + "\n"

    def transcript(hashseed: str) -> str:
        workdir = tmp_path / hashseed
        workdir.mkdir()
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        out = subprocess.run(
            [sys.executable, "-m", "ktui.cli", "lab", "run", "expose-clusterip", "--workdir", str(workdir)],
            input=answers,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0 and out.stderr == ""
        return out.stdout

    first = transcript("1")
    assert first == transcript("4242")
    assert "Address:" in first and "tasks passed: 2/2" in first
