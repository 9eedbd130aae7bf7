"""`check --add-noqa`: put `# noqa: CODES` on the line of every current finding, so that a
team can adopt asynclint on an existing codebase and fail only on new code.

Only the lines with findings change. A line that already has a `# noqa: X` comment gets the
missing codes added to its list; one with another comment gets the noqa after it. A finding
inside a multi-line string (or on a line continued with a backslash) gets its comment on the
line that ends the string or statement, where the suppression reads it (see comment_lines).
Running it twice changes nothing the second time: the first run's comments silence the
findings."""

from __future__ import annotations

import io
import re
import tokenize
from collections import defaultdict
from collections.abc import Iterable

from asynclint.comment_lines import comment_lines
from asynclint.noqa import with_noqa_codes
from asynclint.results import FileResult

_LINE_END = re.compile(r"\r\n|\r|\n")


def add_noqa(text: str, findings: Iterable[tuple[int, str]]) -> tuple[str, int]:
    """`text` with noqa comments for the (line, code) findings; and how many lines changed."""
    carried = comment_lines(text)
    wanted: dict[int, set[str]] = defaultdict(set)
    for line, code in findings:
        wanted[carried.get(line, line)].add(code)
    if not wanted:
        return text, 0
    comments = _comment_columns(text)
    lines = _LINE_END.split(text)
    ends = [*_LINE_END.findall(text), ""]
    changed = 0
    for number, codes in wanted.items():
        if not 0 < number <= len(lines):
            continue
        updated = _with_codes(lines[number - 1], comments.get(number), sorted(codes))
        if updated != lines[number - 1]:
            lines[number - 1] = updated
            changed += 1
    return "".join(line + end for line, end in zip(lines, ends, strict=True)), changed


def _comment_columns(text: str) -> dict[int, int]:
    """{line: column where its comment starts}, from the tokenizer, so that a `#` inside a
    string is never taken for a comment."""
    found: dict[int, int] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if token.type == tokenize.COMMENT:
                found[token.start[0]] = token.start[1]
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def _with_codes(line: str, comment_at: int | None, codes: list[str]) -> str:
    if comment_at is None:
        updated = with_noqa_codes("", codes)
        return line if updated is None else f"{line.rstrip()}  {updated}"
    updated = with_noqa_codes(line[comment_at:], codes)
    return line if updated is None else line[:comment_at] + updated


def add_noqa_to_files(results: Iterable[FileResult]) -> tuple[int, list[str]]:
    """Add the comments to each file with findings, written atomically as --fix writes;
    return how many lines changed and a message for each file that could not be written.
    Tool diagnostics (a syntax error, an unreadable file) have no line a noqa could silence."""
    from asynclint.fixes.write import changed_since_checked, write_atomic
    from asynclint.registry import TOOL_CODES
    from asynclint.source import UndecodableSource, decode

    added, errors = 0, []
    for result in results:
        findings = [(d.line, d.code) for d in result.diagnostics if d.code not in TOOL_CODES]
        if not findings:
            continue
        try:
            with open(result.path, "rb") as handle:
                data = handle.read()
            if changed_since_checked(result, data):
                # The findings' lines are those of the text that was checked.
                errors.append(f"{result.path}: changed while it was being checked; no noqa added")
                continue
            source = decode(data)
            text, changed = add_noqa(source.text, findings)
            if changed:
                write_atomic(result.path, text, source.encoding)
        except UndecodableSource:
            errors.append(f"{result.path}: cannot decode the file any more; no noqa added")
            continue
        except UnicodeEncodeError as error:
            errors.append(f"{result.path}: cannot be encoded as {error.encoding}; no noqa added")
            continue
        except OSError as error:
            errors.append(f"{result.path}: cannot add noqa: {error.strerror or error}")
            continue
        added += changed
    return added, errors
