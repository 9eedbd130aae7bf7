"""The command line: `asynclint check` (the default command), `asynclint rule CODE`,
`asynclint rules` and `asynclint server` (the language server). Exit codes: 0 clean,
1 findings, 2 usage, configuration or internal error.

Nothing here imports the engine at module level: a run answered from the cache must not pay
for importing libcst."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from asynclint import __version__, registry
from asynclint.config import CliOptions, Config, ConfigError, foreign_ignores, resolve
from asynclint.files import PYTHON_SUFFIXES, is_excluded
from asynclint.fixes import write as fix_writing
from asynclint.reporters import FORMATS, HUMAN_FORMATS
from asynclint.reporting import Report
from asynclint.runner import Outcome, check_bytes, run

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageFailure(click.ClickException):
    """A bad path, option or configuration: reported on one line, exit 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"asynclint: error: {self.format_message()}", err=True)


class DefaultToCheck(click.Group):
    """`asynclint src/` means `asynclint check src/`, as with ruff's old interface, but only
    when the first argument cannot be a mistyped command: an option, `-`, an existing path or
    something path-shaped (`x.py`, `pkg/`). A bare word that is none of these (`chek`) is an
    unknown command, with click's "Did you mean" suggestion."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        top_level = {"--help", "-h", "--version"}
        if not args or (args[0] not in {*self.commands, *top_level} and _means_check(args[0])):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _means_check(first: str) -> bool:
    path_shaped = first.endswith(PYTHON_SUFFIXES) or "/" in first or os.sep in first
    return first.startswith("-") or first.startswith(".") or path_shaped or os.path.exists(first)


@click.group(cls=DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="asynclint", message="%(prog)s %(version)s")
def cli() -> None:
    """Find asyncio deadlocks and pitfalls: undrained stream writers, piped subprocesses that
    are waited on, unbalanced queues, shell injection. `asynclint PATH` is `asynclint check
    PATH` when PATH exists or looks like a path (`x.py`, `src/`); any other word is taken as a
    command name."""


def _split(values: Sequence[str]) -> tuple[str, ...]:
    """`--select A,B --select C` -> (A, B, C); repeated and comma-separated forms mix."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(code.upper() for code in _split(values))


def _per_file_ignores(
    values: Sequence[str], option: str = "--per-file-ignores"
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    entries = []
    for value in values:
        glob, sep, codes = value.rpartition(":")
        if not sep or not glob or not codes.strip():
            raise UsageFailure(f"{option}: expected GLOB:CODE[,CODE...], got {value!r}")
        entries.append((glob, _codes([codes])))
    return tuple(entries)


@cli.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (AIO, AIO4).")
@click.option(
    "--ignore",
    multiple=True,
    help="Rule codes or prefixes to disable (other tools' codes: a warning).",
)
@click.option("--extend-select", multiple=True, help="Codes to enable on top of the selection.")
@click.option(
    "--per-file-ignores",
    multiple=True,
    metavar="GLOB:CODES",
    help="e.g. 'tests/*:AIO401'; replaces the config's per-file-ignores.",
)
@click.option(
    "--extend-per-file-ignores",
    multiple=True,
    metavar="GLOB:CODES",
    help="Like --per-file-ignores, added to the config's.",
)
@click.option("--target-version", metavar="pyXY", help="Python version to check for (py311).")
@click.option("--preview/--no-preview", default=None, help="Enable preview rules.")
@click.option(
    "--max-file-lines",
    type=click.IntRange(min=0),
    metavar="N",
    help="Skip (AIO003) a file longer than N lines instead of analysing it (default 20000;"
    " 0: no limit). Parsing takes about 23 MB per 1000 lines.",
)
@click.option(
    "--output-format",
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    help="Output format (--format is the same option). Default: full in a terminal, text"
    " (one flake8-style line per finding) otherwise or with -o.",
)
@click.option("-o", "--output", "output", metavar="FILE", help="Write the report to FILE.")
@click.option(
    "--statistics",
    is_flag=True,
    help="Show how often each code was found (JSON with --format json; not with sarif,"
    " github or --diff).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even if there are findings.")
@click.option("--fix", is_flag=True, help="Apply safe fixes and write the files.")
@click.option("--unsafe-fixes", is_flag=True, help="Apply unsafe fixes too.")
@click.option("--diff", is_flag=True, help="Print fixes as a diff instead of writing them.")
@click.option("--show-fixes", is_flag=True, help="List the fixes applied (or available).")
@click.option(
    "--add-noqa",
    is_flag=True,
    help="Add `# noqa: CODE` comments to the lines of the current findings (to adopt"
    " asynclint on existing code).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", metavar="DIR", help="Cache location (default .asynclint_cache).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (CPU count).")
@click.option("--exclude", multiple=True, help="Patterns to skip, replacing the defaults.")
@click.option("--extend-exclude", multiple=True, help="Patterns to skip besides the defaults.")
@click.option("--force-exclude", is_flag=True, help="Apply excludes to paths named here too.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Config file for every file checked, instead of the nearest pyproject.toml of each.",
)
@click.option("--stdin-filename", metavar="PATH", help="The name of the file read from `-`.")
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print the settings that apply to the one PATH given (config file, target version,"
    " enabled codes) and exit.",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Print findings (and --show-fixes) only: no summary."
)
def check(
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    per_file_ignores: tuple[str, ...],
    extend_per_file_ignores: tuple[str, ...],
    target_version: str | None,
    preview: bool | None,
    max_file_lines: int | None,
    output_format: str | None,
    output: str | None,
    statistics: bool,
    exit_zero: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    add_noqa: bool,
    no_cache: bool,
    cache_dir: str | None,
    jobs: int | None,
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    force_exclude: bool,
    config_file: str | None,
    stdin_filename: str | None,
    show_settings: bool,
    quiet: bool,
) -> None:
    """Check PATHs (default: the current directory); `-` reads standard input. A PATH that
    does not exist is reported and the others are still checked. Exit status: 0 nothing
    found, 1 findings, 2 a usage, configuration or internal error or a missing PATH.

    Files that do not contain `async` cannot hold an asyncio pitfall: they are skipped without
    being parsed, so a syntax error in them is not reported (the summary counts them)."""
    options = CliOptions(
        select=_codes(select) if select else None,
        ignore=_codes(ignore),
        extend_select=_codes(extend_select),
        per_file_ignores=_per_file_ignores(per_file_ignores) if per_file_ignores else None,
        extend_per_file_ignores=_per_file_ignores(
            extend_per_file_ignores, "--extend-per-file-ignores"
        ),
        exclude=_split(exclude) if exclude else None,
        extend_exclude=_split(extend_exclude),
        force_exclude=force_exclude,
        target_version=target_version,
        preview=preview,
        max_file_lines=max_file_lines,
    )
    use_stdin = paths == ("-",)
    if "-" in paths and not use_stdin:
        raise UsageFailure("`-` (standard input) cannot be combined with other paths")
    if add_noqa and (fix or diff or use_stdin):
        raise UsageFailure("--add-noqa cannot be combined with --fix, --diff or `-`")
    try:
        config = resolve(
            options, config_file=config_file, start=_config_start(paths, stdin_filename)
        )
    except ConfigError as error:
        raise UsageFailure(str(error)) from None
    if show_settings:
        _show_settings(paths, config)
        return
    if not quiet:
        for warning in foreign_ignores(config.selector_sources):
            click.echo(f"asynclint: warning: {warning}", err=True)
    if output_format is None:
        output_format = "full" if output is None and _is_terminal(sys.stdout) else "text"
    report = Report(output_format, output, statistics, show_fixes, quiet, unsafe_fixes)
    _check_combination(report, diff=diff)
    fixing = fix or diff
    if use_stdin:
        code = _check_stdin(config, report, stdin_filename, fix=fix, diff=diff)
    else:
        try:
            outcome = run(
                list(paths) or ["."],
                config.settings,
                jobs=jobs,
                use_cache=not no_cache,
                cache_dir=cache_dir,
                fix=fixing,
                unsafe=unsafe_fixes,
                discovery=config.discovery,
                project_root=config.project_root,
                settings_for=config.projects.settings_for if config.projects else None,
                keep_digests=add_noqa,
            )
        except ConfigError as error:
            raise UsageFailure(str(error)) from None
        if not quiet:
            for warning in outcome.warnings:
                click.echo(f"asynclint: warning: {warning}", err=True)
        for missing in outcome.path_errors:
            click.echo(f"asynclint: error: {missing}", err=True)
        code = _add_noqa(outcome) if add_noqa else _finish(outcome, report, diff=diff, fix=fix)
        if outcome.path_errors:
            code = EXIT_ERROR  # the rest was checked, but not everything that was asked for
    if code == EXIT_FINDINGS and exit_zero:
        code = EXIT_CLEAN
    sys.exit(code)


def _add_noqa(outcome: Outcome) -> int:
    """ruff's `--add-noqa`: no report, only how many comments were added."""
    from asynclint.add_noqa import add_noqa_to_files

    added, errors = add_noqa_to_files(outcome.results)
    errors = [*outcome.internal_errors, *errors]
    noun = "directive" if added == 1 else "directives"
    click.echo(f"Added {added} noqa {noun}.", err=True)
    for error in errors:
        click.echo(f"asynclint: error: {error}", err=True)
    return EXIT_ERROR if errors else EXIT_CLEAN


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced or closed
        return False


def _show_settings(paths: Sequence[str], config: Config) -> None:
    from asynclint.show_settings import describe

    if len(paths) != 1 or paths == ("-",):
        raise UsageFailure("--show-settings needs exactly one file or directory")
    click.echo(describe(paths[0], config), nl=False)


# What a report file's name promises; a report in another format must not be written to it.
_SUFFIX_FORMATS = {".sarif": "sarif", ".json": "json"}


def _check_combination(report: Report, *, diff: bool) -> None:
    """Refuse option combinations whose output would not be what was asked for."""
    if report.statistics and diff:
        raise UsageFailure("--statistics cannot be combined with --diff (it prints a diff)")
    if report.statistics and report.format not in (*HUMAN_FORMATS, "json"):
        raise UsageFailure(
            f"--statistics cannot be combined with --format {report.format}: "
            "use --format json for statistics a tool can read"
        )
    if report.output is not None:
        suffix = os.path.splitext(report.output)[1].lower()
        promised = _SUFFIX_FORMATS.get(suffix)
        written = "diff" if diff else report.format
        if promised is not None and promised != written:
            what = "a diff" if diff else f"a {written} report"
            raise UsageFailure(
                f"--output {report.output}: would write {what} to a {suffix} file; "
                f"use --format {promised} or another file name"
            )


def _config_start(paths: Sequence[str], stdin_filename: str | None) -> str:
    """Where to look for pyproject.toml: from the checked file's directory, as ruff does."""
    if paths == ("-",):
        return stdin_filename or "."
    first = paths[0] if paths else "."
    return first if os.path.exists(first) else "."


def _check_stdin(
    config: Config, report: Report, stdin_filename: str | None, *, fix: bool, diff: bool
) -> int:
    data = sys.stdin.buffer.read()
    path = stdin_filename or "-"
    excluded = stdin_filename and config.discovery.force_exclude
    if excluded and is_excluded(path, config.discovery):
        if fix and not diff:
            sys.stdout.buffer.write(data)  # the editor expects its buffer back unchanged
        return EXIT_CLEAN
    result = check_bytes(data, path, config.settings, fix=fix or diff, unsafe=report.unsafe)
    outcome = Outcome(results=[result], internal_errors=list(result.internal_errors))
    outcome.files_skipped, outcome.files_checked = (1, 0) if result.skipped else (0, 1)
    outcome.rule_names = registry.names(d.code for d in result.diagnostics)
    return _finish(outcome, report, diff=diff, fix=fix, stdin_data=data)


def _finish(
    outcome: Outcome, report: Report, *, diff: bool, fix: bool, stdin_data: bytes | None = None
) -> int:
    """Write or show fixes, print the report and summary; return the exit code."""
    from asynclint import reporting

    errors = list(outcome.internal_errors)
    try:
        if diff:
            changed = reporting.print_diffs(outcome.results, report.output, stdin_data)
            if not report.quiet and not report.machine:
                click.echo(reporting.diff_summary(outcome.results, changed), err=True)
            code = EXIT_FINDINGS if changed else EXIT_CLEAN
        else:
            if fix and stdin_data is not None:
                reporting.echo_fixed_stdin(outcome.results[0], stdin_data)
            elif fix:
                errors.extend(fix_writing.write_fixes(outcome.results))
            # With stdin + --fix, stdout carries the fixed source: the report goes to stderr.
            reporting.print_report(
                outcome,
                report,
                fix=fix,
                to_stderr=fix and stdin_data is not None,
                stdin_data=stdin_data,
                errors=errors,
            )
            code = EXIT_FINDINGS if outcome.diagnostics else EXIT_CLEAN
    except OSError as failure:
        where = report.output or "output"
        raise UsageFailure(f"cannot write {where}: {failure.strerror or failure}") from None
    for error in errors:
        click.echo(f"asynclint: internal error: {error}", err=True)
    return EXIT_ERROR if errors else code


@cli.command()
@click.argument("code", metavar="CODE_OR_NAME")
def rule(code: str) -> None:
    """Explain a rule (AIO401 or stream-write-without-drain): what it finds, why it matters,
    what to write instead."""
    import difflib

    from asynclint.ruledocs import rule_doc

    meta = registry.lookup(code)
    if meta is None:
        close = difflib.get_close_matches(code.strip().lower(), registry.BY_NAME, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UsageFailure(
            f"unknown rule code or name {code.strip()!r}{hint}; `asynclint rules` lists them all"
        )
    doc = rule_doc(meta.code)
    if doc is None:
        doc = f"# {meta.code} {meta.name}\n\n{meta.summary}\n"
    click.echo(doc, nl=not doc.endswith("\n"))


@cli.command(name="rules")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
    help="A table, or JSON for tools.",
)
def list_rules(output_format: str) -> None:
    """List every rule: code, name, severity, whether on by default, fix availability."""
    if output_format == "json":
        import json

        entries = [
            {
                "code": meta.code,
                "name": meta.name,
                "severity": meta.severity.value,
                "status": meta.status,
                "preview": meta.preview,
                "opt_in": meta.opt_in,
                "fix": meta.fix_safety,
                "summary": meta.summary,
                "doc": f"asynclint rule {meta.code}",
            }
            for meta in registry.RULES
        ]
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    rows = [("CODE", "NAME", "SEVERITY", "STATUS", "FIX", "SUMMARY")]
    for meta in registry.RULES:
        rows.append(
            (
                meta.code,
                meta.name,
                meta.severity.value,
                meta.status,
                meta.fix_safety or "-",
                meta.summary,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


@cli.command()
def server() -> None:
    """Run the language server on standard input and output, for editors that speak LSP."""
    from asynclint.server import MISSING_EXTRA

    try:
        from asynclint.server.protocol import serve
    except ImportError as error:
        if error.name in ("pygls", "lsprotocol") or str(error.name).startswith(
            ("pygls.", "lsprotocol.")
        ):
            raise UsageFailure(MISSING_EXTRA) from None
        raise
    serve()


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="asynclint")
