"""The command line, in-process through click's runner and as the installed `asynclint`."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from asynclint import __version__
from asynclint.cli import cli
from asynclint.registry import ALL_CODES
from asynclint.results import FileResult
from asynclint.settings import Settings

# Fires once AIO401 (stream-write-without-drain) is in place; it has a safe fix.
AIO401_SNIPPET = """\
import asyncio
async def send(host):
    reader, writer = await asyncio.open_connection(host, 80)
    writer.write(b"ping")
"""
AIO401_FIXED = AIO401_SNIPPET + "    await writer.drain()\n"
AIO401_LINE = "4:5: AIO401 `writer.write()` is never followed by `await writer.drain()`"
SYNTAX_ERROR = "async def broken(:\n    pass\n"
CLEAN = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n"

EXECUTABLE = Path(sys.executable).with_name("asynclint")
COMMAND = [str(EXECUTABLE)] if EXECUTABLE.exists() else [sys.executable, "-m", "asynclint"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def shell(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*COMMAND, *args], cwd=cwd, input=stdin, capture_output=True, check=False, timeout=120
    )


# Exit codes, default command, summary


def test_clean_tree_exits_zero_and_says_so(project: Path) -> None:
    _write(project, {"ok.py": CLEAN})
    result = invoke("check", ".")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "All checks passed!\n"


def test_check_is_the_default_command(project: Path) -> None:
    _write(project, {"bad.py": SYNTAX_ERROR})
    explicit, implicit, bare = invoke("check", "bad.py"), invoke("bad.py"), invoke()
    assert explicit.exit_code == implicit.exit_code == bare.exit_code == 1
    assert explicit.stdout == implicit.stdout == bare.stdout
    assert bare.stdout.startswith("bad.py:1:18: AIO001 syntax error")


def test_syntax_error_next_to_a_finding_both_reported(project: Path) -> None:
    # The AIO401 line needs the stream-write-without-drain rule.
    _write(project, {"a_bad.py": SYNTAX_ERROR, "b_send.py": AIO401_SNIPPET, "c.py": CLEAN})
    result = invoke("--no-cache")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "a_bad.py:1:18: AIO001 syntax error: invalid syntax"
    assert lines[1].startswith(f"b_send.py:{AIO401_LINE}")
    assert len(lines) == 2
    assert result.stderr.startswith(
        "Found 2 findings: 1 error, 1 warning.\n[*] 1 fixable with the `--fix` option."
    )


def test_exit_zero_keeps_the_report(project: Path) -> None:
    _write(project, {"bad.py": SYNTAX_ERROR})
    result = invoke("--exit-zero", "bad.py")
    assert result.exit_code == 0
    assert "AIO001" in result.stdout


def test_quiet_prints_findings_only(project: Path) -> None:
    _write(project, {"bad.py": SYNTAX_ERROR})
    result = invoke("-q", "bad.py")
    assert result.exit_code == 1
    assert result.stderr == ""
    assert result.stdout.startswith("bad.py:1:18: AIO001")


def test_undecodable_file_is_aio002(project: Path) -> None:
    (project / "blob.py").write_bytes(b"async def f():\x00\n")
    result = invoke("blob.py")
    assert result.exit_code == 1
    assert result.stdout.startswith("blob.py:1:1: AIO002 cannot decode file")


def test_select_and_ignore_on_the_command_line(project: Path) -> None:
    _write(project, {"bad.py": SYNTAX_ERROR})
    assert invoke("--ignore", "AIO001", "bad.py").exit_code == 0
    # A syntax error is reported whatever is selected; a clean file passes with any selection.
    assert invoke("--select", "AIO2,AIO4", "bad.py").exit_code == 1
    _write(project, {"send.py": AIO401_SNIPPET})
    assert invoke("--select", "AIO2,AIO6", "send.py").exit_code == 0
    assert invoke("--select", "AIO2", "--extend-select", "AIO4", "send.py").exit_code == 1


def test_per_file_ignores_on_the_command_line(project: Path) -> None:
    _write(project, {"gen/bad.py": SYNTAX_ERROR, "bad.py": SYNTAX_ERROR})
    result = invoke("--per-file-ignores", "gen/*:AIO001", ".")
    assert result.stdout.splitlines() == ["bad.py:1:18: AIO001 syntax error: invalid syntax"]
    broken = invoke("--per-file-ignores", "gen/*", ".")
    assert broken.exit_code == 2
    assert "expected GLOB:CODE" in broken.stderr


def test_extend_per_file_ignores_adds_to_the_config(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.asynclint.per-file-ignores]\n"gen/*" = ["AIO001"]\n'
    )
    _write(project, {"gen/bad.py": SYNTAX_ERROR, "t/bad.py": SYNTAX_ERROR, "bad.py": SYNTAX_ERROR})
    reported = {line.split(":")[0] for line in invoke(".").stdout.splitlines()}
    assert reported == {"bad.py", "t/bad.py"}
    extended = invoke("--extend-per-file-ignores", "t/*:AIO001", ".")
    assert extended.stdout.splitlines() == ["bad.py:1:18: AIO001 syntax error: invalid syntax"]
    replaced = invoke("--per-file-ignores", "t/*:AIO001", ".")  # the config's entry is dropped
    assert {line.split(":")[0] for line in replaced.stdout.splitlines()} == {"bad.py", "gen/bad.py"}
    broken = invoke("--extend-per-file-ignores", "t/*", ".")
    assert broken.exit_code == 2
    assert "--extend-per-file-ignores: expected GLOB:CODE" in broken.stderr


def test_force_exclude_skips_explicitly_named_excluded_files(project: Path) -> None:
    _write(project, {"build/bad.py": SYNTAX_ERROR})
    assert invoke("build/bad.py").exit_code == 1
    skipped = invoke("--force-exclude", "build/bad.py")
    assert (skipped.exit_code, skipped.stdout) == (0, "")
    assert invoke("--force-exclude", "--exclude", "other", "build/bad.py").exit_code == 1


def test_extend_exclude_from_the_command_line(project: Path) -> None:
    _write(project, {"gen_pb2.py": SYNTAX_ERROR, "ok.py": CLEAN})
    assert invoke("--extend-exclude", "*_pb2.py").exit_code == 0


# Other tools' codes, quiet runs, messages


def test_another_tools_code_in_ignore_is_a_warning(project: Path) -> None:
    _write(project, {"bad.py": SYNTAX_ERROR})
    result = invoke("--ignore", "E501,AIO001", "--per-file-ignores", "x/*:B008", "bad.py")
    assert result.exit_code == 0
    assert "asynclint: warning: --ignore: 'E501' is not an asynclint code; ignored" in (
        result.stderr
    )
    assert "--per-file-ignores 'x/*': 'B008' is not an asynclint code" in result.stderr
    (project / "pyproject.toml").write_text('[tool.asynclint]\nignore = ["W503"]\n')
    from_config = invoke("bad.py")
    assert from_config.exit_code == 1  # the run went on and reported the syntax error
    assert "ignore: 'W503' is not an asynclint code; ignored" in from_config.stderr


def test_quiet_keeps_the_fixes_list_asked_for(project: Path) -> None:
    _write(project, {"send.py": AIO401_SNIPPET})
    result = invoke("--fix", "--show-fixes", "-q", "--no-cache")
    assert result.stderr.splitlines() == [
        "Fixed 1 finding:",
        "- send.py:",
        "    1 x AIO401 (stream-write-without-drain)",
    ]


def test_pipe_wait_message_agrees_in_number(project: Path) -> None:
    spawn = "proc = await asyncio.create_subprocess_exec('ls', {})\n    await proc.wait()\n"
    both = "stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE"
    one = "stdout=asyncio.subprocess.PIPE"
    for name, pipes in (("both.py", both), ("one.py", one)):
        _write(project, {name: f"import asyncio\nasync def run():\n    {spawn.format(pipes)}"})
    result = invoke("--select", "AIO201", "--no-cache", "both.py", "one.py")
    assert "while stderr and stdout are PIPEs that nothing reads" in result.stdout
    assert "while stdout is a PIPE that nothing reads" in result.stdout


# Usage and configuration errors: exit 2 with a clear message


def test_nonexistent_path(project: Path) -> None:
    result = invoke("missing.py")
    assert result.exit_code == 2
    assert result.stderr.startswith("asynclint: error: missing.py: No such file or directory\n")


def test_missing_path_is_reported_and_the_rest_still_checked(project: Path) -> None:
    _write(project, {"bad.py": SYNTAX_ERROR, "good.py": CLEAN})
    result = invoke("check", "nope/", "bad.py", "good.py")
    assert result.exit_code == 2  # findings too, but not everything asked for was checked
    assert result.stdout.startswith("bad.py:1:18: AIO001")
    assert "asynclint: error: nope/: No such file or directory" in result.stderr
    clean = invoke("check", "--exit-zero", "nope/", "good.py")
    assert clean.exit_code == 2  # --exit-zero forgives findings, not a missing path


def test_mistyped_command_is_named_with_a_suggestion(project: Path) -> None:
    _write(project, {"bad.py": SYNTAX_ERROR})
    result = invoke("chek", ".")
    assert result.exit_code == 2
    assert "No such command 'chek'. Did you mean 'check'?" in result.stderr


@pytest.mark.parametrize("first", ["bad.py", "pkg", "./pkg", "--select", "-"])
def test_path_or_option_first_still_means_check(project: Path, first: str) -> None:
    _write(project, {"bad.py": SYNTAX_ERROR, "pkg/bad.py": SYNTAX_ERROR})
    args = {"--select": ["--select", "AIO0", "bad.py"], "-": ["-"]}.get(first, [first])
    result = invoke(*args, stdin=SYNTAX_ERROR.encode())
    assert result.exit_code == 1
    assert "AIO001" in result.stdout


def test_path_shaped_missing_argument_is_a_missing_path(project: Path) -> None:
    result = invoke("nope.py")
    assert result.exit_code == 2
    assert "nope.py: No such file or directory" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "AIO999"], "--select: unknown rule code or prefix 'AIO999'"),
        (["--ignore", "AIO999"], "--ignore: unknown rule code or prefix 'AIO999'"),
        (["--select", "E501"], "--select: unknown rule code or prefix 'E501'"),
        (["--target-version", "py27"], "--target-version: invalid target version 'py27'"),
        (["--jobs", "0"], "Invalid value for '-j' / '--jobs'"),
        (["--format", "xml"], "Invalid value for '--output-format' / '--format'"),
        (["-", "x.py"], "`-` (standard input) cannot be combined with other paths"),
    ],
)
def test_usage_errors_exit_two(project: Path, args: list[str], message: str) -> None:
    _write(project, {"x.py": CLEAN})
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ("[tool.asynclint]\nselect = [\n", "invalid TOML"),
        ("[tool.asynclint]\nselct = []\n", "[tool.asynclint]: unknown key 'selct'"),
        ('[tool.asynclint]\nselect = ["AIO9"]\n', "[tool.asynclint] select: unknown rule code"),
        ("[tool.asynclint]\npreview = 1\n", "[tool.asynclint] preview: expected true or false"),
    ],
)
def test_config_errors_exit_two_naming_the_file(
    project: Path, pyproject: str, message: str
) -> None:
    (project / "pyproject.toml").write_text(pyproject)
    _write(project, {"x.py": CLEAN})
    result = invoke("x.py")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"asynclint: error: {project / 'pyproject.toml'}")
    assert message in result.stderr


def test_config_file_is_applied(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.asynclint]\nignore = ["AIO001"]\n')
    _write(project, {"bad.py": SYNTAX_ERROR})
    assert invoke("bad.py").exit_code == 0
    other = project / "strict.toml"
    other.write_text('select = ["AIO0"]\n')
    assert invoke("--config", str(other), "bad.py").exit_code == 1
    assert invoke("--config", "nope.toml", "bad.py").exit_code == 2


def test_internal_error_is_reported_and_other_results_still_printed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(project, {"a.py": SYNTAX_ERROR, "b.py": "async def f():\n    pass\n"})
    from asynclint import engine

    real = engine.check_source

    def flaky(data: bytes | str, path: str, settings: Settings, **kw: bool) -> FileResult:
        result = real(data, path, settings, **kw)
        if path == "b.py":
            result.internal_errors.append("b.py: rule AIO401 failed: KeyError: 'x'")
        return result

    monkeypatch.setattr(engine, "check_source", flaky)
    result = invoke("--no-cache", "--jobs", "1", ".")
    assert result.exit_code == 2
    assert result.stdout.startswith("a.py:1:18: AIO001")
    assert "asynclint: internal error: b.py: rule AIO401 failed: KeyError: 'x'" in result.stderr


# Formats


def test_json_format(project: Path) -> None:
    # The fix object needs AIO401.
    _write(project, {"a.py": SYNTAX_ERROR, "send.py": AIO401_SNIPPET})
    result = invoke("--format", "json", "--no-cache")
    assert result.exit_code == 1
    assert result.stderr == ""  # machine formats keep stderr quiet
    items = json.loads(result.stdout)
    assert [(i["filename"], i["code"], i["location"]) for i in items] == [
        ("a.py", "AIO001", {"row": 1, "column": 18}),
        ("send.py", "AIO401", {"row": 4, "column": 5}),
    ]
    syntax, drain = items
    assert syntax["fix"] is None and syntax["severity"] == "error"
    assert syntax["name"] == "syntax-error"
    assert drain["end_location"] == {"row": 4, "column": 26}
    assert drain["fix"]["applicability"] == "safe"
    (edit,) = drain["fix"]["edits"]
    assert edit["content"] == "\n    await writer.drain()"
    assert edit["location"] == edit["end_location"] == {"row": 4, "column": 26}
    assert sorted(drain) == sorted(
        [
            "filename",
            "code",
            "name",
            "message",
            "severity",
            "location",
            "end_location",
            "fix",
            "related",
            "doc",
        ]
    )


def test_json_of_a_clean_run_is_an_empty_list(project: Path) -> None:
    _write(project, {"ok.py": CLEAN})
    result = invoke("--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_github_format(project: Path) -> None:
    _write(project, {"a.py": SYNTAX_ERROR})
    result = invoke("--format", "github", "a.py")
    assert result.stdout == (
        "::error file=a.py,line=1,col=18,title=AIO001::AIO001 syntax error: invalid syntax\n"
    )


def test_statistics(project: Path) -> None:
    _write(project, {"a.py": SYNTAX_ERROR, "b.py": SYNTAX_ERROR, "c.py": b"\x00async".decode()})
    result = invoke("--statistics", "--no-cache")
    assert result.exit_code == 1
    assert result.stdout == "2  AIO001  syntax-error\n1  AIO002  unreadable-file\n"
    as_json = json.loads(invoke("--statistics", "--format", "json").stdout)
    assert as_json == [
        {"code": "AIO001", "name": "syntax-error", "count": 2, "fixable": False},
        {"code": "AIO002", "name": "unreadable-file", "count": 1, "fixable": False},
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--statistics", "--format", "sarif"],
            "--statistics cannot be combined with --format sarif",
        ),
        (["--statistics", "--format", "github"], "cannot be combined with --format github"),
        (["--statistics", "--diff"], "--statistics cannot be combined with --diff"),
        (
            ["--statistics", "-o", "x.sarif"],
            "--output x.sarif: would write a text report to a .sarif",
        ),
        (["-o", "x.sarif"], "--output x.sarif: would write a text report to a .sarif file"),
        (["--format", "json", "-o", "x.sarif"], "would write a json report to a .sarif file"),
        (["--diff", "-o", "x.sarif"], "would write a diff to a .sarif file"),
        (["--format", "sarif", "-o", "x.json"], "would write a sarif report to a .json file"),
    ],
)
def test_statistics_and_output_combinations_that_are_refused(
    project: Path, args: list[str], message: str
) -> None:
    _write(project, {"a.py": SYNTAX_ERROR})
    result = invoke(*args, "a.py")
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (project / "x.sarif").exists() and not (project / "x.json").exists()


def test_statistics_combine_with_json_and_output(project: Path) -> None:
    _write(project, {"a.py": SYNTAX_ERROR})
    result = invoke("--statistics", "--format", "json", "-o", "stats.json", "a.py")
    assert (result.exit_code, result.stdout) == (1, "")
    counts = json.loads((project / "stats.json").read_text())
    assert counts == [{"code": "AIO001", "name": "syntax-error", "count": 1, "fixable": False}]
    text = invoke("--statistics", "-o", "stats.txt", "a.py")
    assert (text.exit_code, text.stdout) == (1, "")
    assert (project / "stats.txt").read_text() == "1  AIO001  syntax-error\n"
    sarif = invoke("--format", "sarif", "-o", "x.sarif", "a.py")
    assert json.loads((project / "x.sarif").read_text())["version"] == "2.1.0"
    assert sarif.exit_code == 1


def test_concise_format_keeps_the_first_clause(project: Path) -> None:
    _write(project, {"send.py": AIO401_SNIPPET})
    result = invoke("--output-format", "concise", "--no-cache", "send.py")
    assert result.stdout == (
        "send.py:4:5: AIO401 `writer.write()` is never followed by `await writer.drain()`\n"
    )
    assert result.stderr.startswith("Found 1 finding: 1 warning.\n")
    assert invoke("--format", "concise", "send.py").stdout == result.stdout  # one option


def test_full_format_shows_the_source_line_fix_and_rule(project: Path) -> None:
    _write(project, {"send.py": AIO401_SNIPPET, "bad.py": SYNTAX_ERROR})
    result = invoke("--output-format", "full", "--no-cache", "send.py", "bad.py")
    assert result.exit_code == 1
    assert result.stdout == (
        "bad.py:1:18: AIO001 syntax error\n"
        "  |\n"
        "1 | async def broken(:\n"
        "  |                  ^\n"
        "  |\n"
        "  = invalid syntax\n"
        "  = rule: syntax-error (asynclint rule AIO001)\n"
        "\n"
        "send.py:4:5: AIO401 [*] `writer.write()` is never followed by `await writer.drain()`\n"
        "  |\n"
        '4 |     writer.write(b"ping")\n'
        "  |     ^^^^^^^^^^^^^^^^^^^^^\n"
        "  |\n"
        "  = without it the buffer grows without limit when the peer reads slowly\n"
        "  = fix (safe): Insert `await writer.drain()`\n"
        "  = rule: stream-write-without-drain (asynclint rule AIO401)\n"
    )
    assert result.stderr.startswith("Found 2 findings: 1 error, 1 warning.\n")


def test_default_format_is_full_in_a_terminal_and_text_otherwise(project: Path) -> None:
    import pty

    _write(project, {"send.py": AIO401_SNIPPET})
    piped = shell("--no-cache", "send.py", cwd=project)
    assert piped.stdout.decode().startswith(f"send.py:{AIO401_LINE}: without it")
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [*COMMAND, "--no-cache", "send.py"],
            cwd=project,
            stdout=follower,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=120,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    assert proc.returncode == 1
    shown = b"".join(chunks).decode().replace("\r\n", "\n")
    assert shown.startswith("send.py:4:5: AIO401 [*] `writer.write()` is never followed")
    assert '4 |     writer.write(b"ping")\n' in shown
    assert "  = rule: stream-write-without-drain (asynclint rule AIO401)\n" in shown


def test_output_file(project: Path) -> None:
    _write(project, {"a.py": SYNTAX_ERROR})
    result = invoke("--output", "report.txt", "a.py")
    assert (result.exit_code, result.stdout) == (1, "")
    assert (project / "report.txt").read_text().startswith("a.py:1:18: AIO001")


# Standard input


def test_stdin_uses_the_given_filename(project: Path) -> None:
    result = invoke("-", "--stdin-filename", "pkg/mod.py", stdin=SYNTAX_ERROR.encode())
    assert result.exit_code == 1
    assert result.stdout.startswith("pkg/mod.py:1:18: AIO001")
    unnamed = invoke("-", stdin=SYNTAX_ERROR.encode())
    assert unnamed.stdout.startswith("-:1:18: AIO001")


def test_stdin_honours_per_file_ignores_by_filename(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.asynclint.per-file-ignores]\n"gen/*" = ["AIO001"]\n'
    )
    result = invoke("-", "--stdin-filename", "gen/x.py", stdin=SYNTAX_ERROR.encode())
    assert result.exit_code == 0


def test_stdin_force_excluded_echoes_source_with_fix(project: Path) -> None:
    args = ("-", "--stdin-filename", "build/x.py", "--force-exclude", "--fix")
    result = invoke(*args, stdin=SYNTAX_ERROR.encode())
    assert (result.exit_code, result.stdout) == (0, SYNTAX_ERROR)


def test_stdin_fix_prints_the_fixed_source(project: Path) -> None:
    # Needs AIO401's fix.
    result = invoke("-", "--fix", "--stdin-filename", "send.py", stdin=AIO401_SNIPPET.encode())
    assert result.exit_code == 0
    assert result.stdout == AIO401_FIXED
    assert "Found 1 finding (1 fixed, 0 remaining)." in result.stderr


def test_stdin_fix_without_fixes_prints_the_source_unchanged(project: Path) -> None:
    result = invoke("-", "--fix", stdin=SYNTAX_ERROR.encode())
    assert result.exit_code == 1
    assert result.stdout == SYNTAX_ERROR
    assert "-:1:18: AIO001" in result.stderr


# Fixing (all need AIO401's fix)


def test_fix_writes_the_file_keeping_mode_and_line_endings(project: Path) -> None:
    path = project / "send.py"
    path.write_bytes(AIO401_SNIPPET.replace("\n", "\r\n").encode())
    path.chmod(0o640)
    result = invoke("--fix", "--no-cache", "send.py")
    assert result.exit_code == 0
    assert path.read_bytes() == AIO401_FIXED.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert result.stderr == "Found 1 finding (1 fixed, 0 remaining).\n"
    assert [p.name for p in project.iterdir()] == ["send.py"]  # no temporary file left
    again = invoke("--fix", "--no-cache", "send.py")
    assert (again.exit_code, again.stderr) == (0, "All checks passed!\n")
    assert path.read_bytes() == AIO401_FIXED.replace("\n", "\r\n").encode()


def test_fix_keeps_a_bom_and_a_latin1_encoding(project: Path) -> None:
    bom = project / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf" + AIO401_SNIPPET.encode())
    latin = project / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + AIO401_SNIPPET.encode())
    assert invoke("--fix", "--no-cache", "bom.py", "latin.py").exit_code == 0
    assert bom.read_bytes() == b"\xef\xbb\xbf" + AIO401_FIXED.encode()
    assert latin.read_bytes() == b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + AIO401_FIXED.encode()


def test_fix_writes_through_a_symlink(project: Path) -> None:
    (project / "real.py").write_text(AIO401_SNIPPET)
    (project / "link.py").symlink_to(project / "real.py")
    assert invoke("--fix", "--no-cache", "link.py").exit_code == 0
    assert (project / "link.py").is_symlink()
    assert (project / "real.py").read_text() == AIO401_FIXED


def test_fix_reports_remaining_findings(project: Path) -> None:
    _write(project, {"send.py": AIO401_SNIPPET, "bad.py": SYNTAX_ERROR})
    result = invoke("--fix", "--no-cache")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["bad.py:1:18: AIO001 syntax error: invalid syntax"]
    assert result.stderr == "Found 2 findings (1 fixed, 1 remaining: 1 error).\n"
    assert (project / "send.py").read_text() == AIO401_FIXED


def test_show_fixes_lists_what_was_fixed(project: Path) -> None:
    _write(project, {"send.py": AIO401_SNIPPET})
    result = invoke("--fix", "--show-fixes", "--no-cache")
    assert result.stderr.splitlines()[:3] == [
        "Fixed 1 finding:",
        "- send.py:",
        "    1 x AIO401 (stream-write-without-drain)",
    ]


def test_show_fixes_without_fix_describes_available_fixes(project: Path) -> None:
    _write(project, {"send.py": AIO401_SNIPPET})
    result = invoke("--show-fixes", "--no-cache")
    assert result.stdout.splitlines()[1] == "    fix (safe): Insert `await writer.drain()`"


def test_diff_prints_and_writes_nothing(project: Path) -> None:
    _write(project, {"send.py": AIO401_SNIPPET, "ok.py": CLEAN})
    result = invoke("--diff", "--no-cache")
    assert result.exit_code == 1
    assert result.stdout == (
        "--- a/send.py\n+++ b/send.py\n@@ -2,3 +2,4 @@\n async def send(host):\n"
        "     reader, writer = await asyncio.open_connection(host, 80)\n"
        '     writer.write(b"ping")\n+    await writer.drain()\n'
    )
    assert result.stderr == "Would fix 1 finding.\n"
    assert (project / "send.py").read_text() == AIO401_SNIPPET
    clean = invoke("--diff", "ok.py")
    assert (clean.exit_code, clean.stdout) == (0, "")


def test_fix_is_cached_like_a_check(project: Path) -> None:
    _write(project, {"send.py": AIO401_SNIPPET})
    assert invoke("--diff").exit_code == 1
    assert invoke("--diff").exit_code == 1  # answered from the cache, still a diff
    assert invoke("--fix").exit_code == 0
    assert (project / "send.py").read_text() == AIO401_FIXED
    assert invoke().exit_code == 0


# rule / rules / version


def test_rule_prints_its_documentation() -> None:
    result = invoke("rule", "aio401")
    assert result.exit_code == 0
    docs = Path(__file__).resolve().parents[1] / "rules" / "AIO401.md"
    assert result.stdout == docs.read_text(encoding="utf-8")


def test_rule_by_name_prints_the_same_documentation() -> None:
    by_name = invoke("rule", "stream-write-without-drain")
    assert by_name.exit_code == 0
    assert by_name.stdout == invoke("rule", "AIO401").stdout
    assert by_name.stdout.startswith("# AIO401 stream-write-without-drain\n")


def test_unknown_rule_exits_two() -> None:
    result = invoke("rule", "AIO999")
    assert result.exit_code == 2
    assert "unknown rule code or name 'AIO999'" in result.stderr
    typo = invoke("rule", "stream-write-without-drian")
    assert typo.exit_code == 2
    assert "(did you mean stream-write-without-drain?)" in typo.stderr


def test_rules_as_json_for_tools() -> None:
    result = invoke("rules", "--format", "json")
    assert result.exit_code == 0
    entries = json.loads(result.stdout)
    assert [entry["code"] for entry in entries] == list(ALL_CODES)
    by_code = {entry["code"]: entry for entry in entries}
    assert by_code["AIO401"] == {
        "code": "AIO401",
        "name": "stream-write-without-drain",
        "severity": "warning",
        "status": "default",
        "preview": False,
        "opt_in": False,
        "fix": "safe",
        "summary": by_code["AIO401"]["summary"],
        "doc": "asynclint rule AIO401",
    }
    assert by_code["AIO401"]["summary"].strip()
    assert by_code["AIO001"]["fix"] is None


def test_show_settings_for_a_file(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nrequires-python = ">=3.11"\n[tool.asynclint]\nignore = ["AIO6"]\n'
        '[tool.asynclint.per-file-ignores]\n"tests/*" = ["AIO2"]\n'
    )
    _write(project, {"tests/t.py": CLEAN, "src/m.py": CLEAN})
    result = invoke("check", "--show-settings", "--extend-select", "AIO601", "tests/t.py")
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "Settings for tests/t.py",
        f"config file: {project / 'pyproject.toml'}",
        f"project root: {project}",
        "target version: py311",
    ]
    assert "ignore: AIO6" in lines
    assert "extend-select: AIO601" in lines
    enabled = next(line for line in lines if line.startswith("enabled codes"))
    assert "AIO401" in enabled and "AIO601" in enabled
    assert "AIO201" not in enabled and "AIO602" not in enabled
    other = invoke("check", "--show-settings", "src/m.py").stdout
    assert "AIO201" in next(line for line in other.splitlines() if line.startswith("enabled"))
    assert invoke("check", "--show-settings", "src", "tests").exit_code == 2


def test_rule_by_name_prints_its_doc() -> None:
    result = invoke("rule", "stream-write-without-drain")
    assert result.exit_code == 0
    assert result.stdout.startswith("# AIO401 stream-write-without-drain\n")


def test_rules_lists_every_code() -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["CODE", "NAME", "SEVERITY", "STATUS", "FIX"]
    assert [line.split()[0] for line in lines[1:]] == list(ALL_CODES)
    assert lines[1].split()[:5] == ["AIO000", "internal-error", "error", "default", "-"]
    assert lines[2].split()[:5] == ["AIO001", "syntax-error", "error", "default", "-"]


def test_version() -> None:
    result = invoke("--version")
    assert (result.exit_code, result.stdout) == (0, f"asynclint {__version__}\n")


# The installed command, in a real process


def test_installed_command_exit_codes_and_streams(project: Path) -> None:
    _write(project, {"a.py": SYNTAX_ERROR, "ok.py": CLEAN})
    found = shell(".", cwd=project)
    assert found.returncode == 1
    assert found.stdout == b"a.py:1:18: AIO001 syntax error: invalid syntax\n"
    assert found.stderr == b"Found 1 finding: 1 error.\n"
    clean = shell("check", "ok.py", cwd=project)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, b"", b"All checks passed!\n")
    missing = shell("nope.py", "a.py", cwd=project)
    assert missing.returncode == 2
    assert b"nope.py: No such file or directory" in missing.stderr
    assert missing.stdout == b"a.py:1:18: AIO001 syntax error: invalid syntax\n"
    typo = shell("chek", ".", cwd=project)
    assert typo.returncode == 2
    assert b"No such command 'chek'. Did you mean 'check'?" in typo.stderr
    unknown = shell("--select", "AIO999", cwd=project)
    assert unknown.returncode == 2
    assert b"unknown rule code or prefix 'AIO999'" in unknown.stderr


def test_installed_command_reads_stdin_and_writes_json(project: Path) -> None:
    result = shell(
        "-",
        "--stdin-filename",
        "x.py",
        "--format",
        "json",
        cwd=project,
        stdin=SYNTAX_ERROR.encode(),
    )
    assert result.returncode == 1
    assert [item["filename"] for item in json.loads(result.stdout)] == ["x.py"]


def test_installed_command_config_error(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.asynclint]\nunknown = 1\n")
    result = shell(cwd=project)
    assert result.returncode == 2
    assert b"unknown key 'unknown'" in result.stderr


def test_python_dash_m(project: Path) -> None:
    _write(project, {"a.py": SYNTAX_ERROR})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-m", "asynclint", "--statistics", "a.py"],
        cwd=project,
        capture_output=True,
        check=False,
        env=env,
    )
    assert (result.returncode, result.stdout) == (1, b"1  AIO001  syntax-error\n")


def test_readme_opening_example_is_what_the_command_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    command = "$ asynclint check --output-format concise examples/job_runner.py\n"
    shown = readme.split(command, 1)[1].split("```", 1)[0]
    monkeypatch.chdir(root)
    result = invoke(*command.split()[2:], "--no-cache")
    assert result.stdout + result.stderr == shown
