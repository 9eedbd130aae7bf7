"""`--output-format full`, for people at a terminal (ruff's layout): the first clause of the
message on the location line, the source line with a caret under the finding, the rest of the
message, the fix and where to read about the rule.

    send.py:4:5: AIO401 [*] `writer.write()` is never followed by `await writer.drain()`
      |
    4 |     writer.write(b"ping")
      |     ^^^^^^^^^^^^^^^^^^^^^
      |
      = without it the buffer grows without limit when the peer reads slowly
      = fix (safe): Insert `await writer.drain()`
      = rule: stream-write-without-drain (asynclint rule AIO401)
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Mapping

from asynclint.diagnostics import Diagnostic
from asynclint.reporters.concise import split_message

TextSource = Callable[[str], "str | None"]  # path -> the file's text, None if unreadable
WIDTH = 88
_LINE_END = re.compile(r"\r\n|\r|\n")


def render(
    diagnostics: Iterable[Diagnostic],
    names: Mapping[str, str],
    read_text: TextSource,
    *,
    unsafe: bool = False,
) -> str:
    lines_of: dict[str, list[str] | None] = {}
    blocks = []
    for d in diagnostics:
        if d.path not in lines_of:
            text = read_text(d.path)
            lines_of[d.path] = None if text is None else _LINE_END.split(text)
        blocks.append(_block(d, names.get(d.code, ""), lines_of[d.path], unsafe))
    return "\n".join(blocks)


def _block(d: Diagnostic, name: str, lines: list[str] | None, unsafe: bool) -> str:
    first, rest = split_message(d.message)
    fixable = d.fix is not None and (d.fix.safe or unsafe)
    out = [f"{d.path}:{d.line}:{d.column}: {d.code} {'[*] ' if fixable else ''}{first}"]
    source = lines[d.line - 1] if lines is not None and 0 < d.line <= len(lines) else None
    gutter = " " * len(str(d.line))
    if source is not None:
        source = source.expandtabs(1)  # one column per character, as the columns count
        out += [f"{gutter} |", f"{d.line} | {source}", f"{gutter} | {_caret(d, source)}"]
        out.append(f"{gutter} |")
    notes = []
    if rest:
        notes.append(rest)
    for related in d.related:
        notes.append(f"line {related.line}:{related.column}: {related.message}")
    if d.fix is not None:
        notes.append(f"fix ({'safe' if d.fix.safe else 'unsafe'}): {d.fix.description}")
    notes.append(f"rule: {name} (asynclint rule {d.code})" if name else f"asynclint rule {d.code}")
    for note in notes:
        wrapped = textwrap.wrap(
            note,
            WIDTH,
            initial_indent=f"{gutter} = ",
            subsequent_indent=f"{gutter}   ",
            break_on_hyphens=False,
        )
        out += wrapped or [f"{gutter} ="]
    return "\n".join(out) + "\n"


def _caret(d: Diagnostic, source: str) -> str:
    """`^` under the finding's columns on its first line (to the line's end when it goes on)."""
    start = max(d.column - 1, 0)
    if d.end_line == d.line and d.end_column is not None:
        end = d.end_column - 1
    elif d.end_line is not None and d.end_line > d.line:
        end = len(source.rstrip())
    else:
        end = start + 1
    return " " * start + "^" * max(end - start, 1)
