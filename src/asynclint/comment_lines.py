"""Which physical line a `# noqa` comment for a given line goes on.

A line inside a multi-line string, or one ended by a backslash, cannot take a comment: text
added there would change the string or break the statement. Its comment goes on the first line
after it that can take one (the line that closes the string, the end of the continued line),
as ruff places and reads such comments."""

from __future__ import annotations

import io
import tokenize


def comment_lines(text: str) -> dict[int, int]:
    """{line: the line its comment goes on}, for the lines that cannot take one themselves.
    Empty when the text does not tokenize (a file with a syntax error)."""
    can_take_comment: set[int] = set()
    ends = (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.ENDMARKER)
    try:
        # newline=None reads \r and \r\n as line ends, as the rest of asynclint counts lines.
        for token in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if token.type in ends:
                can_take_comment.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        return {}
    carried: dict[int, int] = {}
    pending: list[int] = []
    for line in range(1, max(can_take_comment, default=0) + 1):
        if line in can_take_comment:
            carried.update((waiting, line) for waiting in pending)
            pending = []
        else:
            pending.append(line)
    return carried
