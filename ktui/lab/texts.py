"""What the lab shell and its summaries say, in each language a lab may be done in (English is the fallback)."""

from __future__ import annotations

__all__ = ["say"]

_TEXTS: dict[str, dict[str, str]] = {
    "task": {"en": "Task {n}: {title}", "ko": "과제 {n}: {title}"},
    "task_of": {"en": "Task {n}/{total}: {title}", "ko": "과제 {n}/{total}: {title}"},
    "passed": {"en": "passed", "ko": "통과"},
    "failed": {"en": "{failed} of {total} checks failed", "ko": "검사 {total}개 중 {failed}개 실패"},
    "next": {"en": "next: type `next` for the next task", "ko": "다음: `next`를 입력하면 다음 과제로 갑니다"},
    "hint": {"en": "Hint {n}/{total}: {text}", "ko": "힌트 {n}/{total}: {text}"},
    "no_hints": {"en": "No more hints for task {n}.", "ko": "과제 {n}의 힌트를 모두 보았습니다."},
    "solution": {"en": "Solution of task {n}:", "ko": "과제 {n}의 풀이:"},
    "check_first": {"en": "check task {n} first: its solution is shown after a first check",
                    "ko": "먼저 과제 {n}을(를) 검사하세요: 풀이는 한 번 검사한 뒤에 볼 수 있습니다"},
    "no_solution": {"en": "task {n} has no solution", "ko": "과제 {n}에는 풀이가 없습니다"},
    "last": {"en": "Task {n} is the last.", "ko": "과제 {n}이(가) 마지막입니다."},
    "first": {"en": "Task {n} is the first.", "ko": "과제 {n}이(가) 처음입니다."},
    "time_up": {"en": "Time is up ({limit}).", "ko": "시간이 다 되었습니다({limit})."},
    "help_hint": {"en": "(type help for the lab commands)", "ko": "(랩 명령은 help를 입력하세요)"},
    "hints_n": {"en": "{n} hints", "ko": "힌트 {n}개"},
    "hint_1": {"en": "1 hint", "ko": "힌트 1개"},
    "solution_shown": {"en": "solution shown", "ko": "풀이 봄"},
    "totals": {"en": "tasks passed: {passed}/{total}, hints used: {hints}, solutions shown: {solutions}, time: {time}",
               "ko": "통과한 과제: {passed}/{total}, 사용한 힌트: {hints}, 본 풀이: {solutions}, 걸린 시간: {time}"},
    "of_limit": {"en": " of {limit}", "ko": " (제한 {limit})"},
    "is_up": {"en": " (time is up)", "ko": " (시간 종료)"},
}


def say(key: str, lang: str = "en", **values: object) -> str:
    """The text ``key`` in ``lang`` (English when it has none), with ``values`` filled in."""
    texts = _TEXTS[key]
    return texts.get(lang, texts["en"]).format(**values)
