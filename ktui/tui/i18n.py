"""The UI's own words in Korean (``--lang ko``): footer, key help, step counter, prompts and dialogs.

Scenario texts come translated in their files; this covers what the UI itself says. :func:`tr` returns the
English text unchanged for ``en`` and for any string without a translation.
"""

from __future__ import annotations

__all__ = ["KO", "tr"]

KO: dict[str, str] = {
    # footer
    "play": "재생",
    "next": "다음 이벤트",
    "+1s": "+1초",
    "+10s": "+10초",
    "step": "다음 단계",
    "help": "도움말",
    "quit": "종료",
    "yaml": "YAML",
    "logs": "로그",
    "why": "이유",
    "kubectl": "kubectl",
    "faults": "장애",
    "Back": "뒤로",
    "Close": "닫기",
    "Cancel": "취소",
    "Yes": "예",
    "No": "아니요",
    "trace a request": "요청 추적",
    # groups
    "Time": "시간",
    "Moving": "이동",
    "Looking": "보기",
    "Doing": "실행",
    "Other": "기타",
    # key help
    "play / pause the simulated clock": "시뮬레이션 시계 재생 / 일시 정지",
    "run to the next event (the clock jumps to it)": "다음 이벤트까지 실행 (시계가 그 시각으로 이동)",
    "advance 1 second": "1초 진행",
    "advance 10 seconds": "10초 진행",
    "faster (up to 64x)": "빠르게 (최대 64배)",
    "slower (down to 0.25x)": "느리게 (최소 0.25배)",
    "scenario: run the next step": "시나리오: 다음 단계 실행",
    "scenario: back one step (rewind to before it)": "시나리오: 한 단계 뒤로 (그 단계 이전으로 되감기)",
    "next panel": "다음 패널",
    "sort by name (again: reverse)": "이름순 정렬 (다시 누르면 역순)",
    "sort by age (again: reverse)": "생성 시간순 정렬 (다시 누르면 역순)",
    "sort by status (again: reverse)": "상태순 정렬 (다시 누르면 역순)",
    "previous panel": "이전 패널",
    "move in a panel (pgup/pgdn, g/G for top/bottom)": "패널 안에서 이동 (pgup/pgdn, 맨 위/맨 아래는 g/G)",
    "describe the selection (on a namespace: show only that namespace)": "선택한 객체 describe (네임스페이스에서는 그 네임스페이스만 보기)",
    "show all namespaces again": "모든 네임스페이스 다시 보기",
    "describe the selection (as enter)": "선택한 객체 describe (enter와 같음)",
    "YAML of the selection": "선택한 객체의 YAML",
    "logs of the selected pod (follows while playing)": "선택한 Pod의 로그 (재생 중에는 계속 따라감)",
    "logs of the selected pod's previous container (after a restart)": "선택한 Pod의 이전 컨테이너 로그 (재시작 후)",
    "events of the selection": "선택한 객체의 이벤트",
    "why: the scheduler's verdict per node, or why it is still pending": "이유: 노드별 스케줄러 판정, 또는 아직 Pending인 이유",
    "routing: a service's or node's rules, and a trace from a pod": "라우팅: 서비스나 노드의 규칙, Pod에서의 요청 추적",
    "maximise the focused panel, or back (esc too)": "선택한 패널 최대화, 또는 되돌리기 (esc도 가능)",
    "back / close the output, filter or command line": "뒤로 / 출력, 필터, 명령줄 닫기",
    "filter the panel (substring, or -l key=value)": "패널 필터 (부분 문자열, 또는 -l key=value)",
    "kubectl command line (:pods :nodes :svc :ns jump; :deploy :cm ... any kind)": "kubectl 명령줄 (:pods :nodes :svc :ns 는 패널로 이동; :deploy :cm :ev ... 모든 종류)",
    "edit the selection's YAML (ctrl+s: apply as kubectl edit does, esc: cancel)": "선택한 객체의 YAML 편집: ctrl+s 는 kubectl edit 처럼 적용, esc 는 취소",
    "(ctrl+s: apply, esc: cancel)": "(ctrl+s: 적용, esc: 취소)",
    "save (apply)": "저장 (적용)",
    "cancel": "취소",
    "faults on the selected node or pod (confirm first)": "선택한 노드나 Pod에 장애 주입 (먼저 확인)",
    "undo the last fault": "마지막 장애 되돌리기",
    "shell in the selected pod's container (its simulated programs)": "선택한 Pod의 컨테이너에서 셸 (시뮬레이션된 프로그램)",
    "delete the selection (asks first)": "선택한 객체 삭제 (먼저 확인)",
    "kill: force-delete the selection at once (asks first)": "kill: 선택한 객체 즉시 강제 삭제 (먼저 확인)",
    "choose a theme (remembered)": "테마 선택 (기억됨)",
    "this help": "이 도움말",
    "quit (asks first in the middle of a scenario; :q quits too)": "종료 (시나리오 도중에는 먼저 확인, :q 로도 종료)",
    # prompts and panes
    "filter: text, or -l key=value   (enter: apply, esc: clear)": "필터: 텍스트 또는 -l key=value   (enter: 적용, esc: 지우기)",
    "kubectl command, or pods / nodes / svc / ns": "kubectl 명령, 또는 pods / nodes / svc / ns",
    "y / enter: yes    n / esc: no": "y / enter: 예    n / esc: 아니요",
    "ktui keys": "ktui 키",
    "next: ": "다음: ",
    "  (press ])": "  (] 누르기)",
    " step ": " 단계 ",
    "(esc: close)": "(esc: 닫기)",
    "n: what each event did": "n: 각 이벤트가 한 일",
    "Theme": "테마",
}
"""English UI text -> Korean."""


def tr(text: str, lang: str) -> str:
    """``text`` in ``lang`` (the English text when there is no translation)."""
    return KO.get(text, text) if lang == "ko" else text
