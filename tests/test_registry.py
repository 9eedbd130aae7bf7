"""The registry, the docs in rules/ and the fixtures in tests/fixtures describe the same rules."""

from __future__ import annotations

import pathlib
import re

import pytest
from rule_docs import SECTIONS, RuleDoc, doc_paths, fixture_paths, markers

from asynclint.diagnostics import Severity
from asynclint.rules import (
    ALL_CODES,
    RULE_CLASSES,
    RULES_BY_CODE,
    TOOL_DIAGNOSTICS,
    is_known_selector,
    metadata,
)

TOOL_CODES = {diagnostic.code for diagnostic in TOOL_DIAGNOSTICS}
DOCS = [RuleDoc.load(path) for path in doc_paths()]


def test_every_code_has_a_doc_and_every_doc_a_code() -> None:
    assert {path.stem for path in doc_paths()} == set(ALL_CODES)


def test_every_rule_has_a_fixture_and_every_fixture_a_rule() -> None:
    assert {path.stem for path in fixture_paths()} == set(ALL_CODES) - TOOL_CODES
    assert set(RULES_BY_CODE) == set(ALL_CODES) - TOOL_CODES


def test_codes_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in RULE_CLASSES] + [d.code for d in TOOL_DIAGNOSTICS]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"AIO[0-9]{3}", code) for code in codes)
    assert list(ALL_CODES) == sorted(codes)
    assert {"AIO000", "AIO001", "AIO002", "AIO003"} == TOOL_CODES


def test_rule_metadata() -> None:
    names = [meta.name for meta in map(metadata, ALL_CODES) if meta is not None]
    assert len(names) == len(ALL_CODES)
    assert len(names) == len(set(names)), "rule names must be unique"
    for code in ALL_CODES:
        meta = metadata(code)
        assert meta is not None
        assert meta.code == code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta.name), meta.name
        assert isinstance(meta.severity, Severity)
        assert meta.fix_safety in ("safe", "unsafe", None)
        assert meta.summary.strip()
        assert is_known_selector(code)
    assert metadata("AIO999") is None


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.path.name)
def test_doc_title_names_code_and_rule(doc: RuleDoc) -> None:
    title = doc.title_match
    assert title is not None, f"first line must be `# AIOnnn rule-name`, not {doc.lines[:1]}"
    meta = metadata(doc.path.stem)
    assert meta is not None
    assert title.group("code") == doc.path.stem
    assert title.group("name") == meta.name


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.path.name)
def test_doc_header_matches_severity_and_fix(doc: RuleDoc) -> None:
    header = doc.header_match
    assert header is not None, (
        f"second line must be `Severity: error|warning · Fix: safe|unsafe|none (...)`, "
        f"not {doc.lines[1:2]}"
    )
    meta = metadata(doc.path.stem)
    assert meta is not None
    assert header.group("severity") == meta.severity.value
    assert header.group("fix") == (meta.fix_safety or "none")


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.path.name)
def test_doc_has_the_six_sections_in_order(doc: RuleDoc) -> None:
    assert doc.section_titles == list(SECTIONS)
    for title in SECTIONS:
        assert any(line.strip() for line in doc.section(title)), f"{title!r} is empty"


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.path.name)
def test_doc_fix_section_agrees_with_header(doc: RuleDoc) -> None:
    meta = metadata(doc.path.stem)
    assert meta is not None
    text = " ".join(line.strip() for line in doc.section("Fix")).strip()
    if meta.fix_safety is None:
        assert text.startswith("No automatic fix"), text
    else:
        assert not text.startswith("No automatic fix"), text
        assert meta.fix_safety in text.lower(), (
            f"the Fix section should say the fix is {meta.fix_safety}"
        )


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.path.name)
def test_doc_references_link_the_python_docs(doc: RuleDoc) -> None:
    links = re.findall(r"https://[^\s)>\]]+", "\n".join(doc.section("References")))
    assert any(link.startswith("https://docs.python.org/3/") for link in links), links


@pytest.mark.parametrize("code", sorted(RULES_BY_CODE))
def test_rule_doc_examples_are_runnable_python(code: str) -> None:
    doc = RuleDoc.load(next(path for path in doc_paths() if path.stem == code))
    example = doc.python_block("Example")
    use_instead = doc.python_block("Use instead")
    compile(example, f"{code}-example", "exec")
    compile(use_instead, f"{code}-use-instead", "exec")
    assert {marked for _, marked in markers(example)} == {code}
    assert markers(use_instead) == set()


def test_the_readme_table_lists_every_code_as_the_registry_describes_it() -> None:
    readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.fullmatch(r"AIO[0-9]{3}", cells[0]):
            rows[cells[0]] = cells
    assert set(rows) == set(ALL_CODES)
    for code, (_, name, _what, severity, fix) in rows.items():
        meta = metadata(code)
        assert meta is not None
        assert name == meta.name
        assert severity == meta.severity.value + (" (preview)" if meta.preview else "")
        # An en dash marks "no fix". A rule whose fixes differ in safety names the safest
        # first and qualifies it: "safe (literals) / unsafe".
        assert fix.partition(" (")[0] == (meta.fix_safety or "\u2013")
