"""Reporters and the summary line, on hand-made diagnostics."""

from __future__ import annotations

import json as stdlib_json

import pytest

from asynclint.diagnostics import Diagnostic, Edit, Fix, Severity
from asynclint.reporters import github, json, statistics, text
from asynclint.reporters.concise import first_clause
from asynclint.reporting import summary
from asynclint.results import FileResult
from asynclint.runner import Outcome

SAFE = Fix((Edit(10, 10, "\n    await w.drain()"),), True, "Insert `await w.drain()`")
UNSAFE = Fix((Edit(4, 15, "await p.communicate()"),), False, "Use communicate()")
NAMES = {"AIO401": "stream-write-without-drain", "AIO201": "subprocess-wait-with-pipe"}


def _diag(code: str, line: int = 1, fix: Fix | None = None, path: str = "m.py") -> Diagnostic:
    return Diagnostic(path, line, 5, code, f"message {code}", Severity.WARNING, line, 9, fix)


def test_text_is_flake8_style_with_optional_fix_lines() -> None:
    found = [_diag("AIO401", 3, SAFE), _diag("AIO201", 7)]
    assert (
        text.render(found) == "m.py:3:5: AIO401 message AIO401\nm.py:7:5: AIO201 message AIO201\n"
    )
    assert text.render(found, show_fixes=True).splitlines() == [
        "m.py:3:5: AIO401 message AIO401",
        "    fix (safe): Insert `await w.drain()`",
        "m.py:7:5: AIO201 message AIO201",
    ]


def test_github_escapes_properties_and_data() -> None:
    weird = Diagnostic("dir,x/a:b.py", 2, 3, "AIO001", "50% bad\nnext", Severity.ERROR)
    assert github.render([weird]) == (
        "::error file=dir%2Cx/a%3Ab.py,line=2,col=3,title=AIO001::AIO001 50%25 bad%0Anext\n"
    )
    assert github.render([_diag("AIO401")]).startswith(
        "::warning file=m.py,line=1,col=5,endLine=1,endColumn=9,title=AIO401::"
    )


def test_statistics_orders_by_count_and_marks_fixable_codes() -> None:
    found = [_diag("AIO401", fix=SAFE), _diag("AIO201", fix=UNSAFE), _diag("AIO201")]
    assert statistics.render_text(found, NAMES) == (
        "2  AIO201  subprocess-wait-with-pipe\n1  AIO401  [*] stream-write-without-drain\n"
    )
    with_unsafe = statistics.render_text(found, NAMES, unsafe=True)
    assert with_unsafe.splitlines()[0] == "2  AIO201  [*] subprocess-wait-with-pipe"
    assert statistics.render_text([], NAMES) == ""


def test_json_locates_fix_edits_in_the_text() -> None:
    source = "ab\r\ncd\ref\n"
    fix = Fix((Edit(4, 6, "X"), Edit(7, 7, "Y")), False, "swap")
    (item,) = stdlib_json.loads(json.render([_diag("AIO201", fix=fix)], NAMES, lambda p: source))
    assert item["fix"]["applicability"] == "unsafe"
    first, second = item["fix"]["edits"]
    assert (first["location"], first["end_location"]) == (
        {"row": 2, "column": 1},
        {"row": 2, "column": 3},
    )
    assert second["location"] == {"row": 3, "column": 1}
    assert item["name"] == "subprocess-wait-with-pipe"


def test_json_without_text_keeps_offsets() -> None:
    (item,) = stdlib_json.loads(json.render([_diag("AIO401", fix=SAFE)], {}, lambda p: None))
    (edit,) = item["fix"]["edits"]
    assert (edit["start"], edit["end"], edit["location"]) == (10, 10, None)
    assert item["name"] == ""


def _outcome(*diagnostics: Diagnostic, applied: int = 0) -> Outcome:
    result = FileResult("m.py", diagnostics=list(diagnostics), applied_fixes=["AIO401"] * applied)
    return Outcome(results=[result])


def test_summary_wording() -> None:
    assert summary(_outcome(), fix=False, unsafe=False) == "All checks passed!"
    assert (
        summary(_outcome(_diag("AIO201")), fix=False, unsafe=False) == "Found 1 finding: 1 warning."
    )
    both = _outcome(_diag("AIO401", fix=SAFE), _diag("AIO201", fix=UNSAFE))
    assert summary(both, fix=False, unsafe=False).splitlines() == [
        "Found 2 findings: 2 warnings.",
        "[*] 1 fixable with the `--fix` option.",
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option.)",
    ]
    assert summary(both, fix=False, unsafe=True).splitlines()[1:] == [
        "[*] 2 fixable with the `--fix` option."
    ]


def test_summary_after_fixing() -> None:
    assert summary(_outcome(applied=2), fix=True, unsafe=False) == (
        "Found 2 findings (2 fixed, 0 remaining)."
    )
    left = _outcome(_diag("AIO201", fix=UNSAFE), applied=1)
    assert summary(left, fix=True, unsafe=False).splitlines() == [
        "Found 2 findings (1 fixed, 1 remaining: 1 warning).",
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option.)",
    ]


@pytest.mark.parametrize(
    ("message", "clause"),
    [
        ("`a()` is wrong: because; and more", "`a()` is wrong"),
        ("it raises `ValueError: x` here; do y", "it raises `ValueError: x` here"),
        ("call it in a `finally:` block", "call it in a `finally:` block"),
        ("no clause at all", "no clause at all"),
        ("ratio 1:2 stays", "ratio 1:2 stays"),
    ],
)
def test_concise_message_is_the_first_clause(message: str, clause: str) -> None:
    assert first_clause(message) == clause
