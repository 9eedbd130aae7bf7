"""The large-file budget: a file longer than `max-file-lines` is reported as AIO003 instead of
being parsed (libcst's memory grows with the file), in every path that shares the engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from asynclint.cli import cli
from asynclint.config import CliOptions, ConfigError, resolve
from asynclint.engine import check_buffer, check_source
from asynclint.server.configuration import ConfigResolver
from asynclint.settings import DEFAULT_MAX_FILE_LINES, Settings

# One AIO401 (a write never drained), padded to the length a test needs.
UNDRAINED = (
    "import asyncio\n"
    "async def send(host):\n"
    "    reader, writer = await asyncio.open_connection(host, 80)\n"
    "    writer.write(b'ping')\n"
)


def padded(lines: int) -> str:
    """UNDRAINED followed by comment lines: `lines` lines in all."""
    head = UNDRAINED.count("\n")
    return UNDRAINED + "".join(f"# line {n}\n" for n in range(head + 1, lines + 1))


def codes(text: str, settings: Settings) -> list[str]:
    result = check_source(text, "big.py", settings)
    assert result.internal_errors == []
    return [d.code for d in result.diagnostics]


def test_a_file_over_the_budget_is_skipped_with_the_reason() -> None:
    result = check_source(padded(41), "big.py", Settings(max_file_lines=40))
    assert [(d.line, d.column, d.code) for d in result.diagnostics] == [(1, 1, "AIO003")]
    message = result.diagnostics[0].message
    assert message.startswith("41 lines, over the max-lines budget of 40: raise `max-file-lines`")


def test_a_file_at_the_budget_is_analysed() -> None:
    assert codes(padded(40), Settings(max_file_lines=40)) == ["AIO401"]
    # A last line without its newline is still a line.
    assert codes(padded(40).rstrip("\n"), Settings(max_file_lines=40)) == ["AIO401"]
    assert codes(padded(41).rstrip("\n"), Settings(max_file_lines=40)) == ["AIO003"]


def test_zero_means_no_limit() -> None:
    assert codes(padded(500), Settings(max_file_lines=0)) == ["AIO401"]


def test_the_notice_follows_the_selection_of_aio003() -> None:
    assert codes(padded(41), Settings(max_file_lines=40, ignore=("AIO003",))) == []


def test_a_file_without_async_is_skipped_before_the_budget() -> None:
    result = check_source("x = 1\n" * 100, "big.py", Settings(max_file_lines=10))
    assert result.skipped and result.diagnostics == []


def test_the_default_budget() -> None:
    assert Settings().max_file_lines == DEFAULT_MAX_FILE_LINES == 20_000
    assert codes(padded(DEFAULT_MAX_FILE_LINES + 1), Settings()) == ["AIO003"]


# --- configuration ---------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\nmax-file-lines = 40\n")
    (tmp_path / "big.py").write_text(padded(41))
    return tmp_path


def test_pyproject_sets_the_budget_and_the_command_line_overrides_it(project: Path) -> None:
    assert resolve(CliOptions(), start=".").settings.max_file_lines == 40
    assert resolve(CliOptions(max_file_lines=0), start=".").settings.max_file_lines == 0


@pytest.mark.parametrize("value", ["-1", '"40"', "true", "4.5"])
def test_a_bad_budget_is_a_configuration_error(project: Path, value: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.asynclint]\nmax-file-lines = {value}\n")
    with pytest.raises(ConfigError, match="max-file-lines: expected a whole number >= 0"):
        resolve(CliOptions(), start=".")


def test_command_line_reports_and_overrides_the_budget(project: Path) -> None:
    runner = CliRunner()
    over = runner.invoke(cli, ["check", "--no-cache", "big.py"])
    assert "big.py:1:1: AIO003 41 lines, over the max-lines budget of 40" in over.output
    assert over.exit_code == 1
    raised = runner.invoke(cli, ["check", "--no-cache", "--max-file-lines", "41", "big.py"])
    assert "AIO401" in raised.output and "AIO003" not in raised.output
    bad = runner.invoke(cli, ["check", "--no-cache", "--max-file-lines", "-3", "big.py"])
    assert bad.exit_code == 2


def test_cached_results_follow_the_budget(project: Path) -> None:
    runner = CliRunner()
    assert "AIO003" in runner.invoke(cli, ["check", "big.py"]).output
    # Same file, same cache directory: a new budget is a new cache key, not a stale answer.
    raised = runner.invoke(cli, ["check", "--max-file-lines", "0", "big.py"])
    assert "AIO401" in raised.output and "AIO003" not in raised.output


def test_flake8_reads_the_budget_from_pyproject(project: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "AIO", "big.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.stdout.startswith("big.py:1:1: AIO003 41 lines, over the max-lines budget of 40")
    assert "AIO401" not in proc.stdout


def test_language_server_reads_the_budget_from_pyproject(project: Path) -> None:
    settings = ConfigResolver().settings_for(str(project / "big.py"))
    assert settings is not None and settings.max_file_lines == 40
    buffer = check_buffer(padded(41), "big.py", settings)
    assert [d.code for d in buffer.diagnostics] == ["AIO003"]


def test_flake8_option_overrides_the_budget(project: Path) -> None:
    def flake8(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "flake8", "--select", "AIO", *args, "big.py"]
        return subprocess.run(
            command, cwd=project, capture_output=True, text=True, timeout=300, check=False
        )

    raised = flake8("--asynclint-max-file-lines", "0")
    assert "AIO401" in raised.stdout and "AIO003" not in raised.stdout
    lowered = flake8("--asynclint-max-file-lines=41")
    assert "AIO401" in lowered.stdout
    bad = flake8("--asynclint-max-file-lines", "-1")
    assert bad.returncode != 0 and "whole number" in bad.stderr
