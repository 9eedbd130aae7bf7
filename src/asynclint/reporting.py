"""What `check` does with results: write fixed files, show diffs, print the report in the
chosen format and the one-line summary (to stderr, so stdout stays machine-readable)."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

import click

from asynclint import registry
from asynclint.diagnostics import Diagnostic, Severity
from asynclint.results import FileResult
from asynclint.runner import Outcome
from asynclint.source import UndecodableSource, decode

if TYPE_CHECKING:
    from asynclint.reporters import sarif


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
        from asynclint.reporters import HUMAN_FORMATS

        return self.format not in HUMAN_FORMATS


def echo_fixed_stdin(result: FileResult, data: bytes) -> None:
    """stdin + --fix: the (fixed) source goes to stdout, in the encoding it came in."""
    out = data if result.fixed_text is None else result.fixed_text.encode(result.encoding)
    sys.stdout.flush()
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()


def diff_summary(results: Sequence[FileResult], changed: bool) -> str:
    fixed = sum(len(r.applied_fixes) for r in results if r.fixed_text is not None)
    return f"Would fix {_plural(fixed, 'finding')}." if changed else "No findings would be fixed."


def _original_text(result: FileResult, stdin_data: bytes | None) -> str | None:
    try:
        if stdin_data is not None:
            return decode(stdin_data).text
        with open(result.path, "rb") as handle:
            return decode(handle.read()).text
    except (OSError, UndecodableSource):
        return None


def print_diffs(
    results: Sequence[FileResult], output: str | None, stdin_data: bytes | None
) -> bool:
    """Print a unified diff per file that fixes would change; True if there was any."""
    from asynclint.fixes.diff import unified_diff

    chunks = []
    for result in results:
        if result.fixed_text is None:
            continue
        before = _original_text(result, stdin_data)
        if before is not None and before != result.fixed_text:
            chunks.append(unified_diff(before, result.fixed_text, result.path))
    _emit("".join(chunks), output, to_stderr=False)
    return bool(chunks)


def _emit(content: str, output: str | None, *, to_stderr: bool) -> None:
    if output is not None:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(content)
    elif content:
        click.echo(content, nl=False, err=to_stderr)


def _text_source(outcome: Outcome, stdin_data: bytes | None) -> Callable[[str], str | None]:
    """The text a diagnostic's fix offsets refer to: the file as it is now (fixed, if --fix
    wrote it), or for stdin the final text."""

    by_path = {result.path: result for result in outcome.results}

    def read(path: str) -> str | None:
        result = by_path.get(path)
        if result is None:
            return None
        if stdin_data is not None:
            return result.fixed_text or _original_text(result, stdin_data)
        return _original_text(result, None)

    return read


def _rule_info(code: str) -> sarif.RuleInfo | None:
    from asynclint.registry import metadata
    from asynclint.reporters import sarif
    from asynclint.ruledocs import rule_doc

    meta = metadata(code)
    if meta is None:
        return None
    return sarif.RuleInfo(
        code=code,
        name=meta.name,
        severity=meta.severity,
        summary=meta.summary,
        fix_safety=meta.fix_safety,
        preview=meta.preview,
        opt_in=meta.opt_in,
        doc=rule_doc(code),
    )


def information_uri() -> str | None:
    """The project's home page from the installed package's metadata, if it names one."""
    from importlib import metadata

    try:
        found = metadata.metadata("asynclint")
    except metadata.PackageNotFoundError:
        return None
    urls: dict[str, str] = {}
    for entry in found.get_all("Project-URL") or []:
        label, _, url = str(entry).partition(",")
        urls[label.strip().lower()] = url.strip()
    for label in ("homepage", "home", "repository", "source", "documentation"):
        if urls.get(label):
            return urls[label]
    homes = [str(home).strip() for home in found.get_all("Home-page") or []]
    return next((home for home in homes if home), None)


def render(
    outcome: Outcome, report: Report, stdin_data: bytes | None, errors: Sequence[str] = ()
) -> str:
    from asynclint.reporters import concise, full, github, json, sarif, statistics, text

    diagnostics = outcome.diagnostics
    names = outcome.rule_names
    if report.statistics:
        if report.format == "json":
            return statistics.render_json(diagnostics, names, unsafe=report.unsafe)
        return statistics.render_text(diagnostics, names, unsafe=report.unsafe)
    if report.format == "json":
        return json.render(diagnostics, names, _text_source(outcome, stdin_data))
    if report.format == "sarif":
        return sarif.render(
            diagnostics,
            _rule_info,
            _text_source(outcome, stdin_data),
            base=os.getcwd(),
            information_uri=information_uri(),
            internal_errors=errors,
        )
    if report.format == "github":
        return github.render(diagnostics)
    if report.format == "concise":
        return concise.render(diagnostics)
    if report.format == "full":
        source = _text_source(outcome, stdin_data)
        return full.render(diagnostics, names, source, unsafe=report.unsafe)
    return text.render(diagnostics, show_fixes=report.show_fixes)


def print_report(
    outcome: Outcome,
    report: Report,
    *,
    fix: bool,
    to_stderr: bool,
    stdin_data: bytes | None,
    errors: Sequence[str] = (),
) -> None:
    """`errors`: the run's internal errors, for formats that record them (SARIF)."""
    _emit(render(outcome, report, stdin_data, errors), report.output, to_stderr=to_stderr)
    if report.machine:
        return
    err: TextIO = sys.stderr
    if fix and report.show_fixes:
        _print_fixed(outcome, err)  # asked for by name: -q hides the summary, not this
    if report.quiet:
        return
    if not outcome.results and stdin_data is None and not outcome.path_errors:
        print("asynclint: warning: no Python files found", file=err)
    print(summary(outcome, fix=fix, unsafe=report.unsafe), file=err)
    if outcome.files_skipped:
        print(skipped_note(outcome.files_skipped), file=err)


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


def _by_severity(diagnostics: Sequence[Diagnostic]) -> str:
    """ "3 errors, 9 warnings": each severity that occurs, most severe first."""
    counts = Counter(d.severity for d in diagnostics)
    return ", ".join(
        _plural(counts[severity], severity.value) for severity in Severity if counts[severity]
    )


def summary(outcome: Outcome, *, fix: bool, unsafe: bool) -> str:
    """ruff's wording, counted by severity: "Found 12 findings: 3 errors, 9 warnings.",
    "Found 3 findings (2 fixed, 1 remaining: 1 warning)." or "All checks passed!"."""
    remaining = outcome.diagnostics
    fixed = sum(len(r.applied_fixes) for r in outcome.results) if fix else 0
    if not remaining and not fixed:
        return "All checks passed!"
    total = _plural(fixed + len(remaining), "finding")
    if fixed:
        left = f": {_by_severity(remaining)}" if remaining else ""
        lines = [f"Found {total} ({fixed} fixed, {len(remaining)} remaining{left})."]
    else:
        lines = [f"Found {total}: {_by_severity(remaining)}."]
    with_fix = [d.fix for d in remaining if d.fix is not None]
    fixable = sum(1 for f in with_fix if f.safe or unsafe)
    hidden = len(with_fix) - fixable
    if fixable and not fix:
        lines.append(f"[*] {fixable} fixable with the `--fix` option.")
    if hidden:
        option = "`--unsafe-fixes`"
        count = _plural(hidden, "hidden fix", "hidden fixes")
        lines.append(f"({count} can be enabled with the {option} option.)")
    return "\n".join(lines)


def skipped_note(count: int) -> str:
    """Files without `async` are never parsed: say so, since their syntax errors go unseen."""
    return f"{_plural(count, 'file')} without async skipped (not parsed)."


def _print_fixed(outcome: Outcome, err: TextIO) -> None:
    fixed = [r for r in outcome.results if r.applied_fixes]
    total = sum(len(r.applied_fixes) for r in fixed)
    if not total:
        print("No findings fixed.", file=err)
        return
    names = registry.names(c for r in fixed for c in r.applied_fixes)
    print(f"Fixed {_plural(total, 'finding')}:", file=err)
    for result in fixed:
        print(f"- {result.path.replace(os.sep, '/')}:", file=err)
        for code, count in sorted(Counter(result.applied_fixes).items()):
            print(f"    {count} x {code} ({names.get(code, '')})", file=err)
