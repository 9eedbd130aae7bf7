"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

`::error file=src/a.py,line=4,col=5,endLine=4,endColumn=26,title=AIO401::AIO401 message`, with
`warning` for warnings. As the Actions toolkit does, the message escapes `%`, CR and LF, and
property values escape `:` and `,` as well. Paths are as reported (relative to the current
directory), with `/` separators: run from the repository root so that they match the
checkout."""

from __future__ import annotations

import os
from collections.abc import Iterable

from asynclint.diagnostics import Diagnostic, Severity


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(diagnostics: Iterable[Diagnostic]) -> str:
    lines: list[str] = []
    for d in diagnostics:
        level = "error" if d.severity is Severity.ERROR else "warning"
        path = d.path.replace(os.sep, "/")
        props = [f"file={_escape_property(path)}", f"line={d.line}", f"col={d.column}"]
        if d.end_line is not None and d.end_column is not None:
            props += [f"endLine={d.end_line}", f"endColumn={d.end_column}"]
        props.append(f"title={_escape_property(d.code)}")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(f'{d.code} {d.message}')}")
    return "".join(line + "\n" for line in lines)
