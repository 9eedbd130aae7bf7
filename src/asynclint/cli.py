"""The command line: `asynclint check` (the default command), `asynclint rule CODE` and
`asynclint rules`. Exit codes: 0 clean, 1 findings, 2 usage, configuration or internal error.

Nothing here imports the engine at module level: a run answered from the cache must not pay
for importing libcst."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click

from asynclint import __version__
from asynclint.config import CliOptions, Config, ConfigError, check_selectors, resolve
from asynclint.files import DiscoveryError, is_excluded
from asynclint.reporters import FORMATS
from asynclint.runner import Outcome, check_bytes, rule_names, run

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageFailure(click.ClickException):
    """A bad path, option or configuration: reported on one line, exit 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"asynclint: error: {self.format_message()}", err=True)


class DefaultToCheck(click.Group):
    """`asynclint src/` means `asynclint check src/`, as with ruff's old interface."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        top_level = {"--help", "-h", "--version"}
        if not args or (args[0] not in self.commands and args[0] not in top_level):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="asynclint", message="%(prog)s %(version)s")
def cli() -> None:
    """Find asyncio deadlocks and pitfalls: undrained stream writers, piped subprocesses that
    are waited on, unbalanced queues, shell injection. `asynclint PATH` is `asynclint check
    PATH`."""


def _split(values: Sequence[str]) -> tuple[str, ...]:
    """`--select A,B --select C` -> (A, B, C); repeated and comma-separated forms mix."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(code.upper() for code in _split(values))


def _per_file_ignores(values: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    if not values:
        return None
    entries = []
    for value in values:
        glob, sep, codes = value.rpartition(":")
        if not sep or not glob or not codes.strip():
            raise UsageFailure(f"--per-file-ignores: expected GLOB:CODE[,CODE...], got {value!r}")
        entries.append((glob, _codes([codes])))
    return tuple(entries)


@dataclass(frozen=True)
class Report:
    """How to present the results (the `check` options that do not affect analysis)."""

    format: str
    output: str | None
    statistics: bool
    show_fixes: bool
    quiet: bool
    unsafe: bool

    @property
    def machine(self) -> bool:
        return self.format != "text"


@cli.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (AIO, AIO4).")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--extend-select", multiple=True, help="Codes to enable on top of the selection.")
@click.option(
    "--per-file-ignores", multiple=True, metavar="GLOB:CODES", help="e.g. 'tests/*:AIO401'."
)
@click.option("--target-version", metavar="pyXY", help="Python version to check for (py311).")
@click.option("--preview/--no-preview", default=None, help="Enable preview rules.")
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", "output", metavar="FILE", help="Write the report to FILE.")
@click.option("--statistics", is_flag=True, help="Show how often each code was found.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even if there are findings.")
@click.option("--fix", is_flag=True, help="Apply safe fixes and write the files.")
@click.option("--unsafe-fixes", is_flag=True, help="Apply unsafe fixes too.")
@click.option("--diff", is_flag=True, help="Print fixes as a diff instead of writing them.")
@click.option("--show-fixes", is_flag=True, help="List the fixes applied (or available).")
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
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary.")
def check(
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    per_file_ignores: tuple[str, ...],
    target_version: str | None,
    preview: bool | None,
    output_format: str,
    output: str | None,
    statistics: bool,
    exit_zero: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    no_cache: bool,
    cache_dir: str | None,
    jobs: int | None,
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    force_exclude: bool,
    config_file: str | None,
    stdin_filename: str | None,
    quiet: bool,
) -> None:
    """Check PATHs (default: the current directory); `-` reads standard input.

    Files that do not contain `async` cannot hold an asyncio pitfall: they are skipped without
    being parsed, so a syntax error in them is not reported (the summary counts them)."""
    options = CliOptions(
        select=_codes(select) if select else None,
        ignore=_codes(ignore),
        extend_select=_codes(extend_select),
        per_file_ignores=_per_file_ignores(per_file_ignores),
        exclude=_split(exclude) if exclude else None,
        extend_exclude=_split(extend_exclude),
        force_exclude=force_exclude,
        target_version=target_version,
        preview=preview,
    )
    use_stdin = paths == ("-",)
    if "-" in paths and not use_stdin:
        raise UsageFailure("`-` (standard input) cannot be combined with other paths")
    try:
        config = resolve(
            options, config_file=config_file, start=_config_start(paths, stdin_filename)
        )
    except ConfigError as error:
        raise UsageFailure(str(error)) from None
    report = Report(output_format, output, statistics, show_fixes, quiet, unsafe_fixes)
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
                before_analysis=lambda: check_selectors(config.all_selector_sources()),
                settings_for=config.projects.settings_for if config.projects else None,
            )
        except (ConfigError, DiscoveryError) as error:
            raise UsageFailure(str(error)) from None
        if not quiet:
            for warning in outcome.warnings:
                click.echo(f"asynclint: warning: {warning}", err=True)
        code = _finish(outcome, report, diff=diff, fix=fix)
    if code == EXIT_FINDINGS and exit_zero:
        code = EXIT_CLEAN
    sys.exit(code)


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
    try:
        check_selectors(config.selector_sources)
    except ConfigError as error:
        raise UsageFailure(str(error)) from None
    result = check_bytes(data, path, config.settings, fix=fix or diff, unsafe=report.unsafe)
    outcome = Outcome(results=[result], internal_errors=list(result.internal_errors))
    outcome.files_skipped, outcome.files_checked = (1, 0) if result.skipped else (0, 1)
    outcome.rule_names = rule_names((d.code for d in result.diagnostics), {})
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
                errors.extend(reporting.write_fixes(outcome.results))
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
@click.argument("code")
def rule(code: str) -> None:
    """Explain a rule: what it finds, why it matters, what to write instead."""
    from asynclint.ruledocs import rule_doc
    from asynclint.rules import metadata

    code = code.strip().upper()
    meta = metadata(code)
    if meta is None:
        raise UsageFailure(f"unknown rule code {code!r}; `asynclint rules` lists them all")
    doc = rule_doc(code)
    if doc is None:
        doc = f"# {code} {meta.name}\n\n{meta.summary}\n"
    click.echo(doc, nl=not doc.endswith("\n"))


@cli.command(name="rules")
def list_rules() -> None:
    """List every rule: code, name, severity, whether on by default, fix availability."""
    from asynclint.rules import ALL_CODES, metadata

    rows = [("CODE", "NAME", "SEVERITY", "STATUS", "FIX", "SUMMARY")]
    for code in ALL_CODES:
        meta = metadata(code)
        if meta is None:
            continue
        status = "preview" if meta.preview else "default"
        rows.append(
            (code, meta.name, meta.severity.value, status, meta.fix_safety or "-", meta.summary)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="asynclint")
