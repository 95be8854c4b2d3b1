"""The string form of a label selector parsed as ``labels.Parse`` does (its lexer and parser), with Go's messages."""

from __future__ import annotations

from ktui.api.errors import bad_request
from ktui.api.labels import (
    BINARY_OPERATORS,
    DOES_NOT_EXIST,
    DOUBLE_EQUALS,
    EQUALS,
    EXISTS,
    GREATER_THAN,
    IN,
    LESS_THAN,
    NOT_EQUALS,
    NOT_IN,
    LabelSelector,
    Requirement,
    go_quote,
    label_key_errors,
    new_requirement,
)

__all__ = ["parse_label_selector", "parse_label_selector_param"]

_EVERYTHING = LabelSelector()
"""What an empty or missing ``labelSelector`` selects."""

_ERROR, _EOS, _CLOSE, _COMMA, _NOT, _DEQ, _EQ, _GT, _ID, _IN, _LT, _NEQ, _NOTIN, _OPEN = range(14)
_TOKENS = {
    ")": _CLOSE,
    ",": _COMMA,
    "!": _NOT,
    "==": _DEQ,
    "=": _EQ,
    ">": _GT,
    "in": _IN,
    "<": _LT,
    "!=": _NEQ,
    "notin": _NOTIN,
    "(": _OPEN,
}
_SPECIAL = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")
_TOKEN_OPERATOR = {
    _IN: IN,
    _EQ: EQUALS,
    _DEQ: DOUBLE_EQUALS,
    _GT: GREATER_THAN,
    _LT: LESS_THAN,
    _NOTIN: NOT_IN,
    _NEQ: NOT_EQUALS,
}


def _lex(s: str) -> list[tuple[int, str]]:
    """Tokenize as the Go ``Lexer`` does; a NUL character reads as end of input, as in Go."""
    items: list[tuple[int, str]] = []
    pos, n = 0, len(s)

    def read() -> str:
        nonlocal pos
        if pos < n:
            pos += 1
            return s[pos - 1]
        return "\0"

    while True:
        ch = read()
        while ch in _WHITESPACE:
            ch = read()
        if ch == "\0":
            items.append((_EOS, ""))
            return items
        pos -= 1
        buf = ""
        if ch in _SPECIAL:
            last: tuple[int, str] | None = None
            while True:
                c = read()
                if c == "\0":
                    break
                if c in _SPECIAL:
                    buf += c
                    if buf in _TOKENS:
                        last = (_TOKENS[buf], buf)
                    elif last is not None:
                        pos -= 1
                        break
                else:
                    pos -= 1
                    break
            items.append(last if last is not None else (_ERROR, f"error expected: keyword found '{buf}'"))
        else:
            while True:
                c = read()
                if c == "\0":
                    break
                if c in _SPECIAL or c in _WHITESPACE:
                    pos -= 1
                    break
                buf += c
            items.append((_TOKENS.get(buf, _ID), buf))


class _Parser:
    """The recursive-descent parser of ``labels.Parse``, over pre-lexed tokens."""

    def __init__(self, text: str) -> None:
        self.items = _lex(text)
        self.pos = 0

    def lookahead(self, values: bool) -> tuple[int, str]:
        tok, lit = self.items[self.pos]
        return (_ID, lit) if values and tok in (_IN, _NOTIN) else (tok, lit)

    def consume(self, values: bool) -> tuple[int, str]:
        item = self.lookahead(values)
        self.pos += 1
        return item

    def parse(self) -> list[Requirement]:
        reqs: list[Requirement] = []
        while True:
            tok, lit = self.lookahead(True)
            if tok in (_ID, _NOT):
                try:
                    reqs.append(self.requirement())
                except ValueError as err:
                    raise ValueError(f"unable to parse requirement: {err}") from None
                t, lit = self.consume(True)
                if t == _EOS:
                    return reqs
                if t != _COMMA:
                    raise ValueError(f"found '{lit}', expected: ',' or 'end of string'")
                t2, lit2 = self.lookahead(True)
                if t2 not in (_ID, _NOT):
                    raise ValueError(f"found '{lit2}', expected: identifier after ','")
            elif tok == _EOS:
                return reqs
            else:
                raise ValueError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def requirement(self) -> Requirement:
        operator = ""
        tok, key = self.consume(True)
        if tok == _NOT:
            operator = DOES_NOT_EXIST
            tok, key = self.consume(True)
        if tok != _ID:
            raise ValueError(f"found '{key}', expected: identifier")
        key_errs = label_key_errors(key)
        if key_errs:
            raise ValueError(f"<nil>: Invalid value: {go_quote(key)}: " + "; ".join(key_errs))
        if self.lookahead(True)[0] in (_EOS, _COMMA) and operator != DOES_NOT_EXIST:
            operator = EXISTS
        if operator in (EXISTS, DOES_NOT_EXIST):
            return new_requirement(key, operator, [])
        tok, lit = self.consume(False)
        if tok not in _TOKEN_OPERATOR:
            raise ValueError(f"found '{lit}', expected: {', '.join(BINARY_OPERATORS)}")
        operator = _TOKEN_OPERATOR[tok]
        values = self.set_values() if operator in (IN, NOT_IN) else self.exact_value()
        return new_requirement(key, operator, sorted(values))

    def set_values(self) -> set[str]:
        tok, lit = self.consume(True)
        if tok != _OPEN:
            raise ValueError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead(True)
        if tok == _CLOSE:
            self.consume(True)
            return {""}
        if tok not in (_ID, _COMMA):
            raise ValueError(f"found '{lit}', expected: ',', ')' or identifier")
        values: set[str] = set()
        while True:
            tok, lit = self.consume(True)
            if tok == _ID:
                values.add(lit)
                tok2, lit2 = self.lookahead(True)
                if tok2 == _CLOSE:
                    break
                if tok2 != _COMMA:
                    raise ValueError(f"found '{lit2}', expected: ',' or ')'")
            elif tok == _COMMA:
                if not values:
                    values.add("")
                tok2 = self.lookahead(True)[0]
                if tok2 == _CLOSE:
                    values.add("")
                    break
                if tok2 == _COMMA:
                    values.add("")
            else:
                raise ValueError(f"found '{lit}', expected: ',', or identifier")
        self.consume(True)  # the ')' the loop stopped in front of
        return values

    def exact_value(self) -> set[str]:
        if self.lookahead(True)[0] in (_EOS, _COMMA):
            return {""}
        tok, lit = self.consume(True)
        if tok == _ID:
            return {lit}
        raise ValueError(f"found '{lit}', expected: identifier")


def parse_label_selector(text: str) -> LabelSelector:
    """Parse the string form of a label selector, exactly as ``labels.Parse`` does.

    Raises:
        ValueError: With the message kube-apiserver puts in its 400 for a bad ``labelSelector``.
    """
    return LabelSelector.of(_Parser(text).parse())


def parse_label_selector_param(text: str | None) -> LabelSelector:
    """Parse a ``labelSelector`` query parameter; an empty or missing one selects everything.

    Raises:
        ApiError: 400 BadRequest carrying the parse error, as kube-apiserver answers.
    """
    if not text:
        return _EVERYTHING
    try:
        return parse_label_selector(text)
    except ValueError as err:
        raise bad_request(str(err)) from None
