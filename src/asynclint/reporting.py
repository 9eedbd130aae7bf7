"""What `check` does with results: write fixed files, show diffs, print the report in the
chosen format and the one-line summary (to stderr, so stdout stays machine-readable)."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

import click

from asynclint.results import FileResult
from asynclint.runner import Outcome, rule_names
from asynclint.source import UndecodableSource, decode

if TYPE_CHECKING:
    from asynclint.cli import Report
    from asynclint.reporters import sarif


def echo_fixed_stdin(result: FileResult, data: bytes) -> None:
    """stdin + --fix: the (fixed) source goes to stdout, in the encoding it came in."""
    out = data if result.fixed_text is None else result.fixed_text.encode(result.encoding)
    sys.stdout.flush()
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()


def diff_summary(results: Sequence[FileResult], changed: bool) -> str:
    fixed = sum(len(r.applied_fixes) for r in results if r.fixed_text is not None)
    return f"Would fix {_plural(fixed)}." if changed else "No errors would be fixed."


def write_fixes(results: Sequence[FileResult]) -> list[str]:
    """Write every fixed file atomically; return a message for each that could not be."""
    from asynclint.fix import write_atomic

    errors = []
    for result in results:
        if result.fixed_text is None:
            continue
        failure = None
        if result.source_digest is not None and _digest_now(result.path) != result.source_digest:
            # Edited (or replaced) since it was read: writing would undo that edit.
            failure = f"{result.path}: changed while it was being checked; fixes not written"
        else:
            try:
                write_atomic(result.path, result.fixed_text, result.encoding)
            except UnicodeEncodeError as error:
                failure = f"{result.path}: fixed text cannot be encoded as {error.encoding}"
            except OSError as error:
                failure = f"{result.path}: cannot write fixes: {error.strerror or error}"
        if failure is not None:
            errors.append(failure)
            result.applied_fixes = []  # not written, so not fixed: the summary must not count it
    return errors


def _digest_now(path: str) -> str | None:
    from asynclint.cache import content_hash

    try:
        with open(path, "rb") as handle:
            return content_hash(handle.read())
    except OSError:
        return None


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
    from asynclint.fix import unified_diff

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
    # The registry imports the parser: a SARIF report with findings pays for that even when
    # every result came from the cache.
    from asynclint.reporters import sarif
    from asynclint.ruledocs import rule_doc
    from asynclint.rules import metadata

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
    from asynclint.reporters import github, json, sarif, statistics, text

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
    if report.quiet or report.machine:
        return
    err: TextIO = sys.stderr
    if fix and report.show_fixes:
        _print_fixed(outcome, err)
    if not outcome.results and stdin_data is None:
        print("asynclint: warning: no Python files found", file=err)
    print(summary(outcome, fix=fix, unsafe=report.unsafe), file=err)
    if outcome.files_skipped:
        print(skipped_note(outcome.files_skipped), file=err)


def _plural(count: int, noun: str = "error", plural: str | None = None) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


def summary(outcome: Outcome, *, fix: bool, unsafe: bool) -> str:
    """ruff's wording: "Found 3 errors (2 fixed, 1 remaining)." or "All checks passed!"."""
    remaining = outcome.diagnostics
    fixed = sum(len(r.applied_fixes) for r in outcome.results) if fix else 0
    if not remaining and not fixed:
        return "All checks passed!"
    if fixed:
        lines = [
            f"Found {_plural(fixed + len(remaining))} ({fixed} fixed, {len(remaining)} remaining)."
        ]
    else:
        lines = [f"Found {_plural(len(remaining))}."]
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
        print("No errors fixed.", file=err)
        return
    names = rule_names((c for r in fixed for c in r.applied_fixes), outcome.rule_names)
    print(f"Fixed {_plural(total)}:", file=err)
    for result in fixed:
        print(f"- {result.path.replace(os.sep, '/')}:", file=err)
        for code, count in sorted(Counter(result.applied_fixes).items()):
            print(f"    {count} x {code} ({names.get(code, '')})", file=err)
