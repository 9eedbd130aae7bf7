"""The registry, the docs in rules/ and the fixtures in tests/fixtures describe the same rules."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
from rule_docs import SECTIONS, RuleDoc, doc_paths, fixture_paths, markers

from asynclint.diagnostics import Severity
from asynclint.registry import ALL_CODES, RULES, TOOL_CODES, is_known_selector, lookup, metadata
from asynclint.rules import RULE_CLASSES, RULES_BY_CODE

DOCS = [RuleDoc.load(path) for path in doc_paths()]

_SCRIPT = pathlib.Path(__file__).resolve().parent.parent / "scripts" / "generate_docs.py"
_SPEC = importlib.util.spec_from_file_location("generate_docs", _SCRIPT)
assert _SPEC is not None and _SPEC.loader is not None
generate_docs = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(generate_docs)


def test_every_code_has_a_doc_and_every_doc_a_code() -> None:
    assert {path.stem for path in doc_paths()} == set(ALL_CODES)


def test_every_rule_has_a_fixture_and_every_fixture_a_rule() -> None:
    assert {path.stem for path in fixture_paths()} == set(ALL_CODES) - TOOL_CODES
    assert set(RULES_BY_CODE) == set(ALL_CODES) - TOOL_CODES


def test_codes_are_unique_and_well_formed() -> None:
    codes = [info.code for info in RULES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"AIO[0-9]{3}", code) for code in codes)
    assert list(ALL_CODES) == sorted(codes) == codes, "the registry lists codes in order"
    assert {"AIO000", "AIO001", "AIO002", "AIO003"} == TOOL_CODES


def test_every_rule_entry_has_one_class_and_every_class_its_entry() -> None:
    assert [rule.code for rule in RULE_CLASSES] == [c for c in ALL_CODES if c not in TOOL_CODES]
    for rule in RULE_CLASSES:
        assert rule.info is metadata(rule.code)
        assert (rule.name, rule.severity, rule.fix_safety) == (
            rule.info.name,
            rule.info.severity,
            rule.info.fix_safety,
        )


def test_a_rule_class_without_a_registry_entry_is_refused() -> None:
    from asynclint.rules.base import Rule

    with pytest.raises(TypeError, match="AIO999 has no rule entry"):

        class Unregistered(Rule):  # pragma: no cover - never defined
            code = "AIO999"


def test_rules_are_found_by_code_or_name() -> None:
    assert lookup("aio401") is lookup("AIO401") is lookup("stream-write-without-drain")
    assert lookup("AIO401") is not None
    assert lookup("no-such-rule") is None


def test_registry_and_its_readers_do_not_import_libcst() -> None:
    # The registry is plain data: listing rules, resolving configuration and the flake8
    # plugin's option parsing must not pay for the parser.
    script = (
        "import sys\n"
        "import asynclint.registry, asynclint.config, asynclint.selection, asynclint.cache\n"
        "import asynclint.flake8_plugin, asynclint.reporting, asynclint.cli\n"
        "print('libcst' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip()) == (0, "False"), done.stderr


def test_docs_generated_from_the_registry_are_up_to_date() -> None:
    stale = generate_docs.stale()
    assert not stale, f"stale: {[str(p) for p in stale]}; run: {generate_docs.COMMAND}"


def test_the_readme_table_is_the_generated_one() -> None:
    readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert generate_docs.readme_table() in readme
    for info in RULES:
        assert generate_docs.table_row(info) in readme


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


def test_new_rule_script_gives_a_registered_rule_with_doc_fixture_and_table_row(
    tmp_path: pathlib.Path,
) -> None:
    root = pathlib.Path(__file__).resolve().parent.parent
    for part in ("src", "scripts", "rules", "tests/fixtures"):
        shutil.copytree(root / part, tmp_path / part)
    shutil.copy(root / "README.md", tmp_path / "README.md")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    made = subprocess.run(
        [sys.executable, "scripts/new_rule.py", "AIO699", "made-up-rule", "--severity", "error"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    probe = (
        "from asynclint.rules import RULES_BY_CODE\n"
        "rule = RULES_BY_CODE['AIO699']\n"
        "print(rule.__name__, rule.name, rule.severity.value)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.stdout.split() == ["MadeUpRule", "made-up-rule", "error"], done.stderr
    assert (tmp_path / "rules" / "AIO699.md").read_text().startswith("# AIO699 made-up-rule\n")
    assert (tmp_path / "tests" / "fixtures" / "AIO699.py").exists()
    assert "| AIO699 | made-up-rule |" in (tmp_path / "README.md").read_text()
    check = subprocess.run(
        [sys.executable, "scripts/generate_docs.py", "--check"], cwd=tmp_path, env=env
    )
    assert check.returncode == 0
    again = subprocess.run(
        [sys.executable, "scripts/new_rule.py", "AIO699", "made-up-rule"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode != 0 and "already" in again.stderr
