"""The output formats as a contract: the JSON layout (golden examples), GitHub's workflow
command syntax, and `--output FILE` for every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from asynclint.cli import cli
from asynclint.diagnostics import Diagnostic, Edit, Fix, RelatedLocation, Severity
from asynclint.reporters import FORMATS, github
from asynclint.reporters import json as json_reporter

SYNTAX_ERROR = "async def broken(:\n    pass\n"
AIO401_SNIPPET = """\
import asyncio
async def send(host):
    reader, writer = await asyncio.open_connection(host, 80)
    writer.write(b"ping")
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["--no-cache", *args], catch_exceptions=False)


# JSON: the documented layout, byte for byte


GOLDEN_REPORTER = """\
[
  {
    "filename": "pkg/m.py",
    "code": "AIO303",
    "name": "lock-order-inversion",
    "message": "`b` is acquired while holding `a`",
    "severity": "warning",
    "location": {
      "row": 2,
      "column": 5
    },
    "end_location": {
      "row": 2,
      "column": 17
    },
    "fix": {
      "applicability": "unsafe",
      "message": "Swap",
      "edits": [
        {
          "content": "é",
          "start": 7,
          "end": 9,
          "location": {
            "row": 2,
            "column": 1
          },
          "end_location": {
            "row": 2,
            "column": 3
          }
        }
      ]
    },
    "related": [
      {
        "location": {
          "row": 1,
          "column": 1
        },
        "end_location": null,
        "message": "the other order"
      }
    ],
    "doc": "asynclint rule AIO303"
  },
  {
    "filename": "pkg/m.py",
    "code": "AIO001",
    "name": "",
    "message": "syntax error",
    "severity": "error",
    "location": {
      "row": 3,
      "column": 1
    },
    "end_location": null,
    "fix": null,
    "related": [],
    "doc": "asynclint rule AIO001"
  }
]
"""


def test_json_reporter_golden() -> None:
    fix = Fix((Edit(7, 9, "é"),), False, "Swap")
    related = (RelatedLocation(1, 1, "the other order"),)
    found = [
        Diagnostic(
            "pkg/m.py",
            2,
            5,
            "AIO303",
            "`b` is acquired while holding `a`",
            Severity.WARNING,
            2,
            17,
            fix,
            related,
        ),
        Diagnostic("pkg/m.py", 3, 1, "AIO001", "syntax error", Severity.ERROR),
    ]
    names = {"AIO303": "lock-order-inversion"}
    rendered = json_reporter.render(found, names, lambda path: "first\r\nsecond\nthird\n")
    assert rendered == GOLDEN_REPORTER


def test_json_command_line_golden(project: Path) -> None:
    (project / "pkg").mkdir()
    (project / "pkg" / "bad.py").write_text(SYNTAX_ERROR)
    (project / "blob.py").write_bytes(b"async \x00")
    result = invoke("--format", "json", ".")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "filename": "blob.py",
            "code": "AIO002",
            "name": "unreadable-file",
            "message": "cannot decode file: contains NUL bytes (binary file?)",
            "severity": "error",
            "location": {"row": 1, "column": 1},
            "end_location": None,
            "fix": None,
            "related": [],
            "doc": "asynclint rule AIO002",
        },
        {
            "filename": "pkg/bad.py",
            "code": "AIO001",
            "name": "syntax-error",
            "message": "syntax error: invalid syntax",
            "severity": "error",
            "location": {"row": 1, "column": 18},
            "end_location": None,
            "fix": None,
            "related": [],
            "doc": "asynclint rule AIO001",
        },
    ]
    assert result.stdout.startswith('[\n  {\n    "filename": "blob.py",\n')  # 2-space indent


def test_json_fix_edit_of_a_real_finding(project: Path) -> None:
    (project / "send.py").write_text(AIO401_SNIPPET)
    (item,) = json.loads(invoke("--format", "json", "send.py").stdout)
    assert item["fix"] == {
        "applicability": "safe",
        "message": "Insert `await writer.drain()`",
        "edits": [
            {
                "content": "\n    await writer.drain()",
                "start": AIO401_SNIPPET.index('b"ping")') + len('b"ping")'),
                "end": AIO401_SNIPPET.index('b"ping")') + len('b"ping")'),
                "location": {"row": 4, "column": 26},
                "end_location": {"row": 4, "column": 26},
            }
        ],
    }


# GitHub workflow commands


def test_github_escapes_as_the_actions_toolkit_does() -> None:
    found = Diagnostic(
        "odd,dir/a:b%.py", 2, 3, "AIO201", "100% stuck:\r\nsee, here", Severity.WARNING, 2, 9
    )
    assert github.render([found]) == (
        "::warning file=odd%2Cdir/a%3Ab%25.py,line=2,col=3,endLine=2,endColumn=9,title=AIO201"
        "::AIO201 100%25 stuck:%0D%0Asee, here\n"
    )


def test_github_one_command_per_finding_and_nothing_when_clean(project: Path) -> None:
    (project / "a.py").write_text(SYNTAX_ERROR)
    (project / "send.py").write_text(AIO401_SNIPPET)
    lines = invoke("--format", "github", ".").stdout.splitlines()
    assert lines[0] == (
        "::error file=a.py,line=1,col=18,title=AIO001::AIO001 syntax error: invalid syntax"
    )
    assert lines[1].startswith(
        "::warning file=send.py,line=4,col=5,endLine=4,endColumn=26,title=AIO401::AIO401 "
    )
    assert len(lines) == 2
    assert github.render([]) == ""


# --output, for every format


@pytest.mark.parametrize(
    ("output_format", "statistics"),
    # --statistics with sarif or github is refused (test_cli covers that)
    [(name, False) for name in FORMATS] + [("text", True), ("json", True)],
)
def test_output_file_holds_exactly_what_stdout_would(
    project: Path, output_format: str, statistics: bool
) -> None:
    (project / "a.py").write_text(SYNTAX_ERROR)
    (project / "send.py").write_text(AIO401_SNIPPET)
    extra = ["--statistics"] if statistics else []
    to_stdout = invoke("--format", output_format, *extra, ".")
    to_file = invoke("--format", output_format, *extra, "--output", "report.out", ".")
    assert to_stdout.exit_code == to_file.exit_code == 1
    assert to_file.stdout == ""
    assert to_stdout.stdout
    assert (project / "report.out").read_text(encoding="utf-8") == to_stdout.stdout
    assert to_file.stderr == to_stdout.stderr  # the summary stays on stderr (text only)


def test_output_file_of_a_clean_run_is_written(project: Path) -> None:
    (project / "ok.py").write_text("async def f():\n    pass\n")
    (project / "report.json").write_text("stale")
    result = invoke("--format", "json", "-o", "report.json", "ok.py")
    assert result.exit_code == 0
    assert json.loads((project / "report.json").read_text()) == []


def test_output_to_an_unwritable_place_is_a_usage_error(project: Path) -> None:
    (project / "a.py").write_text(SYNTAX_ERROR)
    result = invoke("--output", str(project / "missing" / "report.txt"), "a.py")
    assert result.exit_code == 2
    assert "asynclint: error: cannot write" in result.stderr
