"""Helpers shared by the rule tests: `# error: CODE` markers in fixtures and doc examples, and a
reader for the rule docs in the project's `rules/` folder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from asynclint.engine import check_source
from asynclint.results import FileResult
from asynclint.settings import DEFAULT_TARGET, Settings, parse_target_version

ROOT = Path(__file__).resolve().parent.parent
DOCS_DIR = ROOT / "rules"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"

SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix", "References")

# A marked code may pin the 1-based column it is reported at: `# error: AIO401:5`.
_CODE = r"AIO[0-9]{3}(?::[0-9]+)?"
_MARKER = re.compile(rf"#\s*error:\s*(?P<codes>{_CODE}(?:\s*,\s*{_CODE})*)[ \t]*$")
_MARKER_WITH_SPACE = re.compile(rf"[ \t]*#\s*error:\s*{_CODE}(?:\s*,\s*{_CODE})*[ \t]*$")
_TITLE = re.compile(r"^# (?P<code>AIO[0-9]{3}) (?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)$")
_HEADER = re.compile(
    r"^Severity: (?P<severity>error|warning) · Fix: (?P<fix>safe|unsafe|none)(?:\s+\(.+\))?$"
)
_FENCE = re.compile(r"^```(?P<lang>[A-Za-z0-9_+-]*)\s*$")
# A fixture or doc example written for another Python than the default target says so on a
# line of its own: `# target-version: py39`.
_TARGET = re.compile(r"^# target-version: (?P<version>py3[0-9]+)$", re.MULTILINE)


def markers(text: str) -> set[tuple[int, str]]:
    """Every (line, code) that a `# error: CODE[, CODE...]` comment at a line's end asks for."""
    return {(line, code) for line, code, _ in positioned_markers(text)}


def positioned_markers(text: str) -> set[tuple[int, str, int | None]]:
    """Every (line, code, column) asked for; the column is None where the marker pins none."""
    found: set[tuple[int, str, int | None]] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MARKER.search(line)
        if match:
            for item in match.group("codes").split(","):
                code, _, column = item.strip().partition(":")
                found.add((number, code, int(column) if column else None))
    return found


def strip_markers(text: str) -> str:
    """The text without its `# error:` comments (and the blanks before them)."""
    return "".join(_MARKER_WITH_SPACE.sub("", line) for line in text.splitlines(keepends=True))


def markers_to_noqa(text: str) -> str:
    """Turn each `# error: CODES` marker into `# noqa: CODES` (without columns) on its line."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        match = _MARKER.search(line)
        if match:
            codes = dict.fromkeys(
                item.strip().partition(":")[0] for item in match.group("codes").split(",")
            )
            noqa = f"# noqa: {', '.join(codes)}"
            lines[index] = line[: match.start()] + noqa + line[match.end() :]
    return "".join(lines)


def lint(
    text: str,
    select: tuple[str, ...],
    *,
    path: str = "example.py",
    preview: bool = True,
    fix: bool = False,
) -> FileResult:
    """Run the engine as `asynclint check --select ...` does, failing loudly on internal errors."""
    target = _TARGET.search(text)
    version = parse_target_version(target.group("version")) if target else DEFAULT_TARGET
    settings = Settings(select=select, preview=preview, target_version=version)
    result = check_source(text, path, settings, fix=fix, unsafe=fix)
    assert result.internal_errors == [], result.internal_errors
    assert not result.skipped, f"{path} was prefiltered away: it must mention `async`"
    return result


def findings(result: FileResult, codes: set[str] | None = None) -> set[tuple[int, str]]:
    return {(d.line, d.code) for d in result.diagnostics if codes is None or d.code in codes}


def positioned_findings(
    result: FileResult, codes: set[str] | None = None
) -> set[tuple[int, str, int | None]]:
    return {
        (d.line, d.code, d.column) for d in result.diagnostics if codes is None or d.code in codes
    }


@dataclass(frozen=True)
class CodeBlock:
    lang: str
    text: str
    line: int  # 1-based line of the block's first line of code in the doc


@dataclass(frozen=True)
class RuleDoc:
    path: Path
    lines: tuple[str, ...]
    sections: tuple[tuple[str, tuple[str, ...], int], ...]  # (title, body lines, body start)

    @classmethod
    def load(cls, path: Path) -> RuleDoc:
        lines = tuple(path.read_text(encoding="utf-8").splitlines())
        sections: list[tuple[str, tuple[str, ...], int]] = []
        title: str | None = None
        body: list[str] = []
        start = 0
        in_fence = False
        for number, line in enumerate(lines, start=1):
            if _FENCE.match(line):
                in_fence = not in_fence
            if not in_fence and line.startswith("## "):
                if title is not None:
                    sections.append((title, tuple(body), start))
                title, body, start = line[3:].strip(), [], number + 1
            elif title is not None:
                body.append(line)
        if title is not None:
            sections.append((title, tuple(body), start))
        return cls(path, lines, tuple(sections))

    @property
    def title_match(self) -> re.Match[str] | None:
        return _TITLE.match(self.lines[0]) if self.lines else None

    @property
    def header_match(self) -> re.Match[str] | None:
        return _HEADER.match(self.lines[1]) if len(self.lines) > 1 else None

    @property
    def section_titles(self) -> list[str]:
        return [title for title, _, _ in self.sections]

    def section(self, title: str) -> tuple[str, ...]:
        for name, body, _ in self.sections:
            if name == title:
                return body
        raise KeyError(f"{self.path.name} has no section {title!r}")

    def blocks(self, title: str) -> list[CodeBlock]:
        """The fenced code blocks of one section, in order."""
        for name, body, start in self.sections:
            if name == title:
                return _blocks(body, start)
        raise KeyError(f"{self.path.name} has no section {title!r}")

    def python_block(self, title: str) -> str:
        python = [block for block in self.blocks(title) if block.lang == "python"]
        assert len(python) == 1, f"{self.path.name}: {title!r} needs exactly one python block"
        return python[0].text


def _blocks(body: tuple[str, ...], start: int) -> list[CodeBlock]:
    found: list[CodeBlock] = []
    lang: str | None = None
    collected: list[str] = []
    first = 0
    for offset, line in enumerate(body):
        fence = _FENCE.match(line)
        if fence and lang is None:
            lang, collected, first = fence.group("lang"), [], start + offset + 1
        elif fence and line.strip() == "```" and lang is not None:
            found.append(CodeBlock(lang, "".join(f"{text}\n" for text in collected), first))
            lang = None
        elif lang is not None:
            collected.append(line)
    assert lang is None, "unterminated code block"
    return found


def doc_paths() -> list[Path]:
    return sorted(DOCS_DIR.glob("AIO*.md"))


def fixture_paths() -> list[Path]:
    return sorted(FIXTURES_DIR.glob("AIO*.py"))
