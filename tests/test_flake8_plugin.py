"""The flake8 extension, exercised through the real flake8 command and, for the adapter's own
logic, in-process."""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import asynclint
from asynclint.diagnostics import Diagnostic
from asynclint.engine import FileResult, check_source
from asynclint.flake8_plugin import Plugin
from asynclint.settings import Settings

# A StreamWriter.write() never followed by `await writer.drain()`: AIO401 at line 4, column 5.
UNDRAINED = textwrap.dedent(
    """\
    import asyncio
    async def send(host):
        reader, writer = await asyncio.open_connection(host, 80)
        writer.write(b"ping")
    """
)

NO_ASYNCIO = textwrap.dedent(
    """\
    import json


    def load(path):
        with open(path) as handle:
            return json.load(handle)
    """
)

REPORT_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")


def flake8(
    *args: str, cwd: Path, stdin: str | None = None, isolated: bool = True
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "flake8", *(["--isolated"] if isolated else []), *args]
    return subprocess.run(
        command, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=300, check=False
    )


def engine_report(source: str, path: str) -> list[str]:
    """What asynclint itself finds, in flake8's default output format."""
    result = check_source(source, path, Settings(respect_noqa=False))
    assert not result.internal_errors
    return [f"{path}:{d.line}:{d.column}: {d.code} {d.message}" for d in result.diagnostics]


def reported(output: str) -> list[str]:
    return [line for line in output.splitlines() if REPORT_LINE.match(line)]


def codes_at(output: str) -> list[tuple[int, int, str]]:
    found = []
    for line in reported(output):
        match = REPORT_LINE.match(line)
        assert match is not None
        found.append((int(match["line"]), int(match["col"]), match["code"]))
    return found


# --- the real flake8 ---------------------------------------------------------------------------


def test_flake8_version_lists_the_plugin(tmp_path: Path) -> None:
    proc = flake8("--version", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"asynclint: {asynclint.__version__}" in proc.stdout


def test_flake8_help_shows_the_plugin_options(tmp_path: Path) -> None:
    proc = flake8("--help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "--asynclint-target-version" in proc.stdout
    assert "--asynclint-preview" in proc.stdout


def test_file_mode_reports_what_the_engine_finds(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(UNDRAINED)
    proc = flake8("--select", "AIO", "bad.py", cwd=tmp_path)
    assert proc.stderr == ""
    assert codes_at(proc.stdout) == [(4, 5, "AIO401")]
    assert proc.stdout.splitlines() == engine_report(UNDRAINED, "bad.py")
    assert proc.returncode == 1


def test_stdin_mode_matches_file_mode(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(UNDRAINED)
    from_file = flake8("--select", "AIO", "bad.py", cwd=tmp_path)
    from_stdin = flake8(
        "--select", "AIO", "--stdin-display-name", "bad.py", "-", cwd=tmp_path, stdin=UNDRAINED
    )
    assert from_stdin.stderr == ""
    assert codes_at(from_stdin.stdout) == [(4, 5, "AIO401")]
    assert from_stdin.stdout == from_file.stdout
    assert from_stdin.returncode == from_file.returncode == 1


def test_examples_through_flake8_match_the_engine() -> None:
    # Several files: flake8 checks them in worker processes, each with the plugin's options.
    root = Path(__file__).resolve().parents[1]
    names = sorted(p.name for p in (root / "examples").glob("*.py"))
    assert names
    proc = flake8("--select", "AIO", "--jobs", "2", *names, cwd=root / "examples")
    assert proc.stderr == ""
    expected = []
    for name in names:
        expected += engine_report((root / "examples" / name).read_text(encoding="utf-8"), name)
    assert expected
    assert sorted(proc.stdout.splitlines()) == sorted(expected)


def test_stdin_without_display_name_is_reported_as_stdin(tmp_path: Path) -> None:
    proc = flake8("--select", "AIO", "-", cwd=tmp_path, stdin=UNDRAINED)
    assert [line.split(":", 1)[0] for line in reported(proc.stdout)] == ["stdin"]
    assert codes_at(proc.stdout) == [(4, 5, "AIO401")]


def test_stdin_with_windows_line_endings(tmp_path: Path) -> None:
    crlf = UNDRAINED.replace("\n", "\r\n")
    proc = flake8("--select", "AIO", "--stdin-display-name", "x.py", "-", cwd=tmp_path, stdin=crlf)
    assert codes_at(proc.stdout) == [(4, 5, "AIO401")]


def test_matches_the_command_line_output(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(UNDRAINED)
    from_flake8 = flake8("--select", "AIO", "bad.py", cwd=tmp_path)
    from_cli = subprocess.run(
        [sys.executable, "-m", "asynclint", "check", "--no-cache", "bad.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in from_cli.stderr, from_cli.stderr
    assert from_cli.returncode == 1, from_cli.stderr
    assert reported(from_flake8.stdout) == reported(from_cli.stdout)
    assert codes_at(from_flake8.stdout) == [(4, 5, "AIO401")]


def test_noqa_with_the_code_suppresses_in_flake8(tmp_path: Path) -> None:
    suppressed = UNDRAINED.replace('writer.write(b"ping")', 'writer.write(b"ping")  # noqa: AIO401')
    other_code = UNDRAINED.replace('writer.write(b"ping")', 'writer.write(b"ping")  # noqa: E501')
    (tmp_path / "suppressed.py").write_text(suppressed)
    (tmp_path / "other_code.py").write_text(other_code)
    (tmp_path / "plain.py").write_text(UNDRAINED)
    proc = flake8("--select", "AIO", "plain.py", "other_code.py", "suppressed.py", cwd=tmp_path)
    assert sorted(line.split(":", 1)[0] for line in reported(proc.stdout)) == [
        "other_code.py",
        "plain.py",
    ]


def test_bare_noqa_suppresses_in_flake8(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(UNDRAINED)
    (tmp_path / "quiet.py").write_text(
        UNDRAINED.replace('writer.write(b"ping")', 'writer.write(b"ping")  # noqa')
    )
    proc = flake8("--select", "AIO", "bad.py", "quiet.py", cwd=tmp_path)
    assert [line.split(":", 1)[0] for line in reported(proc.stdout)] == ["bad.py"]


def test_file_without_asyncio_gives_no_output_and_skips_libcst(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text(NO_ASYNCIO)
    proc = flake8("--select", "AIO", "plain.py", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    # In one process (-j 1), running the plugin over it must not import libcst.
    script = (
        "import sys\n"
        "from flake8.main import cli\n"
        "code = cli.main(['--isolated', '--select', 'AIO', '-j', '1', 'plain.py'])\n"
        "print(code, 'libcst' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.stdout.strip().splitlines()[-1] == "0 False", run.stdout + run.stderr


def test_a_failing_engine_is_one_diagnostic_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(UNDRAINED)
    (tmp_path / "other.py").write_text("import os\n\n\nasync def main(): pass\n")
    script = (
        "import asynclint.engine\n"
        "def broken(*args, **kwargs):\n"
        "    raise RuntimeError('boom')\n"
        "asynclint.engine.check_source = broken\n"
        "from flake8.main import cli\n"
        "raise SystemExit(cli.main(['--isolated', '-j', '1', 'bad.py', 'other.py']))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in run.stderr
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert "bad.py:1:1: AIO000 asynclint failed on this file, please report it: " in lines[0]
    assert "RuntimeError: boom" in lines[0]
    # flake8's own checks still ran on the other file.
    assert "other.py:1:1: F401 'os' imported but unused" in lines


def test_target_version_from_flake8_config(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(UNDRAINED)
    (tmp_path / "setup.cfg").write_text("[flake8]\nasynclint-target-version = py312\n")
    good = flake8("--select", "AIO", "ok.py", cwd=tmp_path, isolated=False)
    assert "error" not in good.stderr
    (tmp_path / "setup.cfg").write_text("[flake8]\nasynclint-target-version = py27\n")
    bad = flake8("--select", "AIO", "ok.py", cwd=tmp_path, isolated=False)
    assert bad.returncode == 2
    assert "invalid target version 'py27'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_invalid_target_version_on_the_command_line(tmp_path: Path) -> None:
    proc = flake8("--asynclint-target-version", "python3", "-", cwd=tmp_path, stdin="")
    assert proc.returncode == 2
    assert "--asynclint-target-version" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- the adapter, in-process -------------------------------------------------------------------


def run_plugin(source: str, filename: str = "mod.py") -> list[tuple[int, int, str]]:
    lines = source.splitlines(keepends=True)
    plugin = Plugin(ast.parse(source), lines, filename)
    results = list(plugin.run())
    assert all(kind is Plugin for *_, kind in results)
    return [(line, col, text) for line, col, text, _ in results]


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, Settings]]:
    """Replace the engine with one that reports two fixed findings and records its calls."""
    calls: list[tuple[str, str, Settings]] = []

    def check(data: str | bytes, path: str, settings: Settings, **kwargs: object) -> FileResult:
        assert isinstance(data, str)
        assert kwargs.get("fix", False) is False
        assert kwargs.get("prefilter", True) is True
        calls.append((data, path, settings))
        return FileResult(
            path,
            diagnostics=[
                Diagnostic(path, 4, 5, "AIO401", "write() without drain()"),
                Diagnostic(path, 1, 1, "AIO001", "syntax error: x"),
            ],
        )

    monkeypatch.setattr("asynclint.engine.check_source", check)
    return calls


def test_columns_are_given_to_flake8_zero_based(fake_engine: list[object]) -> None:
    assert run_plugin(UNDRAINED) == [
        (4, 4, "AIO401 write() without drain()"),
        (1, 0, "AIO001 syntax error: x"),
    ]


def test_the_engine_gets_flake8s_lines_and_name_and_applies_its_noqa(
    fake_engine: list[tuple[str, str, Settings]],
) -> None:
    run_plugin(UNDRAINED, filename="pkg/mod.py")
    [(data, path, settings)] = fake_engine
    assert data == UNDRAINED
    assert path == "pkg/mod.py"
    # asynclint's own comments (file-level, any case), which flake8 does not know.
    assert settings.respect_noqa is True


def test_source_without_async_never_reaches_the_engine(fake_engine: list[object]) -> None:
    assert run_plugin(NO_ASYNCIO) == []
    assert fake_engine == []


def test_prefilter_of_text_and_of_bytes_agree() -> None:
    from asynclint.prefilter import prefiltered, prefiltered_text

    for text in ("import os\n", "async def f():\n    pass\n", "x = 'asyncio'\n", ""):
        assert prefiltered_text(text) == prefiltered(text.encode())


def test_engine_exception_becomes_one_diagnostic(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> FileResult:
        raise ValueError("bad\nnews")

    monkeypatch.setattr("asynclint.engine.check_source", crash)
    [(line, col, text)] = run_plugin(UNDRAINED)
    assert (line, col) == (1, 0)
    assert text.startswith("AIO000 asynclint failed on this file")
    assert text.endswith("ValueError: bad news")


def test_internal_errors_follow_the_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    def partial(data: str | bytes, path: str, settings: Settings, **kwargs: object) -> FileResult:
        return FileResult(
            path,
            diagnostics=[Diagnostic(path, 2, 3, "AIO202", "shell")],
            internal_errors=[f"{path}: rule AIO101 failed: KeyError: 'x'"],
        )

    monkeypatch.setattr("asynclint.engine.check_source", partial)
    results = run_plugin(UNDRAINED)
    assert results[0] == (2, 2, "AIO202 shell")
    assert results[1][:2] == (1, 0)
    assert "rule AIO101 failed: KeyError" in results[1][2]
    assert len(results) == 2


def test_options_become_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nrequires-python = ">=3.11"\n[tool.asynclint]\nignore = ["AIO2"]\n'
    )
    monkeypatch.setattr(Plugin, "cli", Plugin.cli)
    monkeypatch.setattr(Plugin, "respect_noqa", Plugin.respect_noqa)
    monkeypatch.setattr(Plugin, "_projects", None)
    options = argparse.Namespace(
        asynclint_target_version=(3, 12),
        asynclint_preview=True,
        select=["E", "AIO107"],
        extend_select=["AIO4", "AIO606"],
        disable_noqa=True,
    )
    Plugin.parse_options(options)
    settings = Plugin.settings_for("mod.py")
    assert settings is not None
    assert settings.target_version == (3, 12)
    assert settings.preview is True
    assert settings.respect_noqa is False
    assert settings.extend_select == ("AIO107", "AIO606")
    assert settings.ignore == ("AIO2",)

    # Without options: the project's own configuration, as `asynclint check` reads it.
    Plugin.parse_options(argparse.Namespace(select=None, extend_select=None))
    settings = Plugin.settings_for("mod.py")
    assert settings is not None
    assert (settings.target_version, settings.preview) == ((3, 11), False)
    assert (settings.ignore, settings.respect_noqa) == (("AIO2",), True)
    assert settings.project_root == str(tmp_path)


def test_real_engine_on_source_without_findings() -> None:
    # The snippet is clean once drained; nothing but the real engine runs here.
    drained = UNDRAINED + "    await writer.drain()\n"
    assert run_plugin(drained) == []
