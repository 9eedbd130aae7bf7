"""`check --add-noqa`: a noqa comment on every current finding's line, and only there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from asynclint.add_noqa import add_noqa
from asynclint.cli import cli


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["--no-cache", *args], catch_exceptions=False)


SOURCE = """\
import asyncio


async def send(host):
    reader, writer = await asyncio.open_connection(host, 80)
    writer.write(\"\"\"x
y\"\"\")
    writer.write("#")  # a note
    proc = await asyncio.create_subprocess_exec("ls", stdout=asyncio.subprocess.PIPE)
    await proc.wait()  # noqa: E501
    writer.write(b"done")
"""

EXPECTED = """\
import asyncio


async def send(host):
    reader, writer = await asyncio.open_connection(host, 80)
    writer.write(\"\"\"x
y\"\"\")  # noqa: AIO207
    writer.write("#")  # a note  # noqa: AIO207, AIO401
    proc = await asyncio.create_subprocess_exec("ls", stdout=asyncio.subprocess.PIPE)
    await proc.wait()  # noqa: E501, AIO201
    writer.write(b"done")  # noqa: AIO401
"""


def test_add_noqa_marks_each_finding_and_nothing_else(project: Path) -> None:
    (project / "m.py").write_text(SOURCE)
    before = invoke("--output-format", "concise", "m.py")
    assert [line.split()[1] for line in before.stdout.splitlines()] == [
        "AIO207",
        "AIO401",
        "AIO207",
        "AIO201",
        "AIO401",
    ]
    result = invoke("--add-noqa", "m.py")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "Added 4 noqa directives.\n"
    assert (project / "m.py").read_text() == EXPECTED
    again = invoke("--add-noqa", "m.py")
    assert again.stderr == "Added 0 noqa directives.\n"
    assert (project / "m.py").read_text() == EXPECTED
    after = invoke("m.py")
    assert (after.exit_code, after.stdout) == (0, "")


def test_add_noqa_keeps_line_endings_encoding_and_other_files(project: Path) -> None:
    crlf = SOURCE.replace("\n", "\r\n").replace('b"done"', 'b"d\\xe9"').encode()
    (project / "crlf.py").write_bytes(crlf)
    latin = b"# -*- coding: latin-1 -*-\n" + SOURCE.replace('"#"', '"\xe9"').encode("latin-1")
    (project / "latin.py").write_bytes(latin)
    clean = b"import asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)\n"
    (project / "clean.py").write_bytes(clean)
    assert invoke("--add-noqa", ".").exit_code == 0
    fixed = (project / "crlf.py").read_bytes()
    assert fixed.count(b"\r\n") == crlf.count(b"\r\n") and b"\n" not in fixed.replace(b"\r\n", b"")
    assert fixed.count(b"# noqa") == 4
    expected_latin = EXPECTED.replace('"#"', '"\xe9"').encode("latin-1")
    assert (project / "latin.py").read_bytes() == b"# -*- coding: latin-1 -*-\n" + expected_latin
    assert (project / "clean.py").read_bytes() == clean
    assert invoke(".").exit_code == 0


def test_add_noqa_cannot_be_combined_with_fixing(project: Path) -> None:
    (project / "m.py").write_text(SOURCE)
    result = invoke("--add-noqa", "--fix", "m.py")
    assert result.exit_code == 2
    assert "--add-noqa cannot be combined with --fix" in result.stderr
    assert (project / "m.py").read_text() == SOURCE


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("x = 1", "x = 1  # noqa: AIO401"),
        ("x = 1   ", "x = 1  # noqa: AIO401"),
        ("x = 1  # noqa", "x = 1  # noqa"),  # already silences every code
        ("x = 1  # noqa: AIO4", "x = 1  # noqa: AIO4"),  # a prefix covers it
        ("x = 1  # NOQA:E501 see #12", "x = 1  # NOQA:E501, AIO401 see #12"),
        ('x = "# noqa: AIO2"', 'x = "# noqa: AIO2"  # noqa: AIO401'),
        ("x = 1  # type: ignore", "x = 1  # type: ignore  # noqa: AIO401"),
    ],
)
def test_add_noqa_to_one_line(line: str, expected: str) -> None:
    text = f"import os\n{line}\nz = 2\n"
    assert add_noqa(text, [(2, "AIO401")])[0] == f"import os\n{expected}\nz = 2\n"


def test_add_noqa_sorts_and_merges_codes_of_one_line() -> None:
    text, changed = add_noqa("x = 1\n", [(1, "AIO401"), (1, "AIO201"), (1, "AIO401")])
    assert (text, changed) == ("x = 1  # noqa: AIO201, AIO401\n", 1)


def test_add_noqa_leaves_a_file_edited_during_the_run_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asynclint.add_noqa as module

    (project / "a_edited.py").write_text(SOURCE)
    (project / "b_kept.py").write_text(SOURCE)
    edited = "# saved by the user while asynclint ran\n" + SOURCE
    original = module.add_noqa_to_files

    def edit_then_add(results: Any) -> tuple[int, list[str]]:
        (project / "a_edited.py").write_text(edited)
        return original(results)

    monkeypatch.setattr(module, "add_noqa_to_files", edit_then_add)
    result = invoke("--add-noqa", ".")
    assert result.exit_code == 2
    assert (project / "a_edited.py").read_text() == edited  # not a line moved or added
    assert (project / "b_kept.py").read_text() == EXPECTED
    assert result.stderr.splitlines() == [
        "Added 4 noqa directives.",
        "asynclint: error: a_edited.py: changed while it was being checked; no noqa added",
    ]
