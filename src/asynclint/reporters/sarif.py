"""SARIF 2.1.0, the format GitHub code scanning and other result viewers read.

One run. `tool.driver` describes asynclint and every rule that has a result (its summary, the
"What it does" section of its documentation and the whole documentation as help, its default
level, whether it has a fix and whether it is in preview). Each result has the rule, level and
message, one location, the places a multi-site finding involves as `relatedLocations`, and the
fix as `fixes` when there is one.

Artifact URIs are relative to `base` (the current directory) and resolved against it through
the `%SRCROOT%` base id; a file outside it gets an absolute `file:` URI. Columns count Unicode
code points (`columnKind`), 1-based, and an end column is the one just past the region, as in
the other formats."""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from asynclint import __version__
from asynclint.diagnostics import Diagnostic, Fix, RelatedLocation, Severity

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
TOOL_NAME = "asynclint"

_LINE_END = re.compile(r"\r\n|\r|\n")
TextSource = Callable[[str], "str | None"]  # path -> the text that fix offsets refer to


@dataclass(frozen=True)
class RuleInfo:
    """What the report says about one rule; `doc` is its Markdown documentation, if found."""

    code: str
    name: str
    severity: Severity
    summary: str
    fix_safety: str | None = None  # "safe", "unsafe" or None
    preview: bool = False
    opt_in: bool = False  # stable, but not in the default selection
    doc: str | None = None


def render(
    diagnostics: Sequence[Diagnostic],
    rules: Callable[[str], RuleInfo | None],
    read_text: TextSource | None = None,
    *,
    base: str,
    information_uri: str | None = None,
    internal_errors: Sequence[str] = (),
) -> str:
    """The SARIF log as JSON text. `rules` looks a code up; `read_text` gives the text a fix's
    offsets refer to, for line and column positions (offsets only, when it gives None)."""
    codes = sorted({d.code for d in diagnostics})
    index = {code: position for position, code in enumerate(codes)}
    texts: dict[str, list[int] | None] = {}

    def line_starts(path: str) -> list[int] | None:
        if path not in texts:
            text = read_text(path) if read_text is not None else None
            texts[path] = None if text is None else _line_starts(text)
        return texts[path]

    driver: dict[str, Any] = {"name": TOOL_NAME, "version": __version__}
    if information_uri:
        driver["informationUri"] = information_uri
    driver["rules"] = [_rule(code, rules(code)) for code in codes]
    invocation: dict[str, Any] = {"executionSuccessful": not internal_errors}
    if internal_errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": error}} for error in internal_errors
        ]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(base)}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, index[d.code], base, line_starts) for d in diagnostics],
    }
    log = {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(code: str, info: RuleInfo | None) -> dict[str, Any]:
    if info is None:
        return {"id": code}
    descriptor: dict[str, Any] = {
        "id": code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
    }
    what = _what_it_does(info.doc)
    if what is not None:
        descriptor["fullDescription"] = {"text": what[0], "markdown": what[1]}
    if info.doc:
        descriptor["help"] = {"text": info.doc, "markdown": info.doc}
    descriptor["defaultConfiguration"] = {
        "enabled": not (info.preview or info.opt_in),
        "level": _level(info.severity),
    }
    descriptor["properties"] = {
        "fix": info.fix_safety or "none",
        "preview": info.preview,
        **({"optIn": True} if info.opt_in else {}),
        "tags": [
            "asyncio",
            *(["preview"] if info.preview else []),
            *(["opt-in"] if info.opt_in else []),
        ],
    }
    return descriptor


def _what_it_does(doc: str | None) -> tuple[str, str] | None:
    from asynclint.ruledocs import plain_paragraphs, section

    markdown = section(doc, "What it does") if doc else None
    return None if markdown is None else (plain_paragraphs(markdown), markdown)


def _level(severity: Severity) -> str:
    return "error" if severity is Severity.ERROR else "warning"


def _result(
    d: Diagnostic,
    rule_index: int,
    base: str,
    line_starts: Callable[[str], list[int] | None],
) -> dict[str, Any]:
    artifact = _artifact(d.path, base)
    region = _region(d.line, d.column, d.end_line, d.end_column)
    result: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": _level(d.severity),
        "message": {"text": d.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": region}}],
    }
    if d.related:
        result["relatedLocations"] = [
            _related(
                number, artifact if related.path is None else _artifact(related.path, base), related
            )
            for number, related in enumerate(d.related, 1)
        ]
    if d.fix is not None:
        result["fixes"] = [_fix(d.fix, artifact, line_starts(d.path) if d.fix.edits else None)]
    return result


def _related(number: int, artifact: dict[str, str], related: RelatedLocation) -> dict[str, Any]:
    region = _region(related.line, related.column, related.end_line, related.end_column)
    return {
        "id": number,
        "physicalLocation": {"artifactLocation": artifact, "region": region},
        "message": {"text": related.message},
    }


def _region(line: int, column: int, end_line: int | None, end_column: int | None) -> dict[str, int]:
    region = {"startLine": max(line, 1), "startColumn": max(column, 1)}
    if end_line is not None and end_column is not None:
        region.update(endLine=max(end_line, 1), endColumn=max(end_column, 1))
    return region


def _fix(fix: Fix, artifact: dict[str, str], starts: list[int] | None) -> dict[str, Any]:
    replacements = [
        {
            "deletedRegion": _offset_region(starts, edit.start, edit.end),
            "insertedContent": {"text": edit.content},
        }
        for edit in fix.edits
    ]
    return {
        "description": {"text": fix.description},
        "artifactChanges": [{"artifactLocation": artifact, "replacements": replacements}],
        "properties": {"applicability": "safe" if fix.safe else "unsafe"},
    }


def _offset_region(starts: list[int] | None, start: int, end: int) -> dict[str, int]:
    """Line and column when the text is known (unambiguous whatever a viewer counts a
    byte-order mark as); the character offset and length otherwise."""
    if starts is None:
        return {"charOffset": start, "charLength": end - start}
    line, column = _locate(starts, start)
    end_line, end_column = _locate(starts, end)
    return {
        "startLine": line,
        "startColumn": column,
        "endLine": end_line,
        "endColumn": end_column,
    }


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in _LINE_END.finditer(text))]


def _locate(starts: list[int], offset: int) -> tuple[int, int]:
    line = bisect.bisect_right(starts, offset) - 1
    return line + 1, offset - starts[line] + 1


def artifact_uri(path: str, base: str) -> tuple[str, bool]:
    """(URI, relative?) for a reported path: relative to `base` when the file is inside it,
    else an absolute `file:` URI. `-` (standard input without a name) stays `-`."""
    if path == "-":
        return "-", True
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive
        relative = None
    if relative is None or relative == ".." or relative.startswith(".." + os.sep):
        return Path(absolute).as_uri(), False
    # Quoting the bytes keeps a name that is not UTF-8 (os.fsencode undoes surrogateescape).
    return quote(os.fsencode(PurePath(relative).as_posix())), True


def _artifact(path: str, base: str) -> dict[str, str]:
    uri, relative = artifact_uri(path, base)
    return {"uri": uri, "uriBaseId": SRCROOT} if relative else {"uri": uri}


def _directory_uri(base: str) -> str:
    uri = Path(os.path.abspath(base)).as_uri()
    return uri if uri.endswith("/") else uri + "/"
