"""A JSON list, one object per finding, in the order of the text output. The layout is stable:

    {
      "filename": "src/app.py",
      "code": "AIO401",
      "name": "stream-write-without-drain",
      "message": "...",
      "severity": "warning",                        # or "error"
      "location": {"row": 4, "column": 5},          # 1-based
      "end_location": {"row": 4, "column": 26},     # null when unknown
      "fix": null or {
        "applicability": "safe",                    # or "unsafe"
        "message": "Insert `await writer.drain()`",
        "edits": [{"content": "...", "start": 123, "end": 123,
                   "location": {...}, "end_location": {...}}]
      },
      "related": [                                  # other places the finding involves
        {"location": {"row": 9, "column": 9}, "end_location": {...}, "message": "..."}
      ],                                            # usually empty; a "filename" when
                                                    # the place is in another file
      "doc": "asynclint rule AIO401"
    }

Edit `start`/`end` are character offsets into the decoded file; `location`/`end_location` are
the same points as row and column (null if the file could no longer be read). Keys are only
ever added, never renamed or removed."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from asynclint.diagnostics import Diagnostic, Fix

_LINE_END = re.compile(r"\r\n|\r|\n")  # as Python reads source
TextSource = Callable[[str], "str | None"]  # path -> the text the offsets refer to


def render(
    diagnostics: Iterable[Diagnostic],
    names: Mapping[str, str],
    read_text: TextSource | None = None,
) -> str:
    lines: dict[str, list[int] | None] = {}

    def starts(path: str) -> list[int] | None:
        if path not in lines:
            text = read_text(path) if read_text is not None else None
            lines[path] = None if text is None else _line_starts(text)
        return lines[path]

    items = [_diagnostic(d, names, starts) for d in diagnostics]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def _point(row: int | None, column: int | None) -> dict[str, int] | None:
    return None if row is None or column is None else {"row": row, "column": column}


def _diagnostic(
    d: Diagnostic, names: Mapping[str, str], starts: Callable[[str], list[int] | None]
) -> dict[str, Any]:
    return {
        "filename": d.path,
        "code": d.code,
        "name": names.get(d.code, ""),
        "message": d.message,
        "severity": d.severity.value,
        "location": _point(d.line, d.column),
        "end_location": _point(d.end_line, d.end_column),
        "fix": None if d.fix is None else _fix(d.fix, starts(d.path) if d.fix.edits else None),
        "related": [
            {
                "location": _point(r.line, r.column),
                "end_location": _point(r.end_line, r.end_column),
                "message": r.message,
                **({} if r.path is None else {"filename": r.path}),
            }
            for r in d.related
        ],
        "doc": f"asynclint rule {d.code}",
    }


def _fix(fix: Fix, line_starts: list[int] | None) -> dict[str, Any]:
    return {
        "applicability": "safe" if fix.safe else "unsafe",
        "message": fix.description,
        "edits": [
            {
                "content": edit.content,
                "start": edit.start,
                "end": edit.end,
                "location": _locate(line_starts, edit.start),
                "end_location": _locate(line_starts, edit.end),
            }
            for edit in fix.edits
        ],
    }


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in _LINE_END.finditer(text))]


def _locate(line_starts: list[int] | None, offset: int) -> dict[str, int] | None:
    if line_starts is None:
        return None
    line = bisect.bisect_right(line_starts, offset) - 1
    return {"row": line + 1, "column": offset - line_starts[line] + 1}
