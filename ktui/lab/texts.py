"""What the lab shell, its summaries and the SSH lab server say to a learner, in each language a lab may be done
in (English is the fallback). Every text has each of :data:`LANGS`.

What imitates a real program (kubectl's, bash's, ssh's messages) is not here: those programs speak English.
The instructor's log of ``ktui lab serve`` is English too.
"""

from __future__ import annotations

__all__ = ["LANGS", "TEXTS", "duration", "say"]

LANGS = ("en", "ko")

_TEXTS: dict[str, dict[str, str]] = {
    "task": {"en": "Task {n}: {title}", "ko": "과제 {n}: {title}"},
    "task_of": {"en": "Task {n}/{total}: {title}", "ko": "과제 {n}/{total}: {title}"},
    "passed": {"en": "passed", "ko": "통과"},
    "failed": {"en": "{failed} of {total} checks failed", "ko": "검사 {total}개 중 {failed}개 실패"},
    "next": {"en": "next: type `next` for the next task", "ko": "다음: `next`를 입력하면 다음 과제로 갑니다"},
    "hint": {"en": "Hint {n}/{total}: {text}", "ko": "힌트 {n}/{total}: {text}"},
    "no_hints": {"en": "No more hints for task {n}.", "ko": "과제 {n}의 힌트를 모두 보았습니다."},
    "solution": {"en": "Solution of task {n}:", "ko": "과제 {n}의 풀이:"},
    "check_first": {
        "en": "check task {n} first: its solution is shown after a first check",
        "ko": "먼저 과제 {n}을(를) 검사하세요: 풀이는 한 번 검사한 뒤에 볼 수 있습니다",
    },
    "no_solution": {"en": "task {n} has no solution", "ko": "과제 {n}에는 풀이가 없습니다"},
    "last": {"en": "Task {n} is the last.", "ko": "과제 {n}이(가) 마지막입니다."},
    "first": {"en": "Task {n} is the first.", "ko": "과제 {n}이(가) 처음입니다."},
    "time_up": {"en": "Time is up ({limit}).", "ko": "시간이 다 되었습니다({limit})."},
    "help_hint": {"en": "(type help for the lab commands)", "ko": "(랩 명령은 help를 입력하세요)"},
    "hints_n": {"en": "{n} hints", "ko": "힌트 {n}개"},
    "hint_1": {"en": "1 hint", "ko": "힌트 1개"},
    "solution_shown": {"en": "solution shown", "ko": "풀이 봄"},
    "totals": {
        "en": "tasks passed: {passed}/{total}, hints used: {hints}, solutions shown: {solutions}, time: {time}",
        "ko": "통과한 과제: {passed}/{total}, 사용한 힌트: {hints}, 본 풀이: {solutions}, 걸린 시간: {time}",
    },
    "of_limit": {"en": " of {limit}", "ko": " (제한 {limit})"},
    "is_up": {"en": " (time is up)", "ko": " (시간 종료)"},
    # ---------------------------------------------------------------- the lab shell's own messages
    "help": {
        "en": """\
Lab commands:
  check [N|all]     check the current task (or task N, or every task)
  hint              show the current task's next hint
  solution          show the current task's solution (after a first check)
  next | prev       move to the next or the previous task
  task [N]          show the current task again (or go to task N)
  tasks             every task, with ✓ for those passed
  summary           tasks passed, hints used, solutions shown, time taken
  advance DURATION  let simulated time pass (45s, 5m)
  quit              end the lab: tasks not passed yet are checked once more, and the summary shown
At the cluster:
  kubectl ... (or k ...)        with > FILE, and here-documents: kubectl apply -f - <<EOF
  cat FILE, cat > FILE <<EOF, ls   files in the lab's working directory
  ssh NODE, then systemctl start|stop|restart|enable --now kubelet, and exit
""",
        "ko": """\
랩 명령:
  check [N|all]     지금 과제를 검사합니다 (또는 과제 N, 또는 모든 과제)
  hint              지금 과제의 다음 힌트를 봅니다
  solution          지금 과제의 풀이를 봅니다 (한 번 검사한 뒤)
  next | prev       다음 과제나 이전 과제로 갑니다
  task [N]          지금 과제를 다시 봅니다 (또는 과제 N으로 갑니다)
  tasks             모든 과제 (통과한 과제에는 ✓)
  summary           통과한 과제, 사용한 힌트, 본 풀이, 걸린 시간
  advance DURATION  시뮬레이션 시간을 흘려보냅니다 (45s, 5m)
  quit              랩을 끝냅니다: 아직 통과하지 못한 과제를 한 번 더 검사하고 요약을 보여 줍니다
클러스터에서:
  kubectl ... (또는 k ...)      > FILE, 그리고 here-document: kubectl apply -f - <<EOF
  cat FILE, cat > FILE <<EOF, ls   랩 작업 디렉터리의 파일
  ssh NODE 다음에 systemctl start|stop|restart|enable --now kubelet, 그리고 exit
""",
    },
    "node_first": {"en": "exit this node's shell first", "ko": "먼저 이 노드의 셸에서 exit 하세요"},
    "advanced": {"en": "advanced {duration}", "ko": "{duration} 흘려보냈습니다"},
    "advance_usage": {"en": "usage: advance DURATION (45s, 5m, 1h30m)", "ko": "사용법: advance 시간 (45s, 5m, 1h30m)"},
    "unknown_command": {
        "en": "{word}: unknown lab command (type help)",
        "ko": "{word}: 모르는 랩 명령입니다 (help를 입력하세요)",
    },
    "outside": {"en": "{name}: outside the lab's working directory", "ko": "{name}: 랩 작업 디렉터리 밖에 있습니다"},
    "kubectl_outside": {
        "en": "error: {name}: outside the lab's working directory; in this session kubectl reads files only from "
        "there (ls lists them)",
        "ko": "error: {name}: 랩 작업 디렉터리 밖에 있습니다. 이 세션에서 kubectl은 그 디렉터리의 파일만 읽습니다"
        "(ls로 목록을 볼 수 있습니다)",
    },
    # ---------------------------------------------------------------- lines the lab shell cannot run
    "line_parse": {"en": "cannot parse {line!r}: {error}", "ko": "{line!r}을(를) 해석할 수 없습니다: {error}"},
    "line_heredoc_word": {
        "en": "syntax error: a here-document needs a delimiter word (<<EOF)",
        "ko": "문법 오류: here-document에는 끝을 나타내는 단어가 필요합니다(<<EOF)",
    },
    "line_heredoc_open": {
        "en": "the here-document was not closed with {delimiter}",
        "ko": "here-document가 {delimiter}(으)로 닫히지 않았습니다",
    },
    "line_redirect_name": {"en": "syntax error: > needs a file name", "ko": "문법 오류: > 뒤에 파일 이름이 필요합니다"},
    "line_redirect_end": {"en": "> FILE must come at the end of the line", "ko": "> FILE은 줄 끝에 와야 합니다"},
    "line_redirect_what": {
        "en": "> FILE works with kubectl and with cat <<EOF",
        "ko": "> FILE은 kubectl과 cat <<EOF에서만 쓸 수 있습니다",
    },
    "line_pipe": {
        "en": "only `cat <<EOF | kubectl ...` pipes are supported",
        "ko": "파이프는 `cat <<EOF | kubectl ...`만 쓸 수 있습니다",
    },
    "line_operator": {
        "en": "{op!r} is not supported: the lab shell runs one command per line",
        "ko": "{op!r}은(는) 쓸 수 없습니다: 랩 셸은 한 줄에 명령 하나를 실행합니다",
    },
    "line_cat_write": {
        "en": "cat > FILE needs a here-document: cat > FILE <<EOF",
        "ko": "cat > FILE에는 here-document가 필요합니다: cat > FILE <<EOF",
    },
    "line_cat_usage": {"en": "usage: cat FILE", "ko": "사용법: cat FILE"},
    "line_ssh_usage": {"en": "usage: ssh NODE", "ko": "사용법: ssh NODE"},
    "line_systemctl_usage": {"en": "usage: systemctl {verbs} kubelet", "ko": "사용법: systemctl {verbs} kubelet"},
    "line_enable": {
        "en": "systemctl enable kubelet only starts it at the next boot; use enable --now",
        "ko": "systemctl enable kubelet은 다음 부팅 때에야 시작합니다; enable --now를 쓰세요",
    },
    "line_not_found": {
        "en": "{head}: command not found (kubectl, a lab command or ssh; type help)",
        "ko": "{head}: 명령을 찾을 수 없습니다 (kubectl, 랩 명령 또는 ssh; help를 입력하세요)",
    },
    # ---------------------------------------------------------------- ktui lab serve, to the learner
    "welcome_back": {
        "en": "Welcome back: your lab is as you left it ({progress}).",
        "ko": "다시 오신 것을 환영합니다: 랩은 떠날 때 그대로입니다({progress}).",
    },
    "menu_title": {"en": "Labs:", "ko": "랩:"},
    "menu_ask": {
        "en": "Which lab (number or name, ctrl-d to leave)? ",
        "ko": "어느 랩을 할까요 (번호나 이름, 나가려면 ctrl-d)? ",
    },
    "menu_wrong": {
        "en": "no lab {answer!r}: type a number from 1 to {n}",
        "ko": "{answer!r}라는 랩은 없습니다: 1부터 {n}까지의 번호를 입력하세요",
    },
    "no_lab": {
        "en": "ktui lab serve: no lab {lab!r} here. Labs: {names} (or {menu}@ for a menu).",
        "ko": "ktui lab serve: 여기에는 {lab!r}라는 랩이 없습니다. 랩: {names} (메뉴는 {menu}@).",
    },
    "bad_name": {
        "en": "ktui lab serve: {named!r} is not a learner name: use lower-case letters, digits, '.', '_' "
        "and '-' (ssh -p PORT alice+{lab}@HOST).",
        "ko": "ktui lab serve: {named!r}은(는) 학습자 이름으로 쓸 수 없습니다: 영문 소문자, 숫자, '.', '_', "
        "'-'를 쓰세요 (ssh -p PORT alice+{lab}@HOST).",
    },
    "full": {
        "en": "ktui lab serve: the server is full ({n} {sessions}, its --max-sessions); try again in a few minutes.",
        "ko": "ktui lab serve: 서버가 꽉 찼습니다(세션 {n}개, --max-sessions); 몇 분 뒤에 다시 접속하세요.",
    },
    "per_learner": {
        "en": "ktui lab serve: {learner} has {n} {sessions} open already (at most {max} per learner); close it first.",
        "ko": "ktui lab serve: {learner}에게 이미 열린 세션이 {n}개 있습니다(학습자마다 최대 {max}개); 먼저 닫으세요.",
    },
    "rate": {
        "en": "too many connections from {address} in the last minute; try again in a minute",
        "ko": "{address}에서 지난 1분 동안 접속이 너무 많았습니다; 1분 뒤에 다시 접속하세요",
    },
    "cannot_start": {
        "en": "ktui lab serve: cannot start the session: {error}",
        "ko": "ktui lab serve: 세션을 시작할 수 없습니다: {error}",
    },
    "taken_over": {
        "en": "This lab was opened from another connection: this one ends here.",
        "ko": "이 랩이 다른 연결에서 열렸습니다: 이 연결은 여기서 끝납니다.",
    },
    "stopping": {"en": "The server is stopping; your lab is saved.", "ko": "서버가 멈춥니다; 랩은 저장되었습니다."},
    "time_limit_end": {
        "en": "This session has reached its time limit ({limit}); your lab is saved: connect again to go on.",
        "ko": "이 세션의 시간 제한({limit})이 다 되었습니다; 랩은 저장되었습니다: 다시 접속해서 이어 하세요.",
    },
    "idle_end": {
        "en": "No input for {idle}: this session ends. Your lab is saved: connect again to go on.",
        "ko": "{idle} 동안 입력이 없어 이 세션을 끝냅니다. 랩은 저장되었습니다: 다시 접속해서 이어 하세요.",
    },
    "time_limit_warn": {
        "en": "This session ends in {left} (its time limit); your lab is saved.",
        "ko": "이 세션은 {left} 뒤에 끝납니다(시간 제한); 랩은 저장되어 있습니다.",
    },
    "idle_warn": {
        "en": "No input for {idle}: this session ends in {left} unless you type something.",
        "ko": "{idle} 동안 입력이 없었습니다: 무엇이든 입력하지 않으면 이 세션은 {left} 뒤에 끝납니다.",
    },
    "session_1": {"en": "session", "ko": "세션"},
    "session_n": {"en": "sessions", "ko": "세션"},
    "second_1": {"en": "1 second", "ko": "1초"},
    "second_n": {"en": "{n} seconds", "ko": "{n}초"},
    "minute_1": {"en": "1 minute", "ko": "1분"},
    "minute_n": {"en": "{n} minutes", "ko": "{n}분"},
}
TEXTS = _TEXTS
"""Every text by key, then by language."""


def say(key: str, lang: str = "en", **values: object) -> str:
    """The text ``key`` in ``lang`` (English when it has none), with ``values`` filled in."""
    texts = _TEXTS[key]
    return texts.get(lang, texts["en"]).format(**values)


def duration(seconds: float, lang: str = "en") -> str:
    """``2 minutes``, ``1 second`` (``2분``, ``1초``): whole minutes when it is some, else seconds."""
    n = int(round(seconds))
    if n >= 60 and n % 60 == 0:
        n //= 60
        return say("minute_1" if n == 1 else "minute_n", lang, n=n)
    return say("second_1" if n == 1 else "second_n", lang, n=n)
