"""The rules against their specification: the fixtures in tests/fixtures and the examples in the
rule docs in rules/.

A fixture `tests/fixtures/AIOnnn.py` marks every line the rule must report with
`# error: AIOnnn:COLUMN` at the end of the line (the 1-based column it is reported at;
`tests/pin_fixture_columns.py` fills it in); every unmarked line must stay silent. A fixture is
exhaustive for every code it mentions: if `AIO101.py` marks a line `# error: AIO101, AIO103`,
then AIO103 must fire on exactly the AIO103-marked lines of that file too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rule_docs import (
    RuleDoc,
    doc_paths,
    findings,
    fixture_paths,
    lint,
    markers,
    markers_to_noqa,
    positioned_findings,
    positioned_markers,
    strip_markers,
)

from asynclint.rules import RULES_BY_CODE  # implemented rules, by code

FIXTURES = fixture_paths()
DOCS = [RuleDoc.load(path) for path in doc_paths()]
DOCS_WITH_PYTHON = [
    doc
    for doc in DOCS
    if "Example" in doc.section_titles
    and any(block.lang == "python" for block in doc.blocks("Example"))
]
DOCS_WITH_FIX = [
    doc
    for doc in DOCS_WITH_PYTHON
    if doc.path.stem in RULES_BY_CODE and RULES_BY_CODE[doc.path.stem].fix_safety is not None
]
FIXTURES_WITH_FIX = [
    path
    for path in FIXTURES
    if path.stem in RULES_BY_CODE and RULES_BY_CODE[path.stem].fix_safety is not None
]


def _fixture_cases() -> list[tuple[Path, str]]:
    cases = []
    for path in FIXTURES:
        mentioned = {code for _, code in markers(path.read_text(encoding="utf-8"))}
        for code in sorted(mentioned | {path.stem}):
            cases.append((path, code))
    return cases


def _explain(text: str, expected: set[tuple[int, str]], actual: set[tuple[int, str]]) -> str:
    """A readable difference between the marked lines and what the engine reported."""
    lines = text.splitlines()
    report = []
    for label, items in (("missing", expected - actual), ("unexpected", actual - expected)):
        for line, code, *column in sorted(items):
            source = lines[line - 1].strip() if 0 < line <= len(lines) else "?"
            at = f"{line}:{column[0]}" if column else f"{line}"
            report.append(f"{label} {code} at line {at}: {source}")
    return "\n".join(report)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_fixture_is_valid_python(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    ast.parse(text, filename=str(path))
    assert any(code == path.stem for _, code in markers(text)), (
        f"{path.name} marks no line with `# error: {path.stem}`"
    )


@pytest.mark.parametrize(
    ("path", "code"), _fixture_cases(), ids=lambda value: getattr(value, "name", value)
)
def test_fixture_findings_are_the_marked_lines_and_columns(path: Path, code: str) -> None:
    text = path.read_text(encoding="utf-8")
    expected = {marker for marker in positioned_markers(text) if marker[1] == code}
    actual = positioned_findings(lint(text, (code,), path=path.name), {code})
    assert actual == expected, _explain(text, expected, actual)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_fixture_markers_pin_their_columns(path: Path) -> None:
    unpinned = [line for line, _, column in positioned_markers(path.read_text()) if column is None]
    assert not unpinned, (
        f"{path.name}: markers without a column on lines {sorted(unpinned)}; "
        "run `python tests/pin_fixture_columns.py` once the lines are right"
    )


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_fixture_markers_as_noqa_silence_the_rule(path: Path) -> None:
    original = path.read_text(encoding="utf-8")
    codes = {code for _, code in markers(original)} | {path.stem}
    text = markers_to_noqa(original)
    assert markers(text) == set()
    assert any("# noqa:" in line and path.stem in line for line in text.splitlines())
    assert findings(lint(text, tuple(sorted(codes)), path=path.name), codes) == set()


@pytest.mark.parametrize("path", FIXTURES_WITH_FIX, ids=lambda path: path.name)
def test_fixture_fixes_resolve_their_findings(path: Path) -> None:
    code = path.stem
    text = path.read_text(encoding="utf-8")
    before = lint(text, (code,), path=path.name, fix=True)
    with_fix = [d for d in before.diagnostics if d.code == code and d.fix is not None]
    without_fix = [d for d in before.diagnostics if d.code == code and d.fix is None]
    assert with_fix, f"{path.name}: no finding of {code} offers a fix"
    assert before.fixed_text is not None
    ast.parse(before.fixed_text, filename=str(path))
    after = lint(before.fixed_text, (code,), path=path.name, fix=True)
    assert len([d for d in after.diagnostics if d.code == code]) == len(without_fix)
    assert after.fixed_text is None, "a second --fix must change nothing"


@pytest.mark.parametrize("doc", DOCS_WITH_PYTHON, ids=lambda doc: doc.path.name)
def test_doc_example_fires_on_its_marked_lines(doc: RuleDoc) -> None:
    code = doc.path.stem
    example = doc.python_block("Example")
    expected = markers(example)
    assert any(marked == code for _, marked in expected), f"the Example marks no {code} line"
    codes = {marked for _, marked in expected} | {code}
    actual = findings(lint(example, tuple(sorted(codes))), codes)
    assert actual == expected, _explain(example, expected, actual)


@pytest.mark.parametrize("doc", DOCS_WITH_PYTHON, ids=lambda doc: doc.path.name)
def test_doc_use_instead_is_clean(doc: RuleDoc) -> None:
    """Every rule a user runs by default, plus the doc's own rule, stays silent."""
    code = doc.path.stem
    use_instead = doc.python_block("Use instead")
    assert markers(use_instead) == set(), "Use instead must not carry `# error:` markers"
    result = lint(use_instead, ("AIO", code), preview=False)
    assert findings(result) == set(), [
        f"{d.line}: {d.code} {d.message}" for d in result.diagnostics
    ]


@pytest.mark.parametrize("doc", DOCS_WITH_FIX, ids=lambda doc: doc.path.name)
def test_doc_fix_turns_example_into_use_instead(doc: RuleDoc) -> None:
    code = doc.path.stem
    example = doc.python_block("Example")
    fixed = lint(example, (code,), fix=True).fixed_text
    assert fixed is not None, f"{code} offered no fix for its Example"
    assert strip_markers(fixed) == doc.python_block("Use instead")
    assert findings(lint(fixed, (code,)), {code}) == set()


def test_marker_helpers() -> None:
    text = (
        "async def f(q):\n"
        "    x = await q.get()  # error: AIO101\n"
        "    q.task_done()  # error: AIO102, AIO103\n"
        "    return x  # error: nothing\n"
    )
    assert markers(text) == {(2, "AIO101"), (3, "AIO102"), (3, "AIO103")}
    assert strip_markers(text) == (
        "async def f(q):\n"
        "    x = await q.get()\n"
        "    q.task_done()\n"
        "    return x  # error: nothing\n"
    )
    noqa = markers_to_noqa(text)
    assert "x = await q.get()  # noqa: AIO101\n" in noqa
    assert "q.task_done()  # noqa: AIO102, AIO103\n" in noqa
