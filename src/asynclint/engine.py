"""Check one file: prefilter, parse once, build the semantic facts once, run every selected
rule over them, then resolve positions (only when something was found), noqa and fixes.

Never raises for a bad file: unreadable or undecodable input is AIO002, a parse error is
AIO001, and a crashing rule becomes an internal error naming the file and the rule."""

from __future__ import annotations

import ast
import functools
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator

import libcst as cst
from libcst.metadata import CodeRange

from asynclint.budget import OverBudget, time_budget
from asynclint.deep import run_deep
from asynclint.diagnostics import Diagnostic, RelatedLocation
from asynclint.fixes.edits import to_fix
from asynclint.guard import Rejected, screen
from asynclint.incremental import IncrementalParser, parse_in_pieces
from asynclint.memory import collector_paused
from asynclint.noqa import parse_suppressions
from asynclint.outline import PIECE_CHARS, Outline, stand_in_tree
from asynclint.parsing import python_ast
from asynclint.positions import node_ranges, statement_ranges
from asynclint.prefilter import async_in_code, prefiltered
from asynclint.project.summaries import ModuleContext
from asynclint.registry import BY_CODE, SKIPPED_FILE, SYNTAX_ERROR, UNREADABLE_FILE
from asynclint.results import FileResult as FileResult  # re-exported: engine.FileResult
from asynclint.rules import RULE_CLASSES, Finding
from asynclint.selection import enabled_codes_for_path, reports_syntax_errors
from asynclint.semantics.model import ModuleFacts, build_facts
from asynclint.settings import Settings
from asynclint.source import DecodedSource, UndecodableSource, decode

Positions = dict[cst.CSTNode, CodeRange]
Ranges = Callable[[cst.Module, Iterable[cst.CSTNode], tuple[int, ...]], Positions]

MAX_FILE_BYTES = 10 * 1024 * 1024
# Seconds one file may take in a command-line run (about 1000x a typical file's time).
FILE_BUDGET_SECONDS = 30.0


def check_file(
    path: str,
    settings: Settings,
    *,
    fix: bool = False,
    unsafe: bool = False,
    budget: float | None = None,
    context: ModuleContext | None = None,
) -> FileResult:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return _unreadable(path, f"cannot read file: {reason}", settings)
    if len(data) > MAX_FILE_BYTES:
        message = f"file is larger than {MAX_FILE_BYTES // 2**20} MiB; skipped"
        return _skipped_file(FileResult(path), message, settings)
    return check_source(
        data, path, settings, fix=fix, unsafe=unsafe, budget=budget, context=context
    )


def check_buffer(
    text: str,
    path: str,
    settings: Settings,
    *,
    budget: float | None = None,
    parser: IncrementalParser | None = None,
) -> FileResult:
    """An editor's unsaved buffer, checked as `check_file` checks the file on disk: too large
    is AIO003, NUL characters (a binary file opened as text) are AIO002. `parser`: the
    buffer's incremental parser, which reparses only what changed since its last parse (the
    result and the errors are a full parse's)."""
    if len(text) > MAX_FILE_BYTES:  # characters: at least as many bytes
        message = f"file is larger than {MAX_FILE_BYTES // 2**20} MiB; skipped"
        return _skipped_file(FileResult(path), message, settings)
    if "\x00" in text:
        return _unreadable(path, "cannot decode file: contains NUL bytes (binary file?)", settings)
    return check_source(text, path, settings, budget=budget, parser=parser)


def check_source(
    data: bytes | str,
    path: str,
    settings: Settings,
    *,
    fix: bool = False,
    unsafe: bool = False,
    prefilter: bool = True,
    budget: float | None = None,
    context: ModuleContext | None = None,
    parser: IncrementalParser | None = None,
    outline: Outline | None = None,
) -> FileResult:
    """Check one module's source. `budget` (seconds) bounds the time spent on it, where the
    platform allows (a SIGALRM timer, in the main thread); a file over budget is AIO003.
    `context`: what the other checked modules tell this one (None: module-local only).
    `outline`: of this very source, from its summary (then a large file needs no `ast`)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    codes = enabled_codes_for_path(path, settings)
    # A binary file is reported even without `async` in it: it is not Python at all.
    if prefilter and prefiltered(raw):
        return FileResult(path, skipped=True)
    try:
        source = decode(raw) if isinstance(data, bytes) else DecodedSource(data, "utf-8")
    except UndecodableSource as error:
        return _unreadable(path, f"cannot decode file: {error}", settings)
    result = FileResult(path, encoding=source.encoding)
    too_long = over_line_budget(source.text, settings)
    if too_long is not None:
        return _skipped_file(result, too_long, settings)
    try:
        screen(source.text, path)
    except Rejected as rejected:
        if not rejected.syntax:
            return _skipped_file(result, str(rejected), settings)
        if reports_syntax_errors(path, settings):
            message = f"syntax error: {rejected}"
            result.diagnostics.append(
                Diagnostic(
                    path,
                    rejected.line,
                    max(rejected.column, 1),
                    SYNTAX_ERROR.code,
                    message,
                    SYNTAX_ERROR.severity,
                )
            )
        return result

    def analyse() -> FileResult:
        # Its own result: after a time-out the thread may still run for a moment.
        scratch = FileResult(path, encoding=source.encoding)
        tree, in_code = None, True
        if parser is None and len(source.text) > PIECE_CHARS:  # parsed in pieces
            if outline is not None:
                tree, in_code = stand_in_tree(outline), outline.async_in_code
            else:
                tree = python_ast(source.text)
                in_code = tree is not None and async_in_code(tree)
        if prefilter and tree is not None and not in_code:
            return FileResult(path, skipped=True)
        try:
            module = parser.parse(source.text) if parser is not None else _parse(source.text, tree)
        except (cst.ParserSyntaxError, cst.CSTValidationError) as error:
            # libcst also rejects some code its grammar accepts while building the tree
            # (`'a' b'b'`, a bare `except:` before another handler): a CSTValidationError.
            if reports_syntax_errors(path, settings):
                scratch.diagnostics.append(_syntax_error(path, source.text, error))
            return scratch
        findings = _run_rules(module, path, codes, settings, scratch, context)
        if findings:
            ranges: Ranges = (
                parser.node_ranges
                if parser is not None
                else functools.partial(statement_ranges, text=source.text)
            )
            _report(
                findings,
                module,
                source,
                path,
                settings,
                scratch,
                fix=fix,
                unsafe=unsafe,
                ranges=ranges,
            )
        return scratch

    try:
        # Trees are as deep as the longest chain in the file (1,000 concatenated strings, a
        # long elif ladder): analyse where deep recursion is safe.
        with time_budget(budget), collector_paused():
            return run_deep(analyse)
    except (RecursionError, MemoryError):
        result.diagnostics.clear()
        return _skipped_file(result, "file is too deeply nested to analyse; skipped", settings)
    except OverBudget:
        result.diagnostics.clear()
        message = f"analysis took longer than {budget:g} s; skipped"
        return _skipped_file(result, message, settings)
    except Exception as error:  # a bug in the parser or the engine: say so, keep the run going
        result.diagnostics.clear()
        result.fixed_text = None
        result.internal_errors.append(f"{path}: analysis failed: {_describe(error)}")
    return result


def over_line_budget(text: str, settings: Settings) -> str | None:
    """Why a file is too long to parse (libcst's memory grows with its length), or None."""
    limit = settings.max_file_lines
    if not limit or len(text) <= limit:  # fewer characters than the limit: fewer lines too
        return None
    lines = text.count("\n") + (not text.endswith("\n"))
    if lines <= limit:
        return None
    return (
        f"{lines:,} lines, over the max-lines budget of {limit:,}: raise `max-file-lines` in "
        "[tool.asynclint] (or pass --max-file-lines; 0: no limit) to analyse it; skipped"
    )


def _parse(text: str, tree: ast.Module | None = None) -> cst.Module:
    # A large file in pieces: the same tree, a fraction of the parser's peak memory.
    return parse_in_pieces(text, tree=tree)


def _run_rules(
    module: cst.Module,
    path: str,
    codes: frozenset[str],
    settings: Settings,
    result: FileResult,
    context: ModuleContext | None = None,
) -> list[Finding]:
    rules = [rule() for rule in RULE_CLASSES if rule.code in codes]
    if not rules:
        return []
    findings: list[Finding] = []
    try:
        facts: ModuleFacts = build_facts(module, settings, context)
    except RecursionError:
        raise
    except Exception as error:
        result.internal_errors.append(f"{path}: semantic analysis failed: {_describe(error)}")
        return []
    try:
        for rule in rules:
            try:
                findings.extend(rule.check(facts))
            except Exception as error:
                result.internal_errors.append(
                    f"{path}: rule {rule.code} failed: {_describe(error)}"
                )
    finally:
        facts.release()  # the findings hold nodes, never facts
    return findings


def _describe(error: BaseException) -> str:
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f" at {tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb is not None else ""
    return f"{type(error).__name__}: {error}{where}"


def _report(
    findings: list[Finding],
    module: cst.Module,
    source: DecodedSource,
    path: str,
    settings: Settings,
    result: FileResult,
    *,
    fix: bool,
    unsafe: bool,
    ranges: Ranges = node_ranges,
) -> None:
    positions = ranges(module, _nodes_to_place(findings), source.line_starts)
    suppressions = parse_suppressions(source.text) if settings.respect_noqa else None
    seen: set[tuple[int, int, str]] = set()
    for finding in findings:
        where = positions.get(finding.node)
        if where is None:
            continue
        key = (where.start.line, where.start.column, finding.code)
        if key in seen:
            continue
        seen.add(key)
        if suppressions is not None and suppressions.suppresses(finding.code, where.start.line):
            continue
        text_fix = to_fix(finding.fix, positions, source) if finding.fix is not None else None
        result.diagnostics.append(
            Diagnostic(
                path=path,
                line=where.start.line,
                column=where.start.column + 1,
                code=finding.code,
                message=finding.message,
                severity=BY_CODE[finding.code].severity,
                end_line=where.end.line,
                end_column=where.end.column + 1,
                fix=text_fix,
                related=_related(finding, positions),
            )
        )
    result.diagnostics.sort(key=Diagnostic.sort_key)
    if fix:
        from asynclint.fixes.apply import apply_fixes

        chosen = [d.fix for d in result.diagnostics if d.fix is not None and (d.fix.safe or unsafe)]
        if chosen:
            result.fixed_text = apply_fixes(source.text, chosen)


def _nodes_to_place(findings: list[Finding]) -> Iterator[cst.CSTNode]:
    for finding in findings:
        yield finding.node
        yield from (node for node, _note in finding.related)
        if finding.fix is not None:
            yield finding.fix.node
            if finding.fix.extra is not None:
                yield finding.fix.extra


def _related(finding: Finding, positions: Positions) -> tuple[RelatedLocation, ...]:
    found = []
    for node, note in finding.related:
        where = positions.get(node)
        if where is not None:
            start, end = where.start, where.end
            found.append(
                RelatedLocation(start.line, start.column + 1, note, end.line, end.column + 1)
            )
    for path, line, note in finding.elsewhere:
        found.append(RelatedLocation(line, 1, note, path=path))
    return tuple(found)


_LIBCST_POSITION = re.compile(r"^(parser error: )?error at \d+:\d+: ")


def _syntax_error(
    path: str, text: str, error: cst.ParserSyntaxError | cst.CSTValidationError
) -> Diagnostic:
    """Where and why the file does not parse, as Python itself says it when it agrees (its
    positions and messages are the ones users know). Code that Python accepts but libcst cannot
    parse is still AIO001, with a message that says so."""
    if isinstance(error, cst.ParserSyntaxError):
        line, column = error.raw_line, error.raw_column + 1
        # libcst's text repeats a position of its own, not always the one above: leave it out.
        message = _LIBCST_POSITION.sub("", error.message)
    else:
        line, column, message = 1, 1, str(error)
    verdict = _python_verdict(text, path)
    if isinstance(verdict, SyntaxError):
        line = verdict.lineno or line
        column = verdict.offset or column
        message = verdict.msg
    elif verdict:
        message = (
            f"libcst {_libcst_version()} cannot parse this file, although Python "
            f"{sys.version_info[0]}.{sys.version_info[1]} accepts it: {message}"
        )
    return Diagnostic(
        path,
        line,
        max(column, 1),
        SYNTAX_ERROR.code,
        f"syntax error: {message}",
        SYNTAX_ERROR.severity,
    )


def _python_verdict(text: str, path: str) -> SyntaxError | bool:
    """The error Python's own parser, then its compiler, reports for `text`; True when it
    accepts the text, False when it cannot tell. Compiling only translates: nothing runs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(text, path, "exec", dont_inherit=True)
        except SyntaxError as error:
            return error
        except (ValueError, RecursionError, MemoryError):
            return False
    return True


def _libcst_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("libcst")
    except PackageNotFoundError:
        return "(unknown version)"


def skipped(path: str, message: str, settings: Settings) -> FileResult:
    """The AIO003 answer for a file that was not analysed (when that code is enabled)."""
    return _skipped_file(FileResult(path), message, settings)


def _skipped_file(result: FileResult, message: str, settings: Settings) -> FileResult:
    if SKIPPED_FILE.code in enabled_codes_for_path(result.path, settings):
        result.diagnostics.append(_tool_diagnostic(result.path, SKIPPED_FILE.code, message))
    return result


def _tool_diagnostic(path: str, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, 1, 1, code, message, UNREADABLE_FILE.severity)


def _unreadable(path: str, message: str, settings: Settings) -> FileResult:
    result = FileResult(path)
    if UNREADABLE_FILE.code in enabled_codes_for_path(path, settings):
        result.diagnostics.append(_tool_diagnostic(path, UNREADABLE_FILE.code, message))
    return result
