"""The bundled example programs: each headline pitfall is found exactly where it is, and the
correct code around it is left alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from asynclint.engine import check_file
from asynclint.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

EXPECTED = {
    "chat_relay.py": {
        (24, "AIO401"),  # report(): writer.write() and the function ends without a drain
        (61, "AIO102"),  # fan_out(): task_done() in the finally after one in the body
    },
    "job_runner.py": {
        (28, "AIO202"),  # archive(): create_subprocess_shell(f"... {name} ...")
        (38, "AIO201"),  # announce(): await proc.wait() with stdout=PIPE never read
        (57, "AIO103"),  # publisher(): task_done() after awaited work, not in a finally
        (63, "AIO101"),  # cleaner(): stale.get() without task_done(), main joins `stale`
    },
}


def test_every_example_is_listed() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_is_valid_python(name: str) -> None:
    ast.parse((EXAMPLES / name).read_text(encoding="utf-8"), filename=name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_findings(name: str) -> None:
    result = check_file(str(EXAMPLES / name), Settings())
    assert result.internal_errors == []
    found = {(d.line, d.code) for d in result.diagnostics}
    assert found == EXPECTED[name]


def test_examples_show_every_headline_rule() -> None:
    codes = {code for findings in EXPECTED.values() for _line, code in findings}
    assert codes == {"AIO101", "AIO102", "AIO103", "AIO201", "AIO202", "AIO401"}
