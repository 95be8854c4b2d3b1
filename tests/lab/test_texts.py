"""Every text the lab shell and the SSH lab server say to a learner exists in English and in Korean, with the
same values to fill in; a Korean session gets them in Korean."""

import string

import pytest

from ktui.lab import LabSession
from ktui.lab.lines import parse_lines
from ktui.lab.shell import HELP, LabShell
from ktui.lab.texts import LANGS, TEXTS, duration, say


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_is_in_every_language_with_the_same_values(key):
    texts = TEXTS[key]
    assert set(texts) == set(LANGS) == {"en", "ko"}
    assert all(texts[lang].strip() for lang in LANGS)
    # Korean has no plural: "{n} {sessions}" is "세션 {n}개"
    assert _fields(texts["en"]) - {"sessions"} <= _fields(texts["ko"]) <= _fields(texts["en"])
    if key != "help":  # the command words stay as typed, the rest is Korean
        assert texts["ko"] != texts["en"]


def test_durations_in_both_languages():
    assert [duration(s) for s in (1, 3, 60, 120, 90)] == [
        "1 second",
        "3 seconds",
        "1 minute",
        "2 minutes",
        "90 seconds",
    ]
    assert [duration(s, "ko") for s in (1, 3, 60, 120, 90)] == ["1초", "3초", "1분", "2분", "90초"]


def test_a_korean_lab_shell_speaks_korean(tmp_path):
    shell = LabShell(LabSession("imperative-pods", lang="ko"), tmp_path, confine=True)
    replies = [
        shell.run(line)
        for line in parse_lines(
            [
                "help\n",
                "advance soon\n",
                "advance 5s\n",
                "cat ../x\n",
                "kubectl apply -f /etc/hostname\n",
                "kubectl get pods | wc -l\n",
                "vi pod.yaml\n",
            ]
        )
    ]
    assert replies[0].out == say("help", "ko") and replies[0].out.startswith("랩 명령:\n") and HELP.startswith("Lab")
    assert replies[1].err == "사용법: advance 시간 (45s, 5m, 1h30m)\n"
    assert replies[2].out == "5s 흘려보냈습니다\n"
    assert replies[3].err == "../x: 랩 작업 디렉터리 밖에 있습니다\n"
    assert replies[4].err == (
        "error: /etc/hostname: 랩 작업 디렉터리 밖에 있습니다. 이 세션에서 kubectl은 그 디렉터리의 "
        "파일만 읽습니다(ls로 목록을 볼 수 있습니다)\n"
    )
    assert replies[5].err == "'|'은(는) 쓸 수 없습니다: 랩 셸은 한 줄에 명령 하나를 실행합니다\n"
    assert replies[6].err == "vi: 명령을 찾을 수 없습니다 (kubectl, 랩 명령 또는 ssh; help를 입력하세요)\n"
