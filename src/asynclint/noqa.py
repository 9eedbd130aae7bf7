"""`# noqa`, `# noqa: AIO201,AIO401` on a line, and file-level `# asynclint: noqa[: codes]`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from asynclint.comment_lines import comment_lines

# A code is letters then digits (`AIO401`, or a prefix such as `AIO4`), as in flake8: anything
# else after the colon is prose: in "noqa: AIO201 see #12" only AIO201 is a code.
_CODES = r"(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?"
LINE_NOQA = re.compile(r"#\s*noqa" + _CODES, re.IGNORECASE)
# File-level suppression must be a comment line of its own (flake8's and ruff's rule), so a
# string that merely mentions it does not switch the whole file off.
_FILE_NOQA = re.compile(r"^\s*#\s*asynclint:\s*noqa" + _CODES, re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]+")
_LINES = re.compile(r"\r\n|\r|\n")  # Python's line ends; str.splitlines also splits on \f

ALL = frozenset({"*"})  # suppresses every code


def _codes(text: str | None) -> frozenset[str]:
    if not text:
        return ALL
    return frozenset(code.upper() for code in _SPLIT.split(text.strip()) if code)


def _matches(code: str, codes: frozenset[str]) -> bool:
    # flake8 matches noqa codes by prefix: "noqa: AIO4" silences AIO401.
    return codes is ALL or any(code.startswith(c) for c in codes)


@dataclass(frozen=True)
class Suppressions:
    by_line: dict[int, frozenset[str]]
    file_codes: frozenset[str] | None
    # A line inside a multi-line string or continued with a backslash -> the line that takes
    # its comment (see comment_lines); a noqa there covers it too.
    carried: dict[int, int] = field(default_factory=dict)

    def suppresses(self, code: str, line: int) -> bool:
        if self.file_codes is not None and _matches(code, self.file_codes):
            return True
        for where in (line, self.carried.get(line)):
            codes = self.by_line.get(where) if where is not None else None
            if codes is not None and _matches(code, codes):
                return True
        return False


def parse_suppressions(text: str) -> Suppressions:
    by_line: dict[int, frozenset[str]] = {}
    file_codes: frozenset[str] | None = None
    if "noqa" not in text.lower():
        return Suppressions(by_line, None)
    for number, line in enumerate(_LINES.split(text), start=1):
        if "#" not in line:
            continue
        file_match = _FILE_NOQA.search(line)
        if file_match:
            codes = _codes(file_match.group("codes"))
            if file_codes is None or codes is ALL:
                file_codes = codes
            elif file_codes is not ALL:
                file_codes = file_codes | codes
            continue
        match = LINE_NOQA.search(line)
        if match:
            by_line[number] = _codes(match.group("codes"))
    carried = comment_lines(text) if by_line else {}
    return Suppressions(by_line, file_codes, carried)


def with_noqa_codes(comment: str, codes: Sequence[str]) -> str | None:
    """A line's comment rewritten so that it also silences `codes`: the missing ones are added
    to an existing `# noqa: ...` list, or `  # noqa: CODES` follows the comment. `comment` is
    the text from the `#` to the end of the line (empty when the line has none). None when the
    comment already silences them all (a bare `# noqa` silences everything). Used by
    `--add-noqa` and the language server's "Disable for this line" action."""
    match = LINE_NOQA.search(comment)
    if match is None:
        joined = ", ".join(codes)
        return f"{comment.rstrip()}  # noqa: {joined}" if comment else f"# noqa: {joined}"
    if match.group("codes") is None:  # a bare `# noqa` silences every code
        return None
    present = _codes(match.group("codes"))
    missing = [code for code in codes if not _matches(code, present)]
    if not missing:
        return None
    end = match.end("codes")
    return f"{comment[:end]}, {', '.join(missing)}{comment[end:]}"


_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def noqa_code_spans(line: str) -> list[tuple[int, int, str]]:
    """Where each code of the line's `# noqa: ...` list is: (start, end, CODE), 0-based
    character columns; empty without such a list."""
    match = LINE_NOQA.search(line)
    if match is None or match.group("codes") is None:
        return []
    offset = match.start("codes")
    return [
        (offset + code.start(), offset + code.end(), code.group().upper())
        for code in _CODE.finditer(match.group("codes"))
    ]
