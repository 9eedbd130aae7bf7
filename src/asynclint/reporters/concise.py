"""`--output-format concise`: the text format's line with the message cut to its first clause
(`path:line:col: CODE what`); `asynclint rule CODE` or the full format gives the why."""

from __future__ import annotations

from collections.abc import Iterable

from asynclint.diagnostics import Diagnostic

_CLAUSE_ENDS = (": ", "; ")


def first_clause(message: str) -> str:
    """The message up to its first `: ` or `; ` outside backquoted code, whose own colons
    (`ValueError: ...`, `finally:`) do not end a clause."""
    return split_message(message)[0]


def split_message(message: str) -> tuple[str, str]:
    """(first clause, the rest) of a message; the rest is empty when there is one clause."""
    in_code = False
    for index, char in enumerate(message):
        if char == "`":
            in_code = not in_code
        elif not in_code and message.startswith(_CLAUSE_ENDS, index):
            return message[:index], message[index + 2 :]
    return message, ""


def render(diagnostics: Iterable[Diagnostic]) -> str:
    return "".join(
        f"{d.path}:{d.line}:{d.column}: {d.code} {first_clause(d.message)}\n" for d in diagnostics
    )
